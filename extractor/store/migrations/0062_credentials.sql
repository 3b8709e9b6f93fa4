-- Credentials of IAM users: their long-term access keys and console
-- passwords, what discovery says of them, the logs' record of their use,
-- and the findings and rule constraint about the unused ones.

-- Uses of a principal's credentials per day: credential is an access key's
-- id (AKIA…; session keys, ASIA…, are not recorded) for every event the key
-- signed, or 'console' for a successful console sign-in (ConsoleLogin with
-- responseElements.ConsoleLogin "Success"). Like the other per-day facts,
-- the seconds of the day of the uses are kept (see 0056), and every column
-- merges idempotently (min, max, seconds_union): a duplicate delivery
-- changes nothing and no event ledger is involved.
CREATE TABLE usage_credentials (
    principal_id  INTEGER NOT NULL REFERENCES principals (id),
    credential    TEXT    NOT NULL,
    day           INTEGER NOT NULL,
    first_used_at INTEGER NOT NULL,
    last_used_at  INTEGER NOT NULL,
    seconds       BLOB    NOT NULL,
    PRIMARY KEY (principal_id, credential, day)
) STRICT, WITHOUT ROWID;

-- The access keys of IAM users, as discovery read them (ListAccessKeys, the
-- credential report), replaced with the account's discovery when it read
-- them. slot is the key's columns in the credential report (1 or 2), or its
-- order of creation; access_key_id is '' when only a credential report
-- named the key. last_used_at is AWS's own record of the key's last use.
CREATE TABLE access_keys (
    principal_id  INTEGER NOT NULL REFERENCES principals (id),
    slot          INTEGER NOT NULL CHECK (slot IN (1, 2)),
    account_id    TEXT    NOT NULL,
    access_key_id TEXT    NOT NULL,
    active        INTEGER NOT NULL CHECK (active IN (0, 1)),
    created_at    INTEGER,
    last_used_at  INTEGER,
    PRIMARY KEY (principal_id, slot)
) STRICT, WITHOUT ROWID;
CREATE INDEX access_keys_account ON access_keys (account_id);

-- The console password of each IAM user the credential report lists.
CREATE TABLE console_passwords (
    principal_id INTEGER NOT NULL PRIMARY KEY REFERENCES principals (id),
    account_id   TEXT    NOT NULL,
    enabled      INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    last_used_at INTEGER,
    changed_at   INTEGER
) STRICT;
CREATE INDEX console_passwords_account ON console_passwords (account_id);

-- A run's view of each IAM user's credentials: enabled (an active key, an
-- enabled password), when created (or the password last set), the latest
-- use up to as_of (logs or AWS's record) and whether one fell inside the
-- window. credential is the key's name (its id, or access_key_N) or
-- 'console'. Rules read it to bound how long a key goes unused.
CREATE TABLE credential_scores (
    run_id         INTEGER NOT NULL REFERENCES score_runs (id) ON DELETE CASCADE,
    principal_id   INTEGER NOT NULL REFERENCES principals (id),
    credential     TEXT    NOT NULL,
    enabled        INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    created_at     INTEGER,
    last_used_at   INTEGER,
    used_in_window INTEGER NOT NULL CHECK (used_in_window IN (0, 1)),
    PRIMARY KEY (run_id, principal_id, credential)
) STRICT, WITHOUT ROWID;

-- Findings gain 'unused_access_key' (credential names the key: its id, or
-- access_key_N when only the credential report named it) and
-- 'unused_password'; created_at is when the key was created or the password
-- last set. The table is made anew with the wider check.
CREATE TABLE findings_new (
    run_id           INTEGER NOT NULL REFERENCES score_runs (id) ON DELETE CASCADE,
    type             TEXT    NOT NULL CHECK (type IN ('unused_role', 'unused_permission', 'unused_access_key', 'unused_password')),
    principal_id     INTEGER NOT NULL REFERENCES principals (id),
    service          TEXT    NOT NULL,
    credential       TEXT    NOT NULL DEFAULT '',
    actions_id       INTEGER REFERENCES grant_action_sets (id),
    action_last_used TEXT    NOT NULL DEFAULT '{}',
    last_used_at     INTEGER,
    created_at       INTEGER,
    PRIMARY KEY (run_id, type, principal_id, service, credential)
) STRICT, WITHOUT ROWID;
INSERT INTO findings_new (run_id, type, principal_id, service, actions_id, action_last_used, last_used_at)
    SELECT run_id, type, principal_id, service, actions_id, action_last_used, last_used_at FROM findings;
DROP TABLE findings;
ALTER TABLE findings_new RENAME TO findings;

-- A rule may bound how long an active access key goes unused.
CREATE TABLE rules_new (
    name                       TEXT    NOT NULL PRIMARY KEY CHECK (name <> ''),
    description                TEXT    NOT NULL DEFAULT '',
    max_ops                    REAL    CHECK (max_ops BETWEEN 0 AND 100),
    max_resource_ops           REAL    CHECK (max_resource_ops BETWEEN 0 AND 100),
    no_dormant                 INTEGER NOT NULL DEFAULT 0 CHECK (no_dormant IN (0, 1)),
    max_unused_role_days       INTEGER CHECK (max_unused_role_days BETWEEN 0 AND 3650),
    -- Violated by an IAM user in scope holding an active access key unused
    -- for more than this many whole days up to as_of (since its last use,
    -- or its creation when never used). NULL when the rule does not bound it.
    max_unused_access_key_days INTEGER CHECK (max_unused_access_key_days BETWEEN 0 AND 3650),
    accounts                   TEXT    NOT NULL DEFAULT '[]',
    kinds                      TEXT    NOT NULL DEFAULT '[]',
    resource_kinds             TEXT    NOT NULL DEFAULT '[]',
    created_at                 INTEGER NOT NULL,
    updated_at                 INTEGER NOT NULL,
    CHECK (max_ops IS NOT NULL OR max_resource_ops IS NOT NULL OR no_dormant = 1 OR max_unused_role_days IS NOT NULL
        OR max_unused_access_key_days IS NOT NULL)
) STRICT;
INSERT INTO rules_new (name, description, max_ops, max_resource_ops, no_dormant, max_unused_role_days, accounts, kinds, resource_kinds, created_at, updated_at)
    SELECT name, description, max_ops, max_resource_ops, no_dormant, max_unused_role_days, accounts, kinds, resource_kinds, created_at, updated_at FROM rules;
DROP TABLE rules;
ALTER TABLE rules_new RENAME TO rules;
