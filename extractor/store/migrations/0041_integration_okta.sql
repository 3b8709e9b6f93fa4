-- The Okta org and AWS Account Federation app through which people sign in
-- to the integration's account, for `activity-extractor people`. Credentials
-- are never stored: they come from the environment of the run.
ALTER TABLE integrations ADD COLUMN okta_org_url TEXT NOT NULL DEFAULT '';
ALTER TABLE integrations ADD COLUMN okta_app_id  TEXT NOT NULL DEFAULT '';
