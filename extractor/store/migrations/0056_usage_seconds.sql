-- The seconds of each day at which a per-day fact's events happened: with
-- the day's first and last time alone, a window starting or ending inside
-- the day (an as_of such as 2026-11-24T15:30:00Z) could only be given a
-- bound. The set is stored as written by activity.Seconds.Encode: a one-byte
-- tag, then the seconds of the day (0 to 86,399) as varint gaps, or a
-- bitmap of the day when that is shorter, so at most 10,801 bytes a row.
-- Rows are merged with seconds_union(), a function the store registers on
-- every connection.
--
-- Rows written before this migration keep NULL: for them, as before, a day
-- counts inside a window when its first or last time does, and the latest
-- time before an as_of inside the day is the day's first (for KMS keys, the
-- day is left out). Extracting again into the same database does not fill
-- them in (the objects were read already); extracting into a new one does.
ALTER TABLE usage_actions ADD COLUMN seconds BLOB;
ALTER TABLE usage_failures ADD COLUMN seconds BLOB;
ALTER TABLE usage_principal_days ADD COLUMN seconds BLOB;
ALTER TABLE usage_session_days ADD COLUMN seconds BLOB;
ALTER TABLE usage_session_actions ADD COLUMN seconds BLOB;
-- KMS keys: the seconds of any successful use, and of cryptographic uses
-- (an empty set when the day had none).
ALTER TABLE usage_key_days ADD COLUMN activity_seconds BLOB;
ALTER TABLE usage_key_days ADD COLUMN crypto_seconds BLOB;
