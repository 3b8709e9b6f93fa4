# The organization trail's log-archive account, verified so that the trail's
# bucket, prefix and key are known.
resource "activity_monitoring_integration" "log_archive" {
  account_id               = "222222222222"
  trail                    = "arn:aws:cloudtrail:us-east-2:333333333333:trail/org-trail"
  region                   = "us-east-2"
  extract_for_organization = true
  verify                   = true
}

# What activity-extractor needs to read that trail's logs, and nothing more.
data "activity_monitoring_iam_policy" "reader" {
  s3_bucket       = activity_monitoring_integration.log_archive.s3_bucket
  s3_key_prefix   = activity_monitoring_integration.log_archive.s3_key_prefix
  organization_id = "o-abc123def4"
  kms_key_arn     = activity_monitoring_integration.log_archive.kms_key_id
}

resource "aws_iam_policy" "activity_reader" {
  name   = "activity-reader"
  policy = data.activity_monitoring_iam_policy.reader.json
}

# The same, for extraction through Amazon Athena
# (activity-extractor extract --engine athena): adds the workgroup, the Glue
# table and the query results' location.
data "activity_monitoring_iam_policy" "athena_reader" {
  s3_bucket       = activity_monitoring_integration.log_archive.s3_bucket
  s3_key_prefix   = activity_monitoring_integration.log_archive.s3_key_prefix
  organization_id = "o-abc123def4"
  kms_key_arn     = activity_monitoring_integration.log_archive.kms_key_id

  athena = {
    region          = "us-east-2"
    account_id      = "222222222222"
    workgroup       = "primary"
    database        = "default"
    output_location = "s3://222222222222-athena-results/activity/"
  }
}
