// Package score computes, from the usage facts and the grants in the store,
// the Over-Provisioned Score of every principal for a window, its dormancy
// and last activity, and the activity of KMS keys. Scores are a pure
// function of the stored facts, the window and as_of.
package score

import (
	"math"
	"sort"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// principalFacts is everything one principal's score depends on.
type principalFacts struct {
	principal      activity.Principal
	grants         []activity.Grant
	uses           []activity.WindowUse
	lastActivityAt *time.Time // latest event of any kind up to as_of
	activeInWindow bool       // any event of any kind inside the window
	monitored      bool
	// denied are the refused and failed attempts inside the window.
	denied []activity.Denied
	// serviceGrants are the actions granted per service by identity
	// policies; serviceUses, every action performed up to as_of.
	serviceGrants map[string][]string
	serviceUses   []activity.ActionLastUse
	// credentials are an IAM user's access keys and console password.
	credentials []activity.CredentialStatus
	// accounts are those whose enablement, logs and discovery decide the
	// principal's: its own, or for a person the accounts of their roles.
	accounts []string
	// ids are the principal's and, for a person, its roles': those whose
	// policies decide what it may do.
	ids           []int64
	naReason      string     // why the OPS cannot be known, whatever is granted
	observedSince *time.Time // first observed instant, when after the window's start
	notes         []string
}

// scorePrincipal applies the definitions of OPS, resource OPS, N/A and
// dormant.
func scorePrincipal(f principalFacts, windowStart time.Time) activity.PrincipalScore {
	ps := activity.PrincipalScore{
		Principal:      f.principal,
		Monitored:      f.monitored,
		LastActivityAt: f.lastActivityAt,
		ObservedSince:  f.observedSince,
		Notes:          f.notes,
		Denied:         f.denied,
	}
	existedWholeWindow := f.principal.CreatedAt.IsZero() || !f.principal.CreatedAt.After(windowStart)
	ps.Dormant = f.monitored && existedWholeWindow && !f.activeInWindow
	if f.principal.Kind == activity.KindRoot {
		// The root user may do anything: what it was granted, and so what
		// it left unused, means nothing.
		ps.NAReason = activity.NARootUser
		return ps
	}
	used := map[int64]map[string]time.Time{}
	for _, u := range f.uses {
		m := used[u.ResourceID]
		if m == nil {
			m = map[string]time.Time{}
			used[u.ResourceID] = m
		}
		if u.LastUsedAt.After(m[u.Action]) {
			m[u.Action] = u.LastUsedAt
		}
	}
	var resourcesGranted, resourcesUnused, actionsGranted, actionsUnused int
	for _, g := range f.grants {
		if len(g.Actions) == 0 {
			continue
		}
		rs := activity.ResourceScore{Resource: g.Resource, GrantedActions: g.Actions, ConditionalActions: g.Conditional}
		var last time.Time
		for _, a := range g.Actions {
			if at, ok := used[g.Resource.ID][a]; ok {
				rs.UsedActions = append(rs.UsedActions, a)
				if at.After(last) {
					last = at
				}
			}
		}
		if !last.IsZero() {
			rs.LastUsedAt = &last
		}
		unused := len(g.Actions) - len(rs.UsedActions)
		resourcesGranted++
		actionsGranted += len(g.Actions)
		actionsUnused += unused
		if len(rs.UsedActions) == 0 {
			resourcesUnused++
		}
		// With a policy unread, the grants are those of the readable
		// policies only: no share of them is an OPS.
		if f.monitored && f.naReason != activity.NAPolicyUnreadable {
			rs.OPS = percent(unused, len(g.Actions))
		}
		ps.Resources = append(ps.Resources, rs)
	}
	sort.Slice(ps.Resources, func(i, j int) bool { return ps.Resources[i].ARN < ps.Resources[j].ARN })
	scoreServices(f, &ps, windowStart)
	scoreCredentials(f, &ps, windowStart)
	switch {
	case f.naReason != "":
		ps.NAReason = f.naReason
	case !f.monitored:
		ps.NAReason = activity.NANoLogs
	case resourcesGranted == 0:
		ps.NAReason = activity.NANothingGranted
	default:
		ps.OPS = percent(actionsUnused, actionsGranted)
		ps.ResourceOPS = percent(resourcesUnused, resourcesGranted)
	}
	return ps
}

// percent is 100 × part / whole, rounded to a tenth so that stored, shown
// and compared values agree.
func percent(part, whole int) *float64 {
	v := math.Round(1000*float64(part)/float64(whole)) / 10
	return &v
}
