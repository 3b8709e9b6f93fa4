# Refuse to deploy with a user that leaves half of its access or more unused.
# A null ops (N/A: nothing is known of its use yet) passes. Written with
# coalesce, the gate works on Terraform 1.11 too, which evaluates both sides
# of `||`; the message names no value that may be null.
data "activity_monitoring_ops" "deployer" {
  principal = "arn:aws:iam::111111111111:user/deployer"

  lifecycle {
    postcondition {
      condition     = coalesce(self.ops, 0) < 50
      error_message = "deployer leaves half of its access or more unused; trim its policies"
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

# The deployer's refused and failed calls in the window, the most frequent
# first: dozens of AccessDenied on List* and Get* calls deserve a look.
output "deployer_denied" {
  value = [
    for d in data.activity_monitoring_ops.deployer.denied :
    "${d.count} x ${d.action} on ${coalesce(d.resource, "-")}: ${d.error_code}"
  ]
}
