package report

import (
	_ "embed"
	"html/template"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// The page is one file that opens anywhere, offline: styles and charts are
// inline, and its Content-Security-Policy forbids every fetch and script, so
// that even a value escaping the template could not load or run anything.
//
//go:embed report.html.tmpl
var pageSource string

var pageTemplate = template.Must(template.New("report").Funcs(template.FuncMap{"breakable": breakable}).Parse(pageSource))

// breakable splits an ARN after each ':' and '/', where the page lets a long
// ARN wrap, instead of in the middle of an account id.
func breakable(s string) []string {
	var parts []string
	for len(s) > 0 {
		i := strings.IndexAny(s, ":/")
		if i < 0 {
			return append(parts, s)
		}
		parts, s = append(parts, s[:i+1]), s[i+1:]
	}
	return parts
}

// topCount is how many principals the "most over-provisioned" table shows;
// the drill-down lists all of them.
const topCount = 10

// deniedShown is how many denied attempts, the most frequent first, the
// page's section lists; each principal's drill-down lists all of its own.
const deniedShown = 100

// Geometry of the OPS histogram, in SVG user units.
const (
	chartWidth  = 660
	chartHeight = 240
	chartLeft   = 36
	chartTop    = 24
	chartBottom = 40
	barPitch    = 56
	barWidth    = 42
	barMax      = chartHeight - chartTop - chartBottom
	meterWidth  = 120
)

type page struct {
	AsOf, WindowStart string
	WindowDays        int
	Summary           summary
	Threshold         string
	Accounts          []string
	Caveats           []string
	Chart             chart
	Top               []principalView
	Dormant           []principalView
	RootUsed          []principalView
	Denied            []deniedView
	DeniedMore        int
	Principals        []principalView
	Keys              []keyView
	MeterWidth        int
	UnusedServices    []serviceRowView
	Findings          []findingView
	FindingsMore      int
}

// serviceRowView is a principal's line of the "Unused services" section.
type serviceRowView struct {
	PrincipalID, Principal, Kind, Account string
	ServiceOPS, PermissionOPS, Level      string
	Unused                                []string
	UnusedCount, Granted                  int
}

type findingView struct {
	Type, PrincipalID, Principal, Account, Service string
	LastUsed, Actions                              string
	UnusedDays                                     int
}

type chart struct {
	Width, Height, BarWidth int
	AxisX1, AxisX2, AxisY   int
	Bars                    []bar
}

type bar struct {
	Label, Class                 string
	Count                        int
	X, Y, Height, LabelX, CountY int
}

type principalView struct {
	ID, ARN, Kind, Account, Name string
	Monitored, Dormant           bool
	Root, RootUsed               bool
	OPS, ResourceOPS, Level      string
	NAReason                     string
	Meter                        int
	LastActivity, ObservedSince  string
	Notes                        []string
	Resources                    []resourceView
	DeniedCount                  int64
	Denied                       []deniedView
}

type deniedView struct {
	PrincipalID, Principal                     string
	Action, Resource, ErrorCode, Count, LastAt string
	count                                      int64
}

type resourceView struct {
	ARN, Kind, OPS, Level, LastUsed string
	Used, Granted, Conditional      int
	Actions                         []actionView
}

type actionView struct {
	Name              string
	Used, Conditional bool
}

type keyView struct {
	ARN, Account, LastActivity, LastViewed string
}

// HTML writes the dashboard as one self-contained page. Every value goes
// through html/template's contextual escaping: names of role sessions are
// chosen by whoever assumes the role. Values holding invisible characters
// (escape sequences, bidirectional overrides) are shown quoted, as on a
// terminal, so that a name cannot pass for another; and no value is wider
// than a table cell on a terminal, so no cell of the page can be enormous.
func HTML(w io.Writer, s *activity.Scores) error {
	p := page{
		AsOf:        formatTime(s.Run.AsOf),
		WindowStart: formatTime(s.Run.Start()),
		WindowDays:  s.Run.Days,
		Summary:     summarize(s),
		Threshold:   strconv.FormatFloat(OverProvisionedAbove, 'f', -1, 64),
		Accounts:    safeList(s.Run.Coverage.MonitoredAccounts),
		Caveats:     safeTextList(caveats(s.Run.Coverage)),
		Chart:       histogramChart(s.Principals),
		MeterWidth:  meterWidth,
	}
	ids := make(map[string]string, len(s.Principals))
	ordered := sortPrincipals(s.Principals, OrderDefault, s.Run.Window)
	for i, ps := range ordered {
		v := viewPrincipal(ps, "p"+strconv.Itoa(i+1))
		v.RootUsed = activity.RootUsed(ps, s.Run.Window)
		ids[ps.ARN] = v.ID
		p.Principals = append(p.Principals, v)
		if ps.Dormant {
			p.Dormant = append(p.Dormant, v)
		}
		if v.RootUsed {
			p.RootUsed = append(p.RootUsed, v)
		}
		p.Denied = append(p.Denied, v.Denied...)
	}
	// The most frequent first; the page order breaks ties.
	sort.SliceStable(p.Denied, func(i, j int) bool { return p.Denied[i].count > p.Denied[j].count })
	if len(p.Denied) > deniedShown {
		p.Denied, p.DeniedMore = p.Denied[:deniedShown], len(p.Denied)-deniedShown
	}
	for _, ps := range topOverProvisioned(s.Principals, topCount) {
		p.Top = append(p.Top, viewPrincipal(ps, ids[ps.ARN]))
	}
	for _, ps := range sortPrincipals(s.Principals, OrderARN, s.Run.Window) {
		if ps.ServiceOPS == nil || ps.PermissionOPS == nil {
			continue
		}
		row := serviceRowView{PrincipalID: ids[ps.ARN], Principal: printable(ps.ARN), Kind: printable(ps.Kind), Account: printable(ps.AccountID),
			ServiceOPS: formatScore(*ps.ServiceOPS), PermissionOPS: formatScore(*ps.PermissionOPS), Level: level(ps.PermissionOPS)}
		for _, sv := range ps.Services {
			if sv.Granted == 0 {
				continue
			}
			row.Granted++
			if len(sv.UsedActions) == 0 {
				row.UnusedCount++
				row.Unused = append(row.Unused, printable(sv.Service))
			}
		}
		p.UnusedServices = append(p.UnusedServices, row)
	}
	all := Findings(s)
	if len(all) > findingsShown {
		all, p.FindingsMore = all[:findingsShown], len(all)-findingsShown
	}
	for _, f := range all {
		p.Findings = append(p.Findings, findingView{Type: f.Type, PrincipalID: ids[f.Principal.ARN], Principal: printable(f.Principal.ARN),
			Account: printable(f.Principal.AccountID), Service: printable(findingSubject(f)), LastUsed: timeOr(f.LastUsedAt, "never"),
			Actions: listSome(safeList(f.Actions), 6), UnusedDays: f.UnusedDays(s.Run.Window)})
	}
	for _, k := range s.KMSKeys {
		p.Keys = append(p.Keys, keyView{
			ARN:          printable(k.ARN),
			Account:      printable(k.AccountID),
			LastActivity: timeOr(k.LastActivityAt, "none"),
			LastViewed:   timeOr(k.LastViewedAt, "never"),
		})
	}
	return pageTemplate.Execute(w, p)
}

// level names the colour band of a score: low up to 20, high above the
// over-provisioned threshold, as in the histogram.
func level(v *float64) string {
	switch {
	case v == nil:
		return "na"
	case round1(*v) > OverProvisionedAbove:
		return "high"
	case round1(*v) > 20:
		return "mid"
	}
	return "low"
}

func viewPrincipal(p activity.PrincipalScore, id string) principalView {
	v := principalView{
		ID:           id,
		ARN:          printable(p.ARN),
		Kind:         printable(p.Kind),
		Account:      printable(p.AccountID),
		Monitored:    p.Monitored,
		Dormant:      p.Dormant,
		Root:         p.Kind == activity.KindRoot,
		OPS:          "N/A",
		ResourceOPS:  "N/A",
		Level:        "na",
		LastActivity: timeOr(p.LastActivityAt, "none"),
		Notes:        safeTextList(p.Notes),
	}
	if !p.Monitored {
		v.LastActivity = timeOr(p.LastActivityAt, "unknown")
	}
	if p.ObservedSince != nil {
		v.ObservedSince = formatTime(*p.ObservedSince)
	}
	if p.Monitored && p.OPS != nil {
		v.OPS, v.Level = formatScore(*p.OPS), level(p.OPS)
		v.Meter = int(round1(*p.OPS) / 100 * meterWidth)
	} else {
		v.NAReason = naReason(p)
	}
	if p.Monitored && p.ResourceOPS != nil {
		v.ResourceOPS = formatScore(*p.ResourceOPS)
	}
	v.DeniedCount = deniedCount(p)
	for _, d := range p.Denied {
		v.Denied = append(v.Denied, deniedView{
			PrincipalID: id,
			Principal:   v.ARN,
			Action:      printable(d.Action),
			Resource:    printable(deniedResource(d)),
			ErrorCode:   printable(d.ErrorCode),
			Count:       strconv.FormatInt(d.Count, 10),
			LastAt:      formatTime(d.LastAt),
			count:       d.Count,
		})
	}
	for _, r := range p.Resources {
		rv := resourceView{
			ARN:         printable(r.ARN),
			Kind:        printable(r.Kind),
			OPS:         "N/A",
			Level:       "na",
			LastUsed:    timeOr(r.LastUsedAt, "never"),
			Used:        len(r.UsedActions),
			Granted:     len(r.GrantedActions),
			Conditional: len(r.ConditionalActions),
		}
		if p.Monitored && r.OPS != nil {
			rv.OPS, rv.Level = formatScore(*r.OPS), level(r.OPS)
		}
		used := make(map[string]bool, len(r.UsedActions))
		for _, a := range r.UsedActions {
			used[a] = true
		}
		conditional := make(map[string]bool, len(r.ConditionalActions))
		for _, a := range r.ConditionalActions {
			conditional[a] = true
		}
		for _, a := range r.GrantedActions {
			rv.Actions = append(rv.Actions, actionView{Name: printable(a), Used: used[a], Conditional: conditional[a]})
		}
		v.Resources = append(v.Resources, rv)
	}
	return v
}

func histogramChart(ps []activity.PrincipalScore) chart {
	buckets, na := opsHistogram(ps)
	counts := append(buckets[:], na)
	highest := 1
	for _, n := range counts {
		highest = max(highest, n)
	}
	c := chart{
		Width:    chartWidth,
		Height:   chartHeight,
		BarWidth: barWidth,
		AxisX1:   chartLeft - 6,
		AxisY:    chartHeight - chartBottom,
		AxisX2:   chartLeft + len(counts)*barPitch,
	}
	for i, n := range counts {
		b := bar{Count: n, Class: "b" + strconv.Itoa(i)}
		if i < len(buckets) {
			b.Label = strconv.Itoa(i*10) + "–" + strconv.Itoa(i*10+10)
		} else {
			b.Label, b.Class = "N/A", "bna"
		}
		b.Height = n * barMax / highest
		if n > 0 {
			b.Height = max(b.Height, 2)
		}
		b.X = chartLeft + i*barPitch + (barPitch-barWidth)/2
		b.Y = c.AxisY - b.Height
		b.LabelX = b.X + barWidth/2
		b.CountY = b.Y - 6
		c.Bars = append(c.Bars, b)
	}
	return c
}
