# Every dormant IAM user of the production account.
data "activity_monitoring_principals" "dormant_users" {
  accounts     = ["111111111111"]
  kinds        = ["iam_user"]
  dormant_only = true
}

# Warn, without failing the run, while any identity leaves more than 90 %
# of its access on secrets unused.
check "secrets_access" {
  data "activity_monitoring_principals" "over_provisioned" {
    resource_kinds = ["secretsmanager_secret"]
    min_ops        = 90
  }

  assert {
    condition     = length(data.activity_monitoring_principals.over_provisioned.arns) == 0
    error_message = "over-provisioned on secrets: ${join(", ", data.activity_monitoring_principals.over_provisioned.arns)}"
  }
}

output "dormant_users" {
  value = data.activity_monitoring_principals.dormant_users.arns
}
