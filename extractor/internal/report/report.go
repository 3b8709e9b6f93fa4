// Package report renders a score run for people and machines: the JSON
// object of the report contract, a terminal dashboard, and one
// self-contained HTML page. It only presents what the score step computed;
// it reads no database and decides nothing about the scores themselves.
package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// OverProvisionedAbove is the OPS above which a principal counts as
// over-provisioned in the summaries: it holds more than half of its access
// unused.
const OverProvisionedAbove = 50.0

// round1 rounds a score to one decimal place, the precision every format
// shows: more digits would suggest an accuracy the logs do not have.
func round1(v float64) float64 { return math.Round(v*10) / 10 }

func formatScore(v float64) string { return strconv.FormatFloat(round1(v), 'f', 1, 64) }

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// summary is what the headers of the table and the page count.
type summary struct {
	MonitoredAccounts int
	Principals        int
	Monitored         int
	NotMonitored      int
	Dormant           int
	OverProvisioned   int
	KMSKeys           int
	// RootUsed counts the account root users that acted in the window;
	// Denied the denied and failed attempts of every principal, and
	// DeniedPrincipals the principals that made them.
	RootUsed         int
	Denied           int64
	DeniedPrincipals int
}

func summarize(s *activity.Scores) summary {
	sum := summary{
		MonitoredAccounts: len(s.Run.Coverage.MonitoredAccounts),
		Principals:        len(s.Principals),
		KMSKeys:           len(s.KMSKeys),
	}
	for _, p := range s.Principals {
		if p.Monitored {
			sum.Monitored++
		} else {
			sum.NotMonitored++
		}
		if p.Dormant {
			sum.Dormant++
		}
		if overProvisioned(p) {
			sum.OverProvisioned++
		}
		if activity.RootUsed(p, s.Run.Window) {
			sum.RootUsed++
		}
		if n := deniedCount(p); n > 0 {
			sum.Denied += n
			sum.DeniedPrincipals++
		}
	}
	return sum
}

// deniedCount is how many attempts of a principal failed in the window.
func deniedCount(p activity.PrincipalScore) int64 {
	var n int64
	for _, d := range p.Denied {
		n += d.Count
	}
	return n
}

// rootFirst returns the principals with the root users that acted in the
// window first, each part in the order given: root use is a finding, which
// comes before any score.
func rootFirst(ps []activity.PrincipalScore, w activity.Window) []activity.PrincipalScore {
	out := make([]activity.PrincipalScore, 0, len(ps))
	for _, p := range ps {
		if activity.RootUsed(p, w) {
			out = append(out, p)
		}
	}
	for _, p := range ps {
		if !activity.RootUsed(p, w) {
			out = append(out, p)
		}
	}
	return out
}

// deniedResource names the resource of a denied attempt, or "" for none.
func deniedResource(d activity.Denied) string {
	if d.Resource == nil {
		return ""
	}
	return d.Resource.ARN
}

func overProvisioned(p activity.PrincipalScore) bool {
	return p.Monitored && p.OPS != nil && round1(*p.OPS) > OverProvisionedAbove
}

// naReason says why a principal has no OPS, so that N/A is never mistaken
// for a good score.
func naReason(p activity.PrincipalScore) string {
	switch {
	case p.NAReason != "":
		return p.NAReason
	case !p.Monitored:
		return activity.NANoLogs
	default:
		return activity.NANothingGranted
	}
}

// caveats turns the coverage of a run into sentences: what the scores could
// not see, account by account.
func caveats(c activity.Coverage) []string {
	var out []string
	if len(c.MonitoredAccounts) == 0 {
		out = append(out, "no account's logs were read for the window: every OPS is N/A")
	}
	for _, m := range c.MissingDays {
		out = append(out, fmt.Sprintf("account %s: no logs for %d %s of the window (%s): unlogged use makes OPS look higher",
			m.AccountID, len(m.Days), plural(len(m.Days), "day", "days"), listSome(m.Days, 5)))
	}
	for _, a := range c.DataEventsNotLogged {
		out = append(out, fmt.Sprintf("account %s: no S3 object-level events seen: if its trail does not log S3 data events, bucket OPS may be too high", a))
	}
	if n := c.UnattributedSessions; n > 0 {
		out = append(out, fmt.Sprintf("%d role %s could not be credited to a person (tool-made session names such as "+
			"botocore-session-*, workloads, or sign-ins not in the logs read): their use counts for the role only",
			n, plural(n, "session", "sessions")))
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// listSome joins the first max items and says how many more there are, so
// that a month of missing days does not flood a line.
func listSome(items []string, max int) string {
	if len(items) <= max {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:max], ", "), len(items)-max)
}

// unusedActions are the granted actions not used, in the order granted.
func unusedActions(r activity.ResourceScore) []string {
	used := make(map[string]bool, len(r.UsedActions))
	for _, a := range r.UsedActions {
		used[a] = true
	}
	out := []string{}
	for _, a := range r.GrantedActions {
		if !used[a] {
			out = append(out, a)
		}
	}
	return out
}

// opsHistogram counts principals per OPS bucket of ten points, the last
// bucket closed (90 to 100 inclusive), and those without a score apart:
// unmonitored ones among them, whatever score they carry.
func opsHistogram(ps []activity.PrincipalScore) (buckets [10]int, na int) {
	for _, p := range ps {
		if !p.Monitored || p.OPS == nil {
			na++
			continue
		}
		i := int(round1(*p.OPS) / 10)
		buckets[min(max(i, 0), 9)]++
	}
	return buckets, na
}

// topOverProvisioned returns up to n monitored principals with the highest
// OPS above zero, the highest first.
func topOverProvisioned(ps []activity.PrincipalScore, n int) []activity.PrincipalScore {
	var out []activity.PrincipalScore
	for _, p := range ps {
		if p.Monitored && p.OPS != nil && round1(*p.OPS) > 0 {
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return byOPS(out[i], out[j]) })
	return out[:min(n, len(out))]
}

// compareScores orders scores from high to low with missing ones last; it
// returns 0 when both are equal or both missing.
func compareScores(a, b *float64) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	case round1(*a) > round1(*b):
		return -1
	case round1(*a) < round1(*b):
		return 1
	}
	return 0
}

func byOPS(a, b activity.PrincipalScore) bool {
	if c := compareScores(a.OPS, b.OPS); c != 0 {
		return c < 0
	}
	if c := compareScores(a.ResourceOPS, b.ResourceOPS); c != 0 {
		return c < 0
	}
	return a.ARN < b.ARN
}

// Findings lists the unused-access findings of every principal of the run:
// unused roles first, then unused permissions, each by principal ARN and
// service.
func Findings(s *activity.Scores) []activity.Finding {
	var out []activity.Finding
	for _, p := range s.Principals {
		out = append(out, p.Findings...)
	}
	rank := func(f activity.Finding) int {
		if f.Type == activity.FindingUnusedRole {
			return 0
		}
		return 1
	}
	slices.SortStableFunc(out, func(a, b activity.Finding) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(a.Principal.ARN, b.Principal.ARN),
			cmp.Compare(a.Service, b.Service), cmp.Compare(a.AccessKey, b.AccessKey), cmp.Compare(a.Type, b.Type))
	})
	return out
}

// findingSubject is what a finding is about, beside its principal: the
// service of unused_permission, the key of unused_access_key (with its
// creation), the console password of unused_password; "" for unused_role.
func findingSubject(f activity.Finding) string {
	created := ""
	if f.CreatedAt != nil {
		created = ", created " + f.CreatedAt.UTC().Format(time.DateOnly)
	}
	switch f.Type {
	case activity.FindingUnusedAccessKey:
		return "access key " + f.AccessKey + created
	case activity.FindingUnusedPassword:
		if f.CreatedAt != nil {
			created = ", set " + f.CreatedAt.UTC().Format(time.DateOnly)
		}
		return "console password" + created
	}
	return f.Service
}
