package cloudtrail

import "github.com/activity-monitoring/terraform-provider-activity/extractor/activity"

// boundCheck keeps the first identifier found longer than its bound.
type boundCheck struct{ err error }

func (b *boundCheck) check(field, kind, value string, limit int) {
	if b.err == nil && len(value) > limit {
		b.err = activity.TooLong(field, kind, value, limit)
	}
}

// checkBounds refuses a record that names an identifier longer than AWS
// allows (see activity's bounds): no real event holds one, and keeping it
// would let one record grow the store and every report by its size. Only
// the fields the mapping keeps are checked; the others are never stored.
func checkBounds(r *Record) error {
	var b boundCheck
	b.check("eventSource", "an event source", r.EventSource, activity.MaxHostName)
	b.check("eventName", "an event name", r.EventName, activity.MaxEventName)
	b.check("awsRegion", "a region", r.AWSRegion, activity.MaxRegion)
	b.check("recipientAccountId", "an account id", r.RecipientAccountID, activity.MaxAccountID)
	if u := r.UserIdentity; u != nil {
		b.check("userIdentity.arn", "an ARN", u.ARN, activity.MaxARN)
		b.check("userIdentity.accountId", "an account id", u.AccountID, activity.MaxAccountID)
		b.check("userIdentity.userName", "a user name", u.UserName, activity.MaxLogin)
		b.check("userIdentity.invokedBy", "a service name", u.InvokedBy, activity.MaxHostName)
		b.check("userIdentity.identityProvider", "an identity provider", u.IdentityProvider, activity.MaxARN)
		if c := u.SessionContext; c != nil {
			b.check("userIdentity.sessionContext.sessionIssuer.arn", "an ARN", c.SessionIssuer.ARN, activity.MaxARN)
			b.check("userIdentity.sessionContext.sessionIssuer.accountId", "an account id", c.SessionIssuer.AccountID, activity.MaxAccountID)
			b.check("userIdentity.sessionContext.sessionIssuer.userName", "an IAM name", c.SessionIssuer.UserName, activity.MaxIAMName)
			b.check("userIdentity.sessionContext.sourceIdentity", "a source identity", c.SourceIdentity, activity.MaxSourceIdentity)
		}
	}
	if p := r.RequestParameters; p != nil {
		b.check("requestParameters.bucketName", "a resource name or ARN", p.BucketName, activity.MaxResourceRef)
		b.check("requestParameters.x-amz-copy-source", "a copy source", p.CopySource, activity.MaxCopySource)
		b.check("requestParameters.keyId", "a resource name or ARN", p.KeyID, activity.MaxResourceRef)
		b.check("requestParameters.destinationKeyId", "a resource name or ARN", p.DestinationKeyID, activity.MaxResourceRef)
		b.check("requestParameters.secretId", "a resource name or ARN", p.SecretID, activity.MaxResourceRef)
		b.check("requestParameters.queueUrl", "a queue URL", p.QueueURL, activity.MaxResourceRef)
		b.check("requestParameters.topicArn", "a resource name or ARN", p.TopicARN, activity.MaxResourceRef)
		b.check("requestParameters.functionName", "a resource name or ARN", p.FunctionName, activity.MaxResourceRef)
		b.check("requestParameters.tableName", "a resource name or ARN", p.TableName, activity.MaxResourceRef)
		if Service(r.EventSource) == "secretsmanager" {
			// Other services' "name" parameters name other things, which
			// are not kept.
			b.check("requestParameters.name", "a resource name or ARN", p.Name, activity.MaxResourceRef)
		}
		for _, id := range p.SecretIDList {
			b.check("requestParameters.secretIdList[]", "a resource name or ARN", id, activity.MaxResourceRef)
		}
		b.check("requestParameters.roleArn", "an ARN", p.RoleARN, activity.MaxARN)
		b.check("requestParameters.principalArn", "an ARN", p.PrincipalARN, activity.MaxARN)
		b.check("requestParameters.roleSessionName", "a role session name", p.RoleSessionName, activity.MaxSessionName)
		b.check("requestParameters.sourceIdentity", "a source identity", p.SourceIdentity, activity.MaxSourceIdentity)
	}
	if e := r.ResponseElements; e != nil {
		b.check("responseElements.arn", "an ARN", e.ARN, activity.MaxARN)
		b.check("responseElements.subject", "a user name", e.Subject, activity.MaxLogin)
		b.check("responseElements.sourceIdentity", "a source identity", e.SourceIdentity, activity.MaxSourceIdentity)
		if u := e.AssumedRoleUser; u != nil {
			b.check("responseElements.assumedRoleUser.arn", "an ARN", u.ARN, activity.MaxARN)
		}
		if k := e.KeyMetadata; k != nil {
			b.check("responseElements.keyMetadata.arn", "an ARN", k.ARN, activity.MaxARN)
		}
	}
	for _, res := range r.Resources {
		b.check("resources[].ARN", "an ARN", res.ARN, activity.MaxARN)
		b.check("resources[].accountId", "an account id", res.AccountID, activity.MaxAccountID)
	}
	return b.err
}
