-- The canonical ARN of each resource, under which every way of naming it
-- meets (a secret's partial ARN for its full ARN). The extractor computes it
-- from the registry of resource kinds when it writes a row, and fills it for
-- rows written before this column existed when it opens the database.
ALTER TABLE resources ADD COLUMN canonical_arn TEXT NOT NULL DEFAULT '';
CREATE INDEX resources_canonical ON resources (canonical_arn);
