package athena_test

// The equivalence of the two engines, as far as one machine can show it:
// the aggregation query rendered for DuckDB runs over a table made from the
// generated trail's files with the column types of Athena's CloudTrail
// table; its rows go through the Athena path's loader into one store, the
// same files through the local engine into another, and both reports must
// be identical but for the time they were computed.

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/cli"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/athena"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/cloudtrail"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/discover"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/generate"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/testenv"
)

func TestEquivalence_DuckDBAndLocalEngineScoreAlike(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	// ACTIVITY_EQUIVALENCE_EVENTS runs it larger, to measure.
	events := 4000
	if n, err := strconv.Atoi(os.Getenv("ACTIVITY_EQUIVALENCE_EVENTS")); err == nil && n > 0 {
		events = n
	}
	m, err := generate.Run(ctx, generate.Options{Out: dir, Accounts: 2, Users: 8, Days: 6, Events: events, Seed: 11,
		End: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	authz, _ := filepath.Glob(filepath.Join(dir, m.AuthzFolder, "*.json"))
	var discoverArgs []string
	for _, f := range authz {
		discoverArgs = append(discoverArgs, "--authz-details", f)
	}
	counted := compareEngines(t, filepath.Join(dir, m.TrailFolder), "2026-11-22T00:00:00Z", 30, discoverArgs)
	if counted != m.Stats.Events {
		t.Errorf("the query counted %d distinct events; the trail holds %d", counted, m.Stats.Events)
	}
}

// Real CloudTrail files of one account: events the generator does not
// write (console, EC2, STS, KMS by services, failures of every kind).
func TestEquivalence_RealTrailFiles(t *testing.T) {
	compareEngines(t, "../cloudtrail/testdata/invictus", "2023-07-11T00:00:00Z", 7, nil)
}

// compareEngines extracts trail with both engines into two stores and
// requires the same usage facts and the same report from both; it returns
// the distinct events the query counted.
func compareEngines(t *testing.T, trail, asOfText string, window int, discoverArgs []string) int64 {
	t.Helper()
	local, aggregated, loader := extractBoth(t, trail, asOfText, window, discoverArgs)
	windowFlag := fmt.Sprintf("%dd", window)
	// Both engines count the records they read, duplicate deliveries included.
	readCounts := `SELECT account_id, region, day, events FROM usage_observed ORDER BY 1, 2, 3`
	for _, table := range append(slices.Clone(testenv.FactQueries), readCounts) {
		want, got := dump(t, local, table), dump(t, aggregated, table)
		if want != got {
			t.Errorf("%s differs\n%s", table, firstDifference(want, got))
		}
		t.Logf("%d rows alike: %.60s", strings.Count(want, "\n"), strings.Join(strings.Fields(table), " "))
	}
	want := report(t, local, asOfText, windowFlag)
	got := report(t, aggregated, asOfText, windowFlag)
	if got != want {
		t.Errorf("reports differ\n%s", firstDifference(want, got))
	}
	if !strings.Contains(want, `"last_activity_at": "20`) || strings.Count(want, `"arn"`) < 5 {
		t.Errorf("the report scores too little to compare:\n%s", want)
	}
	return loader.Events
}

// extractBoth extracts the days of the window ending at asOfText from trail
// into two stores, with the local engine and with the query rendered for
// DuckDB and loaded as the Athena engine loads it, each after a discover
// with discoverArgs (none when nil); it returns their paths and the loader.
func extractBoth(t *testing.T, trail, asOfText string, window int, discoverArgs []string) (local, aggregated string, loader *athena.Loader) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	asOf, _ := time.Parse(time.RFC3339, asOfText)
	windowFlag := fmt.Sprintf("%dd", window)

	local = filepath.Join(dir, "local.db")
	if discoverArgs != nil {
		runCLI(t, append([]string{"--db", local, "discover"}, discoverArgs...)...)
	}
	runCLI(t, "--db", local, "extract", "--source", trail, "--as-of", asOfText, "--window", windowFlag)

	started := time.Now()
	duck := duckTable(t, trail, filepath.Join(dir, "records.ndjson"))
	var days []time.Time
	for d := activity.Day(asOf.AddDate(0, 0, -window)); d <= activity.Day(asOf); d++ {
		days = append(days, time.Unix(d*86400, 0).UTC())
	}
	query := athena.Query(athena.DuckDB, "cloudtrail", athena.Window{Days: days})
	rows, err := duck.QueryContext(ctx, query)
	if err != nil {
		t.Fatalf("the query rendered for DuckDB fails: %v\n%s", err, query)
	}
	header, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	loader, err = athena.NewLoader(header)
	if err != nil {
		t.Fatal(err)
	}
	vals := make([]any, len(header))
	ptrs := make([]any, len(header))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(vals))
		for i, v := range vals {
			if v != nil {
				row[i] = fmt.Sprint(v)
			}
		}
		if err := loader.Add(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if loader.Skipped != 0 {
		t.Errorf("%d rows skipped", loader.Skipped)
	}

	aggregated = filepath.Join(dir, "athena.db")
	if discoverArgs != nil {
		runCLI(t, append([]string{"--db", aggregated, "discover"}, discoverArgs...)...)
	}
	db, err := store.Open(ctx, aggregated)
	if err != nil {
		t.Fatal(err)
	}
	var dayNumbers []int64
	for _, d := range days {
		dayNumbers = append(dayNumbers, activity.Day(d))
	}
	runID, err := db.StartExtractRun(ctx, asOf, window, []string{"duckdb"})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CommitAggregated(ctx, store.AthenaQuery{QueryID: "duckdb", Integration: "test", RunID: runID, Days: dayNumbers, ResultRows: loader.Rows}, loader.Facts()); err != nil {
		t.Fatal(err)
	}
	// As extract does after either engine: grants on the buckets, keys and
	// secrets the logs revealed.
	if _, err := discover.Evaluate(ctx, db); err != nil {
		t.Fatal(err)
	}
	db.Close()
	t.Logf("%d distinct events aggregated into %d rows in %s", loader.Events, loader.Rows, time.Since(started).Round(time.Millisecond))
	return local, aggregated, loader
}

func dump(t *testing.T, path, query string) string {
	t.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return testenv.Rows(t, db.SQL(), query)
}

func runCLI(t *testing.T, args ...string) string {
	t.Helper()
	var out, errs bytes.Buffer
	if err := cli.Run(context.Background(), args, cli.Streams{Out: &out, Err: &errs}, "test"); err != nil {
		t.Fatalf("activity-extractor %s: %v\n%s", strings.Join(args, " "), err, errs.String())
	}
	return out.String()
}

var computedAt = regexp.MustCompile(`"computed_at": "[^"]*"`)

func report(t *testing.T, db, asOf, window string) string {
	t.Helper()
	out := runCLI(t, "--db", db, "report", "--format", "json", "--as-of", asOf, "--window", window)
	var v any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	pretty, _ := json.MarshalIndent(v, "", "  ")
	return computedAt.ReplaceAllString(string(pretty), `"computed_at": "-"`)
}

func firstDifference(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			lo := max(0, i-8)
			return fmt.Sprintf("line %d:\nlocal:  %s\nathena: %s\ncontext (local):\n%s", i+1, al[i], bl[i], strings.Join(al[lo:min(len(al), i+3)], "\n"))
		}
	}
	return fmt.Sprintf("lengths %d and %d lines", len(al), len(bl))
}

// duckTable loads the trail's event files into a DuckDB table named
// cloudtrail with the columns of Athena's CloudTrail table. It does what
// Athena's CloudTrail SerDe does: one row per element of Records, field
// names matched whatever their case, requestParameters and
// responseElements kept as JSON text, and the partition columns taken from
// the file's name.
func duckTable(t *testing.T, trail, ndjson string) *sql.DB {
	t.Helper()
	out, err := os.Create(ndjson)
	if err != nil {
		t.Fatal(err)
	}
	enc := json.NewEncoder(out)
	err = filepath.WalkDir(trail, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json.gz") || strings.Contains(p, "CloudTrail-Digest") {
			return err
		}
		name, ok := cloudtrail.ParseObjectName(p)
		if !ok {
			return fmt.Errorf("%s: not a CloudTrail delivery file", p)
		}
		part := []string{"", name.AccountID, name.Region, name.Delivered.Format("2006/01/02")}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close() //nolint:errcheck // read only
		zr, err := gzip.NewReader(f)
		if err != nil {
			return err
		}
		var doc struct{ Records []map[string]any }
		if err := json.NewDecoder(zr).Decode(&doc); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		for _, r := range doc.Records {
			row := map[string]any{}
			for k, v := range r {
				k = strings.ToLower(k)
				if k == "requestparameters" || k == "responseelements" || k == "additionaleventdata" {
					if v != nil {
						text, _ := json.Marshal(v)
						v = string(text)
					}
				} else {
					v = lowerKeys(v)
				}
				row[k] = v
			}
			row["account"], row["region"], row["timestamp"] = part[1], part[2], part[3]
			if err := enc.Encode(row); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	columns := athena.DuckDBColumns() + ", 'account': 'VARCHAR', 'region': 'VARCHAR', 'timestamp': 'VARCHAR'"
	create := "CREATE TABLE cloudtrail AS SELECT * FROM read_json('" + strings.ReplaceAll(ndjson, "'", "''") + "', format = 'newline_delimited', columns = {" + columns + "})"
	if _, err := db.Exec(create); err != nil {
		t.Fatalf("%v\n%s", err, create)
	}
	return db
}

func lowerKeys(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[strings.ToLower(k)] = lowerKeys(e)
		}
		return out
	case []any:
		for i := range x {
			x[i] = lowerKeys(x[i])
		}
	}
	return v
}
