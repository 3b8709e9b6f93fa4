# Enable monitoring for a whole organization: the log-archive account extracts
# the organization trail for every account, the other accounts are covered by
# it, and the log-archive account gets the least-privilege policy it needs.
terraform {
  required_providers {
    activity = {
      source = "hashicorp/activity"
    }
    aws = {
      source = "hashicorp/aws"
    }
  }
}

variable "organization_id" {
  description = "The organization id, o-..."
  type        = string
}

variable "org_trail" {
  description = "ARN of the organization trail."
  type        = string
}

variable "trail_region" {
  description = "The organization trail's home region."
  type        = string
}

variable "log_bucket" {
  description = "The bucket the organization trail delivers to."
  type        = string
}

variable "log_prefix" {
  description = "The trail's key prefix, if any."
  type        = string
  default     = null
}

variable "log_kms_key_arn" {
  description = "The KMS key that encrypts the logs, if they are SSE-KMS encrypted."
  type        = string
  default     = null
}

variable "log_archive_account" {
  description = "The account that holds the organization trail's logs."
  type        = string
}

variable "member_accounts" {
  description = "The other accounts of the organization."
  type        = set(string)
}

provider "activity" {
  database = "activity.db"
}

resource "activity_monitoring_integration" "log_archive" {
  account_id               = var.log_archive_account
  trail                    = var.org_trail
  region                   = var.trail_region
  extract_for_organization = true
  role_arn                 = aws_iam_role.activity_reader.arn
}

resource "activity_monitoring_integration" "member" {
  for_each = var.member_accounts

  account_id      = each.value
  trail           = var.org_trail
  region          = var.trail_region
  skip_extraction = true
}

data "activity_monitoring_iam_policy" "reader" {
  s3_bucket       = var.log_bucket
  s3_key_prefix   = var.log_prefix
  organization_id = var.organization_id
  kms_key_arn     = var.log_kms_key_arn
}

data "aws_caller_identity" "current" {}

resource "aws_iam_role" "activity_reader" {
  name = "activity-reader"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
    }]
  })
}

resource "aws_iam_role_policy" "activity_reader" {
  role   = aws_iam_role.activity_reader.id
  policy = data.activity_monitoring_iam_policy.reader.json
}
