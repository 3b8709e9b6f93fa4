-- Accounts enabled for monitoring. Written by the Terraform provider's
-- activity_monitoring_integration resource, read by the extractor.
CREATE TABLE integrations (
    account_id               TEXT    NOT NULL PRIMARY KEY
                                     CHECK (length(account_id) = 12 AND account_id NOT GLOB '*[^0-9]*'),
    trail                    TEXT    NOT NULL CHECK (trail <> ''),
    region                   TEXT    NOT NULL CHECK (region <> ''),
    extract_for_organization INTEGER NOT NULL DEFAULT 0 CHECK (extract_for_organization IN (0, 1)),
    skip_extraction          INTEGER NOT NULL DEFAULT 0 CHECK (skip_extraction IN (0, 1)),
    role_arn                 TEXT    NOT NULL DEFAULT '',
    -- What cloudtrail:GetTrail answered, when it was asked (verify = true,
    -- or the extractor resolving the trail). Empty until then.
    trail_arn                TEXT    NOT NULL DEFAULT '',
    s3_bucket                TEXT    NOT NULL DEFAULT '',
    s3_key_prefix            TEXT    NOT NULL DEFAULT '',
    is_organization_trail    INTEGER NOT NULL DEFAULT 0 CHECK (is_organization_trail IN (0, 1)),
    kms_key_id               TEXT    NOT NULL DEFAULT '',
    trail_resolved_at        INTEGER,
    created_at               INTEGER NOT NULL,
    updated_at               INTEGER NOT NULL,
    CHECK (NOT (extract_for_organization = 1 AND skip_extraction = 1))
) STRICT;
