-- Duplicate deliveries are dropped with state kept for a horizon only.
-- usage_events held a 24-byte key for every event ever counted (20 MB of a
-- 29 MB database per million events), and so grew with history. Duplicates
-- come from re-deliveries and overlapping trails, which arrive within hours
-- of each other: dedup_events keeps the events of the last days of each
-- account and region (store.DedupHorizonDays after the newest day delivered
-- there), and each extract run prunes the rest when it ends.
--
-- key: the eventTime (4 bytes, big-endian unix seconds) then 48 bits of a
-- hash of the eventID (two different events are taken for one only when
-- they happened in the same second and share those bits). Time first keeps the
-- inserts of one delivery file on neighbouring pages. scope_id names the
-- account and region (dedup_scopes) whose horizon prunes the key; 0 is a key
-- kept from usage_events, pruned by the newest day of any account.
CREATE TABLE dedup_scopes (
    id         INTEGER PRIMARY KEY,
    account_id TEXT    NOT NULL,
    region     TEXT    NOT NULL,
    newest_day INTEGER NOT NULL,
    UNIQUE (account_id, region)
) STRICT;

CREATE TABLE dedup_events (
    key      BLOB    NOT NULL PRIMARY KEY,
    scope_id INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- The keys of the last 3 days before the newest day observed carry over;
-- older ones could only match a delivery past the horizon anyway.
INSERT OR IGNORE INTO dedup_events (key, scope_id)
SELECT dedup_key(event_id), 0
FROM usage_events
WHERE event_id >= unhex(printf('%016X', max(0, ((SELECT coalesce(max(day), 0) FROM usage_observed) - 3) * 86400)));

DROP TABLE usage_events;
