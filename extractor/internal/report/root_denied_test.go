package report

import (
	"regexp"
	"strings"
	"testing"
)

func TestRootUseComesFirstInEveryFormat(t *testing.T) {
	s := withRootAndDenied()
	doc, _ := renderJSON(t, s)
	principals := doc["principals"].([]any)
	if first := principals[0].(map[string]any); !strings.HasSuffix(first["arn"].(string), rootUsed) {
		t.Errorf("JSON: first principal %v, want the root user that acted in the window", first["arn"])
	}
	if last := principals[len(principals)-1].(map[string]any); !strings.HasSuffix(last["arn"].(string), rootIdle) {
		t.Errorf("JSON: a root user that did not act is listed in the order given, last here; last is %v", last["arn"])
	}
	root := principalByARN(t, doc, rootUsed)
	if root["ops"] != nil || root["resource_ops"] != nil || root["na_reason"] != "root_user" || root["dormant"] != false ||
		root["last_activity_at"] != "2026-11-19T00:00:00Z" {
		t.Errorf("JSON: root user %v", root)
	}
	if sum := doc["summary"].(map[string]any); sum["root_used"] != 1.0 || sum["denied"] != 16.0 {
		t.Errorf("JSON summary: %v, want 1 root user used and 16 denied attempts", sum)
	}

	for _, order := range append([]Order{OrderDefault}, Orders...) {
		out := renderTable(t, s, TableOptions{SortBy: order})
		i := strings.Index(out, "\nPRINCIPAL ")
		if i < 0 {
			t.Fatalf("no principal table in\n%s", out)
		}
		if first := strings.SplitN(out[i+1:], "\n", 3)[1]; !strings.HasPrefix(first, "arn:aws:iam::"+rootUsed+" ") {
			t.Errorf("table sorted %q: first row %q, want the root user that acted", order, first)
		}
		if !strings.Contains(out, "PRINCIPALS (root users that acted in the window first, then ") {
			t.Errorf("table sorted %q does not say root use comes first", order)
		}
	}

	page := renderHTML(t, s)
	details := strings.Split(page, "<details ")[1:]
	if !strings.Contains(details[0], "111111111111:<wbr>root") || !strings.Contains(details[0], `<span class="badge root">root used</span>`) {
		t.Errorf("HTML: the first drill-down is not the root user that acted:\n%s", details[0][:min(600, len(details[0]))])
	}
	finding := between(t, page, `id="root-use"`, "</section>")
	if !strings.Contains(finding, "111111111111:<wbr>root") || strings.Contains(finding, "222222222222") {
		t.Errorf("HTML: the root-use finding should list the root user that acted, alone:\n%s", finding)
	}
}

func TestRootUseIsAbsentWithoutIt(t *testing.T) {
	page := renderHTML(t, fixture())
	if strings.Contains(page, `id="root-use"`) {
		t.Error("HTML shows a root-use finding for a run without root activity")
	}
	if out := renderTable(t, fixture(), TableOptions{}); !regexp.MustCompile(`(?m)^Root user used\s+no$`).MatchString(out) {
		t.Errorf("table header does not say the root user was not used:\n%s", out)
	}
}

func TestDeniedInEveryFormat(t *testing.T) {
	s := withRootAndDenied()
	doc, _ := renderJSON(t, s)
	for _, p := range doc["principals"].([]any) {
		p := p.(map[string]any)
		if kind(p["denied"]) != "array" {
			t.Errorf("JSON: %s has denied %v, want an array", p["arn"], p["denied"])
		}
	}
	denied := principalByARN(t, doc, alice)["denied"].([]any)
	if len(denied) != 2 {
		t.Fatalf("JSON: alice has %d denied entries, want 2", len(denied))
	}
	first, second := denied[0].(map[string]any), denied[1].(map[string]any)
	checkFields(t, "denied", first, map[string][]string{
		"action": {"string"}, "resource": {"string", "null"}, "error_code": {"string"}, "count": {"number"}, "last_at": {"timestamp"},
	})
	if first["action"] != "s3:DeleteObject" || first["resource"] != "arn:aws:s3:::reports" || first["error_code"] != "AccessDenied" ||
		first["count"] != 12.0 || first["last_at"] != "2026-11-23T00:00:00Z" {
		t.Errorf("JSON: alice's first denied entry %v", first)
	}
	if second["resource"] != nil {
		t.Errorf("JSON: a denied call on no resource of the three kinds has resource %v, want null", second["resource"])
	}

	out := renderTable(t, s, TableOptions{})
	if l := lineOf(t, out, alice); !regexp.MustCompile(`\s3\s+15$`).MatchString(l) {
		t.Errorf("table: alice's DENIED column should count 15 attempts: %q", l)
	}
	if l := lineOf(t, out, bob); !regexp.MustCompile(`\s1\s+0$`).MatchString(l) {
		t.Errorf("table: bob's DENIED column should be 0: %q", l)
	}
	if !regexp.MustCompile(`(?m)^Denied attempts\s+16 by 2 principals$`).MatchString(out) {
		t.Errorf("table header lacks the denied attempts:\n%s", out)
	}
	details := renderTable(t, s, TableOptions{Details: true})
	for _, want := range []string{
		"    denied: s3:DeleteObject on arn:aws:s3:::reports: AccessDenied, 12 times, last 2026-11-23T00:00:00Z",
		"    denied: iam:ListUsers: AccessDenied, 3 times, last 2026-11-21T00:00:00Z",
	} {
		if !strings.Contains(details, want) {
			t.Errorf("detailed table lacks %q", want)
		}
	}

	page := renderHTML(t, s)
	section := between(t, page, `id="denied"`, "</section>")
	rows := strings.Count(section, "<tr>") - 1
	if rows != 3 {
		t.Errorf("HTML: the denied section lists %d attempts, want 3", rows)
	}
	if i, j := strings.Index(section, "s3:DeleteObject"), strings.Index(section, "kms:ScheduleKeyDeletion"); i < 0 || j < 0 || i > j {
		t.Errorf("HTML: the denied section is not ordered by count:\n%s", section)
	}
	if !strings.Contains(page, `<span class="badge denied">15 denied</span>`) {
		t.Error("HTML: alice's drill-down does not count her denied attempts")
	}
	if empty := renderHTML(t, fixture()); !strings.Contains(between(t, empty, `id="denied"`, "</section>"), "No denied or failed attempt in the window.") {
		t.Error("HTML: a run without denied attempts does not say so")
	}
}

// between returns the text of s from the first from to the next to.
func between(t *testing.T, s, from, to string) string {
	t.Helper()
	i := strings.Index(s, from)
	if i < 0 {
		t.Fatalf("no %q", from)
	}
	j := strings.Index(s[i:], to)
	if j < 0 {
		t.Fatalf("no %q after %q", to, from)
	}
	return s[i : i+j]
}

func TestBrowserRendersRootUseAndDenied(t *testing.T) {
	bin := chromium(t)
	t.Parallel()
	page := writePage(t, "report.html", renderHTML(t, withRootAndDenied()))
	dom, console := headless(t, bin, page, "--dump-dom")
	if len(console) > 0 {
		t.Errorf("console messages:\n%s", strings.Join(console, "\n"))
	}
	for _, want := range []string{
		`<section class="panel finding" id="root-use">`,
		`<span class="badge root">root used</span>`,
		`<section class="panel" id="denied">`,
		`<code>kms:ScheduleKeyDeletion</code>`,
		`<span class="badge denied">15 denied</span>`,
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered DOM lacks %s", want)
		}
	}
	if n := strings.Count(dom, "<details "); n != 9 {
		t.Errorf("rendered DOM has %d drill-downs, want 9", n)
	}
}
