package extract_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/awsapi"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/cli"
	ct "github.com/activity-monitoring/terraform-provider-activity/extractor/internal/cloudtrail"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/testenv"
)

// The invictus trail uploaded to a real S3 server in the organization
// layout, beside a digest and a file outside the window, and read through
// an integration whose trail is described by cloudtrail:GetTrail: the same
// facts as from the folder.
func TestExtractIntegrationFromS3(t *testing.T) {
	moto := testenv.StartMoto(t)
	srv := testenv.StartS3(t)
	ctx := context.Background()
	const bucket, prefix, org, account = "org-trail-logs", "audit", "o-test123456", "123837392027"

	// The trail, as CloudTrail describes it, lives in the emulator; its
	// objects live in the S3 server.
	mcfg := moto.Config(t, "us-east-1")
	if _, err := s3.NewFromConfig(mcfg, func(o *s3.Options) { o.UsePathStyle = true }).
		CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	if _, err := organizations.NewFromConfig(mcfg).CreateOrganization(ctx, &organizations.CreateOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cloudtrail.NewFromConfig(mcfg).CreateTrail(ctx, &cloudtrail.CreateTrailInput{
		Name: aws.String("org-trail"), S3BucketName: aws.String(bucket), S3KeyPrefix: aws.String(prefix),
		IsOrganizationTrail: aws.Bool(true), IsMultiRegionTrail: aws.Bool(true),
	}); err != nil {
		t.Fatal(err)
	}
	client := srv.Client(t)
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	put := func(key string, body []byte) {
		t.Helper()
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body),
			ContentEncoding: aws.String("gzip")}); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(invictusDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json.gz") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(invictusDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		put(prefix+"/AWSLogs/"+org+"/"+account+"/CloudTrail/us-east-1/2023/07/10/"+e.Name(), data)
	}
	// Another account's folder, holding a second delivery of one file: read
	// by the organization's extraction, and counted once.
	put(prefix+"/AWSLogs/"+org+"/222222222222/CloudTrail/eu-west-1/2023/07/10/"+entries[0].Name(), mustRead(t, filepath.Join(invictusDir, entries[0].Name())))
	put(ct.DigestObjectKey(prefix, org, account, "us-east-1", "org-trail", time.Date(2023, 7, 10, 12, 0, 0, 0, time.UTC)), []byte("not events"))
	// Outside the window: never listed, so its bad content is never seen.
	put(prefix+"/AWSLogs/"+org+"/"+account+"/CloudTrail/us-east-1/2023/01/10/old.json.gz", []byte("not gzip"))

	moto.Env(t, "us-east-1")
	t.Setenv("AWS_ENDPOINT_URL_S3", srv.Endpoint)
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	t.Setenv(awsapi.PathStyleEnv, "true")

	dbPath := filepath.Join(t.TempDir(), "activity.db")
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CreateIntegration(ctx, activity.Integration{AccountID: testenv.MotoAccountID, Trail: "org-trail", Region: "us-east-1", ExtractForOrganization: true}); err != nil {
		t.Fatal(err)
	}
	// An account covered by the organization trail's extraction.
	if err := db.CreateIntegration(ctx, activity.Integration{AccountID: account, Trail: "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail", Region: "us-east-1", SkipExtraction: true}); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	args := []string{"--db", dbPath, "extract", "--as-of", "2023-07-11T00:00:00Z", "--window", "30d", "--json"}
	if err := cli.Run(ctx, args, cli.Streams{In: strings.NewReader(""), Out: &out, Err: &errOut}, "test"); err != nil {
		t.Fatalf("extract: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), `"objects_read": 56`) || !strings.Contains(out.String(), `"duplicate_events": `) {
		t.Errorf("summary:\n%s", out.String())
	}
	in, err := db.Integration(ctx, testenv.MotoAccountID)
	if err != nil {
		t.Fatal(err)
	}
	if in.TrailInfo.S3Bucket != bucket || in.TrailInfo.S3KeyPrefix != prefix || !in.TrailInfo.IsOrganizationTrail {
		t.Errorf("trail not described and cached: %+v", in.TrailInfo)
	}

	folder := openDB(t)
	run(t, folder, ct.Folder{Dir: invictusDir})
	if got, want := snapshot(t, db), snapshot(t, folder); got != want {
		t.Errorf("facts from S3 differ from the folder's:\n%s\nwant\n%s", got, want)
	}

	// An account trail's integration reads only its own account's folder.
	acctDB := filepath.Join(t.TempDir(), "account.db")
	adb, err := store.Open(ctx, acctDB)
	if err != nil {
		t.Fatal(err)
	}
	defer adb.Close()
	if err := adb.CreateIntegration(ctx, activity.Integration{AccountID: account, Trail: "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail", Region: "us-east-1"}); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := cli.Run(ctx, []string{"--db", acctDB, "extract", "--as-of", "2023-07-11T00:00:00Z", "--json"}, cli.Streams{In: strings.NewReader(""), Out: &out, Err: &errOut}, "test"); err != nil {
		t.Fatalf("account extract: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), `"objects_read": 55`) {
		t.Errorf("account integration summary:\n%s", out.String())
	}
	if got, want := snapshot(t, adb), snapshot(t, folder); got != want {
		t.Errorf("facts of the account integration differ from the folder's:\n%s\nwant\n%s", got, want)
	}

	// Nothing new: listed again, nothing read.
	out.Reset()
	if err := cli.Run(ctx, args, cli.Streams{In: strings.NewReader(""), Out: &out, Err: io.Discard}, "test"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"objects_already_read": 56`) || !strings.Contains(out.String(), `"objects_read": 0`) {
		t.Errorf("rerun summary:\n%s", out.String())
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
