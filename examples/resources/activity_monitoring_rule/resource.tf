# No IAM user may leave more than 80 % of what it may do on any KMS key unused.
resource "activity_monitoring_rule" "kms_users" {
  name           = "kms-users"
  description    = "No IAM user above 80 on any KMS key"
  max_ops        = 80
  kinds          = ["iam_user"]
  resource_kinds = ["kms_key"]
}

# No dormant identity in the production accounts.
resource "activity_monitoring_rule" "prod_dormant" {
  name       = "prod-no-dormant"
  no_dormant = true
  accounts   = ["111111111111", "222222222222"]
}
