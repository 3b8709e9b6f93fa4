-- Who acts and what they act on. Rows come from both sides: the extractor's
-- log reading (principals and resources seen in CloudTrail) and discovery
-- (principals and resources found in IAM and resource policies). Both upsert
-- by ARN; the ids are the keys every fact and grant table refers to.
CREATE TABLE principals (
    id         INTEGER NOT NULL PRIMARY KEY,
    -- Canonical ARN: an IAM user's or role's ARN with its path
    -- (arn:aws:iam::111111111111:user/ops/alice), the account root
    -- (arn:aws:iam::111111111111:root); for people federated from an identity
    -- provider, a stable identifier chosen by the kind (okta:LOGIN, sso:STORE/USER).
    arn        TEXT    NOT NULL UNIQUE,
    kind       TEXT    NOT NULL CHECK (kind IN ('iam_user', 'iam_role', 'okta_identity', 'sso_user', 'root', 'federated_user', 'aws_service')),
    account_id TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    -- When the identity was created, where discovery knows it (IAM CreateDate).
    created_at INTEGER
) STRICT;
CREATE INDEX principals_account ON principals (account_id, kind);

CREATE TABLE resources (
    id         INTEGER NOT NULL PRIMARY KEY,
    -- Canonical ARN: arn:aws:s3:::BUCKET; arn:aws:kms:REGION:ACCOUNT:key/KEY_ID;
    -- arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-SUFFIX when the full ARN
    -- is known, else ...:secret:NAME (see secret_name).
    arn         TEXT    NOT NULL UNIQUE,
    kind        TEXT    NOT NULL CHECK (kind IN ('s3_bucket', 'kms_key', 'secretsmanager_secret')),
    account_id  TEXT    NOT NULL DEFAULT '',
    region      TEXT    NOT NULL DEFAULT '',
    -- Bucket name, key id, or secret name without the six-character suffix.
    name        TEXT    NOT NULL
) STRICT;
CREATE INDEX resources_kind_name ON resources (kind, account_id, region, name);
