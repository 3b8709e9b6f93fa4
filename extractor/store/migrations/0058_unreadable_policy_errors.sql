-- What was wrong with each policy discovery could not read, so that simulate
-- can name it and say why access is unknown. The entries of
-- discovered_principals.unreadable_policies become objects
-- {"policy", "via", "error"}; a resource policy that could not be parsed
-- keeps its error; organization policies that could not be read are kept per
-- account, since no row of policies can hold a document that does not parse.
UPDATE discovered_principals
SET unreadable_policies = (SELECT json_group_array(json_object('policy', value)) FROM json_each(unreadable_policies))
WHERE unreadable_policies <> '[]';

ALTER TABLE discovered_resources ADD COLUMN policy_error TEXT NOT NULL DEFAULT '';

CREATE TABLE unreadable_organization_policies (
    account_id TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('scp', 'rcp')),
    name       TEXT NOT NULL, -- the policy's ARN, or the file it came from
    error      TEXT NOT NULL,
    PRIMARY KEY (account_id, kind, name)
) STRICT, WITHOUT ROWID;
