// Package cloudtrail knows where CloudTrail logs are (a trail's S3 layout, a
// folder), how delivery objects are named and decoded, and how each event
// maps to the principal who acted, the resource acted on and the IAM action
// it needed.
package cloudtrail

// Record is the part of a CloudTrail event the project reads. Every other
// field is skipped while decoding, so new fields and unknown eventVersions
// decode the same way.
type Record struct {
	EventTime          string             `json:"eventTime"`
	EventSource        string             `json:"eventSource"`
	EventName          string             `json:"eventName"`
	EventID            string             `json:"eventID"`
	AWSRegion          string             `json:"awsRegion"`
	ErrorCode          string             `json:"errorCode"`
	RecipientAccountID string             `json:"recipientAccountId"`
	UserIdentity       *UserIdentity      `json:"userIdentity"`
	RequestParameters  *RequestParameters `json:"requestParameters"`
	ResponseElements   *ResponseElements  `json:"responseElements"`
	Resources          []ResourceRef      `json:"resources"`
}

// UserIdentity is who made the call.
type UserIdentity struct {
	Type             string          `json:"type"`
	PrincipalID      string          `json:"principalId"`
	ARN              string          `json:"arn"`
	AccountID        string          `json:"accountId"`
	UserName         string          `json:"userName"`
	InvokedBy        string          `json:"invokedBy"`
	IdentityProvider string          `json:"identityProvider"`
	SessionContext   *SessionContext `json:"sessionContext"`
}

// SessionContext describes temporary credentials.
type SessionContext struct {
	SessionIssuer  SessionIssuer `json:"sessionIssuer"`
	SourceIdentity string        `json:"sourceIdentity"`
}

// SessionIssuer is the role (or user, for federation tokens) that issued a
// session.
type SessionIssuer struct {
	Type      string `json:"type"`
	ARN       string `json:"arn"`
	AccountID string `json:"accountId"`
	UserName  string `json:"userName"`
}

// RequestParameters holds the request fields that name a resource or an
// identity.
type RequestParameters struct {
	BucketName       string   `json:"bucketName"`
	CopySource       string   `json:"x-amz-copy-source"`
	VersionID        string   `json:"versionId"`
	KeyID            string   `json:"keyId"`
	SecretID         string   `json:"secretId"`
	Name             string   `json:"name"`
	SecretIDList     []string `json:"secretIdList"`
	RoleARN          string   `json:"roleArn"`
	PrincipalARN     string   `json:"principalArn"`
	RoleSessionName  string   `json:"roleSessionName"`
	SourceIdentity   string   `json:"sourceIdentity"`
	DestinationKeyID string   `json:"destinationKeyId"`
}

// ResponseElements holds the response fields that name what a call created.
type ResponseElements struct {
	// Field names match case-insensitively, so this also reads "aRN",
	// Secrets Manager's spelling before 2024.
	ARN             string           `json:"arn"`
	Subject         string           `json:"subject"`
	Provider        string           `json:"provider"`
	SourceIdentity  string           `json:"sourceIdentity"`
	AssumedRoleUser *AssumedRoleUser `json:"assumedRoleUser"`
	KeyMetadata     *KeyMetadata     `json:"keyMetadata"`
}

// AssumedRoleUser is the session an STS call created.
type AssumedRoleUser struct {
	ARN string `json:"arn"`
}

// KeyMetadata is the key a KMS CreateKey call created.
type KeyMetadata struct {
	ARN string `json:"arn"`
}

// ResourceRef is one entry of an event's resources list.
type ResourceRef struct {
	ARN       string `json:"ARN"`
	AccountID string `json:"accountId"`
	Type      string `json:"type"`
}
