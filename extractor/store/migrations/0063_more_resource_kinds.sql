-- foreign keys off
-- Resources may be SQS queues, SNS topics, Lambda functions and DynamoDB
-- tables too. SQLite cannot change a CHECK in place: the table is made anew
-- with the wider check, its rows and ids kept, which the tables that refer
-- to it go on referring to (the runner turns foreign keys off for this
-- migration and checks them before it commits).
CREATE TABLE resources_new (
    id            INTEGER NOT NULL PRIMARY KEY,
    -- The ARN as first seen in full: arn:aws:s3:::BUCKET;
    -- arn:aws:kms:REGION:ACCOUNT:key/KEY_ID;
    -- arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-SUFFIX when the full
    -- ARN is known, else ...:secret:NAME; arn:aws:sqs:REGION:ACCOUNT:QUEUE;
    -- arn:aws:sns:REGION:ACCOUNT:TOPIC; arn:aws:lambda:REGION:ACCOUNT:function:NAME
    -- (never an alias or a version); arn:aws:dynamodb:REGION:ACCOUNT:table/NAME.
    arn           TEXT    NOT NULL UNIQUE,
    kind          TEXT    NOT NULL CHECK (kind IN ('s3_bucket', 'kms_key', 'secretsmanager_secret',
                                                   'sqs_queue', 'sns_topic', 'lambda_function', 'dynamodb_table')),
    account_id    TEXT    NOT NULL DEFAULT '',
    region        TEXT    NOT NULL DEFAULT '',
    -- Bucket, secret (without its suffix), queue, topic, function or table
    -- name, or key id.
    name          TEXT    NOT NULL,
    canonical_arn TEXT    NOT NULL DEFAULT ''
) STRICT;
INSERT INTO resources_new (id, arn, kind, account_id, region, name, canonical_arn)
    SELECT id, arn, kind, account_id, region, name, canonical_arn FROM resources;
DROP TABLE resources;
ALTER TABLE resources_new RENAME TO resources;
CREATE INDEX resources_kind_name ON resources (kind, account_id, region, name);
CREATE INDEX resources_canonical ON resources (canonical_arn);
