-- Extraction pushed to Amazon Athena (`extract --engine athena`): the
-- aggregated rows of a query land in the usage tables of 0010; these tables
-- say which days of which integration they cover, so that a day is queried
-- once and a re-run never counts it twice.

-- One Athena query: its id (for the console and for support), what it
-- scanned and what that cost at Athena's price per terabyte.
CREATE TABLE athena_queries (
    query_id       TEXT    NOT NULL PRIMARY KEY,
    integration    TEXT    NOT NULL,
    run_id         INTEGER NOT NULL REFERENCES extract_runs (id),
    first_day      INTEGER NOT NULL,
    last_day       INTEGER NOT NULL,
    bytes_scanned  INTEGER NOT NULL,
    cost_usd       REAL    NOT NULL,
    result_rows    INTEGER NOT NULL,
    loaded_at      INTEGER NOT NULL
) STRICT;

-- The days of an integration whose events are in the usage tables, and the
-- query that brought them.
CREATE TABLE athena_days (
    integration TEXT    NOT NULL,
    day         INTEGER NOT NULL,
    query_id    TEXT    NOT NULL REFERENCES athena_queries (query_id),
    PRIMARY KEY (integration, day)
) STRICT, WITHOUT ROWID;
