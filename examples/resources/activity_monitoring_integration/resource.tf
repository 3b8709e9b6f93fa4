# The log-archive account holds the organization trail's logs: its extraction
# reads every account of the organization.
resource "activity_monitoring_integration" "log_archive" {
  account_id               = "222222222222"
  trail                    = "arn:aws:cloudtrail:us-east-2:333333333333:trail/org-trail"
  region                   = "us-east-2"
  extract_for_organization = true
  role_arn                 = "arn:aws:iam::222222222222:role/activity-reader"
  verify                   = true
}

# A member account: covered by the log-archive account's extraction. People
# sign in to it through Okta: `activity-extractor people` reads which roles each
# Okta user may assume from this app (the API token comes from OKTA_API_TOKEN in
# the extractor's environment, never from here).
resource "activity_monitoring_integration" "prod" {
  account_id      = "111111111111"
  trail           = "arn:aws:cloudtrail:us-east-2:333333333333:trail/org-trail"
  region          = "us-east-2"
  skip_extraction = true
  okta_org_url    = "https://example.okta.com"
  okta_app_id     = "0oa1b2c3d4EXAMPLE697"
}

# An account with a trail of its own, outside the organization trail.
resource "activity_monitoring_integration" "sandbox" {
  account_id = "444444444444"
  trail      = "management-events"
  region     = "eu-west-1"
}
