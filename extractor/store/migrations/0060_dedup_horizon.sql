-- Duplicate deliveries are dropped with state kept for a horizon only.
-- usage_events held a 24-byte key for every event ever counted (20 MB of a
-- 29 MB database per million events), and so grew with history. Duplicates
-- come from re-deliveries and overlapping trails, which arrive within hours
-- of each other: dedup_events keeps the events of the last days of each
-- account and region (store.DedupHorizonDays after the newest day delivered
-- there), and each extract run prunes the rest when it ends.
--
-- An event's key is its eventTime and 48 bits of a hash of its eventID (two
-- different events are taken for one only when they happened in the same
-- second and share those bits). Keys are kept in buckets: a row per account
-- and region (scope_id, in dedup_scopes), hour (unix seconds / 3600) and
-- shard (3 bits of the hash), whose keys are sorted 8-byte entries: the
-- second of the hour (2 bytes, big-endian) then the 48 bits. Scope 0 holds
-- keys kept from usage_events, checked for every account and pruned by the
-- newest day of any.
CREATE TABLE dedup_scopes (
    id         INTEGER PRIMARY KEY,
    account_id TEXT    NOT NULL,
    region     TEXT    NOT NULL,
    newest_day INTEGER NOT NULL,
    UNIQUE (account_id, region)
) STRICT;

CREATE TABLE dedup_events (
    scope_id INTEGER NOT NULL,
    hour     INTEGER NOT NULL,
    shard    INTEGER NOT NULL,
    keys     BLOB    NOT NULL,
    PRIMARY KEY (scope_id, hour, shard)
) STRICT, WITHOUT ROWID;

-- The keys of the last 7 days before the newest day observed carry over;
-- older ones could only match a delivery past the horizon anyway. The
-- functions dedup_key, dedup_bucket and dedup_entries are the store's.
INSERT INTO dedup_events (scope_id, hour, shard, keys)
SELECT 0, bucket / 8, bucket % 8, dedup_entries(k)
FROM (
    SELECT dedup_key(event_id) AS k, dedup_bucket(dedup_key(event_id)) AS bucket
    FROM usage_events
    WHERE event_id >= unhex(printf('%016X', max(0, ((SELECT coalesce(max(day), 0) FROM usage_observed) - 7) * 86400)))
)
GROUP BY bucket;

DROP TABLE usage_events;
