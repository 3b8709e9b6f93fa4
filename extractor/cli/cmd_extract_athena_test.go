package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsathena "github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/athena"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Run(m)) }

func TestExtractAthenaUsage(t *testing.T) {
	db := filepath.Join(t.TempDir(), "activity.db")
	for _, args := range [][]string{
		{"--engine", "spark"},
		{"--engine", "athena", "--source", "."},
		{"--engine", "athena", "--athena-database", "Bad-Name"},
		{"--engine", "athena", "--athena-table", "x;drop"},
		{"--engine", "athena", "--athena-output", "/tmp/results"},
		{"--engine", "athena", "--athena-workgroup", ""},
	} {
		_, errs, code := run(t, append([]string{"--db", db, "extract"}, args...)...)
		if code != ExitUsage {
			t.Errorf("extract %v: exit %d (%s), want %d", args, code, errs, ExitUsage)
		}
	}
	_, errs, code := run(t, "--db", db, "extract", "--engine", "athena")
	if code != ExitFailure || !strings.Contains(errs, "no integration") {
		t.Errorf("extract --engine athena without integrations: exit %d: %s", code, errs)
	}
}

// An account trail's integration extracted by moto's Athena through the
// command: the trail described by cloudtrail:GetTrail, the account found in
// the bucket, the seeded rows loaded; a second run queries nothing.
func TestExtractAthenaIntegration(t *testing.T) {
	moto := testenv.StartMoto(t)
	moto.Env(t, "us-east-1")
	t.Setenv("AWS_S3_USE_PATH_STYLE", "true")
	ctx := context.Background()
	cfg := moto.Config(t, "us-east-1")
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	for _, b := range []string{"trail-logs", "athena-results"} {
		if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("trail-logs"),
		Key:  aws.String("AWSLogs/" + testenv.MotoAccountID + "/CloudTrail/us-east-1/2026/11/20/x.json.gz"),
		Body: bytes.NewReader([]byte("{}"))}); err != nil {
		t.Fatal(err)
	}
	if _, err := cloudtrail.NewFromConfig(cfg).CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("account-trail"), S3BucketName: aws.String("trail-logs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := awsathena.NewFromConfig(cfg).CreateWorkGroup(ctx, &awsathena.CreateWorkGroupInput{Name: aws.String("activity")}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "activity.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateIntegration(ctx, activity.Integration{AccountID: testenv.MotoAccountID, Trail: "account-trail", Region: "us-east-1"}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	// The two DDL statements get no rows; the query gets one row: alice
	// read a bucket on 20 November.
	header := athena.Columns()
	values := map[string]string{
		"day": "2026-11-20", "recipientaccountid": testenv.MotoAccountID, "awsregion": "us-east-1",
		"eventsource": "s3.amazonaws.com", "eventname": "GetObject", "identity_type": "IAMUser",
		"identity_arn": "arn:aws:iam::" + testenv.MotoAccountID + ":user/alice", "identity_accountid": testenv.MotoAccountID,
		"request_bucketname": "data", "first_time": "2026-11-20T10:00:00Z", "last_time": "2026-11-20T11:00:00Z", "seconds": "10:00:00 10:30:00 11:00:00", "events": "7", "records": "7",
	}
	row := make([]string, len(header))
	for i, c := range header {
		row[i] = values[c]
	}
	cells := func(vals []string) map[string]any {
		var d []map[string]string
		for _, v := range vals {
			d = append(d, map[string]string{"VarCharValue": v})
		}
		return map[string]any{"Data": d}
	}
	none := map[string]any{"rows": []any{}}
	body, _ := json.Marshal(map[string]any{"results": []any{none, none, map[string]any{"rows": []any{cells(header), cells(row)}}}})
	resp, err := http.Post(moto.Endpoint+"/moto-api/static/athena/query-results", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	args := []string{"--db", path, "extract", "--engine", "athena", "--athena-workgroup", "activity", "--athena-database", "cloudtrail",
		"--athena-output", "s3://athena-results/q/", "--as-of", "2026-11-22T00:00:00Z", "--window", "3d", "--json"}
	out, errs, code := run(t, args...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var sum struct{ Integrations []athenaSummaryJSON }
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(sum.Integrations) != 1 || sum.Integrations[0].QueryID == nil || sum.Integrations[0].Days != 4 || sum.Integrations[0].Rows != 1 || sum.Integrations[0].Events != 7 {
		t.Fatalf("summary %s", out)
	}
	// The projection enumerates the account and the region found in the
	// bucket.
	ac := awsathena.NewFromConfig(cfg)
	ids, err := ac.ListQueryExecutions(ctx, &awsathena.ListQueryExecutionsInput{WorkGroup: aws.String("activity")})
	if err != nil {
		t.Fatal(err)
	}
	var sent []string
	for _, id := range ids.QueryExecutionIds {
		q, err := ac.GetQueryExecution(ctx, &awsathena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		sent = append(sent, aws.ToString(q.QueryExecution.Query))
	}
	for _, want := range []string{"LOCATION 's3://trail-logs/AWSLogs/'", "'projection.region.values' = 'us-east-1'",
		"'projection.account.values' = '" + testenv.MotoAccountID + "'", "AND account IN ('" + testenv.MotoAccountID + "')"} {
		if !strings.Contains(strings.Join(sent, "\n"), want) {
			t.Errorf("no query sent has %s", want)
		}
	}

	out, errs, code = run(t, args[:len(args)-1]...)
	if code != ExitOK || !strings.Contains(out, "0 aggregated, 4 already loaded") {
		t.Errorf("second run: exit %d: %s%s", code, out, errs)
	}

	db, err = store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var count int64
	var queryID string
	if err := db.SQL().QueryRow(`SELECT u.count, q.query_id FROM usage_actions u, athena_queries q`).Scan(&count, &queryID); err != nil {
		t.Fatal(err)
	}
	if count != 7 || queryID != *sum.Integrations[0].QueryID {
		t.Errorf("stored %d uses from query %s", count, queryID)
	}
}
