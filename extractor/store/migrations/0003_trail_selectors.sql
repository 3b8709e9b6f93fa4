-- Whether the integration's trail logs S3 data events, as its event
-- selectors said at the last extraction; NULL until asked.
ALTER TABLE integrations ADD COLUMN s3_data_events INTEGER CHECK (s3_data_events IN (0, 1));
