# Stop the plan while any IAM role of the production account has done
# nothing for 30 days or more (IAM Access Analyzer's UnusedIAMRole).
data "activity_monitoring_unused_access" "roles" {
  types           = ["unused_role"]
  accounts        = ["111111111111"]
  min_unused_days = 30

  lifecycle {
    postcondition {
      condition     = length(self.findings) == 0
      error_message = "unused roles: ${join(", ", self.findings[*].principal)}"
    }
  }
}

# The services in which each user or role is granted actions it did not use.
data "activity_monitoring_unused_access" "permissions" {
  types = ["unused_permission"]
}

output "unused_permissions" {
  value = {
    for f in data.activity_monitoring_unused_access.permissions.findings :
    "${f.principal} ${f.service}" => f.actions
  }
}

# No IAM user may hold an active access key it has not used for 90 days
# (IAM Access Analyzer's UnusedIAMUserAccessKey); keys and their last use
# come from the credential report discover reads, and from the logs.
data "activity_monitoring_unused_access" "access_keys" {
  types           = ["unused_access_key"]
  min_unused_days = 90

  lifecycle {
    postcondition {
      condition     = length(self.findings) == 0
      error_message = "unused access keys: ${join(", ", [for f in self.findings : "${f.principal} ${f.access_key_id}"])}"
    }
  }
}
