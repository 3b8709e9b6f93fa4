-- Denied and failed attempts of each principal inside a run's window, kept
-- with the run so that a stored run reads back what was computed: per
-- action, resource (NULL when the call named none of the resource kinds)
-- and error code, the number of distinct events and the latest one.
CREATE TABLE denied_scores (
    run_id       INTEGER NOT NULL REFERENCES score_runs (id) ON DELETE CASCADE,
    principal_id INTEGER NOT NULL REFERENCES principals (id),
    action       TEXT    NOT NULL,
    resource_id  INTEGER REFERENCES resources (id),
    error_code   TEXT    NOT NULL,
    count        INTEGER NOT NULL CHECK (count > 0),
    last_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX denied_scores_principal ON denied_scores (run_id, principal_id);
