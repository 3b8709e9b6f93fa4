-- Scores, computed by `activity-extractor score` from the usage facts and the
-- grants for one window ending at as_of. Each run is kept whole; readers take
-- the latest run for the window they want.
CREATE TABLE score_runs (
    id          INTEGER NOT NULL PRIMARY KEY,
    as_of       INTEGER NOT NULL,
    window_days INTEGER NOT NULL CHECK (window_days BETWEEN 1 AND 365),
    computed_at INTEGER NOT NULL,
    -- JSON object of coverage facts (monitored accounts, missing days,
    -- unlogged data events, unattributed sessions) shown beside the scores.
    coverage    TEXT    NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX score_runs_window ON score_runs (window_days, computed_at);

CREATE TABLE principal_scores (
    run_id           INTEGER NOT NULL REFERENCES score_runs (id) ON DELETE CASCADE,
    principal_id     INTEGER NOT NULL REFERENCES principals (id),
    monitored        INTEGER NOT NULL CHECK (monitored IN (0, 1)),
    -- NULL when not monitored, or when nothing is granted.
    ops              REAL CHECK (ops BETWEEN 0 AND 100),
    action_ops       REAL CHECK (action_ops BETWEEN 0 AND 100),
    dormant          INTEGER NOT NULL CHECK (dormant IN (0, 1)),
    last_activity_at INTEGER,
    observed_since   INTEGER,
    resources        INTEGER NOT NULL,
    -- JSON array of caveats that affect this principal's scores.
    notes            TEXT    NOT NULL DEFAULT '[]',
    PRIMARY KEY (run_id, principal_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX principal_scores_ops ON principal_scores (run_id, ops);

CREATE TABLE resource_scores (
    run_id          INTEGER NOT NULL REFERENCES score_runs (id) ON DELETE CASCADE,
    principal_id    INTEGER NOT NULL REFERENCES principals (id),
    resource_id     INTEGER NOT NULL REFERENCES resources (id),
    ops             REAL CHECK (ops BETWEEN 0 AND 100),
    -- Space-separated catalog actions.
    granted_actions TEXT    NOT NULL,
    used_actions    TEXT    NOT NULL,
    conditional     TEXT    NOT NULL DEFAULT '',
    last_used_at    INTEGER,
    PRIMARY KEY (run_id, principal_id, resource_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE key_activity (
    run_id           INTEGER NOT NULL REFERENCES score_runs (id) ON DELETE CASCADE,
    resource_id      INTEGER NOT NULL REFERENCES resources (id),
    last_activity_at INTEGER,
    last_viewed_at   INTEGER,
    PRIMARY KEY (run_id, resource_id)
) STRICT, WITHOUT ROWID;
