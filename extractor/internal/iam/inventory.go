package iam

import (
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// PrincipalInfo is an IAM user or role with the identity-based policies that
// apply to it.
type PrincipalInfo struct {
	ARN       string
	Kind      string // activity.KindIAMUser or activity.KindIAMRole
	AccountID string
	Name      string
	CreatedAt time.Time // zero when unknown
	// Policies are the identity-based policies: inline, attached managed and,
	// for a user, those of its groups. The same *Policy may be shared by many
	// principals; evaluation work on it is then done once.
	Policies []*Policy
	Boundary *Policy // permissions boundary, nil when none
	// Unreadable are the identity policies and permissions boundary that
	// apply to the principal but could not be read (malformed, or absent
	// from the input): what it may do is then unknown.
	Unreadable []activity.UnreadablePolicy
}

// ResourceInfo is a bucket, key or secret with its resource policy.
type ResourceInfo struct {
	ARN       string
	Kind      string // one of activity.ResourceKindNames()
	AccountID string // empty when unknown (a bucket ARN does not say)
	Region    string
	Name      string
	Policy    *Policy // nil when the resource has none
	// PolicyUnknown is set when the resource policy could not be read. A KMS
	// key is then assumed to have the default key policy, which delegates to
	// its account's IAM policies.
	PolicyUnknown bool
	// UnreadablePolicy is set when the resource policy was read but could
	// not be parsed: access to the resource is then unknown.
	UnreadablePolicy *activity.UnreadablePolicy
}

// Inventory is everything evaluation needs.
type Inventory struct {
	Principals []PrincipalInfo
	Resources  []ResourceInfo
	// SCPs are the service control policies per account, one list per level
	// of the organization (root, each OU, the account): each level must
	// allow. A level without any Allow statement is taken to have AWS's
	// FullAWSAccess attached, as files of deny-only guardrails usually assume.
	SCPs map[string][][]*Policy
	// RCPs are the resource control policies per account of the resource,
	// levels as for SCPs.
	RCPs map[string][][]*Policy
	// UnreadableSCPs and UnreadableRCPs are, per account, the organization
	// policies that apply to it but could not be read.
	UnreadableSCPs, UnreadableRCPs map[string][]activity.UnreadablePolicy
}
