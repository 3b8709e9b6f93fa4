package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/athena"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// recordsType declares the fields of CloudTrail records that the two
// queries read. DuckDB's schema sampling fails on CloudTrail (request
// parameters hold keys the sample did not see), so the columns are declared,
// and the request and response stay JSON.
const recordsType = `STRUCT(
  eventTime VARCHAR, eventSource VARCHAR, eventName VARCHAR, awsRegion VARCHAR, errorCode VARCHAR,
  recipientAccountId VARCHAR, eventID VARCHAR,
  userIdentity STRUCT(type VARCHAR, arn VARCHAR, accountId VARCHAR, userName VARCHAR, invokedBy VARCHAR,
    identityProvider VARCHAR,
    sessionContext STRUCT(sessionIssuer STRUCT(arn VARCHAR, accountId VARCHAR, userName VARCHAR), sourceIdentity VARCHAR)),
  requestParameters JSON, responseElements JSON,
  resources STRUCT(ARN VARCHAR, accountId VARCHAR, type VARCHAR)[])[]`

// duckdbSQL prints the script scripts/bench-duckdb.mjs runs: a view of the
// trail's records with the column names of Athena's CloudTrail table, then
// two statements:
//   - aggregate: what a user would write to count the trail's use, timed
//     against extract: records grouped by principal, event source, event
//     name and the resource named in the request, with the count, the
//     errors and the first and last time of each group;
//   - groups: the Athena engine's aggregation (distinct events grouped by
//     exactly what the mapping reads), written to a CSV file that `agree`
//     maps with the local engine's code and compares with extract's counts.
func duckdbSQL(args []string) error {
	fs := flag.NewFlagSet("duckdb-sql", flag.ContinueOnError)
	from := fs.String("from", "", "first day of events (YYYY-MM-DD)")
	to := fs.String("to", "", "last day of events (YYYY-MM-DD)")
	out := fs.String("groups", "", "CSV file the groups statement writes")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *from == "" || *to == "" || *out == "" {
		return errors.New("usage: benchtool duckdb-sql --from DAY --to DAY --groups FILE.csv TRAIL_DIR")
	}
	first, err := time.Parse(time.DateOnly, *from)
	if err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	last, err := time.Parse(time.DateOnly, *to)
	if err != nil {
		return fmt.Errorf("--to: %w", err)
	}
	files, err := eventFiles(fs.Arg(0))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("%s holds no CloudTrail delivery file (*.json.gz)", fs.Arg(0))
	}
	quoted := make([]string, len(files))
	for i, f := range files {
		quoted[i] = "'" + strings.ReplaceAll(f, "'", "''") + "'"
	}
	source := func(filename bool) string {
		return fmt.Sprintf("read_json([%s], format = 'auto', filename = %t, columns = {Records: '%s'})",
			strings.Join(quoted, ", "), filename, strings.ReplaceAll(recordsType, "\n", " "))
	}
	var days []time.Time
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		days = append(days, d)
	}
	// The groups statement holds every distinct event id of a group at
	// once (10 million events need more than 2 GB); what DuckDB can spill
	// goes to a folder beside the CSV.
	fmt.Printf(`SET memory_limit = '8GB';
SET preserve_insertion_order = false;
SET temp_directory = '%s';
CREATE VIEW records AS SELECT unnest(Records) AS r FROM %s;
CREATE VIEW named_records AS SELECT unnest(Records) AS r, filename FROM %s;
CREATE VIEW cloudtrail AS SELECT
  r.eventTime AS eventtime, r.eventSource AS eventsource, r.eventName AS eventname, r.awsRegion AS awsregion,
  r.errorCode AS errorcode, r.recipientAccountId AS recipientaccountid, r.eventID AS eventid,
  r.userIdentity AS useridentity, CAST(r.requestParameters AS VARCHAR) AS requestparameters,
  CAST(r.responseElements AS VARCHAR) AS responseelements, r.resources AS resources,
  regexp_extract(filename, '/([0-9]{12})/CloudTrail/', 1) AS account,
  regexp_extract(filename, '/CloudTrail/([a-z0-9-]+)/', 1) AS region,
  regexp_extract(filename, '/CloudTrail/[a-z0-9-]+/([0-9]{4}/[0-9]{2}/[0-9]{2})/', 1) AS "timestamp"
FROM named_records;
-- statement: aggregate
SELECT count(*) FROM (
  SELECT coalesce(r.userIdentity.sessionContext.sessionIssuer.arn, r.userIdentity.arn, r.userIdentity.invokedBy) AS principal,
    r.eventSource, r.eventName,
    coalesce(json_extract_string(r.requestParameters, '$.bucketName'), json_extract_string(r.requestParameters, '$.keyId'),
      json_extract_string(r.requestParameters, '$.secretId')) AS resource,
    count(*) AS events, count(r.errorCode) AS errors, min(r.eventTime) AS first_time, max(r.eventTime) AS last_time
  FROM records GROUP BY ALL);
-- statement: groups
COPY (%s) TO '%s' (HEADER, DELIMITER ',');
`, strings.ReplaceAll(*out+".tmp", "'", "''"), source(false), source(true), athena.Query(athena.DuckDB, "cloudtrail", athena.Window{Days: days}), strings.ReplaceAll(*out, "'", "''"))
	return nil
}

// pair is a principal's use of an action.
type pair struct{ principal, action string }

// agree maps the groups DuckDB wrote with the local engine's code and
// requires the same count of distinct events per principal and action as
// extract stored.
func agree(args []string) error {
	if len(args) != 2 {
		return errors.New("usage: benchtool agree DB GROUPS.csv")
	}
	got, err := storedCounts(args[0])
	if err != nil {
		return err
	}
	want, err := duckdbCounts(args[1])
	if err != nil {
		return err
	}
	if err := compareCounts(want, got); err != nil {
		return fmt.Errorf("extract and DuckDB disagree: %w", err)
	}
	var events int64
	for _, n := range got {
		events += n
	}
	fmt.Printf("agree pairs=%d counted_uses=%d\n", len(got), events)
	return nil
}

// storedCounts are the counts extract wrote: successful uses of scored
// resources and failures.
func storedCounts(path string) (map[pair]int64, error) {
	ctx := context.Background()
	db, err := store.OpenReadOnly(ctx, path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.SQL().QueryContext(ctx, `SELECT p.arn, u.action, sum(u.count) FROM (
		SELECT principal_id, action, count FROM usage_actions UNION ALL SELECT principal_id, action, count FROM usage_failures) u
		JOIN principals p ON p.id = u.principal_id GROUP BY 1, 2`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[pair]int64{}
	for rows.Next() {
		var k pair
		var n int64
		if err := rows.Scan(&k.principal, &k.action, &n); err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, rows.Err()
}

// duckdbCounts maps DuckDB's groups as the Athena engine's loader does and
// keeps the uses extract stores counts of (a scored resource, or an error).
func duckdbCounts(path string) (map[pair]int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close() //nolint:errcheck // read only
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	l, err := athena.NewLoader(header)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if err := l.Add(row); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	if l.Skipped != 0 {
		return nil, fmt.Errorf("%s: %d groups could not be mapped", path, l.Skipped)
	}
	facts := l.Facts()
	out := map[pair]int64{}
	for _, u := range facts.Uses {
		if u.ErrorCode == "" && u.Resource < 0 {
			continue
		}
		out[pair{facts.Principals[u.Principal].ARN, u.Action}] += u.Count
	}
	return out, nil
}

// compareCounts names the pairs whose counts differ (the first ten, in
// order), or returns nil when there is none.
func compareCounts(want, got map[pair]int64) error {
	keys := map[pair]bool{}
	for k := range want {
		keys[k] = true
	}
	for k := range got {
		keys[k] = true
	}
	var diffs []string
	for k := range keys {
		if want[k] != got[k] {
			diffs = append(diffs, fmt.Sprintf("%s %s: DuckDB %d, extract %d", k.principal, k.action, want[k], got[k]))
		}
	}
	if len(diffs) == 0 {
		return nil
	}
	sort.Strings(diffs)
	n := len(diffs)
	if len(diffs) > 10 {
		diffs = diffs[:10]
	}
	return fmt.Errorf("%d of %d (principal, action) counts differ:\n  %s", n, len(keys), strings.Join(diffs, "\n  "))
}

// snapshot writes the copy of a database that `publish` uploads.
func snapshot(args []string) error {
	if len(args) != 2 {
		return errors.New("usage: benchtool snapshot DB OUT.db")
	}
	ctx := context.Background()
	db, err := store.OpenReadOnly(ctx, args[0])
	if err != nil {
		return err
	}
	defer db.Close()
	return db.SnapshotTo(ctx, args[1])
}
