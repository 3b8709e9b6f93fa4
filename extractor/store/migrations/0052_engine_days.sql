-- Which engine counted which day of which integration. The events of one
-- day of an integration are counted by one engine only: the local engine
-- leaves the days another engine counted, and Athena never queries a day
-- the local engine counted, so that no event is counted by both. Each
-- engine records its days in the transaction that writes their facts.
--
-- integration is the integration's account id, or '' for logs named on the
-- command line (extract --source), which may hold any integration's events:
-- a day counted from them is left by every other engine, for every
-- integration, and a source of no integration leaves the days other
-- engines counted for any integration.
CREATE TABLE engine_days (
    integration TEXT    NOT NULL,
    day         INTEGER NOT NULL,
    -- 'local' or 'athena'.
    engine      TEXT    NOT NULL,
    -- The run that first counted the day; NULL for days counted before
    -- this table existed by the local engine.
    run_id      INTEGER,
    PRIMARY KEY (integration, day)
) STRICT, WITHOUT ROWID;
CREATE INDEX engine_days_day ON engine_days (day);

-- The days loaded through Athena keep their integration and run.
INSERT INTO engine_days (integration, day, engine, run_id)
    SELECT d.integration, d.day, 'athena', q.run_id
    FROM athena_days d JOIN athena_queries q USING (query_id);

-- The local engine's days were the days read that Athena did not load,
-- whatever the integration: they stay the local engine's for every one.
INSERT INTO engine_days (integration, day, engine, run_id)
    SELECT DISTINCT '', day, 'local', NULL FROM usage_observed
    WHERE day NOT IN (SELECT day FROM athena_days);

-- athena_queries stays Athena's record of its queries (id, bytes scanned,
-- cost); the days a query loaded are in engine_days, by its integration
-- and run.
DROP TABLE athena_days;
