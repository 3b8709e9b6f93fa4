package reliability

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	fwdatasource "github.com/hashicorp/terraform-plugin-framework/datasource"
	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/testenv"
	"github.com/activity-monitoring/terraform-provider-activity/provider"
)

// Canary credentials: distinctive values that must never leave the process
// environment. The access key id's shape is AWS's.
var canaries = map[string]string{
	"AWS_ACCESS_KEY_ID":     "AKIACANARY7RELIABLE0",
	"AWS_SECRET_ACCESS_KEY": "canarySecret/ReliabilityCase6+DoNotLeak00",
	"AWS_SESSION_TOKEN":     "canarySessionTokenReliabilityCase6DoNotLeak",
	"OKTA_API_TOKEN":        "00canaryOktaTokenReliabilityCase6DoNotLeak",
}

func canaryEnv(endpoint string) []string {
	env := []string{"AWS_ENDPOINT_URL=" + endpoint, "AWS_S3_USE_PATH_STYLE=true", "AWS_REGION=us-east-1",
		"AWS_PROFILE=", "AWS_CONFIG_FILE=" + os.DevNull, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull, "AWS_EC2_METADATA_DISABLED=true"}
	for k, v := range canaries {
		env = append(env, k+"="+v)
	}
	return env
}

// leaks names the canaries found in data.
func leaks(data []byte) []string {
	var found []string
	for k, v := range canaries {
		if bytes.Contains(data, []byte(v)) {
			found = append(found, k)
		}
	}
	return found
}

// Case 6: credentials from the AWS chain and the Okta token appear in no
// output at any log level, successful calls or failing ones, nor in the
// database; the database file is 0600; no provider attribute holds a
// credential.
func TestReliabilitySecrets(t *testing.T) {
	c := begin(t, "secrets-stay-secret")
	moto := testenv.StartMoto(t)
	srv := testenv.StartS3(t)
	ctx := context.Background()
	tr := generate(t, 2000, 2)

	// An account trail in moto, its logs in moto's S3.
	const bucket = "canary-trail-logs"
	mcfg := moto.Config(t, "us-east-1")
	ms3 := s3.NewFromConfig(mcfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := ms3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	if _, err := cloudtrail.NewFromConfig(mcfg).CreateTrail(ctx, &cloudtrail.CreateTrailInput{
		Name: aws.String("canary-trail"), S3BucketName: aws.String(bucket),
	}); err != nil {
		t.Fatal(err)
	}
	db := dbIn(t)
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []activity.Integration{
		{AccountID: testenv.MotoAccountID, Trail: "canary-trail", Region: "us-east-1"},
		// A role to assume, and a trail that does not exist: failing calls.
		{AccountID: "222222222222", Trail: "missing-trail", Region: "us-east-1", RoleARN: "arn:aws:iam::222222222222:role/reader"},
	} {
		if err := st.CreateIntegration(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	var outputs [][]byte
	runAll := func(levels []string, env []string, args ...string) {
		t.Helper()
		for _, level := range levels {
			began := time.Now()
			stdout, stderr, status := cliRun(t, env, append([]string{"--db", db, "--log-level", level}, args...)...)
			c.runs++
			t.Logf("%s at %s: exit status %d after %s: %s", args[0], level, status, time.Since(began).Round(time.Millisecond), lastLine(stderr))
			outputs = append(outputs, []byte(stdout), []byte(stderr))
		}
	}
	every, debug := []string{"debug", "info", "warn", "error"}, []string{"debug"}
	motoEnv := canaryEnv(moto.Endpoint)
	runAll(every, motoEnv, "extract", "--as-of", tr.asOf)
	runAll(every, motoEnv, "discover")
	runAll(debug, motoEnv, "report", "--format", "json", "--as-of", tr.asOf)
	// Wrong credentials for versitygw: every call fails its signature check.
	runAll(debug, canaryEnv(srv.Endpoint), "extract", "--source", "s3://"+bucket+"/", "--as-of", tr.asOf)
	if full() {
		// An endpoint that does not answer: retried until the quota ends.
		runAll(debug, canaryEnv("http://127.0.0.1:9"), "extract", "--as-of", tr.asOf)
	}

	for i, out := range outputs {
		if found := leaks(out); len(found) > 0 {
			t.Errorf("output %d shows %v:\n%s", i, found, out)
		}
		c.inputs++
	}
	files, _ := filepath.Glob(db + "*")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		c.inputs++
		if found := leaks(data); len(found) > 0 {
			t.Errorf("%s holds %v", filepath.Base(f), found)
		}
		if fi, _ := os.Stat(f); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %o, want 600", filepath.Base(f), fi.Mode().Perm())
		}
	}
	c.inputs += providerAttributes(t)
}

// credentialName matches attribute names meant to hold a credential.
var credentialName = regexp.MustCompile(`(?i)(secret|password|token|access_key|credential|private)`)

// notCredentials are attributes whose names speak of credentials without
// holding one, each with what it holds.
var notCredentials = map[string]string{
	"activity_monitoring_rule.max_unused_access_key_days": "a number of days",
}

// providerAttributes checks that no attribute of the provider, its resources
// or its data sources holds a credential, so none can reach Terraform state,
// and returns how many it checked.
func providerAttributes(t *testing.T) int {
	t.Helper()
	ctx := context.Background()
	p := provider.New("test")()
	var names []string
	var ps fwprovider.SchemaResponse
	p.Schema(ctx, fwprovider.SchemaRequest{}, &ps)
	for n := range ps.Schema.Attributes {
		names = append(names, "provider."+n)
	}
	for _, f := range p.Resources(ctx) {
		r := f()
		var md fwresource.MetadataResponse
		r.Metadata(ctx, fwresource.MetadataRequest{ProviderTypeName: "activity"}, &md)
		var s fwresource.SchemaResponse
		r.Schema(ctx, fwresource.SchemaRequest{}, &s)
		for n := range s.Schema.Attributes {
			names = append(names, md.TypeName+"."+n)
		}
	}
	for _, f := range p.DataSources(ctx) {
		d := f()
		var md fwdatasource.MetadataResponse
		d.Metadata(ctx, fwdatasource.MetadataRequest{ProviderTypeName: "activity"}, &md)
		var s fwdatasource.SchemaResponse
		d.Schema(ctx, fwdatasource.SchemaRequest{}, &s)
		for n := range s.Schema.Attributes {
			names = append(names, md.TypeName+"."+n)
		}
	}
	for _, n := range names {
		if _, ok := notCredentials[n]; !ok && credentialName.MatchString(n) {
			t.Errorf("provider attribute %s looks meant to hold a credential, which Terraform would keep in its state", n)
		}
	}
	if len(names) < 10 {
		t.Errorf("only %d provider attributes found", len(names))
	}
	return len(names)
}
