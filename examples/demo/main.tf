# The demo organization: a log-archive account that extracts the organization
# trail for everyone, and member accounts that it covers.
terraform {
  required_providers {
    activity = {
      source = "hashicorp/activity"
    }
  }
}

variable "database" {
  description = "The SQLite database shared with activity-extractor."
  type        = string
  default     = "activity.db"
}

variable "log_archive_account" {
  description = "The account that holds the organization trail's logs."
  type        = string
  default     = "100000000001"
}

variable "member_accounts" {
  description = "Accounts whose logs the log-archive account's extraction covers."
  type        = set(string)
  default     = ["100000000002", "100000000003"]
}

provider "activity" {
  database = var.database
}

locals {
  org_trail = "arn:aws:cloudtrail:us-east-1:${var.log_archive_account}:trail/org-trail"
}

resource "activity_monitoring_integration" "log_archive" {
  account_id               = var.log_archive_account
  trail                    = local.org_trail
  region                   = "us-east-1"
  extract_for_organization = true
}

resource "activity_monitoring_integration" "member" {
  for_each = var.member_accounts

  account_id      = each.value
  trail           = local.org_trail
  region          = "us-east-1"
  skip_extraction = true
}

# Flag any identity that leaves more than 90 % of its access unused.
resource "activity_monitoring_rule" "max_ops" {
  name        = "max-ops-90"
  description = "No identity leaves more than 90 % of the resources it may use untouched"
  max_ops     = 90
}
