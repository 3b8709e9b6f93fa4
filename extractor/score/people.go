package score

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// isPerson tells people federated from an identity provider: Okta and IAM
// Identity Center users, and people signed in through another SAML provider.
func isPerson(p activity.Principal) bool {
	return p.Kind == activity.KindOktaIdentity || p.Kind == activity.KindSSOUser ||
		p.Kind == activity.KindFederatedUser && strings.HasPrefix(p.ARN, "saml:")
}

// addPersonFacts completes the facts of a person federated from an identity
// provider. The person holds the union of the grants of the roles they may
// assume; they are monitored when the logs of one of those roles' accounts
// were read; their use and activity include those of the role sessions a
// SAML sign-in issued them.
func addPersonFacts(ctx context.Context, db Facts, rg *roleGrants, f *principalFacts, observed map[string]time.Time, window activity.Window) error {
	roles, err := db.PersonRolesOf(ctx, f.principal.ID)
	if err != nil {
		return err
	}
	var grants [][]activity.Grant
	for _, r := range roles {
		if first, ok := observed[r.AccountID]; ok && (!f.monitored || f.observedSince != nil && first.Before(*f.observedSince)) {
			f.monitored = true
			f.observedSince = nil
			if first.After(window.Start()) {
				f.observedSince = &first
			}
		}
		g, err := rg.of(ctx, db, r.ID)
		if err != nil {
			return err
		}
		grants = append(grants, g)
	}
	if len(roles) > 0 {
		f.grants = unionGrants(append(grants, f.grants))
		if f.serviceGrants, err = unionServiceGrants(ctx, db, roles, f.serviceGrants); err != nil {
			return err
		}
		f.accounts = f.accounts[:0]
		for _, r := range roles {
			f.accounts = append(f.accounts, r.AccountID)
			f.ids = append(f.ids, r.ID)
		}
	}
	if !f.monitored {
		f.uses = nil
		return nil
	}
	if len(f.uses) == 0 {
		if f.uses, err = db.UsesInWindow(ctx, f.principal.ID, window); err != nil {
			return err
		}
	}
	uses, err := db.SessionUsesInWindow(ctx, f.principal.ID, window)
	if err != nil {
		return err
	}
	f.uses = append(f.uses, uses...)
	last, active, err := db.SessionActivity(ctx, f.principal.ID, window)
	if err != nil {
		return err
	}
	if last != nil && (f.lastActivityAt == nil || last.After(*f.lastActivityAt)) {
		f.lastActivityAt = last
	}
	f.activeInWindow = f.activeInWindow || active
	return nil
}

// unionGrants merges grant lists: an action is granted when one of them
// grants it, and conditional only when every one that grants it does so
// under a condition.
func unionGrants(lists [][]activity.Grant) []activity.Grant {
	type acc struct {
		resource    activity.Resource
		granted     map[string]bool
		conditional map[string]bool // false once any list grants it unconditionally
	}
	byID := map[int64]*acc{}
	var order []int64
	for _, l := range lists {
		for _, g := range l {
			a := byID[g.Resource.ID]
			if a == nil {
				a = &acc{resource: g.Resource, granted: map[string]bool{}, conditional: map[string]bool{}}
				byID[g.Resource.ID] = a
				order = append(order, g.Resource.ID)
			}
			cond := map[string]bool{}
			for _, c := range g.Conditional {
				cond[c] = true
			}
			for _, act := range g.Actions {
				if !a.granted[act] {
					a.granted[act] = true
					a.conditional[act] = cond[act]
				} else if !cond[act] {
					a.conditional[act] = false
				}
			}
		}
	}
	out := make([]activity.Grant, 0, len(order))
	for _, id := range order {
		a := byID[id]
		g := activity.Grant{Resource: a.resource}
		for act := range a.granted {
			g.Actions = append(g.Actions, act)
			if a.conditional[act] {
				g.Conditional = append(g.Conditional, act)
			}
		}
		sort.Strings(g.Actions)
		sort.Strings(g.Conditional)
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Resource.ARN < out[j].Resource.ARN })
	return out
}

// roleGrants keeps the grants of the roles people were last scored through:
// many people share few roles, and a role's grants are read once for all of
// them. It holds at most roleGrantsKept roles, so memory stays bounded.
type roleGrants struct {
	byRole map[int64][]activity.Grant
}

const roleGrantsKept = 64

func (c *roleGrants) of(ctx context.Context, db Facts, roleID int64) ([]activity.Grant, error) {
	if g, ok := c.byRole[roleID]; ok {
		return g, nil
	}
	g, err := db.GrantsOf(ctx, roleID)
	if err != nil {
		return nil, err
	}
	if c.byRole == nil || len(c.byRole) >= roleGrantsKept {
		c.byRole = map[int64][]activity.Grant{}
	}
	c.byRole[roleID] = g
	return g, nil
}

// unionServiceGrants adds to own the actions granted per service to each
// of the roles: a person may do what any role they may assume may do.
func unionServiceGrants(ctx context.Context, db Facts, roles []activity.Principal, own map[string][]string) (map[string][]string, error) {
	sets := map[string]map[string]bool{}
	add := func(by map[string][]string) {
		for svc, l := range by {
			if sets[svc] == nil {
				sets[svc] = map[string]bool{}
			}
			for _, a := range l {
				sets[svc][a] = true
			}
		}
	}
	add(own)
	for _, r := range roles {
		by, err := db.ServiceGrantsOf(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		add(by)
	}
	out := make(map[string][]string, len(sets))
	for svc, set := range sets {
		for a := range set {
			out[svc] = append(out[svc], a)
		}
		sort.Strings(out[svc])
	}
	return out, nil
}
