package discover

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/testenv"
)

const acct = testenv.MotoAccountID

// buildAccount creates, through the real API, an account with users,
// groups, managed and inline policies, a boundary, a bucket policy, key
// policies and a secret policy.
func buildAccount(t *testing.T, cfg aws.Config) (keyDelegated, keyDirect, secretARN string) {
	t.Helper()
	ctx := context.Background()
	// A create the SDK retried after a lost response (moto under load) is
	// refused as existing: the first attempt made it, which is all a
	// builder needs.
	must := func(_ any, err error) {
		t.Helper()
		var exists *iamtypes.EntityAlreadyExistsException
		if err != nil && !errors.As(err, &exists) {
			t.Fatal(err)
		}
	}
	im := awsiam.NewFromConfig(cfg)
	createPolicy := func(name, doc string) *string {
		t.Helper()
		_, err := im.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(doc)})
		must(nil, err)
		return aws.String("arn:aws:iam::" + acct + ":policy/" + name)
	}
	read := createPolicy("shared-read",
		`{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::shared","arn:aws:s3:::shared/*"]}]}`)
	boundary := createPolicy("reads-only",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*","kms:Decrypt"],"Resource":"*"}]}`)
	must(im.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("readers")}))
	must(im.AttachGroupPolicy(ctx, &awsiam.AttachGroupPolicyInput{GroupName: aws.String("readers"), PolicyArn: read}))
	must(im.PutGroupPolicy(ctx, &awsiam.PutGroupPolicyInput{GroupName: aws.String("readers"), PolicyName: aws.String("secrets"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`)}))
	for _, u := range []string{"alice", "bob"} {
		must(im.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(u), Path: aws.String("/team/")}))
	}
	must(im.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: aws.String("readers"), UserName: aws.String("alice")}))
	must(im.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("keys"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Decrypt","kms:Encrypt"],"Resource":"*"}]}`)}))
	must(im.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("not-iam"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","kms:*"],"Resource":"*"}]}`)}))
	must(im.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
		PermissionsBoundary: boundary}))
	must(im.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("admin"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)}))

	sc := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	for _, b := range []string{"shared", "other"} {
		must(sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}))
	}
	must(sc.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("shared"), Policy: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Sid":"NoDeletes","Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::shared/*"},` +
			`{"Sid":"AppWrites","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:role/app"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::shared/*"}]}`)}))

	kc := kms.NewFromConfig(cfg)
	k1, err := kc.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"kms:*","Resource":"*"}]}`)})
	must(k1, err)
	k2, err := kc.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Sid":"BobOnly","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:user/team/bob"},"Action":["kms:Decrypt","kms:DescribeKey"],"Resource":"*"},` +
			`{"Sid":"Admins","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:role/app"},"Action":"kms:*","Resource":"*"}]}`)})
	must(k2, err)
	must(kc.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/app"), TargetKeyId: k1.KeyMetadata.KeyId}))

	smc := secretsmanager.NewFromConfig(cfg)
	sec, err := smc.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("db/main"), SecretString: aws.String("s3cr3t")})
	must(sec, err)
	must(smc.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: sec.ARN, ResourcePolicy: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::` + acct + `:user/team/bob"},"Action":"secretsmanager:*","Resource":"*"}]}`)}))
	return aws.ToString(k1.KeyMetadata.Arn), aws.ToString(k2.KeyMetadata.Arn), aws.ToString(sec.ARN)
}

func grantsOf(t *testing.T, db *store.DB) map[string][]string {
	t.Helper()
	rows, err := db.Grants(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, g := range rows {
		out[g.PrincipalARN+" "+g.ResourceARN] = append(append([]string{}, g.Actions...), append([]string{"|"}, g.Conditional...)...)
	}
	return out
}

// TestDiscoverFromAWSMatchesFiles discovers an account built in the moto
// emulator through the AWS API, then from the files the AWS CLI saves for
// the same account, and expects the same grants.
func TestDiscoverFromAWSMatchesFiles(t *testing.T) {
	m := testenv.StartMoto(t)
	cli, err := exec.LookPath("aws")
	if err != nil {
		testenv.Unavailable(t, "the AWS CLI (aws) is not on PATH: the files side of this test needs it; install it with: apt-get install awscli (or pip install awscli)")
	}
	ctx := context.Background()
	const region = "us-east-1"
	keyDelegated, keyDirect, secretARN := buildAccount(t, m.Config(t, region))

	m.Env(t, region)
	fromAPI := openDB(t)
	a, err := FromAWS(ctx, m.Config(t, region), AWSOptions{AccountID: acct, Regions: []string{region}})
	if err != nil {
		t.Fatal(err)
	}
	for _, is := range a.Issues {
		t.Errorf("issue from AWS: %s: %s", is.Source, is.Message)
	}
	if err := Store(ctx, fromAPI, []store.AccountEntitlements{a}); err != nil {
		t.Fatal(err)
	}
	if _, err := Evaluate(ctx, fromAPI); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	save := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(cli, append([]string{"--endpoint-url", m.Endpoint, "--region", region, "--output", "json"}, args...)...)
		// The CLI reads an empty AWS_PROFILE as a profile named "".
		for _, kv := range os.Environ() {
			if kv != "AWS_PROFILE=" && kv != "AWS_SESSION_TOKEN=" {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		out, err := cmd.Output()
		if err != nil {
			var stderr []byte
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				stderr = ee.Stderr
			}
			t.Fatalf("aws %v: %v: %s", args, err, stderr)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, out, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	files := Files{
		AuthzDetails:   []string{save("authz.json", "iam", "get-account-authorization-details")},
		BucketPolicies: map[string]string{"shared": save("shared.json", "s3api", "get-bucket-policy", "--bucket", "shared")},
		KeyPolicies: map[string]string{
			keyDelegated: save("k1.json", "kms", "get-key-policy", "--key-id", keyDelegated, "--policy-name", "default"),
			keyDirect:    save("k2.json", "kms", "get-key-policy", "--key-id", keyDirect, "--policy-name", "default"),
		},
		SecretPolicies: map[string]string{secretARN: save("secret.json", "secretsmanager", "get-resource-policy", "--secret-id", secretARN)},
		Resources:      []string{"other"},
		KMSAliases:     []string{save("aliases.json", "kms", "list-aliases")},
	}
	fromFiles := openDB(t)
	found, err := FromFiles(files)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range found {
		for _, is := range f.Issues {
			t.Errorf("issue from files: %s: %s", is.Source, is.Message)
		}
	}
	if err := Store(ctx, fromFiles, found); err != nil {
		t.Fatal(err)
	}
	if _, err := Evaluate(ctx, fromFiles); err != nil {
		t.Fatal(err)
	}

	api, file := grantsOf(t, fromAPI), grantsOf(t, fromFiles)
	if !reflect.DeepEqual(api, file) {
		t.Errorf("grants differ\nfrom AWS:   %v\nfrom files: %v", api, file)
	}
	user := "arn:aws:iam::" + acct + ":user/team/"
	role := "arn:aws:iam::" + acct + ":role/app"
	// Expected by hand from the policies above.
	for pair, want := range map[string][]string{
		user + "alice arn:aws:s3:::shared": {"s3:GetObject", "s3:ListBucket", "|"},
		user + "alice " + keyDelegated:     {"kms:Decrypt", "kms:Encrypt", "|"},
		user + "alice " + secretARN:        {"secretsmanager:GetSecretValue", "|"},
		user + "bob " + keyDirect:          {"kms:Decrypt", "kms:DescribeKey", "|"},
		role + " " + keyDelegated:          {"kms:Decrypt", "|"},
		role + " " + keyDirect:             {"kms:Decrypt", "|"},
	} {
		if got := api[pair]; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %v, want %v", pair, got, want)
		}
	}
	for _, absent := range []string{user + "alice " + keyDirect, user + "bob " + secretARN, user + "bob " + keyDelegated} {
		if got, ok := api[absent]; ok {
			t.Errorf("%s: granted %v", absent, got)
		}
	}
	// The boundary keeps the admin role to reads on S3, the bucket policy
	// adds PutObject for the role (capped by the boundary too), the Deny
	// on DeleteObject applies to everyone.
	shared := api[role+" arn:aws:s3:::shared"]
	if !contains(shared, "s3:GetObject") || contains(shared, "s3:PutObject") || contains(shared, "s3:DeleteObject") {
		t.Errorf("role on shared: %v", shared)
	}
	bobShared := api[user+"bob arn:aws:s3:::shared"]
	if !contains(bobShared, "s3:PutObject") || contains(bobShared, "s3:DeleteObject") {
		t.Errorf("bob on shared: %v", bobShared)
	}
	if key, err := fromAPI.KMSKeyForAlias(ctx, "arn:aws:kms:"+region+":"+acct+":alias/app"); err != nil || key != keyDelegated {
		t.Errorf("alias/app → %q, %v", key, err)
	}
}

// denyingProxy forwards to moto but answers AccessDenied to the calls deny
// picks, as AWS does for a role that lacks those permissions.
func denyingProxy(t *testing.T, target string, deny func(*http.Request) bool) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !deny(r) {
			proxy.ServeHTTP(w, r)
			return
		}
		if r.Header.Get("X-Amz-Target") != "" {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"__type":"AccessDeniedException","message":"not authorized to perform this action"}`) //nolint:errcheck // a handler cannot report a failed write; the client sees it
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusForbidden)
		if r.URL.Path == "/" && r.Method == http.MethodPost {
			io.WriteString(w, `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized</Message></Error><RequestId>1</RequestId></ErrorResponse>`) //nolint:errcheck // a handler cannot report a failed write; the client sees it
			return
		}
		io.WriteString(w, `<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`) //nolint:errcheck // a handler cannot report a failed write; the client sees it
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestDiscoverFromAWSReportsDeniedCallsAndGoesOn(t *testing.T) {
	m := testenv.StartMoto(t)
	const region = "us-east-1"
	keyDelegated, _, secretARN := buildAccount(t, m.Config(t, region))
	endpoint := denyingProxy(t, m.Endpoint, func(r *http.Request) bool {
		_, bucketPolicy := r.URL.Query()["policy"]
		return bucketPolicy || r.Header.Get("X-Amz-Target") == "TrentService.GetKeyPolicy"
	})
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion(region), config.WithBaseEndpoint(endpoint),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("testing", "testing", "")))
	if err != nil {
		t.Fatal(err)
	}
	a, err := FromAWS(context.Background(), cfg, AWSOptions{AccountID: acct, Regions: []string{region}})
	if err != nil {
		t.Fatal(err)
	}
	var sources []string
	for _, is := range a.Issues {
		if !strings.Contains(is.Message, "permission denied") {
			t.Errorf("%s: %s does not say a permission is missing", is.Source, is.Message)
		}
		sources = append(sources, is.Source)
	}
	want := []string{"s3:GetBucketPolicy other", "s3:GetBucketPolicy shared", "kms:GetKeyPolicy " + keyDelegated}
	for _, w := range want {
		if !contains(sources, w) {
			t.Errorf("issues %v lack %q", sources, w)
		}
	}
	// The rest went on: identities, the secret and its policy, and the
	// resources whose policies were denied, marked unknown.
	states := map[string]string{}
	for _, r := range a.Resources {
		states[r.Resource.ARN] = r.PolicyState
	}
	if len(a.Principals) != 3 || states[secretARN] != store.ResourcePolicyKnown ||
		states["arn:aws:s3:::shared"] != store.ResourcePolicyUnknown || states[keyDelegated] != store.ResourcePolicyUnknown {
		t.Errorf("%d principals, resource policy states %v", len(a.Principals), states)
	}
}

// TestDeniedIdentitiesKeepThePreviousDiscovery: when IAM cannot be read, the
// principals and grants found before stay; the resources are refreshed.
func TestDeniedIdentitiesKeepThePreviousDiscovery(t *testing.T) {
	m := testenv.StartMoto(t)
	const region = "us-east-1"
	ctx := context.Background()
	buildAccount(t, m.Config(t, region))
	db := openDB(t)
	first, err := FromAWS(ctx, m.Config(t, region), AWSOptions{AccountID: acct, Regions: []string{region}})
	if err != nil {
		t.Fatal(err)
	}
	if err := Store(ctx, db, []store.AccountEntitlements{first}); err != nil {
		t.Fatal(err)
	}
	before, err := Evaluate(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	endpoint := denyingProxy(t, m.Endpoint, func(r *http.Request) bool {
		return r.Method == http.MethodPost && r.URL.Path == "/" && r.Header.Get("X-Amz-Target") == "" && strings.Contains(r.Header.Get("Authorization"), "/iam/")
	})
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region), config.WithBaseEndpoint(endpoint),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("testing", "testing", "")))
	if err != nil {
		t.Fatal(err)
	}
	second, err := FromAWS(ctx, cfg, AWSOptions{AccountID: acct, Regions: []string{region}})
	if err != nil {
		t.Fatal(err)
	}
	if !second.IdentitiesUnread || len(second.Principals) != 0 || len(second.Resources) != len(first.Resources) {
		t.Fatalf("second discovery: unread %v, %d principals, %d resources", second.IdentitiesUnread, len(second.Principals), len(second.Resources))
	}
	if err := Store(ctx, db, []store.AccountEntitlements{second}); err != nil {
		t.Fatal(err)
	}
	after, err := Evaluate(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if after.Principals != before.Principals || after.Grants != before.Grants {
		t.Errorf("after a denied IAM read: %+v, before: %+v", after, before)
	}
	issues, _ := db.DiscoveryIssues(ctx)
	if len(issues) != 1 || issues[0].Source != "iam:GetAccountAuthorizationDetails" {
		t.Errorf("issues %+v", issues)
	}
}
