package athena_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsathena "github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/athena"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Run(m)) }

// motoRunner is a runner on moto's Athena, with a workgroup and an output
// bucket made through the real API.
func motoRunner(t *testing.T, moto *testenv.Moto) athena.Runner {
	t.Helper()
	ctx := context.Background()
	cfg := moto.Config(t, "us-east-1")
	if _, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("athena-results")}); err != nil {
		t.Fatal(err)
	}
	client := awsathena.NewFromConfig(cfg)
	if _, err := client.CreateWorkGroup(ctx, &awsathena.CreateWorkGroupInput{Name: aws.String("activity")}); err != nil {
		t.Fatal(err)
	}
	return athena.Runner{Client: client, PollFirst: 5 * time.Millisecond, PollMax: 20 * time.Millisecond,
		Settings: athena.Settings{Workgroup: "activity", Database: "cloudtrail", Output: "s3://athena-results/queries/"}}
}

// seedResults queues the results of the next queries started in moto: none
// for the two DDL statements, then the rows of the aggregation, the column
// names first as Athena returns them.
func seedResults(t *testing.T, moto *testenv.Moto, header []string, rows [][]string) {
	t.Helper()
	toRow := func(vals []string) map[string]any {
		var data []map[string]string
		for _, v := range vals {
			data = append(data, map[string]string{"VarCharValue": v})
		}
		return map[string]any{"Data": data}
	}
	all := []map[string]any{toRow(header)}
	for _, r := range rows {
		all = append(all, toRow(r))
	}
	none := map[string]any{"rows": []any{}}
	body, _ := json.Marshal(map[string]any{"region": "us-east-1", "results": []map[string]any{none, none, {"rows": all}}})
	resp, err := http.Post(moto.Endpoint+"/moto-api/static/athena/query-results", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("seeding athena results: %s", resp.Status)
	}
}

// userRows are result rows of n users each reading a bucket on day.
func userRows(n int, day string) [][]string {
	header := athena.Columns()
	var rows [][]string
	for i := 0; i < n; i++ {
		v := map[string]string{
			"day": day, "partition_account": testenv.MotoAccountID, "partition_region": "us-east-1",
			"recipientaccountid": testenv.MotoAccountID, "awsregion": "us-east-1",
			"eventsource": "s3.amazonaws.com", "eventname": "GetObject",
			"identity_type": "IAMUser", "identity_arn": fmt.Sprintf("arn:aws:iam::%s:user/u%04d", testenv.MotoAccountID, i),
			"identity_accountid": testenv.MotoAccountID, "identity_username": fmt.Sprintf("u%04d", i),
			"request_bucketname": fmt.Sprintf("bucket-%02d", i%40),
			"first_time":         day + "T01:00:00Z", "last_time": day + "T02:00:00Z", "seconds": "02:00:00 01:00:00 01:30:00", "events": "3", "records": "4",
		}
		row := make([]string, len(header))
		for j, c := range header {
			row[j] = v[c]
		}
		rows = append(rows, row)
	}
	return rows
}

func TestExtract_Moto(t *testing.T) {
	moto := testenv.StartMoto(t)
	ctx := context.Background()
	r := motoRunner(t, moto)
	db := openStore(t)

	// More rows than one GetQueryResults page of real Athena (1,000); moto
	// answers them in one page, so TestRunner_PagesThroughResults follows
	// NextToken against a fake.
	const users = 1500
	seedResults(t, moto, athena.Columns(), userRows(users, "2026-11-20"))
	asOf := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	target := motoTarget(asOf)
	runID, err := db.StartExtractRun(ctx, asOf, 3, []string{"athena"})
	if err != nil {
		t.Fatal(err)
	}
	opts := athena.Options{Runner: r, RunID: runID, Window: activity.Window{AsOf: asOf, Days: 3}, Now: func() time.Time { return asOf.Add(2 * time.Hour) }}
	began := time.Now()
	sum, err := athena.Extract(ctx, db, target, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d rows queried, paged and loaded in %s", sum.Rows, time.Since(began).Round(time.Millisecond))
	// Days 19 to 22: the 22nd is the day of as_of, complete at 23 01:00.
	if sum.Days != 3 || sum.DaysPending != 1 || sum.QueryID == "" || sum.Rows != users || sum.Events != 3*users {
		t.Fatalf("summary %+v", sum)
	}

	// What moto was asked: the table, its projection, the query.
	ids, err := r.Client.ListQueryExecutions(ctx, &awsathena.ListQueryExecutionsInput{WorkGroup: aws.String("activity")})
	if err != nil {
		t.Fatal(err)
	}
	var sent []string
	for _, id := range ids.QueryExecutionIds {
		q, err := r.Client.GetQueryExecution(ctx, &awsathena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		sent = append(sent, aws.ToString(q.QueryExecution.Query))
		if got := aws.ToString(q.QueryExecution.ResultConfiguration.OutputLocation); !strings.HasPrefix(got, "s3://athena-results/queries/") {
			t.Errorf("results written to %s", got)
		}
	}
	all := strings.Join(sent, "\n")
	for _, want := range []string{"CREATE EXTERNAL TABLE IF NOT EXISTS `cloudtrail`.`activity_cloudtrail_123456789012`", "ALTER TABLE", "substr(eventtime, 1, 10) IN ('2026-11-19', '2026-11-20', '2026-11-21')"} {
		if !strings.Contains(all, want) {
			t.Errorf("no query sent has %q; sent:\n%s", want, all)
		}
	}

	var uses, count, rows int64
	var queryID string
	var cost float64
	if err := db.SQL().QueryRow(`SELECT count(*), sum(count) FROM usage_actions`).Scan(&uses, &count); err != nil {
		t.Fatal(err)
	}
	if uses != users || count != 3*users {
		t.Errorf("usage_actions: %d rows, %d uses; want %d and %d", uses, count, users, 3*users)
	}
	if err := db.SQL().QueryRow(`SELECT query_id, result_rows, cost_usd FROM athena_queries`).Scan(&queryID, &rows, &cost); err != nil {
		t.Fatal(err)
	}
	if queryID != sum.QueryID || rows != users || cost != athena.Cost(0) {
		t.Errorf("athena_queries: %s, %d rows, $%v", queryID, rows, cost)
	}

	// A re-run finds the days loaded and queries nothing: nothing doubles.
	again, err := athena.Extract(ctx, db, target, opts)
	if err != nil {
		t.Fatal(err)
	}
	if again.QueryID != "" || again.DaysCounted != 3 {
		t.Errorf("re-run: %+v", again)
	}
	if err := db.SQL().QueryRow(`SELECT sum(count) FROM usage_actions`).Scan(&count); err != nil || count != 3*users {
		t.Errorf("after a re-run: %d uses (%v)", count, err)
	}
	// The next day, once complete, is queried alone.
	opts.Now = func() time.Time { return asOf.Add(26 * time.Hour) }
	seedResults(t, moto, athena.Columns(), userRows(2, "2026-11-22"))
	next, err := athena.Extract(ctx, db, target, opts)
	if err != nil {
		t.Fatal(err)
	}
	if next.Days != 1 || next.DaysCounted != 3 || next.Rows != 2 {
		t.Errorf("next day: %+v", next)
	}
}

func TestExtract_MotoCancelledQuery(t *testing.T) {
	moto := testenv.StartMoto(t)
	ctx := context.Background()
	r := motoRunner(t, moto)
	// Queries stay queued until stopped.
	setTransition(t, moto, map[string]any{"model_name": "athena::execution", "transition": map[string]any{"progression": "manual", "times": 1000000}})
	t.Cleanup(func() { setTransition(t, moto, map[string]any{"model_name": "athena::execution"}) })

	done := make(chan error, 1)
	go func() {
		_, err := r.Exec(ctx, "SELECT 1")
		done <- err
	}()
	var id string
	for i := 0; i < 200 && id == ""; i++ {
		out, err := r.Client.ListQueryExecutions(ctx, &awsathena.ListQueryExecutionsInput{WorkGroup: aws.String("activity")})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.QueryExecutionIds) > 0 {
			id = out.QueryExecutionIds[0]
		}
		time.Sleep(10 * time.Millisecond)
	}
	if id == "" {
		t.Fatal("the query never started")
	}
	if _, err := r.Client.StopQueryExecution(ctx, &awsathena.StopQueryExecutionInput{QueryExecutionId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	var err error
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the runner did not notice the query stopped")
	}
	var qe *athena.QueryError
	if !errors.As(err, &qe) || qe.QueryID != id || qe.State != "CANCELLED" || !strings.Contains(err.Error(), id) {
		t.Errorf("error %v, want the query %s named as CANCELLED", err, id)
	}
}

func TestExtract_MotoUnknownWorkgroup(t *testing.T) {
	moto := testenv.StartMoto(t)
	r := motoRunner(t, moto)
	r.Settings.Workgroup = "missing"
	_, err := r.Exec(context.Background(), "SELECT 1")
	if err == nil || !strings.Contains(err.Error(), "refused") || !strings.Contains(err.Error(), "workgroup exists") {
		t.Errorf("error %v, want the refusal and what to check", err)
	}
}

func setTransition(t *testing.T, moto *testenv.Moto, body map[string]any) {
	t.Helper()
	path := "/moto-api/state-manager/set-transition"
	if _, ok := body["transition"]; !ok {
		path = "/moto-api/state-manager/unset-transition"
	}
	b, _ := json.Marshal(body)
	resp, err := http.Post(moto.Endpoint+path, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// A day the local engine read stays with it: the query leaves it out, so
// its events are not counted by both engines.
func TestExtract_MotoLeavesLocalDays(t *testing.T) {
	moto := testenv.StartMoto(t)
	ctx := context.Background()
	r := motoRunner(t, moto)
	db := openStore(t)
	asOf := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	localDay := activity.Day(time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	runID, err := db.StartExtractRun(ctx, asOf, 3, []string{"folder"})
	if err != nil {
		t.Fatal(err)
	}
	w := db.NewUsageWriter(runID)
	if _, err := w.Commit(ctx, []*store.ObjectFacts{{Location: "file:///logs/one.json.gz", ETag: "e1", Size: 1, Modified: asOf, Events: 1,
		Integration: testenv.MotoAccountID, Days: []int64{localDay},
		Facts: activity.Facts{Observed: []activity.ObservedFact{{AccountID: testenv.MotoAccountID, Region: "us-east-1", Day: localDay, Events: 1}}}}}); err != nil {
		t.Fatal(err)
	}
	w.Close()

	seedResults(t, moto, athena.Columns(), userRows(3, "2026-11-19"))
	target := motoTarget(asOf)
	opts := athena.Options{Runner: r, RunID: runID, Window: activity.Window{AsOf: asOf, Days: 3}, Now: func() time.Time { return asOf.Add(2 * time.Hour) }}
	sum, err := athena.Extract(ctx, db, target, opts)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Days != 2 || sum.DaysLeft != 1 || sum.DaysPending != 1 {
		t.Fatalf("summary %+v, want 2 days aggregated and the local one left", sum)
	}
	var days string
	if err := db.SQL().QueryRow(`SELECT group_concat(day) FROM (SELECT day FROM engine_days WHERE engine = 'athena' ORDER BY day)`).Scan(&days); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%d,%d", localDay-1, localDay+1); days != want {
		t.Errorf("days loaded through Athena %s, want %s", days, want)
	}
}

func openStore(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "activity.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// motoTarget is the emulator account's trail, over the three days to asOf.
func motoTarget(asOf time.Time) athena.Target {
	return athena.Target{Integration: testenv.MotoAccountID, Accounts: []string{testenv.MotoAccountID},
		Layout: athena.Layout{Bucket: "trail", Accounts: []string{testenv.MotoAccountID}, Regions: []string{"us-east-1"}, Since: asOf.AddDate(0, 0, -3)}}
}
