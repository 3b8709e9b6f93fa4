-- Entitlements found by discovery, kept as evaluation needs them, so that the
-- grants can be recomputed and explained (activity-extractor simulate)
-- without going back to AWS. Discovery replaces an account's rows as a whole.

-- Policy documents, each text stored once however many policies share it.
CREATE TABLE policy_documents (
    id       INTEGER NOT NULL PRIMARY KEY,
    sha256   TEXT    NOT NULL UNIQUE,
    document TEXT    NOT NULL
) STRICT;

-- Policies by the name explanations show: a managed policy's ARN, an inline
-- policy's owner ARN + " inline " + name, the file or resource a resource
-- policy came from.
CREATE TABLE policies (
    id          INTEGER NOT NULL PRIMARY KEY,
    account_id  TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('managed', 'inline', 'resource', 'scp', 'rcp')),
    document_id INTEGER NOT NULL REFERENCES policy_documents (id),
    UNIQUE (account_id, name)
) STRICT;

-- The principals discovery found, with their permissions boundary.
CREATE TABLE discovered_principals (
    principal_id       INTEGER NOT NULL PRIMARY KEY REFERENCES principals (id),
    account_id         TEXT    NOT NULL,
    boundary_policy_id INTEGER REFERENCES policies (id) ON DELETE SET NULL
) STRICT;
CREATE INDEX discovered_principals_account ON discovered_principals (account_id);

-- Identity-based policies of each principal, in order (its own, then its
-- groups').
CREATE TABLE principal_policies (
    principal_id INTEGER NOT NULL REFERENCES discovered_principals (principal_id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    policy_id    INTEGER NOT NULL REFERENCES policies (id) ON DELETE CASCADE,
    PRIMARY KEY (principal_id, position)
) STRICT, WITHOUT ROWID;

-- The buckets, keys and secrets discovery found, and their resource policy:
-- policy_state 'none' (the resource has none), 'known', or 'unknown' (it
-- could not be read).
CREATE TABLE discovered_resources (
    resource_id  INTEGER NOT NULL PRIMARY KEY REFERENCES resources (id),
    account_id   TEXT    NOT NULL,
    policy_state TEXT    NOT NULL CHECK (policy_state IN ('none', 'known', 'unknown')),
    policy_id    INTEGER REFERENCES policies (id) ON DELETE SET NULL,
    CHECK ((policy_state = 'known') = (policy_id IS NOT NULL))
) STRICT;
CREATE INDEX discovered_resources_account ON discovered_resources (account_id);

-- Organization policies that apply to an account: kind 'scp' caps its
-- principals, 'rcp' its resources. Each level (root, OUs, account) must allow.
CREATE TABLE organization_policies (
    account_id TEXT    NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('scp', 'rcp')),
    level      INTEGER NOT NULL,
    position   INTEGER NOT NULL,
    policy_id  INTEGER NOT NULL REFERENCES policies (id) ON DELETE CASCADE,
    PRIMARY KEY (account_id, kind, level, position)
) STRICT, WITHOUT ROWID;

-- KMS aliases, so that log extraction and the provider can resolve an alias
-- to its key.
CREATE TABLE kms_aliases (
    arn        TEXT NOT NULL PRIMARY KEY, -- arn:aws:kms:REGION:ACCOUNT:alias/NAME
    account_id TEXT NOT NULL,
    region     TEXT NOT NULL,
    name       TEXT NOT NULL,             -- alias/NAME
    key_arn    TEXT NOT NULL
) STRICT;
CREATE INDEX kms_aliases_key ON kms_aliases (key_arn);

-- Granted actions, deduplicated: one row per distinct set, actions in
-- catalog spelling, sorted, separated by single spaces.
CREATE TABLE grant_action_sets (
    id      INTEGER NOT NULL PRIMARY KEY,
    actions TEXT    NOT NULL UNIQUE
) STRICT;

-- What each principal may do on each bucket (and its objects), key and
-- secret: the granted actions, and which of them only under a condition.
CREATE TABLE grants (
    principal_id      INTEGER NOT NULL REFERENCES principals (id),
    resource_id       INTEGER NOT NULL REFERENCES resources (id),
    actions_id        INTEGER NOT NULL REFERENCES grant_action_sets (id),
    conditional_id    INTEGER REFERENCES grant_action_sets (id),
    PRIMARY KEY (principal_id, resource_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX grants_resource ON grants (resource_id);

-- What discovery could not read (a denied API call, a malformed policy), per
-- account, from the latest discovery of that account.
CREATE TABLE discovery_issues (
    id         INTEGER NOT NULL PRIMARY KEY,
    account_id TEXT    NOT NULL,
    source     TEXT    NOT NULL,
    message    TEXT    NOT NULL,
    at         INTEGER NOT NULL
) STRICT;
CREATE INDEX discovery_issues_account ON discovery_issues (account_id);
