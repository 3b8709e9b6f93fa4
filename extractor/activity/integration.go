package activity

import "time"

// Integration is one AWS account enabled for monitoring.
type Integration struct {
	AccountID              string
	Trail                  string // name, or ARN for an organization trail or another account's trail
	Region                 string // the trail's home region
	ExtractForOrganization bool   // this account holds the organization trail's logs: extract every account
	SkipExtraction         bool   // another integration's extraction covers this account
	RoleARN                string // role the extractor assumes for this account; empty for the default credentials
	// OktaOrgURL and OktaAppID name the Okta org and AWS Account Federation
	// app people sign in to this account through; empty when none.
	OktaOrgURL string
	OktaAppID  string

	// Trail is what cloudtrail:GetTrail last answered; zero until asked.
	TrailInfo TrailInfo

	CreatedAt time.Time
	UpdatedAt time.Time
}

// TrailInfo is the part of a CloudTrail trail's description the project uses.
type TrailInfo struct {
	ARN                 string
	S3Bucket            string
	S3KeyPrefix         string
	IsOrganizationTrail bool
	KMSKeyID            string
	ResolvedAt          time.Time
}

// Mode names the extraction mode in the words of the specification.
func (in Integration) Mode() string {
	switch {
	case in.ExtractForOrganization:
		return "organization"
	case in.SkipExtraction:
		return "skip"
	default:
		return "account"
	}
}
