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
  description = "The highest share of unused access, in resources (ops) and in actions (action_ops), the deployer may have."
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
      condition     = self.ops == null || (self.ops <= var.max_ops && self.action_ops <= var.max_ops)
      error_message = "${self.arn} leaves ${self.ops}% of the resources and ${self.action_ops}% of the actions it may use untouched (limit ${var.max_ops}%); trim its policies before deploying."
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
