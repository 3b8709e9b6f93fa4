package discover

import (
	"context"
	"fmt"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/iam"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// Load reads the stored entitlements of every account into an inventory for
// evaluation, with the resources log extraction recorded that discovery did
// not describe. Each stored policy is parsed once and shared by everything
// that refers to it.
func Load(ctx context.Context, db *store.DB) (*iam.Inventory, error) {
	accounts, err := db.Entitlements(ctx)
	if err != nil {
		return nil, err
	}
	inv := &iam.Inventory{SCPs: map[string][][]*iam.Policy{}, RCPs: map[string][][]*iam.Policy{},
		UnreadableSCPs: map[string][]activity.UnreadablePolicy{}, UnreadableRCPs: map[string][]activity.UnreadablePolicy{}}
	for _, a := range accounts {
		parsed := make(map[string]*iam.Policy, len(a.Policies))
		for _, p := range a.Policies {
			pol, err := iam.ParsePolicy(p.Name, []byte(p.Document))
			if err != nil {
				return nil, fmt.Errorf("stored policy of account %s: %w", a.AccountID, err)
			}
			parsed[p.Name] = pol
		}
		for _, dp := range a.Principals {
			p := iam.PrincipalInfo{ARN: dp.Principal.ARN, Kind: dp.Principal.Kind, AccountID: dp.Principal.AccountID,
				Name: dp.Principal.Name, CreatedAt: dp.Principal.CreatedAt, Boundary: parsed[dp.Boundary], Unreadable: dp.Unreadable}
			for _, name := range dp.Policies {
				p.Policies = append(p.Policies, parsed[name])
			}
			inv.Principals = append(inv.Principals, p)
		}
		for _, dr := range a.Resources {
			r := iam.ResourceInfo{ARN: dr.Resource.ARN, Kind: dr.Resource.Kind,
				AccountID: dr.Resource.AccountID, Region: dr.Resource.Region, Name: dr.Resource.Name,
				Policy: parsed[dr.Policy], PolicyUnknown: dr.PolicyState == store.ResourcePolicyUnknown}
			if dr.PolicyError != "" {
				r.UnreadablePolicy = &activity.UnreadablePolicy{Policy: resourcePolicyName(dr.Resource), Via: "resource policy", Error: dr.PolicyError}
			}
			inv.Resources = append(inv.Resources, r)
		}
		levels := func(names [][]string) [][]*iam.Policy {
			out := make([][]*iam.Policy, 0, len(names))
			for _, l := range names {
				var pols []*iam.Policy
				for _, n := range l {
					pols = append(pols, parsed[n])
				}
				out = append(out, pols)
			}
			return out
		}
		if len(a.SCPs) > 0 {
			inv.SCPs[a.AccountID] = levels(a.SCPs)
		}
		if len(a.RCPs) > 0 {
			inv.RCPs[a.AccountID] = levels(a.RCPs)
		}
		if len(a.UnreadableSCPs) > 0 {
			inv.UnreadableSCPs[a.AccountID] = a.UnreadableSCPs
		}
		if len(a.UnreadableRCPs) > 0 {
			inv.UnreadableRCPs[a.AccountID] = a.UnreadableRCPs
		}
	}
	// Buckets, keys and secrets seen in the logs count too: identity
	// policies decide for them, and a key is assumed to have the default
	// key policy.
	seen, err := db.UndiscoveredResources(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range seen {
		inv.Resources = append(inv.Resources, iam.ResourceInfo{ARN: r.ARN, Kind: r.Kind, AccountID: r.AccountID,
			Region: r.Region, Name: r.Name, PolicyUnknown: true})
	}
	return inv, nil
}

// Summary says what an evaluation produced.
type Summary struct {
	Principals, Resources int
	Grants                int // (principal, resource) pairs with at least one granted action
	ConditionalGrants     int // of which some actions only under a condition
	Notes                 []string
}

// Evaluate recomputes every grant from the stored entitlements and replaces
// the stored grants: on resources of the scored kinds, and per service.
func Evaluate(ctx context.Context, db *store.DB) (Summary, error) {
	inv, err := Load(ctx, db)
	if err != nil {
		return Summary{}, err
	}
	e, err := iam.NewEngine(iam.DefaultCatalog(), inv)
	if err != nil {
		return Summary{}, err
	}
	s := Summary{Principals: len(inv.Principals), Resources: len(inv.Resources)}
	err = db.ReplaceGrants(ctx, func(sink store.GrantSink) error {
		return e.Grants(ctx, func(g iam.Grant) error {
			s.Grants++
			if len(g.Conditional) > 0 {
				s.ConditionalGrants++
			}
			return sink.Put(ctx, inv.Principals[g.Principal].ARN, inv.Resources[g.Resource].ARN, g.Actions, g.Conditional)
		})
	})
	s.Notes = e.Notes()
	if err != nil {
		return s, err
	}
	err = db.ReplaceServiceGrants(ctx, func(sink store.ServiceGrantSink) error {
		return iam.ServiceGrants(ctx, iam.DefaultCatalog(), inv, func(p *iam.PrincipalInfo, byService map[string][]string) error {
			for svc, actions := range byService {
				if err := sink.Put(ctx, p.ARN, svc, actions); err != nil {
					return err
				}
			}
			return nil
		})
	})
	return s, err
}
