-- Usage facts read from CloudTrail by `activity-extractor extract`.
--
-- Facts are kept per UTC day (day = unix seconds / 86400) so that any window
-- and any as_of can be scored later from the same rows. Every maximum and
-- minimum below is idempotent; only counts need the event ledger
-- (usage_events) to stay exact when CloudTrail delivers an event twice or an
-- organization trail and an account trail both hold it.

-- Successful uses: who did which catalog action (s3:GetObject) on which
-- bucket, key or secret.
CREATE TABLE usage_actions (
    principal_id  INTEGER NOT NULL REFERENCES principals (id),
    resource_id   INTEGER NOT NULL REFERENCES resources (id),
    action        TEXT    NOT NULL,
    day           INTEGER NOT NULL,
    first_used_at INTEGER NOT NULL,
    last_used_at  INTEGER NOT NULL,
    count         INTEGER NOT NULL,
    PRIMARY KEY (principal_id, resource_id, action, day)
) STRICT, WITHOUT ROWID;
CREATE INDEX usage_actions_resource ON usage_actions (resource_id, day);

-- Failed attempts (an errorCode in the event): signals, never use. Kept for
-- every service; resource_id is 0 when the call named none of the three
-- resource kinds.
CREATE TABLE usage_failures (
    principal_id  INTEGER NOT NULL REFERENCES principals (id),
    resource_id   INTEGER NOT NULL,
    action        TEXT    NOT NULL,
    error_code    TEXT    NOT NULL,
    day           INTEGER NOT NULL,
    first_at      INTEGER NOT NULL,
    last_at       INTEGER NOT NULL,
    count         INTEGER NOT NULL,
    PRIMARY KEY (principal_id, resource_id, action, error_code, day)
) STRICT, WITHOUT ROWID;

-- Any event in which the principal acted, in any service, denied or not:
-- what last_activity_at and dormancy are computed from.
CREATE TABLE usage_principal_days (
    principal_id INTEGER NOT NULL REFERENCES principals (id),
    day          INTEGER NOT NULL,
    first_at     INTEGER NOT NULL,
    last_at      INTEGER NOT NULL,
    PRIMARY KEY (principal_id, day)
) STRICT, WITHOUT ROWID;

-- Role sessions: the role, and the session name and sourceIdentity callers
-- chose, for attributing a session to a person.
CREATE TABLE usage_sessions (
    role_id         INTEGER NOT NULL REFERENCES principals (id),
    session_name    TEXT    NOT NULL,
    source_identity TEXT    NOT NULL,
    person_id       INTEGER REFERENCES principals (id),
    first_at        INTEGER NOT NULL,
    last_at         INTEGER NOT NULL,
    PRIMARY KEY (role_id, session_name, source_identity)
) STRICT, WITHOUT ROWID;

-- KMS keys: the latest successful use of any kind by anyone (AWS services
-- included) and the latest operation that consumed key material.
CREATE TABLE usage_key_days (
    resource_id      INTEGER NOT NULL REFERENCES resources (id),
    day              INTEGER NOT NULL,
    last_activity_at INTEGER NOT NULL,
    last_crypto_at   INTEGER,
    PRIMARY KEY (resource_id, day)
) STRICT, WITHOUT ROWID;

-- Which accounts, regions and days had logs read: what makes a principal
-- monitored, and what observed_since and missing days are computed from.
CREATE TABLE usage_observed (
    account_id TEXT    NOT NULL,
    region     TEXT    NOT NULL,
    day        INTEGER NOT NULL,
    events     INTEGER NOT NULL,
    PRIMARY KEY (account_id, region, day)
) STRICT, WITHOUT ROWID;

-- Events already counted: the eventTime (8 bytes, big-endian unix seconds)
-- then the eventID's 16 bytes (or a hash of the event when it has none).
-- Time first keeps the inserts of one delivery file on neighbouring pages.
CREATE TABLE usage_events (
    event_id BLOB NOT NULL PRIMARY KEY
) STRICT, WITHOUT ROWID;
