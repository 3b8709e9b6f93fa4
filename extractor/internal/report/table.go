package report

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/termcell"
)

// Order is how the table sorts principals.
type Order string

// Orders of the table. The default puts what needs attention first: dormant
// principals, then the highest OPS.
const (
	OrderDefault      Order = ""
	OrderOPS          Order = "ops"
	OrderResourceOPS  Order = "resource_ops"
	OrderLastActivity Order = "last_activity"
	OrderARN          Order = "arn"
)

// Orders lists the named orders, for flag help and validation.
var Orders = []Order{OrderOPS, OrderResourceOPS, OrderLastActivity, OrderARN}

// ParseOrder accepts a named order, or "" and "default" for the default.
func ParseOrder(s string) (Order, error) {
	if s == "" || s == "default" {
		return OrderDefault, nil
	}
	for _, o := range Orders {
		if Order(s) == o {
			return o, nil
		}
	}
	names := make([]string, len(Orders))
	for i, o := range Orders {
		names[i] = string(o)
	}
	return "", fmt.Errorf("unknown sort order %q: use one of %s", s, strings.Join(names, ", "))
}

// TableOptions shape the terminal dashboard.
type TableOptions struct {
	SortBy Order
	// Details adds, under each principal, a line per resource and the
	// caveats of its scores.
	Details bool
}

func (o Order) describe() string {
	switch o {
	case OrderOPS:
		return "by OPS, highest first"
	case OrderResourceOPS:
		return "by resource OPS, highest first"
	case OrderLastActivity:
		return "by last activity, least recent first"
	case OrderARN:
		return "by ARN"
	}
	return "dormant first, then by OPS, highest first"
}

// sortPrincipals returns the principals in the order asked, after the root
// users that acted in the window, leaving the caller's slice alone. Ties fall
// back to the ARN so that output is stable.
func sortPrincipals(ps []activity.PrincipalScore, o Order, w activity.Window) []activity.PrincipalScore {
	out := append([]activity.PrincipalScore(nil), ps...)
	var less func(a, b activity.PrincipalScore) bool
	switch o {
	case OrderOPS:
		less = byOPS
	case OrderResourceOPS:
		less = func(a, b activity.PrincipalScore) bool {
			if c := compareScores(a.ResourceOPS, b.ResourceOPS); c != 0 {
				return c < 0
			}
			return byOPS(a, b)
		}
	case OrderLastActivity:
		// Never active sorts first: it is the stalest of all.
		less = func(a, b activity.PrincipalScore) bool {
			switch {
			case a.LastActivityAt == nil && b.LastActivityAt == nil:
			case a.LastActivityAt == nil:
				return true
			case b.LastActivityAt == nil:
				return false
			case !a.LastActivityAt.Equal(*b.LastActivityAt):
				return a.LastActivityAt.Before(*b.LastActivityAt)
			}
			return a.ARN < b.ARN
		}
	case OrderARN:
		less = func(a, b activity.PrincipalScore) bool { return a.ARN < b.ARN }
	default:
		less = func(a, b activity.PrincipalScore) bool {
			if a.Dormant != b.Dormant {
				return a.Dormant
			}
			return byOPS(a, b)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return less(out[i], out[j]) })
	return rootFirst(out, w)
}

// printable makes a value chosen by someone else (a role session name, a
// resource name) safe to show on a terminal or a page: a value holding
// anything invisible, escape sequences, carriage returns and bidirectional
// overrides included, is shown as a quoted Go string instead of being
// interpreted.
// printable is a stored value as a report shows it: quoted when it holds
// what a terminal would interpret, and cut to the width of a cell.
func printable(s string) string { return termcell.Fit(escaped(s)) }

// printableText is a sentence (a note, a caveat) as a report shows it:
// quoted like a value, and cut to the length of a line.
func printableText(s string) string { return termcell.FitTo(escaped(s), termcell.MaxLineRunes) }

func escaped(s string) string {
	if !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool { return !strconv.IsPrint(r) }) >= 0 {
		return strconv.Quote(s)
	}
	return s
}

func safeList(items []string) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = printable(s)
	}
	return out
}

func safeTextList(items []string) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = printableText(s)
	}
	return out
}

// Table writes the dashboard for a terminal: a summary with the coverage
// caveats, the principals, then the KMS keys.
func Table(w io.Writer, s *activity.Scores, opts TableOptions) error {
	order, err := ParseOrder(string(opts.SortBy))
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	writeHeader(bw, s)
	describe := order.describe()
	if summarize(s).RootUsed > 0 {
		describe = "root users that acted in the window first, then " + describe
	}
	fmt.Fprintf(bw, "\nPRINCIPALS (%s)\n", describe)
	if len(s.Principals) == 0 {
		fmt.Fprintln(bw, "none scored")
	} else {
		writePrincipals(bw, sortPrincipals(s.Principals, order, s.Run.Window), opts.Details)
	}
	writeServices(bw, s)
	fmt.Fprintln(bw, "\nKMS KEYS")
	if len(s.KMSKeys) == 0 {
		fmt.Fprintln(bw, "none seen")
	} else {
		var g grid
		g.row("KEY", "LAST ACTIVITY", "LAST VIEWED")
		for _, k := range s.KMSKeys {
			g.row(printable(k.ARN), timeOr(k.LastActivityAt, "none"), timeOr(k.LastViewedAt, "never"))
		}
		g.write(bw)
	}
	return bw.Flush()
}

func writeHeader(w io.Writer, s *activity.Scores) {
	sum := summarize(s)
	cov := s.Run.Coverage
	var g grid
	g.row("As of", formatTime(s.Run.AsOf))
	g.row("Window", fmt.Sprintf("%d %s, from %s", s.Run.Days, plural(s.Run.Days, "day", "days"), formatTime(s.Run.Start())))
	accounts := strconv.Itoa(sum.MonitoredAccounts)
	if sum.MonitoredAccounts > 0 {
		accounts += ": " + listSome(safeList(cov.MonitoredAccounts), 10)
	}
	g.row("Monitored accounts", accounts)
	g.row("Principals", fmt.Sprintf("%d: %d monitored, %d not monitored", sum.Principals, sum.Monitored, sum.NotMonitored))
	g.row("Root user used", rootUse(s))
	g.row("Denied attempts", fmt.Sprintf("%d by %d %s", sum.Denied, sum.DeniedPrincipals, plural(sum.DeniedPrincipals, "principal", "principals")))
	g.row("Dormant", strconv.Itoa(sum.Dormant))
	g.row("Over-provisioned", fmt.Sprintf("%d with OPS above %s", sum.OverProvisioned, strconv.FormatFloat(OverProvisionedAbove, 'f', -1, 64)))
	g.row("KMS keys", strconv.Itoa(sum.KMSKeys))
	cs := caveats(cov)
	if len(cs) == 0 {
		g.row("Coverage", "every monitored account has logs for every day of the window")
	} else {
		g.row("Coverage caveats", strconv.Itoa(len(cs)))
		for _, c := range cs {
			g.text("  - " + printableText(c))
		}
	}
	fmt.Fprintln(w, "ACTIVITY REPORT: access granted and left unused")
	g.write(w)
}

// rootUse lists the root users that acted in the window, with their last
// activity: a finding.
func rootUse(s *activity.Scores) string {
	var used []string
	for _, p := range s.Principals {
		if activity.RootUsed(p, s.Run.Window) {
			used = append(used, printable(p.AccountID)+" at "+formatTime(*p.LastActivityAt))
		}
	}
	if len(used) == 0 {
		return "no"
	}
	return fmt.Sprintf("%d %s: %s", len(used), plural(len(used), "account", "accounts"), listSome(used, 5))
}

func writePrincipals(w io.Writer, ps []activity.PrincipalScore, details bool) {
	var g grid
	g.row("PRINCIPAL", "KIND", "ACCOUNT", "OPS", "RESOURCE OPS", "DORMANT", "LAST ACTIVITY", "RESOURCES", "DENIED")
	marked := false
	for i, p := range ps {
		if details && i > 0 {
			g.text("")
		}
		ops, rops := "N/A ("+naReason(p)+")", "N/A"
		if p.Monitored && p.OPS != nil {
			ops = formatScore(*p.OPS)
		}
		if p.Monitored && p.ResourceOPS != nil {
			rops = formatScore(*p.ResourceOPS)
		}
		if p.Monitored && len(p.Notes) > 0 {
			ops += "*"
			marked = true
		}
		dormant, last := "-", timeOr(p.LastActivityAt, "-")
		if p.Monitored {
			dormant, last = "no", timeOr(p.LastActivityAt, "none")
			if p.Dormant {
				dormant = "yes"
			}
		}
		g.row(printable(p.ARN), printable(p.Kind), printable(p.AccountID), ops, rops, dormant, last, strconv.Itoa(len(p.Resources)),
			strconv.FormatInt(deniedCount(p), 10))
		if !details {
			continue
		}
		for _, n := range p.Notes {
			g.text("    ! " + printableText(n))
		}
		for _, d := range p.Denied {
			on := ""
			if r := deniedResource(d); r != "" {
				on = " on " + printable(r)
			}
			g.text(fmt.Sprintf("    denied: %s%s: %s, %d %s, last %s", printable(d.Action), on, printable(d.ErrorCode),
				d.Count, plural(int(d.Count), "time", "times"), formatTime(d.LastAt)))
		}
		for _, r := range p.Resources {
			rops := "N/A"
			if p.Monitored && r.OPS != nil {
				rops = formatScore(*r.OPS)
			}
			used := fmt.Sprintf("%d/%d actions used", len(r.UsedActions), len(r.GrantedActions))
			if n := len(r.ConditionalActions); n > 0 {
				used += fmt.Sprintf(", %d conditional", n)
			}
			g.row("  "+printable(r.ARN), printable(r.Kind), printable(r.AccountID), rops, "", "", timeOr(r.LastUsedAt, "never"), used)
			if unused := unusedActions(r); len(unused) > 0 {
				g.text("      unused: " + listSome(safeList(unused), 8))
			}
		}
	}
	g.write(w)
	switch {
	case marked && details:
		fmt.Fprintln(w, "* scores with caveats, listed under the principal")
	case marked:
		fmt.Fprintln(w, "* scores with caveats (logs start inside the window, days without logs, S3 data events not seen): the detailed table lists them")
	}
}

func timeOr(t *time.Time, absent string) string {
	if t == nil || t.IsZero() {
		return absent
	}
	return formatTime(*t)
}

// grid aligns cells in columns like text/tabwriter, but lets free lines
// (caveats, unused actions) sit between rows without breaking the columns.
type grid struct {
	lines  []gridLine
	widths []int
}

type gridLine struct {
	cells []string
	text  string
}

func (g *grid) row(cells ...string) {
	for i := range cells {
		cells[i] = termcell.Fit(cells[i])
	}
	for i, c := range cells {
		if i == len(cells)-1 {
			break
		}
		if i == len(g.widths) {
			g.widths = append(g.widths, 0)
		}
		g.widths[i] = max(g.widths[i], utf8.RuneCountInString(c))
	}
	g.lines = append(g.lines, gridLine{cells: cells})
}

func (g *grid) text(s string) { g.lines = append(g.lines, gridLine{text: s}) }

func (g *grid) write(w io.Writer) {
	var b strings.Builder
	for _, l := range g.lines {
		b.Reset()
		if l.cells == nil {
			b.WriteString(l.text)
		}
		for i, c := range l.cells {
			b.WriteString(c)
			if i < len(l.cells)-1 {
				b.WriteString(strings.Repeat(" ", g.widths[i]-utf8.RuneCountInString(c)+2))
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// writeServices writes the "Unused services" section, of the principals
// whose service-level shares are known, then the findings.
func writeServices(w io.Writer, s *activity.Scores) {
	fmt.Fprintln(w, "\nUNUSED SERVICES (services and actions granted in every service, left unused in the window)")
	var g grid
	g.row("PRINCIPAL", "KIND", "ACCOUNT", "SERVICE OPS", "PERMISSION OPS", "SERVICES UNUSED", "UNUSED")
	n := 0
	for _, p := range sortPrincipals(s.Principals, OrderARN, s.Run.Window) {
		if p.ServiceOPS == nil || p.PermissionOPS == nil {
			continue
		}
		n++
		granted, unused := 0, []string{}
		for _, sv := range p.Services {
			if sv.Granted > 0 {
				granted++
				if len(sv.UsedActions) == 0 {
					unused = append(unused, sv.Service)
				}
			}
		}
		g.row(printable(p.ARN), printable(p.Kind), printable(p.AccountID), formatScore(*p.ServiceOPS), formatScore(*p.PermissionOPS),
			fmt.Sprintf("%d/%d", len(unused), granted), listSome(safeList(unused), 6))
	}
	if n == 0 {
		fmt.Fprintln(w, "none scored: run activity-extractor discover, then score")
	} else {
		g.write(w)
	}
	fs := Findings(s)
	fmt.Fprintf(w, "\nFINDINGS (%d: unused roles, permissions, access keys and console passwords, as IAM Access Analyzer names them)\n", len(fs))
	if len(fs) == 0 {
		fmt.Fprintln(w, "none")
		return
	}
	var f grid
	f.row("TYPE", "PRINCIPAL", "ACCOUNT", "SERVICE OR CREDENTIAL", "LAST USED", "UNUSED DAYS", "UNUSED ACTIONS")
	more := 0
	if len(fs) > findingsShown {
		fs, more = fs[:findingsShown], len(fs)-findingsShown
	}
	for _, x := range fs {
		svc := "-"
		if sub := findingSubject(x); sub != "" {
			svc = printable(sub)
		}
		f.row(x.Type, printable(x.Principal.ARN), printable(x.Principal.AccountID), svc, timeOr(x.LastUsedAt, "never"),
			strconv.Itoa(x.UnusedDays(s.Run.Window)), listSome(safeList(x.Actions), 4))
	}
	f.write(w)
	if more > 0 {
		fmt.Fprintf(w, "and %d more: report --format json lists every finding\n", more)
	}
}

// findingsShown is how many findings the table and the page list: an
// administrator alone has one per service it never touched.
const findingsShown = 200
