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
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/athena"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/cli"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/discover"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/generate"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

const (
	equivAsOf   = "2026-11-22T00:00:00Z"
	equivWindow = 30
)

func TestEquivalence_DuckDBAndLocalEngineScoreAlike(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	m, err := generate.Run(ctx, generate.Options{Out: dir, Accounts: 2, Users: 8, Days: 6, Events: 4000, Seed: 11,
		End: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	trail := filepath.Join(dir, m.TrailFolder)
	authz, _ := filepath.Glob(filepath.Join(dir, m.AuthzFolder, "*.json"))
	var discoverArgs []string
	for _, f := range authz {
		discoverArgs = append(discoverArgs, "--authz-details", f)
	}
	asOf, _ := time.Parse(time.RFC3339, equivAsOf)

	local := filepath.Join(dir, "local.db")
	runCLI(t, append([]string{"--db", local, "discover"}, discoverArgs...)...)
	runCLI(t, "--db", local, "extract", "--source", trail, "--as-of", equivAsOf, "--window", fmt.Sprintf("%dd", equivWindow))

	started := time.Now()
	duck := duckTable(t, trail, filepath.Join(dir, "records.ndjson"))
	var days []time.Time
	for d := store.Day(asOf.AddDate(0, 0, -equivWindow)); d <= store.Day(asOf); d++ {
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
	loader, err := athena.NewLoader(header)
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

	aggregated := filepath.Join(dir, "athena.db")
	runCLI(t, append([]string{"--db", aggregated, "discover"}, discoverArgs...)...)
	db, err := store.Open(ctx, aggregated)
	if err != nil {
		t.Fatal(err)
	}
	var dayNumbers []int64
	for _, d := range days {
		dayNumbers = append(dayNumbers, store.Day(d))
	}
	runID, err := db.StartExtractRun(ctx, asOf, equivWindow, []string{"duckdb"})
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
	t.Logf("%d events (%d distinct) aggregated into %d rows in %s", m.Stats.Events, loader.Events, loader.Rows, time.Since(started).Round(time.Millisecond))
	if loader.Events != m.Stats.Events {
		t.Errorf("the query counted %d distinct events; the trail holds %d", loader.Events, m.Stats.Events)
	}

	want := report(t, local)
	got := report(t, aggregated)
	if got != want {
		t.Errorf("reports differ\n%s", firstDifference(want, got))
		if d := os.Getenv("ACTIVITY_EQUIVALENCE_OUT"); d != "" {
			_ = os.WriteFile(filepath.Join(d, "local.json"), []byte(want), 0o644)
			_ = os.WriteFile(filepath.Join(d, "athena.json"), []byte(got), 0o644)
		}
	}
	if !strings.Contains(want, `"used_actions": [`) || strings.Count(want, `"arn"`) < 10 {
		t.Errorf("the report scores too little to compare:\n%s", want)
	}
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

func report(t *testing.T, db string) string {
	t.Helper()
	out := runCLI(t, "--db", db, "report", "--format", "json", "--as-of", equivAsOf, "--window", fmt.Sprintf("%dd", equivWindow))
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

// folderOf reads the partition values from a key in the trail layout.
var folderOf = regexp.MustCompile(`/([0-9]{12})/CloudTrail/([a-z0-9-]+)/([0-9]{4}/[0-9]{2}/[0-9]{2})/`)

// duckTable loads the trail's event files into a DuckDB table named
// cloudtrail with the columns of Athena's CloudTrail table. It does what
// Athena's CloudTrail SerDe does: one row per element of Records, field
// names matched whatever their case, requestParameters and
// responseElements kept as JSON text, and the partition columns taken from
// the folder.
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
		part := folderOf.FindStringSubmatch(filepath.ToSlash(p))
		if part == nil {
			return fmt.Errorf("%s: not in the trail layout", p)
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
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
