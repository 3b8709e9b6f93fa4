package discover

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/iam"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Run(m)) }

func openDB(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "activity.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

const keyBroken = "arn:aws:kms:us-east-1:644160558196:key/11111111-1111-1111-1111-111111111111"

func fixtureFiles() Files {
	return Files{
		AuthzDetails:   []string{"testdata/fixture-authz-details.json"},
		BucketPolicies: map[string]string{"vault": "testdata/vault-get-bucket-policy.json"},
		KeyPolicies:    map[string]string{keyBroken: "testdata/broken-key-policy.json"},
		Resources:      []string{"data", "644160558196:secret-bucket", "arn:aws:secretsmanager:us-east-1:644160558196:secret:db/main-AbCdEf"},
		KMSAliases:     []string{"testdata/list-aliases.json"},
	}
}

func TestDiscoverFromFilesStoresAndEvaluates(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	found, err := FromFiles(fixtureFiles())
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 || found[0].AccountID != "644160558196" {
		t.Fatalf("accounts %+v", found)
	}
	a := found[0]
	if len(a.Issues) != 1 || !strings.Contains(a.Issues[0].Message, "Statement[0].Action") || !strings.Contains(a.Issues[0].Message, keyBroken) {
		t.Fatalf("issues %+v, want one naming the key policy and Statement[0].Action", a.Issues)
	}
	if err := Store(ctx, db, found); err != nil {
		t.Fatal(err)
	}
	sum, err := Evaluate(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Principals != 6 || sum.Resources != 5 {
		t.Fatalf("summary %+v", sum)
	}
	alice, err := db.PrincipalByARN(ctx, "arn:aws:iam::644160558196:user/people/alice")
	if err != nil || alice.Kind != activity.KindIAMUser || alice.CreatedAt.IsZero() {
		t.Fatalf("alice %+v, %v", alice, err)
	}
	grants, err := db.Grants(ctx, "arn:aws:iam::644160558196:user/bob")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, g := range grants {
		got[g.ResourceARN] = g.Actions
	}
	// bob: s3:* outside secret-bucket, denied on vault by its NotPrincipal
	// statement; nothing on keys or secrets.
	if _, ok := got["arn:aws:s3:::data"]; !ok || len(got) != 1 {
		t.Fatalf("bob's grants on %v, want data only", keys(got))
	}
	if !contains(got["arn:aws:s3:::data"], "s3:GetObject") || !contains(got["arn:aws:s3:::data"], "s3:DeleteBucket") {
		t.Errorf("bob on data: %v", got["arn:aws:s3:::data"])
	}
	// The key with a broken policy is kept with its policy unknown: the
	// default key policy is assumed and kms-admin's IAM grant counts.
	kms, err := db.Grants(ctx, "arn:aws:iam::644160558196:user/kms-admin")
	if err != nil || len(kms) != 1 || kms[0].ResourceARN != keyBroken || !contains(kms[0].Actions, "kms:Decrypt") {
		t.Fatalf("kms-admin grants %+v, %v", kms, err)
	}
	if key, err := db.KMSKeyForAlias(ctx, "arn:aws:kms:us-east-1:644160558196:alias/app"); err != nil || key != "arn:aws:kms:us-east-1:644160558196:key/22222222-2222-2222-2222-222222222222" {
		t.Errorf("alias/app → %q, %v", key, err)
	}
	if _, err := db.KMSKeyForAlias(ctx, "arn:aws:kms:us-east-1:644160558196:alias/aws/s3"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an alias without a target was stored: %v", err)
	}
	issues, err := db.DiscoveryIssues(ctx)
	if err != nil || len(issues) != 1 {
		t.Errorf("stored issues %+v, %v", issues, err)
	}

	// The stored inventory explains the same decisions.
	inv, err := Load(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	ds, _, err := iam.Simulate(iam.DefaultCatalog(), inv, "arn:aws:iam::644160558196:user/bob", []string{"s3:GetObject"}, "arn:aws:s3:::vault")
	if err != nil || ds[0].Decision != iam.ExplicitDeny || ds[0].Statements[0].Policy != "arn:aws:s3:::vault bucket policy" {
		t.Fatalf("simulate %+v, %v", ds, err)
	}
	secret := inv.Resources[len(inv.Resources)-1]
	if secret.Kind != activity.KindSecret || secret.Name != "db/main" {
		t.Errorf("secret %+v: name must drop the ARN suffix", secret)
	}

	// Discovering again replaces the account: same grants, nothing doubled.
	if err := Store(ctx, db, found); err != nil {
		t.Fatal(err)
	}
	again, err := Evaluate(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if again.Grants != sum.Grants {
		t.Errorf("second discovery gave %d grants, first %d", again.Grants, sum.Grants)
	}
	all, _ := db.Entitlements(ctx)
	if len(all) != 1 || len(all[0].Principals) != 6 || len(all[0].Policies) != len(found[0].Policies) {
		t.Errorf("after rediscovery: %d accounts", len(all))
	}
}

func TestDiscoverFromFilesNeedsTheBucketAccountWhenAmbiguous(t *testing.T) {
	f := fixtureFiles()
	f.AuthzDetails = append(f.AuthzDetails, "../iam/testdata/cloudsplaining_test_example-authz-details.json")
	_, err := FromFiles(f)
	if err == nil || !strings.Contains(err.Error(), "ACCOUNT:") {
		t.Fatalf("err = %v, want a request for ACCOUNT:BUCKET", err)
	}
}

func keys(m map[string][]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestResourcesSeenInLogsAreEvaluated(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	found, err := FromFiles(Files{AuthzDetails: []string{"testdata/fixture-authz-details.json"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := Store(ctx, db, found); err != nil {
		t.Fatal(err)
	}
	// As log extraction records them: a bucket and a key no discovery saw.
	for _, r := range []activity.Resource{
		{ARN: "arn:aws:s3:::from-logs", Kind: activity.KindS3Bucket, AccountID: "644160558196", Name: "from-logs"},
		{ARN: "arn:aws:kms:us-east-1:644160558196:key/33333333-3333-3333-3333-333333333333", Kind: activity.KindKMSKey, AccountID: "644160558196", Region: "us-east-1", Name: "33333333-3333-3333-3333-333333333333"},
	} {
		if _, err := store.UpsertResource(ctx, db.SQL(), r); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := Evaluate(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Resources != 2 {
		t.Fatalf("%d resources evaluated, want the 2 seen in logs", sum.Resources)
	}
	bob, _ := db.Grants(ctx, "arn:aws:iam::644160558196:user/bob")
	admin, _ := db.Grants(ctx, "arn:aws:iam::644160558196:user/kms-admin")
	if len(bob) != 1 || bob[0].ResourceARN != "arn:aws:s3:::from-logs" || len(admin) != 1 || !contains(admin[0].Actions, "kms:Decrypt") {
		t.Fatalf("bob %+v, kms-admin %+v", bob, admin)
	}
}

func TestEveryResourceKindIsDiscovered(t *testing.T) {
	for _, k := range activity.ResourceKinds() {
		if discoverKind[k.Name] == nil {
			t.Errorf("resource kind %s has no discovery from AWS", k.Name)
		}
	}
	if len(discoverKind) != len(activity.ResourceKinds()) {
		t.Errorf("%d discoveries for %d resource kinds", len(discoverKind), len(activity.ResourceKinds()))
	}
}
