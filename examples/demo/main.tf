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

variable "org_trail" {
  description = "ARN of the organization trail."
  type        = string
  default     = "arn:aws:cloudtrail:us-east-1:100000000001:trail/org-trail"
}

variable "member_accounts" {
  description = "Accounts whose logs the log-archive account's extraction covers."
  type        = set(string)
  default     = ["100000000002", "100000000003"]
}

provider "activity" {
  database = var.database
}

resource "activity_monitoring_integration" "log_archive" {
  account_id               = "100000000001"
  trail                    = var.org_trail
  region                   = "us-east-1"
  extract_for_organization = true
}

resource "activity_monitoring_integration" "member" {
  for_each = var.member_accounts

  account_id      = each.value
  trail           = var.org_trail
  region          = "us-east-1"
  skip_extraction = true
}
