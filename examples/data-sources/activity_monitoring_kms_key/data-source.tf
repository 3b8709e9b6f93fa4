# Warn while a key's material has not been used for 90 days.
data "activity_monitoring_kms_key" "payments" {
  key         = "arn:aws:kms:us-east-1:111111111111:alias/payments"
  window_days = 90
}

check "payments_key_in_use" {
  assert {
    condition     = data.activity_monitoring_kms_key.payments.last_viewed_at != null
    error_message = "the payments key decrypted nothing in 90 days (last activity: ${coalesce(data.activity_monitoring_kms_key.payments.last_activity_at, "none")}); consider scheduling its deletion"
  }
}
