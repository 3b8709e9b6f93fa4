package awsapi

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// DiscoverPolicy is the identity policy `activity-extractor discover` needs
// in each account it reads entitlements from: the account's IAM
// authorization details, its users' access keys and credential report, and
// the resource policies of its buckets, keys, secrets, queues, topics,
// functions and tables (one statement per kind, from the registry). organization adds what --organization-policies reads from AWS
// Organizations (in the management or a delegated administrator account).
// These calls read policies, never data; AWS scopes none of them to a
// resource narrower than "*" except the per-resource reads, which must reach
// every resource of every kind to be complete.
func DiscoverPolicy(organization bool) ([]byte, error) {
	statements := []policyStatement{
		{Sid: "ReadIdentityPolicies", Effect: "Allow", Action: []string{"iam:GetAccountAuthorizationDetails"}, Resource: []string{"*"}},
		// Users' access keys (their ids) and the credential report (when
		// each key and password was last used): metadata, never a secret.
		{Sid: "ListAccessKeys", Effect: "Allow", Action: []string{"iam:ListAccessKeys"}, Resource: []string{"*"}},
		{Sid: "ReadCredentialReport", Effect: "Allow", Action: []string{"iam:GenerateCredentialReport", "iam:GetCredentialReport"}, Resource: []string{"*"}},
	}
	for _, k := range activity.ResourceKinds() {
		statements = append(statements, policyStatement{Sid: "Read" + strings.ToUpper(k.Noun[:1]) + k.Noun[1:] + "Policies",
			Effect: "Allow", Action: k.DiscoveryActions(), Resource: []string{"*"}})
	}
	if organization {
		statements = append(statements, policyStatement{Sid: "ReadOrganizationPolicies", Effect: "Allow",
			Action:   []string{"organizations:DescribePolicy", "organizations:ListParents", "organizations:ListPoliciesForTarget"},
			Resource: []string{"*"}})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(policyDocument{Version: "2012-10-17", Statement: statements}); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
