# Gate a deployment on unused access: the plan fails when the deploying
# identity leaves too much of its access unused, and warns (without failing)
# while dormant identities remain in the account.
terraform {
  required_providers {
    activity = {
      source = "hashicorp/activity"
    }
  }
}

variable "database" {
  description = "The SQLite database (or s3:// snapshot) that activity-extractor wrote."
  type        = string
  default     = "activity.db"
}

variable "deployer" {
  description = "The identity this pipeline deploys with."
  type        = string
}

variable "max_ops" {
  description = "The highest share of its access, in percent, the deployer may leave unused."
  type        = number
  default     = 50
}

provider "activity" {
  database = var.database
}

data "activity_monitoring_ops" "deployer" {
  principal = var.deployer

  lifecycle {
    postcondition {
      # ops is null (N/A) while nothing is known of the deployer's use; coalesce
      # lets it pass. Terraform 1.11 evaluates both sides of `||`, so
      # `self.ops == null || self.ops <= var.max_ops` fails on a null ops there,
      # and both CLIs render error_message even when the condition holds, so
      # it reads ops through coalesce too.
      condition     = coalesce(self.ops, 0) <= var.max_ops
      error_message = "${self.arn} leaves ${format("%.1f", coalesce(self.ops, 0))}% of its access unused (limit ${var.max_ops}%); trim its policies before deploying."
    }
  }
}

check "no_dormant_identities" {
  data "activity_monitoring_principals" "dormant" {
    accounts     = [data.activity_monitoring_ops.deployer.account_id]
    dormant_only = true
  }

  assert {
    condition     = length(data.activity_monitoring_principals.dormant.arns) == 0
    error_message = "dormant identities in account ${data.activity_monitoring_ops.deployer.account_id}: ${join(", ", data.activity_monitoring_principals.dormant.arns)}"
  }
}

output "deployer_ops" {
  value = data.activity_monitoring_ops.deployer.ops
}
