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

// result is the accounts found, sorted by id, each within the bounds.
func (b *builder) result() []store.AccountEntitlements {
	out := make([]store.AccountEntitlements, 0, len(b.accounts))
	for _, a := range b.accounts {
		bound(a)
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
		dp := store.DiscoveredPrincipal{Principal: activity.Principal{ARN: p.ARN, Kind: p.Kind, AccountID: p.AccountID, Name: p.Name, CreatedAt: p.CreatedAt},
			Unreadable: p.Unreadable}
		for _, pol := range p.Policies {
			if pol.Name == "" {
				// Stored policies are named; one without a name could not
				// be attached to the principal in the database.
				err := fmt.Errorf("%s: a policy without a name or ARN applies to it and cannot be stored: left out, so its access is not known", p.ARN)
				b.issue(p.AccountID, source, err)
				dp.Unreadable = append(dp.Unreadable, activity.UnreadablePolicy{Policy: "(unnamed policy)", Via: "identity", Error: "no name or ARN"})
				continue
			}
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

var accountInText = regexp.MustCompile(`arn:[a-z-]+:iam::([0-9]{12}):`)

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

// addUnparsed records a resource whose policy was read but could not be
// parsed: access to it is unknown, and simulate says why.
func (b *builder) addUnparsed(r activity.Resource, source string, err error) {
	b.issue(r.AccountID, source, err)
	a := b.account(r.AccountID)
	a.Resources = append(a.Resources, store.DiscoveredResource{Resource: r, PolicyState: store.ResourcePolicyUnknown, PolicyError: iam.ErrorDetail(err)})
}

// addUnreadableOrgPolicy records an organization policy (kind store.PolicySCP
// or store.PolicyRCP) that applies to account but could not be read.
func (b *builder) addUnreadableOrgPolicy(account, kind, name, source string, err error) {
	b.issue(account, source, err)
	a := b.account(account)
	u := activity.UnreadablePolicy{Policy: name, Error: iam.ErrorDetail(err)}
	if kind == store.PolicyRCP {
		a.UnreadableRCPs = append(a.UnreadableRCPs, u)
	} else {
		a.UnreadableSCPs = append(a.UnreadableSCPs, u)
	}
}

// resourcePolicyName is how a resource policy is named in explanations.
func resourcePolicyName(r activity.Resource) string {
	noun := "resource policy"
	if k := activity.ResourceKindNamed(r.Kind); k != nil {
		noun = k.PolicyNoun
	}
	return r.ARN + " " + noun
}

// partition is the ARN partition of an account: the one its IAM
// identities' ARNs are in, else the one of region.
func (b *builder) partition(account, region string) string {
	if a := b.accounts[account]; a != nil {
		for _, p := range a.Principals {
			if arn, err := activity.ParseARN(p.Principal.ARN); err == nil {
				return arn.Partition
			}
		}
	}
	return activity.PartitionOf(region)
}

// resource describes the resource of kind that ref names (an ARN, or a name
// in account and region).
func (b *builder) resource(kind, ref, account, region string) (activity.Resource, error) {
	return activity.ResourceKindNamed(kind).Resolve(ref, b.partition(account, region), region, account)
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
