-- A principal's headline ops is the share of its granted (resource, action)
-- pairs left unused; resource_ops is the share of its granted resources not
-- used at all (what ops was before); na_reason says why ops is NULL (N/A):
-- not_enabled, no_logs, not_discovered, policy_unreadable or
-- nothing_granted. Stored runs keep their values under the new names, and
-- their null scores get the reason the scoring of the time had.
ALTER TABLE principal_scores ADD COLUMN resource_ops REAL CHECK (resource_ops BETWEEN 0 AND 100);
ALTER TABLE principal_scores ADD COLUMN na_reason TEXT;
UPDATE principal_scores SET resource_ops = ops, ops = action_ops,
    na_reason = CASE WHEN action_ops IS NOT NULL THEN NULL WHEN monitored = 0 THEN 'no_logs' ELSE 'nothing_granted' END;
ALTER TABLE principal_scores DROP COLUMN action_ops;

-- A rule may bound the resource-level share too, alone or with ops. Nothing
-- refers to rules, so the table is made anew with the wider check.
CREATE TABLE rules_new (
    name             TEXT    NOT NULL PRIMARY KEY CHECK (name <> ''),
    description      TEXT    NOT NULL DEFAULT '',
    -- Violated by a principal (or, with resource_kinds, one of its resource
    -- scores) above this OPS. NULL when the rule does not bound OPS.
    max_ops          REAL    CHECK (max_ops BETWEEN 0 AND 100),
    -- Violated by a principal whose resource_ops is above this.
    max_resource_ops REAL    CHECK (max_resource_ops BETWEEN 0 AND 100),
    -- Violated by any dormant principal in scope.
    no_dormant       INTEGER NOT NULL DEFAULT 0 CHECK (no_dormant IN (0, 1)),
    -- Scope, as JSON arrays; empty arrays mean everything.
    accounts         TEXT    NOT NULL DEFAULT '[]',
    kinds            TEXT    NOT NULL DEFAULT '[]',
    resource_kinds   TEXT    NOT NULL DEFAULT '[]',
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    CHECK (max_ops IS NOT NULL OR max_resource_ops IS NOT NULL OR no_dormant = 1)
) STRICT;
INSERT INTO rules_new (name, description, max_ops, no_dormant, accounts, kinds, resource_kinds, created_at, updated_at)
    SELECT name, description, max_ops, no_dormant, accounts, kinds, resource_kinds, created_at, updated_at FROM rules;
DROP TABLE rules;
ALTER TABLE rules_new RENAME TO rules;
