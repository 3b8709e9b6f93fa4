package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

const csp = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`

func renderHTML(t *testing.T, s *activity.Scores) string {
	t.Helper()
	var buf bytes.Buffer
	if err := HTML(&buf, s); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestHTMLEscapesHostileValues(t *testing.T) {
	page := renderHTML(t, fixture())
	for _, want := range []string{
		"&lt;img src=x onerror=alert(1)&gt;",
		"&lt;b&gt;bold&lt;/",
		`evil\x1b[2J\rok`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("escaped form %q missing", want)
		}
	}
	for _, banned := range []string{"<img", "<b>", "\x1b", "\r", "\a"} {
		if strings.Contains(page, banned) {
			t.Errorf("page holds %q raw", banned)
		}
	}
}

func TestHTMLIsSelfContained(t *testing.T) {
	page := renderHTML(t, fixture())
	if !strings.Contains(page, csp) {
		t.Error("Content-Security-Policy meta missing")
	}
	lower := strings.ToLower(page)
	for _, banned := range []string{"http://", "https://", "<script", "<link", "<iframe", "<object", "<embed", "url(", "@import", "src="} {
		// The hostile principal holds "src=x" as escaped text; that one is allowed.
		if banned == "src=" {
			lower = strings.ReplaceAll(lower, "&lt;img src=x", "")
		}
		if strings.Contains(lower, banned) {
			t.Errorf("page holds %q", banned)
		}
	}
}

func TestHTMLContent(t *testing.T) {
	page := renderHTML(t, fixture())
	for _, re := range []string{
		`id="card-accounts"><span class="value">2</span>`,
		`id="card-principals"><span class="value">7</span>`,
		`id="card-dormant"><span class="value">2</span>`,
		`id="card-over"><span class="value">2</span>`,
		`6 monitored, 1 not monitored`,
		// Histogram of ops: 12 (evil) in 10–20, 35 (carol) in 30–40, 50 in 50–60, 81.5 in 80–90, 100 in 90–100.
		`data-bucket="0–10" data-count="0"`,
		`data-bucket="10–20" data-count="1"`,
		`data-bucket="30–40" data-count="1"`,
		`data-bucket="50–60" data-count="1"`,
		`data-bucket="80–90" data-count="1"`,
		`data-bucket="90–100" data-count="1"`,
		`data-bucket="N/A" data-count="2"`,
		`no logs for 3 days of the window`,
		`data-ops="N/A">N/A</span> <span class="reason">no_logs</span>`,
		`<span class="act unused" title="not used">secretsmanager:GetSecretValue</span>`,
		`<span class="act used conditional" title="used, granted under a condition">kms:Encrypt</span>`,
		`<td class="time">2026-11-19T00:00:00Z</td><td class="time">never</td>`,
	} {
		if !strings.Contains(page, re) {
			t.Errorf("page lacks %s", re)
		}
	}
	if n := strings.Count(page, "<details "); n != 7 {
		t.Errorf("%d drill-downs, want 7", n)
	}
	// Carol's caveat sits in her drill-down, beside her scores.
	var m string
	for _, d := range strings.Split(page, "<details ")[1:] {
		if strings.Contains(d, "okta/<wbr>carol") {
			m = d[:strings.Index(d, "</details>")]
		}
	}
	if m == "" {
		t.Fatal("no drill-down for carol")
	}
	if !strings.Contains(m, "⚠ 1 caveat") || !strings.Contains(m, "logs of account 222222222222 are missing for 3 days") {
		t.Errorf("carol's caveat is not beside her scores:\n%s", m)
	}
}

func TestHTMLEmptyRun(t *testing.T) {
	page := renderHTML(t, &activity.Scores{Run: activity.ScoreRun{Window: activity.Window{AsOf: asOf, Days: 30}}})
	for _, want := range []string{`id="card-principals"><span class="value">0</span>`, "No principal scored.", "No KMS key seen.", "every OPS is N/A"} {
		if !strings.Contains(page, want) {
			t.Errorf("empty page lacks %q", want)
		}
	}
}

func TestOPSHistogramBuckets(t *testing.T) {
	var ps []activity.PrincipalScore
	for _, v := range []float64{0, 9.94, 9.96, 10, 50, 89.9, 90, 100} {
		ps = append(ps, activity.PrincipalScore{Monitored: true, OPS: ptr(v)})
	}
	ps = append(ps, activity.PrincipalScore{Monitored: true}, activity.PrincipalScore{OPS: ptr(0.0)})
	buckets, na := opsHistogram(ps)
	// 9.96 shows as 10.0, so it counts where 10.0 does.
	want := [10]int{2, 2, 0, 0, 0, 1, 0, 0, 1, 2}
	if buckets != want || na != 2 {
		t.Errorf("buckets %v na %d, want %v na 2", buckets, na, want)
	}
}

func TestBreakable(t *testing.T) {
	got := strings.Join(breakable("arn:aws:iam::1:user/a/b"), "|")
	if got != "arn:|aws:|iam:|:|1:|user/|a/|b" {
		t.Errorf("breakable: %s", got)
	}
}
