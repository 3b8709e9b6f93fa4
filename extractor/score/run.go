package score

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// Summary counts what a run scored.
type Summary struct {
	RunID       int64
	Principals  int
	Monitored   int
	Dormant     int
	KMSKeys     int
	Unmonitored int
}

// Facts is what scores are computed from: the stored facts, grants and
// integrations. The store satisfies it; scores are a pure function of it,
// the window and as_of.
type Facts interface {
	ObservedDays(ctx context.Context) ([]store.ObservedDay, error)
	Integrations(ctx context.Context) ([]activity.Integration, error)
	DiscoveredAccounts(ctx context.Context) (map[string]bool, error)
	PrincipalsWithUnreadablePolicies(ctx context.Context) (map[int64]bool, error)
	TrailsWithoutS3DataEvents(ctx context.Context) ([]activity.Integration, error)
	AccountsWithObjectEvents(ctx context.Context, w activity.Window) (map[string]bool, error)
	UnattributedSessions(ctx context.Context, w activity.Window) (int, error)
	ScoreCandidates(ctx context.Context) ([]activity.Principal, error)
	GrantsOf(ctx context.Context, principalID int64) ([]activity.Grant, error)
	ServiceGrantsOf(ctx context.Context, principalID int64) (map[string][]string, error)
	ServiceActionsOf(ctx context.Context, principalID int64, w activity.Window) ([]activity.ActionLastUse, error)
	CredentialsOf(ctx context.Context, principalID int64, w activity.Window) ([]activity.CredentialStatus, error)
	UsesInWindow(ctx context.Context, principalID int64, w activity.Window) ([]activity.WindowUse, error)
	PrincipalActivity(ctx context.Context, principalID int64, w activity.Window) (*time.Time, bool, error)
	DeniedInWindow(ctx context.Context, principalID int64, w activity.Window) ([]activity.Denied, error)
	PersonRolesOf(ctx context.Context, personID int64) ([]activity.Principal, error)
	SessionUsesInWindow(ctx context.Context, personID int64, w activity.Window) ([]activity.WindowUse, error)
	SessionActivity(ctx context.Context, personID int64, w activity.Window) (*time.Time, bool, error)
	KeyActivityAsOf(ctx context.Context, asOf time.Time) ([]activity.KeyActivity, error)
}

var _ Facts = (*store.DB)(nil)

// scorer holds what every principal's score of one window shares.
type scorer struct {
	db           Facts
	window       activity.Window
	coverage     activity.Coverage
	observed     map[string]time.Time // monitored accounts: their first observed instant
	scope        scope
	missing      map[string]int
	withObjects  map[string]bool
	noDataEvents map[string]bool
	roles        roleGrants
}

func newScorer(ctx context.Context, db Facts, window activity.Window) (*scorer, error) {
	if err := window.Validate(); err != nil {
		return nil, err
	}
	cov, observed, err := coverage(ctx, db, window)
	if err != nil {
		return nil, err
	}
	sc, err := loadScope(ctx, db)
	if err != nil {
		return nil, err
	}
	sc.restrict(&cov, observed)
	withObjects, err := db.AccountsWithObjectEvents(ctx, window)
	if err != nil {
		return nil, err
	}
	noDataEvents, err := accountsWithoutDataEvents(ctx, db, cov.MonitoredAccounts)
	if err != nil {
		return nil, err
	}
	for _, a := range cov.MonitoredAccounts {
		if noDataEvents[a] || !withObjects[a] {
			cov.DataEventsNotLogged = append(cov.DataEventsNotLogged, a)
		}
	}
	if cov.UnattributedSessions, err = db.UnattributedSessions(ctx, window); err != nil {
		return nil, err
	}
	missing := map[string]int{}
	for _, m := range cov.MissingDays {
		missing[m.AccountID] = len(m.Days)
	}
	return &scorer{db: db, window: window, coverage: cov, observed: observed, scope: sc, missing: missing,
		withObjects: withObjects, noDataEvents: noDataEvents}, nil
}

// score computes one principal's score.
func (s *scorer) score(ctx context.Context, pr activity.Principal) (activity.PrincipalScore, error) {
	start := s.window.Start()
	f := principalFacts{principal: pr, accounts: []string{pr.AccountID}, ids: []int64{pr.ID}}
	if first, ok := s.observed[pr.AccountID]; ok {
		f.monitored = true
		if first.After(start) {
			f.observedSince = &first
		}
	}
	var err error
	if f.grants, err = s.db.GrantsOf(ctx, pr.ID); err != nil {
		return activity.PrincipalScore{}, err
	}
	if f.monitored {
		if f.uses, err = s.db.UsesInWindow(ctx, pr.ID, s.window); err != nil {
			return activity.PrincipalScore{}, err
		}
	}
	if f.lastActivityAt, f.activeInWindow, err = s.db.PrincipalActivity(ctx, pr.ID, s.window); err != nil {
		return activity.PrincipalScore{}, err
	}
	if f.denied, err = s.db.DeniedInWindow(ctx, pr.ID, s.window); err != nil {
		return activity.PrincipalScore{}, err
	}
	if f.serviceGrants, err = s.db.ServiceGrantsOf(ctx, pr.ID); err != nil {
		return activity.PrincipalScore{}, err
	}
	if f.serviceUses, err = s.db.ServiceActionsOf(ctx, pr.ID, s.window); err != nil {
		return activity.PrincipalScore{}, err
	}
	if pr.Kind == activity.KindIAMUser {
		if f.credentials, err = s.db.CredentialsOf(ctx, pr.ID, s.window); err != nil {
			return activity.PrincipalScore{}, err
		}
	}
	if isPerson(pr) {
		if err := addPersonFacts(ctx, s.db, &s.roles, &f, s.observed, s.window); err != nil {
			return activity.PrincipalScore{}, err
		}
	}
	f.naReason = s.scope.naReason(f)
	f.notes = notes(pr, f, s.missing, s.withObjects, s.noDataEvents)
	return scorePrincipal(f, start), nil
}

// Run computes the scores of every principal for the window and stores them
// as one run. It reads one principal at a time, so memory follows the largest
// principal's grants, not the size of the store.
func Run(ctx context.Context, db *store.DB, window activity.Window, log *slog.Logger) (Summary, error) {
	s, err := newScorer(ctx, db, window)
	if err != nil {
		return Summary{}, err
	}
	candidates, err := db.ScoreCandidates(ctx)
	if err != nil {
		return Summary{}, err
	}
	w, err := db.NewScoreWriter(ctx, activity.ScoreRun{Window: window, Coverage: s.coverage})
	if err != nil {
		return Summary{}, err
	}
	defer w.Rollback()
	sum := Summary{}
	for i, pr := range candidates {
		if err := ctx.Err(); err != nil {
			return Summary{}, err
		}
		ps, err := s.score(ctx, pr)
		if err != nil {
			return Summary{}, err
		}
		if err := w.AddPrincipal(ctx, ps); err != nil {
			return Summary{}, err
		}
		sum.Principals++
		if ps.Monitored {
			sum.Monitored++
		} else {
			sum.Unmonitored++
		}
		if ps.Dormant {
			sum.Dormant++
		}
		if log != nil && (i+1)%5000 == 0 {
			log.Info("scoring", "principals", i+1, "of", len(candidates))
		}
	}
	keys, err := db.KeyActivityAsOf(ctx, window.AsOf)
	if err != nil {
		return Summary{}, err
	}
	for _, k := range keys {
		if err := w.AddKey(ctx, k); err != nil {
			return Summary{}, err
		}
	}
	sum.KMSKeys = len(keys)
	if sum.RunID, err = w.Commit(); err != nil {
		return Summary{}, err
	}
	return sum, nil
}

// Compute computes the scores of the window without storing them: of the
// principals keep says to keep (all when nil), and of every KMS key. The
// run it returns has no id. Readers that may not write, such as the
// Terraform provider, use it for windows no stored run covers.
func Compute(ctx context.Context, db Facts, window activity.Window, keep func(activity.Principal) bool) (*activity.Scores, error) {
	s, err := newScorer(ctx, db, window)
	if err != nil {
		return nil, err
	}
	candidates, err := db.ScoreCandidates(ctx)
	if err != nil {
		return nil, err
	}
	out := &activity.Scores{Run: activity.ScoreRun{Window: window, Coverage: s.coverage}}
	for _, pr := range candidates {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if keep != nil && !keep(pr) {
			continue
		}
		ps, err := s.score(ctx, pr)
		if err != nil {
			return nil, err
		}
		out.Principals = append(out.Principals, ps)
	}
	if out.KMSKeys, err = db.KeyActivityAsOf(ctx, window.AsOf); err != nil {
		return nil, err
	}
	return out, nil
}

// scope is which accounts are enabled for monitoring and which were
// discovered: with the logs read, what makes a principal's OPS known.
type scope struct {
	// enabled holds the accounts integrations enable; nil when the store has
	// no integration at all (one-off runs on --source), where every account
	// whose logs were read is monitored.
	enabled    map[string]bool
	discovered map[string]bool
	// unreadable holds the principals a policy applies to that discovery
	// could not read.
	unreadable map[int64]bool
}

func loadScope(ctx context.Context, db Facts) (scope, error) {
	var sc scope
	ins, err := db.Integrations(ctx)
	if err != nil {
		return sc, err
	}
	if len(ins) > 0 {
		sc.enabled = map[string]bool{}
		for _, in := range ins {
			sc.enabled[in.AccountID] = true
		}
	}
	if sc.discovered, err = db.DiscoveredAccounts(ctx); err != nil {
		return sc, err
	}
	sc.unreadable, err = db.PrincipalsWithUnreadablePolicies(ctx)
	return sc, err
}

func (sc scope) isEnabled(account string) bool { return sc.enabled == nil || sc.enabled[account] }

// restrict keeps, of the accounts whose logs were read, those enabled: the
// monitored accounts.
func (sc scope) restrict(cov *activity.Coverage, observed map[string]time.Time) {
	for a := range observed {
		if !sc.isEnabled(a) {
			delete(observed, a)
		}
	}
	cov.MonitoredAccounts = slices.DeleteFunc(cov.MonitoredAccounts, func(a string) bool { return !sc.isEnabled(a) })
	cov.MissingDays = slices.DeleteFunc(cov.MissingDays, func(m activity.AccountDays) bool { return !sc.isEnabled(m.AccountID) })
}

// naReason says why a principal's OPS cannot be known whatever it is
// granted, or "".
func (sc scope) naReason(f principalFacts) string {
	switch {
	case !slices.ContainsFunc(f.accounts, sc.isEnabled):
		return activity.NANotEnabled
	case !f.monitored:
		return activity.NANoLogs
	case !slices.ContainsFunc(f.accounts, func(a string) bool { return sc.discovered[a] }):
		return activity.NANotDiscovered
	case slices.ContainsFunc(f.ids, func(id int64) bool { return sc.unreadable[id] }):
		return activity.NAPolicyUnreadable
	}
	return ""
}

// coverage finds the accounts with logs inside the window, when each one's
// logs start, and the days of the window without any log.
func coverage(ctx context.Context, db Facts, window activity.Window) (activity.Coverage, map[string]time.Time, error) {
	days, err := db.ObservedDays(ctx)
	if err != nil {
		return activity.Coverage{}, nil, err
	}
	first := map[string]time.Time{}
	seen := map[string]map[int64]bool{}
	d0, d1 := window.LoggedDays()
	for _, o := range days {
		d := activity.Day(o.Day)
		if d > d1 {
			continue
		}
		if f, ok := first[o.AccountID]; !ok || o.Day.Before(f) {
			first[o.AccountID] = o.Day
		}
		if d >= d0 {
			if seen[o.AccountID] == nil {
				seen[o.AccountID] = map[int64]bool{}
			}
			seen[o.AccountID][d] = true
		}
	}
	var cov activity.Coverage
	observed := map[string]time.Time{}
	for account, ds := range seen {
		cov.MonitoredAccounts = append(cov.MonitoredAccounts, account)
		observed[account] = first[account]
		from := max(d0, activity.Day(first[account]))
		var gaps []string
		for d := from; d <= d1; d++ {
			if !ds[d] {
				gaps = append(gaps, activity.DayStart(d).Format(time.DateOnly))
			}
		}
		if len(gaps) > 0 {
			cov.MissingDays = append(cov.MissingDays, activity.AccountDays{AccountID: account, Days: gaps})
		}
	}
	sort.Strings(cov.MonitoredAccounts)
	sort.Slice(cov.MissingDays, func(i, j int) bool { return cov.MissingDays[i].AccountID < cov.MissingDays[j].AccountID })
	return cov, observed, nil
}

// accountsWithoutDataEvents are the monitored accounts whose extracting
// trail, by its event selectors, does not log S3 data events: all of them
// for an organization trail, the account itself for an account trail.
func accountsWithoutDataEvents(ctx context.Context, db Facts, monitored []string) (map[string]bool, error) {
	trails, err := db.TrailsWithoutS3DataEvents(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, in := range trails {
		if in.ExtractForOrganization {
			for _, a := range monitored {
				out[a] = true
			}
		} else {
			out[in.AccountID] = true
		}
	}
	return out, nil
}

// dataEventNotes are the caveats of the kinds other than buckets whose use
// is mostly logged as data events, one per kind the principal is granted
// something on: CloudTrail's event history never holds data events, and a
// trail logs them only when its selectors ask for them.
func dataEventNotes(p activity.Principal, f principalFacts) []string {
	var out []string
	for _, k := range activity.ResourceKinds() {
		if !k.DataEvents || k.DataEventNote == "" {
			continue
		}
		for _, g := range f.grants {
			if g.Resource.Kind == k.Name {
				out = append(out, fmt.Sprintf("%s: unless the trail of account %s logs them (advanced event selectors for %s), their use is invisible and %s OPS may be too high",
					k.DataEventNote, p.AccountID, k.TrailTypes[0], k.Noun))
				break
			}
		}
	}
	return out
}

// notes are the caveats shown beside a principal's scores.
func notes(p activity.Principal, f principalFacts, missing map[string]int, withObjects, noDataEvents map[string]bool) []string {
	switch {
	case f.naReason == activity.NANotEnabled && isPerson(p):
		return []string{"not monitored: no integration enables the accounts whose roles this person may assume"}
	case f.naReason == activity.NANotEnabled:
		return []string{fmt.Sprintf("not monitored: no integration enables account %s (resource activity_monitoring_integration)", p.AccountID)}
	case !f.monitored && isPerson(p):
		return []string{"not monitored: no logs were extracted for the window of the accounts whose roles this person may assume"}
	case !f.monitored:
		return []string{fmt.Sprintf("not monitored: no logs of account %s were extracted for the window", p.AccountID)}
	}
	var out []string
	if f.naReason == activity.NAPolicyUnreadable {
		out = append(out, "a policy that applies to it could not be read: what it may do is unknown, and the granted actions listed come from the readable policies only (activity-extractor simulate names the policy and what is wrong with it)")
	}
	if f.naReason == activity.NANotDiscovered && p.Kind != activity.KindRoot {
		out = append(out, fmt.Sprintf("the IAM of account %s was never discovered (activity-extractor discover): what the principal may do is unknown", p.AccountID))
	}
	if f.observedSince != nil {
		out = append(out, fmt.Sprintf("logs of account %s start on %s, inside the window: scores cover the observed part",
			p.AccountID, f.observedSince.Format(time.DateOnly)))
	}
	if n := missing[p.AccountID]; n > 0 {
		out = append(out, fmt.Sprintf("logs of account %s are missing for %d days of the window: unlogged use makes OPS look higher", p.AccountID, n))
	}
	out = append(out, dataEventNotes(p, f)...)
	if noDataEvents[p.AccountID] || !withObjects[p.AccountID] {
		for _, g := range f.grants {
			if k := activity.ResourceKindNamed(g.Resource.Kind); k == nil || !k.DataEvents {
				continue
			}
			if noDataEvents[p.AccountID] {
				out = append(out, fmt.Sprintf("the trail of account %s does not log S3 data events (its event selectors): "+
					"object use is invisible and bucket OPS may be too high", p.AccountID))
			} else {
				out = append(out, fmt.Sprintf("no S3 object-level events were seen in account %s: if its trail does not log S3 data events, "+
					"object use is invisible and bucket OPS may be too high", p.AccountID))
			}
			break
		}
	}
	return out
}
