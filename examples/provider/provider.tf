terraform {
  required_providers {
    activity = {
      source = "hashicorp/activity"
    }
  }
}

# The database activity-extractor reads integrations from and writes scores to.
provider "activity" {
  database    = "activity.db"
  window_days = 30
}
