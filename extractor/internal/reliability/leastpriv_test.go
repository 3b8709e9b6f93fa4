package reliability

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
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/klauspost/compress/gzip"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/awsapi"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/testenv"
)

// enforceIAM turns moto's IAM enforcement on or off: from then on every
// request is authenticated and authorised against the caller's policies.
func enforceIAM(t *testing.T, moto *testenv.Moto, on bool) {
	t.Helper()
	count := "inf"
	if on {
		count = "0"
	}
	resp, err := http.Post(moto.Endpoint+"/moto-api/reset-auth", "text/plain", strings.NewReader(count))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("moto reset-auth: %s", resp.Status)
	}
}

type statement struct {
	Sid    string
	Action []string
}

func statementsOf(t *testing.T, doc []byte) ([]json.RawMessage, []statement) {
	t.Helper()
	var d struct{ Statement []json.RawMessage }
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	out := make([]statement, len(d.Statement))
	for i, raw := range d.Statement {
		if err := json.Unmarshal(raw, &out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return d.Statement, out
}

// Case 7: the IAM policy the product asks users to grant is what it uses.
// With only the reader policy (extract) and the discover policy attached, and
// moto enforcing IAM, both commands succeed; without any one statement, they
// fail with a message naming a permission of that statement.
func TestReliabilityLeastPrivilege(t *testing.T) {
	c := begin(t, "least-privilege-moto")
	// moto enforcing IAM for CloudTrail, IAM, KMS, Secrets Manager, SQS,
	// SNS and DynamoDB; S3 and Lambda from another moto, authorised by
	// proxies (see s3Authorizer).
	moto := testenv.StartMotoInstance(t)
	s3moto := testenv.StartMoto(t)
	ctx := context.Background()
	cfg := moto.Config(t, "us-east-1")
	const bucket, account = "lp-trail-logs", testenv.MotoAccountID

	// An account trail and one delivery object, and a bucket outside the
	// trail that the reader must not need.
	for _, c := range []aws.Config{cfg, s3moto.Config(t, "us-east-1")} {
		s3c := s3.NewFromConfig(c, func(o *s3.Options) { o.UsePathStyle = true })
		for _, b := range []string{bucket, "unrelated-bucket"} {
			if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	s3c := s3.NewFromConfig(s3moto.Config(t, "us-east-1"), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := cloudtrail.NewFromConfig(cfg).CreateTrail(ctx, &cloudtrail.CreateTrailInput{
		Name: aws.String("lp-trail"), S3BucketName: aws.String(bucket),
	}); err != nil {
		t.Fatal(err)
	}
	local := filepath.Join(t.TempDir(), "o.json.gz")
	var records []map[string]any
	for i := range 20 {
		u := iamUser("lp-user")
		u["arn"], u["accountId"] = "arn:aws:iam::"+account+":user/lp-user", account
		r := record(i, u, nil)
		r["recipientAccountId"] = account
		records = append(records, r)
	}
	gzipFile(t, local, func(w *gzip.Writer) {
		if err := json.NewEncoder(w).Encode(map[string]any{"Records": records}); err != nil {
			t.Fatal(err)
		}
	})
	data, err := os.ReadFile(local)
	if err != nil {
		t.Fatal(err)
	}
	key := "AWSLogs/" + account + "/CloudTrail/us-east-1/2026/11/20/" + account + "_CloudTrail_us-east-1_20261120T1200Z_lp1.json.gz"
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(data)}); err != nil {
		t.Fatal(err)
	}

	// The user the product runs as, with access keys.
	iamc := awsiam.NewFromConfig(cfg)
	if _, err := iamc.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("activity-reader")}); err != nil {
		t.Fatal(err)
	}
	keys, err := iamc.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("activity-reader")})
	if err != nil {
		t.Fatal(err)
	}
	authz := startS3Authorizer(t, s3moto.Endpoint, "arn:aws:iam::"+account+":user/activity-reader")
	// Lambda too is authorised by a proxy, in front of the moto that does
	// not enforce IAM (see startLambdaAuthorizer).
	lambdaAuthz := startLambdaAuthorizer(t, s3moto.Endpoint, "arn:aws:iam::"+account+":user/activity-reader")
	env := []string{"AWS_ENDPOINT_URL=" + moto.Endpoint, "AWS_ENDPOINT_URL_S3=" + authz.URL, "AWS_ENDPOINT_URL_LAMBDA=" + lambdaAuthz.URL,
		"AWS_S3_USE_PATH_STYLE=true", "AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=" + aws.ToString(keys.AccessKey.AccessKeyId),
		"AWS_SECRET_ACCESS_KEY=" + aws.ToString(keys.AccessKey.SecretAccessKey), "AWS_SESSION_TOKEN=",
		"AWS_PROFILE=", "AWS_CONFIG_FILE=" + os.DevNull, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull, "AWS_EC2_METADATA_DISABLED=true"}

	reader, err := awsapi.ReaderPolicy(awsapi.TrailAccess{S3Bucket: bucket, AccountIDs: []string{account}})
	if err != nil {
		t.Fatal(err)
	}
	// As the product prints it for users.
	discover := []byte(mustRun(t, nil, "discover", "--print-policy"))
	grant := func(name string, statements []json.RawMessage) {
		t.Helper()
		enforceIAM(t, moto, false)
		doc, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": statements})
		if _, err := iamc.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("activity-reader"),
			PolicyName: aws.String(name), PolicyDocument: aws.String(string(doc))}); err != nil {
			t.Fatal(err)
		}
		authz.grant(t, statements)
		lambdaAuthz.grant(t, statements)
		enforceIAM(t, moto, true)
	}
	integration := func(db string) {
		t.Helper()
		st, err := store.Open(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if err := st.CreateIntegration(ctx, activity.Integration{AccountID: account, Trail: "lp-trail", Region: "us-east-1"}); err != nil {
			t.Fatal(err)
		}
	}
	commands := []struct {
		name   string
		policy []byte
		args   []string
		ok     func(db, stdout, stderr string) string // what is wrong, or ""
	}{
		{"extract", reader, []string{"extract", "--as-of", "2026-11-21T00:00:00Z"}, func(db, _, _ string) string {
			if n := counts(t, db); len(n) == 0 {
				return "no use counted"
			}
			return ""
		}},
		{"discover", discover, []string{"discover"}, func(db, stdout, stderr string) string {
			var issues int
			if err := openStore(t, db).SQL().QueryRow(`SELECT count(*) FROM discovery_issues`).Scan(&issues); err != nil {
				return "count discovery issues: " + err.Error()
			}
			if issues > 0 {
				return "discovery issues recorded"
			}
			return ""
		}},
	}
	for _, cmd := range commands {
		all, statements := statementsOf(t, cmd.policy)
		// Everything granted: success.
		grant(cmd.name, all)
		db := dbIn(t)
		integration(db)
		stdout, stderr, status := cliRun(t, env, append([]string{"--db", db}, cmd.args...)...)
		c.runs++
		c.inputs += len(statements)
		if status != 0 {
			t.Errorf("%s with its whole policy: exit status %d\n%s", cmd.name, status, stderr)
		} else if what := cmd.ok(db, stdout, stderr); what != "" {
			t.Errorf("%s with its whole policy: %s\n%s", cmd.name, what, stderr)
		}
		// Each statement removed: a failure naming one of its actions.
		for i, s := range statements {
			rest := append(append([]json.RawMessage{}, all[:i]...), all[i+1:]...)
			grant(cmd.name, rest)
			db := dbIn(t)
			integration(db)
			stdout, stderr, status := cliRun(t, env, append([]string{"--db", db}, cmd.args...)...)
			c.runs++
			c.faults++
			out := stdout + stderr
			named := false
			for _, a := range s.Action {
				named = named || strings.Contains(out, a)
			}
			switch {
			case status == 0 && cmd.ok(db, stdout, stderr) == "":
				t.Errorf("%s without %s (%v): succeeded; the statement is not needed", cmd.name, s.Sid, s.Action)
			case !named:
				t.Errorf("%s without %s: exit status %d, and no message names %v:\n%s", cmd.name, s.Sid, status, s.Action, out)
			default:
				t.Logf("%s without %s: exit status %d: %s", cmd.name, s.Sid, status, lastLine(out))
			}
		}
		// The policies for both commands, separately: neither needs the
		// other's.
		enforceIAM(t, moto, false)
		if _, err := iamc.DeleteUserPolicy(ctx, &awsiam.DeleteUserPolicyInput{UserName: aws.String("activity-reader"), PolicyName: aws.String(cmd.name)}); err != nil {
			t.Fatal(err)
		}
	}
}
