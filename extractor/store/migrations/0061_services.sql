-- Every service, beyond the three scored resource kinds: which IAM actions
-- each principal performed successfully, what its policies grant per
-- service, and what a score run made of the two.

-- Successful actions of any service on none of the scored resource kinds
-- (uses of buckets, keys and secrets are in usage_actions and
-- usage_session_actions, where service use is read from too), per
-- principal and day, from management events and the data events the trail
-- logs. Rows
-- with session_name '' are the principal's own; rows with a session name
-- are the calls of a role session whose events name no person (the role
-- has its own row too), credited to the person whose SAML sign-in issued
-- it, as usage_session_actions are. Every column merges idempotently (min,
-- max, seconds_union), so a duplicate delivery changes nothing and no
-- event ledger is involved.
CREATE TABLE usage_service_actions (
    principal_id  INTEGER NOT NULL REFERENCES principals (id),
    session_name  TEXT    NOT NULL,
    action        TEXT    NOT NULL,
    day           INTEGER NOT NULL,
    first_used_at INTEGER NOT NULL,
    last_used_at  INTEGER NOT NULL,
    seconds       BLOB    NOT NULL,
    PRIMARY KEY (principal_id, session_name, action, day)
) STRICT, WITHOUT ROWID;

-- The actions each principal's identity-based policies grant, per service
-- (see the iam package: granted on some resource and not denied on every
-- one), as a set of grant_action_sets. Replaced with the grants.
CREATE TABLE service_grants (
    principal_id INTEGER NOT NULL REFERENCES principals (id),
    service      TEXT    NOT NULL,
    actions_id   INTEGER NOT NULL REFERENCES grant_action_sets (id),
    PRIMARY KEY (principal_id, service)
) STRICT, WITHOUT ROWID;

-- A run's service-level shares: services granted but unused over services
-- granted, and actions granted but unused over actions granted, over every
-- service. NULL with the principal's na_reason.
ALTER TABLE principal_scores ADD COLUMN service_ops REAL CHECK (service_ops BETWEEN 0 AND 100);
ALTER TABLE principal_scores ADD COLUMN permission_ops REAL CHECK (permission_ops BETWEEN 0 AND 100);

-- Per principal and service of a run: how many actions are granted, which
-- were used inside the window (space-separated), and the latest use.
CREATE TABLE service_scores (
    run_id       INTEGER NOT NULL REFERENCES score_runs (id) ON DELETE CASCADE,
    principal_id INTEGER NOT NULL REFERENCES principals (id),
    service      TEXT    NOT NULL,
    granted      INTEGER NOT NULL CHECK (granted >= 0),
    used_actions TEXT    NOT NULL,
    last_used_at INTEGER,
    PRIMARY KEY (run_id, principal_id, service)
) STRICT, WITHOUT ROWID;

-- Findings of a run, like IAM Access Analyzer's unused-access findings:
-- 'unused_role' (a role that did nothing in the window) and
-- 'unused_permission' (per service, the granted actions unused in the
-- window, a set of grant_action_sets: an administrator's unused services
-- share their sets with every run and every other administrator);
-- action_last_used is a JSON object of the unused actions last used before
-- the window, with their time.
CREATE TABLE findings (
    run_id           INTEGER NOT NULL REFERENCES score_runs (id) ON DELETE CASCADE,
    type             TEXT    NOT NULL CHECK (type IN ('unused_role', 'unused_permission')),
    principal_id     INTEGER NOT NULL REFERENCES principals (id),
    service          TEXT    NOT NULL,
    actions_id       INTEGER REFERENCES grant_action_sets (id),
    action_last_used TEXT    NOT NULL DEFAULT '{}',
    last_used_at     INTEGER,
    PRIMARY KEY (run_id, type, principal_id, service)
) STRICT, WITHOUT ROWID;

-- A rule may bound how long a role goes unused, alone or with the other
-- constraints. Nothing refers to rules, so the table is made anew with the
-- wider check.
CREATE TABLE rules_new (
    name                 TEXT    NOT NULL PRIMARY KEY CHECK (name <> ''),
    description          TEXT    NOT NULL DEFAULT '',
    max_ops              REAL    CHECK (max_ops BETWEEN 0 AND 100),
    max_resource_ops     REAL    CHECK (max_resource_ops BETWEEN 0 AND 100),
    no_dormant           INTEGER NOT NULL DEFAULT 0 CHECK (no_dormant IN (0, 1)),
    -- Violated by an IAM role in scope (not service-linked) unused for more
    -- than this many whole days up to as_of. NULL when the rule does not
    -- bound it.
    max_unused_role_days INTEGER CHECK (max_unused_role_days BETWEEN 0 AND 3650),
    accounts             TEXT    NOT NULL DEFAULT '[]',
    kinds                TEXT    NOT NULL DEFAULT '[]',
    resource_kinds       TEXT    NOT NULL DEFAULT '[]',
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    CHECK (max_ops IS NOT NULL OR max_resource_ops IS NOT NULL OR no_dormant = 1 OR max_unused_role_days IS NOT NULL)
) STRICT;
INSERT INTO rules_new (name, description, max_ops, max_resource_ops, no_dormant, accounts, kinds, resource_kinds, created_at, updated_at)
    SELECT name, description, max_ops, max_resource_ops, no_dormant, accounts, kinds, resource_kinds, created_at, updated_at FROM rules;
DROP TABLE rules;
ALTER TABLE rules_new RENAME TO rules;
