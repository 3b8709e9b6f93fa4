# Refuse to deploy with a user that leaves more than half of its access unused.
data "activity_monitoring_ops" "deployer" {
  principal = "arn:aws:iam::111111111111:user/deployer"

  lifecycle {
    postcondition {
      condition     = self.ops == null || self.ops < 50
      error_message = "deployer leaves ${self.ops}% of the resources it may use untouched; trim its policies"
    }
  }
}

# One resource only: what the deployer does with the artifacts bucket.
data "activity_monitoring_ops" "deployer_artifacts" {
  principal = "arn:aws:iam::111111111111:user/deployer"
  resource  = "arn:aws:s3:::artifacts"
}

output "unused_on_artifacts" {
  value = setsubtract(
    data.activity_monitoring_ops.deployer_artifacts.resources[0].granted_actions,
    data.activity_monitoring_ops.deployer_artifacts.resources[0].used_actions,
  )
}
