// Package discover finds the entitlements of AWS accounts (IAM identities
// and policies, bucket, key and secret policies, organization policies),
// from AWS or from files saved with the AWS CLI, stores them, and evaluates
// them into grants.
package discover

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/iam"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// builder collects what one run finds, per account.
type builder struct {
	accounts map[string]*store.AccountEntitlements
	policies map[string]map[string]bool // account → policy names recorded
}

func newBuilder() *builder {
	return &builder{accounts: map[string]*store.AccountEntitlements{}, policies: map[string]map[string]bool{}}
}

func (b *builder) account(id string) *store.AccountEntitlements {
	a := b.accounts[id]
	if a == nil {
		a = &store.AccountEntitlements{AccountID: id}
		b.accounts[id] = a
		b.policies[id] = map[string]bool{}
	}
	return a
}

func (b *builder) issue(account, source string, err error) {
	a := b.account(account)
	a.Issues = append(a.Issues, store.DiscoveryIssue{AccountID: account, Source: source, Message: err.Error()})
}

func (b *builder) addPolicy(account string, p *iam.Policy, kind string) string {
	a := b.account(account)
	if !b.policies[account][p.Name] {
		b.policies[account][p.Name] = true
		a.Policies = append(a.Policies, store.PolicyRecord{Name: p.Name, Kind: kind, Document: p.Document})
	}
	return p.Name
}

// result is the accounts found, sorted by id.
func (b *builder) result() []store.AccountEntitlements {
	out := make([]store.AccountEntitlements, 0, len(b.accounts))
	for _, a := range b.accounts {
		out = append(out, *a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].AccountID < out[j].AccountID })
	return out
}

// addAuthorizationDetails records the users and roles of an
// authorization-details document with their policies. Malformed policies are
// reported and left out.
func (b *builder) addAuthorizationDetails(d *iam.AuthorizationDetails, source string, fallbackAccount string) {
	principals, errs := d.Identities()
	for _, err := range errs {
		b.issue(accountForIssue(err, fallbackAccount), source, err)
	}
	for _, p := range principals {
		a := b.account(p.AccountID)
		dp := store.DiscoveredPrincipal{Principal: activity.Principal{ARN: p.ARN, Kind: p.Kind, AccountID: p.AccountID, Name: p.Name, CreatedAt: p.CreatedAt}}
		for _, pol := range p.Policies {
			kind := store.PolicyManaged
			if strings.Contains(pol.Name, " inline ") {
				kind = store.PolicyInline
			}
			dp.Policies = append(dp.Policies, b.addPolicy(p.AccountID, pol, kind))
		}
		if p.Boundary != nil {
			dp.Boundary = b.addPolicy(p.AccountID, p.Boundary, store.PolicyManaged)
		}
		a.Principals = append(a.Principals, dp)
	}
}

var accountInText = regexp.MustCompile(`arn:aws[a-z-]*:iam::([0-9]{12}):`)

// accountForIssue files a problem under the account its message names.
func accountForIssue(err error, fallback string) string {
	if m := accountInText.FindStringSubmatch(err.Error()); m != nil {
		return m[1]
	}
	return fallback
}

// addResource records a bucket, key or secret and its policy (nil with
// state none or unknown).
func (b *builder) addResource(r activity.Resource, state string, p *iam.Policy) {
	a := b.account(r.AccountID)
	dr := store.DiscoveredResource{Resource: r, PolicyState: state}
	if p != nil {
		dr.PolicyState = store.ResourcePolicyKnown
		dr.Policy = b.addPolicy(r.AccountID, p, store.PolicyResource)
	}
	a.Resources = append(a.Resources, dr)
}

// resourcePolicyName is how a resource policy is named in explanations.
func resourcePolicyName(r activity.Resource) string {
	switch r.Kind {
	case activity.KindS3Bucket:
		return r.ARN + " bucket policy"
	case activity.KindKMSKey:
		return r.ARN + " key policy"
	default:
		return r.ARN + " resource policy"
	}
}

var secretSuffix = regexp.MustCompile(`-[A-Za-z0-9]{6}$`)

// secretResource describes a secret from its full ARN.
func secretResource(arn string) (activity.Resource, error) {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "secretsmanager" || parts[5] != "secret" {
		return activity.Resource{}, fmt.Errorf("%q is not a secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-SUFFIX)", arn)
	}
	return activity.Resource{ARN: arn, Kind: activity.KindSecret, AccountID: parts[4], Region: parts[3], Name: secretSuffix.ReplaceAllString(parts[6], "")}, nil
}

// keyResource describes a KMS key from its key ARN.
func keyResource(arn string) (activity.Resource, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "kms" || !strings.HasPrefix(parts[5], "key/") {
		return activity.Resource{}, fmt.Errorf("%q is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)", arn)
	}
	return activity.Resource{ARN: arn, Kind: activity.KindKMSKey, AccountID: parts[4], Region: parts[3], Name: strings.TrimPrefix(parts[5], "key/")}, nil
}

// bucketResource describes a bucket of an account.
func bucketResource(name, account, region string) activity.Resource {
	return activity.Resource{ARN: "arn:aws:s3:::" + name, Kind: activity.KindS3Bucket, AccountID: account, Region: region, Name: name}
}

// Store writes what a run found, account by account.
func Store(ctx context.Context, db *store.DB, accounts []store.AccountEntitlements) error {
	for _, a := range accounts {
		if err := db.ReplaceEntitlements(ctx, a); err != nil {
			return err
		}
	}
	return nil
}
