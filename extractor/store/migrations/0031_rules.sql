-- Saved constraints on scores, declared with the Terraform resource
-- activity_monitoring_rule and evaluated by `activity-extractor rules check`.
CREATE TABLE rules (
    name           TEXT    NOT NULL PRIMARY KEY CHECK (name <> ''),
    description    TEXT    NOT NULL DEFAULT '',
    -- Violated by a principal (or, with resource_kinds, one of its resource
    -- scores) above this OPS. NULL when the rule does not bound OPS.
    max_ops        REAL    CHECK (max_ops BETWEEN 0 AND 100),
    -- Violated by any dormant principal in scope.
    no_dormant     INTEGER NOT NULL DEFAULT 0 CHECK (no_dormant IN (0, 1)),
    -- Scope, as JSON arrays; empty arrays mean everything.
    accounts       TEXT    NOT NULL DEFAULT '[]',
    kinds          TEXT    NOT NULL DEFAULT '[]',
    resource_kinds TEXT    NOT NULL DEFAULT '[]',
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    CHECK (max_ops IS NOT NULL OR no_dormant = 1)
) STRICT;
