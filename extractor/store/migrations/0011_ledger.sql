-- Every CloudTrail object read, committed in the same transaction as its
-- facts: an object is in the ledger exactly when its facts are in the store.
CREATE TABLE extract_ledger (
    -- s3://BUCKET/KEY, or the absolute path of a file.
    location    TEXT    NOT NULL PRIMARY KEY,
    etag        TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    modified_at INTEGER,
    read_at     INTEGER NOT NULL,
    run_id      INTEGER NOT NULL,
    events      INTEGER NOT NULL,
    -- 1 when the object was skipped as bad input (its reason is in
    -- extract_errors): it is not read again until it changes.
    skipped     INTEGER NOT NULL CHECK (skipped IN (0, 1))
) STRICT;

CREATE TABLE extract_runs (
    id          INTEGER NOT NULL PRIMARY KEY,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    as_of       INTEGER NOT NULL,
    window_days INTEGER NOT NULL,
    sources     TEXT    NOT NULL,
    objects     INTEGER NOT NULL DEFAULT 0,
    events      INTEGER NOT NULL DEFAULT 0,
    skipped     INTEGER NOT NULL DEFAULT 0,
    -- 'running', 'done', 'interrupted' or 'failed'.
    status      TEXT    NOT NULL
) STRICT;

-- Inputs skipped as bad: a whole object (record_index NULL) or one record.
CREATE TABLE extract_errors (
    id           INTEGER NOT NULL PRIMARY KEY,
    run_id       INTEGER NOT NULL REFERENCES extract_runs (id),
    location     TEXT    NOT NULL,
    record_index INTEGER,
    reason       TEXT    NOT NULL,
    at           INTEGER NOT NULL
) STRICT;
CREATE INDEX extract_errors_run ON extract_errors (run_id);
