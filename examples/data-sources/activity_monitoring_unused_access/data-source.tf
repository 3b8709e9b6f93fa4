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
