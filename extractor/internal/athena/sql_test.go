package athena

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func days(from string, n int) []time.Time {
	var out []time.Time
	for i := 0; i < n; i++ {
		out = append(out, day(from).AddDate(0, 0, i))
	}
	return out
}

var (
	orgLayout = Layout{Bucket: "org-trail-logs", Prefix: "cloudtrail", OrgID: "o-a1b2c3d4e5",
		Accounts: []string{"222222222222", "111111111111"}, Regions: []string{"us-east-1", "eu-west-1"}, Since: day("2025-11-25")}
	accountLayout = Layout{Bucket: "prod-trail", Accounts: []string{"111111111111"}, Regions: []string{"us-east-2"}, Since: day("2026-10-26")}
)

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run: go test ./extractor/internal/athena -run %s -update)", err, t.Name())
	}
	if string(want) != got {
		t.Errorf("%s is not what is rendered now; review the difference and run with -update\n--- got:\n%s", path, got)
	}
}

func TestCreateTable(t *testing.T) {
	for _, c := range []struct {
		name   string
		layout Layout
	}{
		{"create_org.sql", orgLayout},
		{"create_account.sql", accountLayout},
	} {
		t.Run(c.name, func(t *testing.T) {
			table := HiveIdent("activity") + "." + HiveIdent("activity_cloudtrail_111111111111")
			golden(t, c.name, CreateTable(table, c.layout)+"\n"+UpdateProjection(table, c.layout))
		})
	}
}

func TestQuery(t *testing.T) {
	for _, c := range []struct {
		name   string
		d      Dialect
		window Window
	}{
		// An organization trail, the first run over a 30-day window.
		{"query_org_30d.athena.sql", Athena, Window{Days: days("2026-10-26", 30)}},
		// An account trail, a later run: two days left, not adjacent.
		{"query_account_2d.athena.sql", Athena, Window{Days: []time.Time{day("2026-11-24"), day("2026-11-22")}, Accounts: []string{"111111111111"}}},
		{"query_org_30d.duckdb.sql", DuckDB, Window{Days: days("2026-10-26", 30)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			golden(t, c.name, Query(c.d, `"activity"."activity_cloudtrail_111111111111"`, c.window))
		})
	}
}

func TestQuery_ReadsOnlyTheWindowsFolders(t *testing.T) {
	q := Query(Athena, "t", Window{Days: []time.Time{day("2026-11-24"), day("2026-11-22")}, Accounts: []string{"111111111111"}})
	for _, want := range []string{
		// The folders of the first day to the day after the last.
		`"timestamp" BETWEEN '2026/11/22' AND '2026/11/25'`,
		// Only the days asked, not the day between them.
		`substr(eventtime, 1, 10) IN ('2026-11-22', '2026-11-24')`,
		`account IN ('111111111111')`,
	} {
		if !strings.Contains(q, want) {
			t.Errorf("query lacks %s:\n%s", want, q)
		}
	}
}

func TestQuery_DialectsDifferOnlyInFunctions(t *testing.T) {
	w := Window{Days: days("2026-11-01", 2)}
	a, d := Query(Athena, "t", w), Query(DuckDB, "t", w)
	for _, r := range []struct{ athena, duckdb string }{
		{"json_extract_scalar", "json_extract_string"},
		{"array_join(filter(transform(", "array_to_string(list_filter(list_transform("},
		{"array_join(array_agg(DISTINCT ", "array_to_string(list(DISTINCT "},
		{"x -> x IS NOT NULL", "lambda x: x IS NOT NULL"},
		{"x -> CASE", "lambda x: CASE"},
		{"(athena)", "(duckdb)"},
	} {
		a = strings.ReplaceAll(a, r.athena, r.duckdb)
	}
	a = strings.ReplaceAll(a, `["x-amz-copy-source"]`, `."x-amz-copy-source"`)
	keys := []string{"versionId", "roleArn", "principalArn", "roleSessionName", "sourceIdentity", "arn", "aRN", "ARN", "subject", "keyMetadata", "assumedRoleUser", "ConsoleLogin"}
	for _, k := range activity.ResourceKinds() {
		keys = append(keys, k.RequestFields...)
	}
	for _, k := range keys {
		a = strings.ReplaceAll(a, `["`+k+`"]`, `."`+k+`"`)
	}
	if a != d {
		t.Errorf("the dialects differ beyond their functions:\n%s\n---\n%s", a, d)
	}
}

func TestColumns_MatchTheQuery(t *testing.T) {
	q := Query(Athena, "t", Window{Days: days("2026-11-01", 1)})
	for _, c := range Columns() {
		if !strings.Contains(q, " AS "+c+",") && !strings.Contains(q, " AS "+c+"\n") && !strings.Contains(q, "  "+c+",\n") {
			t.Errorf("column %s is not in the query", c)
		}
	}
}

func TestCost(t *testing.T) {
	if got := Cost(2e12); got != 10 {
		t.Errorf("2 TB cost %v, want $10", got)
	}
	if got := Cost(0); got != PricePerTB*float64(MinBilledBytes)/1e12 {
		t.Errorf("an empty scan cost %v, want the 10 MB minimum", got)
	}
}
