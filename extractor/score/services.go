package score

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// serviceOf is the service prefix of an action (s3 of s3:GetObject).
func serviceOf(action string) string {
	svc, _, _ := strings.Cut(action, ":")
	return strings.ToLower(svc)
}

// scoreServices applies the definitions of services, service_ops and
// permission_ops, and finds the principal's unused-access findings. An
// action is granted when its service grants (identity policies) or a grant
// on a resource of a scored kind (resource policies too) has it; it is used
// when the principal performed it successfully inside the window. Actions
// compare case-insensitively, as IAM matches them. Findings are for IAM
// users and roles that existed for the whole window, as Access Analyzer
// reports them.
func scoreServices(f principalFacts, ps *activity.PrincipalScore, windowStart time.Time) {
	// service → granted actions in catalog spelling: the service grants as
	// stored (sorted, each once), and the actions of resource grants they
	// lack. An administrator holds every action of the catalog: nothing
	// here costs more than a look at each.
	granted := make(map[string][]string, len(f.serviceGrants))
	for svc, l := range f.serviceGrants {
		granted[svc] = l
	}
	for _, g := range f.grants {
		for _, a := range g.Actions {
			svc := serviceOf(a)
			if !slices.ContainsFunc(granted[svc], func(x string) bool { return strings.EqualFold(x, a) }) {
				granted[svc] = append(slices.Clip(granted[svc]), a)
			}
		}
	}
	usedBy := map[string][]string{}  // service → actions used in the window
	lastOf := map[string]time.Time{} // service → last use up to as_of
	actionLast := map[string]time.Time{}
	for _, u := range f.serviceUses {
		svc := serviceOf(u.Action)
		actionLast[strings.ToLower(u.Action)] = u.LastUsedAt
		if u.LastUsedAt.After(lastOf[svc]) {
			lastOf[svc] = u.LastUsedAt
		}
		if u.InWindow && f.monitored {
			usedBy[svc] = append(usedBy[svc], u.Action)
		}
	}
	var services []string
	for svc := range granted {
		services = append(services, svc)
	}
	for svc := range usedBy {
		if granted[svc] == nil {
			services = append(services, svc)
		}
	}
	sort.Strings(services)
	var servicesGranted, servicesUnused, actionsGranted, actionsUnused int
	type unusedService struct {
		service string
		actions []string
	}
	var unused []unusedService
	for _, svc := range services {
		s := activity.ServiceScore{Service: svc, Granted: len(granted[svc]), UsedActions: usedBy[svc]}
		slices.Sort(s.UsedActions)
		if t, ok := lastOf[svc]; ok {
			s.LastUsedAt = &t
		}
		ps.Services = append(ps.Services, s)
		if len(granted[svc]) == 0 {
			continue
		}
		servicesGranted++
		if len(usedBy[svc]) == 0 {
			servicesUnused++
		}
		left := granted[svc]
		if used := usedBy[svc]; len(used) > 0 {
			left = slices.DeleteFunc(slices.Clone(left), func(a string) bool {
				return slices.ContainsFunc(used, func(u string) bool { return strings.EqualFold(u, a) })
			})
		}
		actionsGranted += len(granted[svc])
		actionsUnused += len(left)
		if len(left) > 0 {
			left = slices.Clone(left)
			slices.Sort(left)
			unused = append(unused, unusedService{svc, left})
		}
	}
	if unusedRole(*ps) && (f.naReason == "" || f.naReason == activity.NAPolicyUnreadable) {
		// The role's finding says it all, as Access Analyzer has it: its
		// permissions are not listed again service by service.
		ps.Findings = append(ps.Findings, activity.Finding{Type: activity.FindingUnusedRole, Principal: ps.Principal, LastUsedAt: ps.LastActivityAt})
	}
	if f.principal.Kind == activity.KindRoot || f.naReason != "" || !f.monitored || servicesGranted == 0 {
		return
	}
	ps.ServiceOPS = percent(servicesUnused, servicesGranted)
	ps.PermissionOPS = percent(actionsUnused, actionsGranted)
	if f.principal.Kind != activity.KindIAMUser && f.principal.Kind != activity.KindIAMRole || len(ps.Findings) > 0 ||
		f.principal.CreatedAt.After(windowStart) {
		// A principal created inside the window has not had the whole
		// window to use its permissions.
		return
	}
	for _, u := range unused {
		fd := activity.Finding{Type: activity.FindingUnusedPermission, Principal: ps.Principal, Service: u.service, Actions: u.actions}
		for _, a := range u.actions {
			if t, ok := actionLast[strings.ToLower(a)]; ok {
				if fd.ActionLastUsed == nil {
					fd.ActionLastUsed = map[string]time.Time{}
				}
				fd.ActionLastUsed[a] = t
			}
		}
		if t, ok := lastOf[u.service]; ok {
			fd.LastUsedAt = &t
		}
		ps.Findings = append(ps.Findings, fd)
	}
}

// unusedRole tells whether a scored principal is a role unused in the
// window: dormant (monitored, existing for the whole window, no event at
// all in it). A role created inside the window is not reported, since it
// has not had the whole window to be used; nor is a service-linked role,
// which only its service assumes.
func unusedRole(ps activity.PrincipalScore) bool {
	return ps.Kind == activity.KindIAMRole && ps.Dormant && !strings.Contains(ps.ARN, ":role/aws-service-role/")
}
