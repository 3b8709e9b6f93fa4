package discover_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/cli"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/testenv"
)

// TestDiscoverCommandGoesToAWSPerIntegration runs `activity-extractor
// discover` without file flags: it must reach the integration's account
// through its role and store what it found.
func TestDiscoverCommandGoesToAWSPerIntegration(t *testing.T) {
	m := testenv.StartMoto(t)
	const region = "eu-west-1"
	ctx := context.Background()
	cfg := m.Config(t, region)
	im := awsiam.NewFromConfig(cfg)
	if _, err := im.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("carlos")}); err != nil {
		t.Fatal(err)
	}
	if _, err := im.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("carlos"), PolicyName: aws.String("logs"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::logs/*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := im.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("auditor"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testenv.MotoAccountID + `:root"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
		t.Fatal(err)
	}
	sc := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("logs"), CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}}); err != nil {
		t.Fatal(err)
	}

	m.Env(t, region)
	path := filepath.Join(t.TempDir(), "activity.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CreateIntegration(ctx, activity.Integration{AccountID: testenv.MotoAccountID, Trail: "main", Region: region,
		RoleARN: "arn:aws:iam::" + testenv.MotoAccountID + ":role/auditor"}); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	err = cli.Run(ctx, []string{"--db", path, "discover"}, cli.Streams{In: strings.NewReader(""), Out: &out, Err: &errOut}, "test")
	if code := cli.ExitCode(err); code != cli.ExitOK {
		t.Fatalf("exit %d: %v\n%s", code, err, errOut.String())
	}
	if !strings.Contains(out.String(), "account "+testenv.MotoAccountID+": 2 principals, 1 resources") {
		t.Errorf("stdout:\n%s", out.String())
	}
	grants, err := db.Grants(ctx, "arn:aws:iam::"+testenv.MotoAccountID+":user/carlos")
	if err != nil {
		t.Fatal(err)
	}
	if len(grants) != 1 || grants[0].ResourceARN != "arn:aws:s3:::logs" || !strings.Contains(strings.Join(grants[0].Actions, " "), "s3:GetObject") {
		t.Fatalf("carlos's grants %+v", grants)
	}
	for _, a := range grants[0].Actions {
		if !strings.HasPrefix(a, "s3:Get") {
			t.Errorf("granted %s beyond s3:Get* on objects", a)
		}
	}
}

// Deprecated AWS managed policies may come without an ARN, in the policy list
// and where they are attached. Such a policy cannot be stored: it is
// recorded as an issue, the principal it is attached to has a policy that
// could not be read, and the rest of the account is stored; discover
// finishes with the status for skipped inputs.
func TestDiscoverKeepsTheRestWhenAPolicyHasNoARN(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "activity.db")
	var out, errOut bytes.Buffer
	err := cli.Run(ctx, []string{"--db", path, "discover", "--authz-details", "testdata/null-policy-arn-authz-details.json"},
		cli.Streams{In: strings.NewReader(""), Out: &out, Err: &errOut}, "test")
	if code := cli.ExitCode(err); code != cli.ExitSkipped {
		t.Fatalf("exit %d, want %d: %v\n%s", code, cli.ExitSkipped, err, errOut.String())
	}
	for _, want := range []string{`policy "AmazonRetiredAccess": managed policy without an Arn`,
		`policy "AmazonRetiredAccess (attached without an ARN)": attached without a PolicyArn`} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut.String())
		}
	}
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	issues, err := db.DiscoveryIssues(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(issues) != 2 || issues[0].AccountID != "210987654321" || issues[1].AccountID != "210987654321" {
		t.Errorf("issues %+v, want two of account 210987654321", issues)
	}
	ents, err := db.Entitlements(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 {
		t.Fatalf("%d accounts stored, want 1", len(ents))
	}
	var policies []string
	for _, p := range ents[0].Policies {
		policies = append(policies, p.Name)
	}
	if got := strings.Join(policies, ", "); got != "arn:aws:iam::210987654321:policy/ReportsReader, arn:aws:iam::210987654321:role/builder inline write-reports" {
		t.Errorf("policies stored: %s", got)
	}
	byName := map[string]store.DiscoveredPrincipal{}
	for _, p := range ents[0].Principals {
		byName[p.Principal.Name] = p
	}
	if len(byName) != 3 {
		t.Fatalf("principals stored: %+v", ents[0].Principals)
	}
	ana := byName["ana"]
	if len(ana.Policies) != 1 || ana.Policies[0] != "arn:aws:iam::210987654321:policy/ReportsReader" ||
		len(ana.Unreadable) != 1 || ana.Unreadable[0].Policy != "AmazonRetiredAccess (attached without an ARN)" {
		t.Errorf("ana: policies %q, unreadable %+v", ana.Policies, ana.Unreadable)
	}
	if ben := byName["ben"]; len(ben.Policies) != 1 || len(ben.Unreadable) != 0 {
		t.Errorf("ben: policies %q, unreadable %+v", ben.Policies, ben.Unreadable)
	}
}
