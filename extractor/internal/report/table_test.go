package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

func renderTable(t *testing.T, s *activity.Scores, opts TableOptions) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Table(&buf, s, opts); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// principalOrder lists the principals of the fixture in the order the table
// prints them, by the marker each one's ARN holds.
func principalOrder(out string) []string {
	markers := []string{alice, bob, carol, dave, erin, "r/<img", "deploy/evil"}
	var order []string
	for _, line := range strings.Split(out, "\n") {
		for _, m := range markers {
			if strings.Contains(line, m) && strings.Contains(line, "arn:aws:") && !strings.HasPrefix(line, " ") {
				order = append(order, m)
			}
		}
	}
	return order
}

func TestTableSortOrders(t *testing.T) {
	for _, tc := range []struct {
		order Order
		want  []string
	}{
		// Dormant first (bob 100, evil 10), then by OPS, unscored last by ARN.
		{OrderDefault, []string{bob, "deploy/evil", alice, "r/<img", carol, dave, erin}},
		// Ties on OPS fall to resource OPS: none here; unscored last by ARN.
		{OrderOPS, []string{bob, alice, "r/<img", carol, "deploy/evil", dave, erin}},
		{OrderResourceOPS, []string{bob, alice, "r/<img", carol, "deploy/evil", dave, erin}},
		// Never active first, then the least recent.
		{OrderLastActivity, []string{bob, dave, "deploy/evil", erin, carol, alice, "r/<img"}},
		{OrderARN, []string{erin, alice, bob, dave, "deploy/evil", "r/<img", carol}},
	} {
		name := string(tc.order)
		if name == "" {
			name = "default"
		}
		t.Run(name, func(t *testing.T) {
			got := principalOrder(renderTable(t, fixture(), TableOptions{SortBy: tc.order}))
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("order %q:\n got %v\nwant %v", tc.order, got, tc.want)
			}
		})
	}
}

func TestTableResourceOPSOrderDiffersFromOPS(t *testing.T) {
	s := fixture()
	// The role's resource OPS drops to 15, below Carol's 20, while its OPS
	// (50) stays above hers (35).
	s.Principals[2].ResourceOPS = ptr(15.0)
	got := principalOrder(renderTable(t, s, TableOptions{SortBy: OrderResourceOPS}))
	want := []string{bob, alice, carol, "r/<img", "deploy/evil", dave, erin}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestTableRejectsUnknownOrder(t *testing.T) {
	if err := Table(&bytes.Buffer{}, fixture(), TableOptions{SortBy: "name"}); err == nil || !strings.Contains(err.Error(), "last_activity") {
		t.Errorf("unknown order: error %v, want one naming the known orders", err)
	}
	for _, s := range []string{"", "default", "ops", "resource_ops", "last_activity", "arn"} {
		if _, err := ParseOrder(s); err != nil {
			t.Errorf("ParseOrder(%q): %v", s, err)
		}
	}
}

func lineOf(t *testing.T, out, marker string) string {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, marker) {
			return line
		}
	}
	t.Fatalf("no line with %q in\n%s", marker, out)
	return ""
}

func TestTableShowsNAWithItsReason(t *testing.T) {
	out := renderTable(t, fixture(), TableOptions{})
	if l := lineOf(t, out, dave); !regexp.MustCompile(`333333333333\s+N/A \(no_logs\)\s+N/A\s+-\s`).MatchString(l) {
		t.Errorf("unmonitored principal: %q", l)
	}
	if l := lineOf(t, out, erin); !strings.Contains(l, "N/A (nothing_granted)") {
		t.Errorf("principal without grants: %q", l)
	}
	if l := lineOf(t, out, alice); !regexp.MustCompile(`\s81\.5\s+66\.7\s+no\s+2026-11-23T00:00:00Z\s+3\s+0$`).MatchString(l) {
		t.Errorf("alice: %q", l)
	}
	if l := lineOf(t, out, carol); !strings.Contains(l, " 35.0* ") {
		t.Errorf("a score with caveats is not marked: %q", l)
	}
}

func TestTableSummary(t *testing.T) {
	out := renderTable(t, fixture(), TableOptions{})
	for _, re := range []string{
		`(?m)^As of\s+2026-11-25T00:00:00Z$`,
		`(?m)^Window\s+30 days, from 2026-10-26T00:00:00Z$`,
		`(?m)^Monitored accounts\s+2: 111111111111, 222222222222$`,
		`(?m)^Principals\s+7: 6 monitored, 1 not monitored$`,
		`(?m)^Dormant\s+2$`,
		`(?m)^Over-provisioned\s+2 with OPS above 50$`,
		`(?m)^  - account 222222222222: no logs for 3 days`,
		`(?m)^  - 4 role sessions could not be credited`,
		`(?m)^arn:aws:kms:us-east-2:111111111111:key/2222\s+2026-11-19T00:00:00Z\s+never$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("no match for %s in\n%s", re, out)
		}
	}
}

func TestTableDetailsListResourcesAndCaveats(t *testing.T) {
	plain := renderTable(t, fixture(), TableOptions{})
	out := renderTable(t, fixture(), TableOptions{Details: true})
	for _, want := range []string{
		"  arn:aws:secretsmanager:us-east-2:111111111111:secret:db-AbCdEf",
		"unused: s3:PutObject, s3:DeleteObject",
		"2/2 actions used, 1 conditional",
		"    ! logs of account 222222222222 are missing",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("details: missing %q in\n%s", want, out)
		}
		if strings.Contains(plain, want) {
			t.Errorf("without details: %q shown", want)
		}
	}
	// Resource lines line up with the principal columns.
	p, r := lineOf(t, out, "user/alice"), lineOf(t, out, "secret:db-AbCdEf")
	if strings.Index(p, " 111111111111  81.5 ") != strings.Index(r, " 111111111111  100.0 ") {
		t.Errorf("columns do not line up:\n%s\n%s", p, r)
	}
}

func TestTableNeverPrintsControlCharacters(t *testing.T) {
	for _, details := range []bool{false, true} {
		out := renderTable(t, fixture(), TableOptions{Details: details})
		if i := strings.IndexFunc(out, func(r rune) bool { return unicode.IsControl(r) && r != '\n' }); i >= 0 {
			t.Fatalf("details=%v: control character %q reaches the output at %d: %q", details, out[i], i, out[max(0, i-40):i+10])
		}
		if !strings.Contains(out, `"arn:aws:sts::111111111111:assumed-role/deploy/evil\x1b[2J\rok"`) {
			t.Errorf("details=%v: the hostile ARN is not shown quoted", details)
		}
		if details && !strings.Contains(out, `unused: "s3:Put\x1b]0;title\aObject"`) {
			t.Error("a hostile action name is not shown quoted")
		}
	}
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"arn:aws:iam::1:user/plain": "arn:aws:iam::1:user/plain",
		"café":                      "café",
		"a\x1b[2Jb":                 `"a\x1b[2Jb"`,
		"line\rover":                `"line\rover"`,
		"tab\there":                 `"tab\there"`,
		"bidi\u202eevil":            `"bidi\u202eevil"`,
		"bad\xffutf8":               `"bad\xffutf8"`,
	} {
		if got := printable(in); got != want {
			t.Errorf("printable(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestTableEmptyRun(t *testing.T) {
	out := renderTable(t, &activity.Scores{Run: activity.ScoreRun{Window: activity.Window{AsOf: asOf, Days: 30}}}, TableOptions{})
	for _, want := range []string{"Monitored accounts  0\n", "every OPS is N/A", "PRINCIPALS (dormant first, then by OPS, highest first)\nnone scored", "KMS KEYS\nnone seen"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}
