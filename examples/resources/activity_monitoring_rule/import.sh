# A rule is imported by its name.
terraform import activity_monitoring_rule.kms_users kms-users
