// Package cloudtrail knows where CloudTrail logs are (a trail's S3 layout, a
// folder), how delivery objects are named and decoded, and how each event
// maps to the principal who acted, the resource acted on and the IAM action
// it needed.
package cloudtrail

// Record is the part of a CloudTrail event the project reads. Every other
// field is skipped while decoding, so new fields and unknown eventVersions
// decode the same way. A field added here or to the types below must also
// be added to the scanner's tables at the end of this file.
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
	AccessKeyID      string          `json:"accessKeyId"`
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
// identity. The general decoder (goccy/go-json) matches keys whose case
// differs ("Name" for "name") the way the scanner does only while a struct
// has at most 16 fields: TestScannerMatchesGeneralOnSharedData fails beyond.
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
	QueueURL         string   `json:"queueUrl"`
	TopicARN         string   `json:"topicArn"`
	FunctionName     string   `json:"functionName"`
	TableName        string   `json:"tableName"`
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
	// ConsoleLogin is "Success" or "Failure" in a ConsoleLogin event.
	ConsoleLogin string `json:"ConsoleLogin"`
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

// The scanner's tables: every field declared above, by its JSON name, with
// how to read it. A field added to one of the types above must be added
// here too (TestScanTablesMatchRecord checks it).
var (
	recordFields = fields(
		field[Record]{"eventTime", stringField(func(r *Record) *string { return &r.EventTime })},
		field[Record]{"eventSource", stringField(func(r *Record) *string { return &r.EventSource })},
		field[Record]{"eventName", stringField(func(r *Record) *string { return &r.EventName })},
		field[Record]{"eventID", stringField(func(r *Record) *string { return &r.EventID })},
		field[Record]{"awsRegion", stringField(func(r *Record) *string { return &r.AWSRegion })},
		field[Record]{"errorCode", stringField(func(r *Record) *string { return &r.ErrorCode })},
		field[Record]{"recipientAccountId", stringField(func(r *Record) *string { return &r.RecipientAccountID })},
		field[Record]{"userIdentity", pointerField(func(r *Record) **UserIdentity { return &r.UserIdentity }, &userIdentityFields)},
		field[Record]{"requestParameters", pointerField(func(r *Record) **RequestParameters { return &r.RequestParameters }, &requestParametersFields)},
		field[Record]{"responseElements", pointerField(func(r *Record) **ResponseElements { return &r.ResponseElements }, &responseElementsFields)},
		field[Record]{"resources", objectsField(func(r *Record) *[]ResourceRef { return &r.Resources }, &resourceRefFields)},
	)
	userIdentityFields = fields(
		field[UserIdentity]{"type", stringField(func(u *UserIdentity) *string { return &u.Type })},
		field[UserIdentity]{"principalId", stringField(func(u *UserIdentity) *string { return &u.PrincipalID })},
		field[UserIdentity]{"arn", stringField(func(u *UserIdentity) *string { return &u.ARN })},
		field[UserIdentity]{"accountId", stringField(func(u *UserIdentity) *string { return &u.AccountID })},
		field[UserIdentity]{"userName", stringField(func(u *UserIdentity) *string { return &u.UserName })},
		field[UserIdentity]{"invokedBy", stringField(func(u *UserIdentity) *string { return &u.InvokedBy })},
		field[UserIdentity]{"identityProvider", stringField(func(u *UserIdentity) *string { return &u.IdentityProvider })},
		field[UserIdentity]{"accessKeyId", stringField(func(u *UserIdentity) *string { return &u.AccessKeyID })},
		field[UserIdentity]{"sessionContext", pointerField(func(u *UserIdentity) **SessionContext { return &u.SessionContext }, &sessionContextFields)},
	)
	sessionContextFields = fields(
		field[SessionContext]{"sessionIssuer", structField(func(c *SessionContext) *SessionIssuer { return &c.SessionIssuer }, &sessionIssuerFields)},
		field[SessionContext]{"sourceIdentity", stringField(func(c *SessionContext) *string { return &c.SourceIdentity })},
	)
	sessionIssuerFields = fields(
		field[SessionIssuer]{"type", stringField(func(i *SessionIssuer) *string { return &i.Type })},
		field[SessionIssuer]{"arn", stringField(func(i *SessionIssuer) *string { return &i.ARN })},
		field[SessionIssuer]{"accountId", stringField(func(i *SessionIssuer) *string { return &i.AccountID })},
		field[SessionIssuer]{"userName", stringField(func(i *SessionIssuer) *string { return &i.UserName })},
	)
	requestParametersFields = fields(
		field[RequestParameters]{"bucketName", stringField(func(p *RequestParameters) *string { return &p.BucketName })},
		field[RequestParameters]{"x-amz-copy-source", stringField(func(p *RequestParameters) *string { return &p.CopySource })},
		field[RequestParameters]{"versionId", stringField(func(p *RequestParameters) *string { return &p.VersionID })},
		field[RequestParameters]{"keyId", stringField(func(p *RequestParameters) *string { return &p.KeyID })},
		field[RequestParameters]{"secretId", stringField(func(p *RequestParameters) *string { return &p.SecretID })},
		field[RequestParameters]{"name", stringField(func(p *RequestParameters) *string { return &p.Name })},
		field[RequestParameters]{"secretIdList", stringsField(func(p *RequestParameters) *[]string { return &p.SecretIDList })},
		field[RequestParameters]{"roleArn", stringField(func(p *RequestParameters) *string { return &p.RoleARN })},
		field[RequestParameters]{"principalArn", stringField(func(p *RequestParameters) *string { return &p.PrincipalARN })},
		field[RequestParameters]{"roleSessionName", stringField(func(p *RequestParameters) *string { return &p.RoleSessionName })},
		field[RequestParameters]{"sourceIdentity", stringField(func(p *RequestParameters) *string { return &p.SourceIdentity })},
		field[RequestParameters]{"destinationKeyId", stringField(func(p *RequestParameters) *string { return &p.DestinationKeyID })},
		field[RequestParameters]{"queueUrl", stringField(func(p *RequestParameters) *string { return &p.QueueURL })},
		field[RequestParameters]{"topicArn", stringField(func(p *RequestParameters) *string { return &p.TopicARN })},
		field[RequestParameters]{"functionName", stringField(func(p *RequestParameters) *string { return &p.FunctionName })},
		field[RequestParameters]{"tableName", stringField(func(p *RequestParameters) *string { return &p.TableName })},
	)
	responseElementsFields = fields(
		field[ResponseElements]{"arn", stringField(func(e *ResponseElements) *string { return &e.ARN })},
		field[ResponseElements]{"subject", stringField(func(e *ResponseElements) *string { return &e.Subject })},
		field[ResponseElements]{"provider", stringField(func(e *ResponseElements) *string { return &e.Provider })},
		field[ResponseElements]{"sourceIdentity", stringField(func(e *ResponseElements) *string { return &e.SourceIdentity })},
		field[ResponseElements]{"assumedRoleUser", pointerField(func(e *ResponseElements) **AssumedRoleUser { return &e.AssumedRoleUser }, &assumedRoleUserFields)},
		field[ResponseElements]{"keyMetadata", pointerField(func(e *ResponseElements) **KeyMetadata { return &e.KeyMetadata }, &keyMetadataFields)},
		field[ResponseElements]{"ConsoleLogin", stringField(func(e *ResponseElements) *string { return &e.ConsoleLogin })},
	)
	assumedRoleUserFields = fields(
		field[AssumedRoleUser]{"arn", stringField(func(u *AssumedRoleUser) *string { return &u.ARN })},
	)
	keyMetadataFields = fields(
		field[KeyMetadata]{"arn", stringField(func(k *KeyMetadata) *string { return &k.ARN })},
	)
	resourceRefFields = fields(
		field[ResourceRef]{"ARN", stringField(func(r *ResourceRef) *string { return &r.ARN })},
		field[ResourceRef]{"accountId", stringField(func(r *ResourceRef) *string { return &r.AccountID })},
		field[ResourceRef]{"type", stringField(func(r *ResourceRef) *string { return &r.Type })},
	)
)
