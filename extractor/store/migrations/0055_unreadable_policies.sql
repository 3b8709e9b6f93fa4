-- The policies that apply to a discovered principal but could not be read
-- (malformed, or absent from the input), as a JSON array of names: its
-- access is then unknown, and its OPS is N/A (policy_unreadable).
ALTER TABLE discovered_principals ADD COLUMN unreadable_policies TEXT NOT NULL DEFAULT '[]';
