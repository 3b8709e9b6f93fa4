package extract_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/awsapi"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/cli"
	ct "github.com/activity-monitoring/terraform-provider-activity/extractor/internal/cloudtrail"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/testenv"
)

// policyGate stands in front of the S3 server as S3 would with the reader
// policy attached and the bucket in another region than the trail: a
// request signed for another region gets S3's redirect naming the bucket's
// region, and a request the policy does not allow gets AccessDenied.
type policyGate struct {
	t      *testing.T
	region string
	proxy  *httputil.ReverseProxy

	mu        sync.Mutex
	policy    testenv.S3Policy
	redirects int
	denied    []string
}

func newPolicyGate(t *testing.T, backend, region string) *policyGate {
	u, err := url.Parse(backend)
	if err != nil {
		t.Fatal(err)
	}
	return &policyGate{t: t, region: region, proxy: httputil.NewSingleHostReverseProxy(u)}
}

func (g *policyGate) attach(doc []byte) {
	p, err := testenv.ParseS3Policy(doc)
	if err != nil {
		g.t.Fatal(err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.policy, g.denied, g.redirects = p, nil, 0
}

var credentialRegion = regexp.MustCompile(`Credential=[^/]+/[0-9]+/([^/]+)/s3/`)

func (g *policyGate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if code, body := g.refusal(r); code != 0 {
		w.Header().Set("Content-Type", "application/xml")
		if code == http.StatusMovedPermanently {
			w.Header().Set("X-Amz-Bucket-Region", g.region)
		}
		w.WriteHeader(code)
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?>`+body)
		return
	}
	g.proxy.ServeHTTP(w, r)
}

// refusal is S3's answer to a request it does not serve: a redirect for one
// signed for another region, AccessDenied for one the policy does not
// allow; 0 for one it serves.
func (g *policyGate) refusal(r *http.Request) (int, string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if m := credentialRegion.FindStringSubmatch(r.Header.Get("Authorization")); m == nil || m[1] != g.region {
		g.redirects++
		return http.StatusMovedPermanently, `<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint.</Message></Error>`
	}
	action, resource, keys := testenv.S3Request(r)
	if !g.policy.Allows(action, resource, keys) {
		g.denied = append(g.denied, action+" "+resource+" prefix="+keys["s3:prefix"]+" delimiter="+keys["s3:delimiter"])
		return http.StatusForbidden, `<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`
	}
	return 0, ""
}

// An integration whose trail lives in another region than its bucket, read
// with only the reader policy the project renders for it: the extractor
// finds the bucket's region, stays inside the policy, says what it could
// not list, and gets the same facts as from the folder.
func TestExtractWithReaderPolicyOnly(t *testing.T) {
	moto := testenv.StartMoto(t)
	srv := testenv.StartS3(t)
	ctx := context.Background()
	const bucket, org, account, trailRegion = "policy-trail-logs", "o-test123456", "123837392027", "eu-west-3"

	mcfg := moto.Config(t, trailRegion)
	if _, err := s3.NewFromConfig(mcfg, func(o *s3.Options) { o.UsePathStyle = true }).
		CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket), CreateBucketConfiguration: &s3types.CreateBucketConfiguration{
			LocationConstraint: s3types.BucketLocationConstraint(trailRegion)}}); err != nil {
		t.Fatal(err)
	}
	out, err := cloudtrail.NewFromConfig(mcfg).CreateTrail(ctx, &cloudtrail.CreateTrailInput{
		Name: aws.String("account-trail"), S3BucketName: aws.String(bucket), IsMultiRegionTrail: aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	client := srv.Client(t)
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(invictusDir)
	if err != nil {
		t.Fatal(err)
	}
	put := func(key string, body []byte) {
		t.Helper()
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json.gz") {
			put("AWSLogs/"+account+"/CloudTrail/us-east-1/2023/07/10/"+e.Name(), mustRead(t, filepath.Join(invictusDir, e.Name())))
		}
	}
	// Another trail's logs in the same bucket, outside what the policy
	// allows: listing them is denied, and the rest is read.
	put("AWSLogs/"+org+"/222222222222/CloudTrail/eu-west-1/2023/07/10/"+entries[0].Name(), mustRead(t, filepath.Join(invictusDir, entries[0].Name())))

	gate := newPolicyGate(t, srv.Endpoint, srv.Region)
	front := httptest.NewServer(gate)
	t.Cleanup(front.Close)
	policy, err := awsapi.ReaderPolicy(awsapi.TrailAccess{S3Bucket: bucket, AccountIDs: []string{account}})
	if err != nil {
		t.Fatal(err)
	}
	gate.attach(policy)

	moto.Env(t, trailRegion)
	t.Setenv("AWS_ENDPOINT_URL_S3", front.URL)
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	t.Setenv(awsapi.PathStyleEnv, "true")

	dbPath := filepath.Join(t.TempDir(), "activity.db")
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CreateIntegration(ctx, activity.Integration{AccountID: account, Trail: aws.ToString(out.TrailARN), Region: trailRegion}); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	args := []string{"--db", dbPath, "extract", "--as-of", "2023-07-11T00:00:00Z", "--window", "30d", "--json"}
	if err := cli.Run(ctx, args, cli.Streams{In: strings.NewReader(""), Out: &stdout, Err: &stderr}, "test"); err != nil {
		t.Fatalf("extract: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), `"objects_read": 55`) {
		t.Errorf("summary:\n%s", stdout.String())
	}
	if gate.redirects != 1 {
		t.Errorf("%d requests went to the trail's region, want the one that finds the bucket's", gate.redirects)
	}
	// The account trail's policy does not show the folders under AWSLogs/:
	// that one listing is refused, and the account's own folder is read.
	wantDenied := "s3:ListBucket arn:aws:s3:::" + bucket + " prefix=AWSLogs/ delimiter=/"
	if len(gate.denied) != 1 || gate.denied[0] != wantDenied {
		t.Errorf("denied requests %q, want only %q", gate.denied, wantDenied)
	}
	if strings.Contains(stderr.String(), "WARN") {
		t.Errorf("warnings for a policy that allows all the trail's logs:\n%s", stderr.String())
	}
	folder := openDB(t)
	run(t, folder, ct.Folder{Dir: invictusDir})
	if got, want := snapshot(t, db), snapshot(t, folder); got != want {
		t.Errorf("facts read through the policy differ from the folder's:\n%s\nwant\n%s", got, want)
	}

	// The same bucket read for the organization, with the organization's
	// policy: the account-layout folder is another trail's and is not read.
	orgDB := filepath.Join(t.TempDir(), "org.db")
	policy, err = awsapi.ReaderPolicy(awsapi.TrailAccess{S3Bucket: bucket, OrganizationID: org})
	if err != nil {
		t.Fatal(err)
	}
	gate.attach(policy)
	stdout.Reset()
	stderr.Reset()
	args = []string{"--db", orgDB, "extract", "--source", "s3://" + bucket, "--as-of", "2023-07-11T00:00:00Z", "--json"}
	err = cli.Run(ctx, args, cli.Streams{In: strings.NewReader(""), Out: &stdout, Err: &stderr}, "test")
	if cli.ExitCode(err) != 3 {
		t.Fatalf("organization extract: exit status %d (%v), want 3: a folder was not read\n%s", cli.ExitCode(err), err, stderr.String())
	}
	if !strings.Contains(stdout.String(), `"objects_read": 1`) {
		t.Errorf("organization summary:\n%s", stdout.String())
	}
	wantDenied = "s3:ListBucket arn:aws:s3:::" + bucket + " prefix=AWSLogs/" + account + "/CloudTrail/ delimiter=/"
	if len(gate.denied) != 1 || gate.denied[0] != wantDenied {
		t.Errorf("denied requests %q, want only %q", gate.denied, wantDenied)
	}
	// What was not read is kept and shown with what to do.
	stdout.Reset()
	if err := cli.Run(ctx, []string{"--db", orgDB, "errors"}, cli.Streams{In: strings.NewReader(""), Out: &stdout, Err: &stderr}, "test"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"s3://" + bucket + "/AWSLogs/" + account + "/", "was denied", "grant s3:ListBucket for the prefix AWSLogs/" + account + "/*"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("errors lack %q:\n%s", want, stdout.String())
		}
	}
}
