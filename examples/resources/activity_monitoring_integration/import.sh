# An integration is imported by its account id.
terraform import activity_monitoring_integration.prod 111111111111
