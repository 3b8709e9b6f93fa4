package provider

import (
	"context"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/awsapi"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/snapshot"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/testenv"
)

// publishTestSnapshot points the AWS SDK of this process at a versitygw
// server, publishes the database at dbPath to it, and returns the URL.
func publishTestSnapshot(t *testing.T, dbPath, bucket string) string {
	t.Helper()
	srv := testenv.StartS3(t)
	srv.Env(t)
	t.Setenv(awsapi.PathStyleEnv, "true")
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	ctx := context.Background()
	client := srv.Client(t)
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	db := openTestStore(t, dbPath)
	url := "s3://" + bucket + "/ci/activity.db"
	if _, err := snapshot.Publish(ctx, db, client, url); err != nil {
		t.Fatal(err)
	}
	return url
}

func TestAccProvider_snapshotIsReadOnly(t *testing.T) {
	dbPath := testDB(t)
	if err := openTestStore(t, dbPath).CreateRule(context.Background(), store.Rule{Name: "kept", NoDormant: true}); err != nil {
		t.Fatal(err)
	}
	url := publishTestSnapshot(t, dbPath, "snapshot-readonly")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      ruleConfig(url, "name = \"new\"\n  no_dormant = true"),
				ExpectError: regexp.MustCompile(`(?s)Database Is a Read-Only Snapshot.*` + regexp.QuoteMeta(url)),
			},
			{
				Config:      ruleConfig("s3://snapshot-readonly/missing.db", "name = \"new\"\n  no_dormant = true"),
				ExpectError: regexp.MustCompile(`(?s)Cannot Fetch Database Snapshot.*s3://snapshot-readonly/missing.db`),
			},
		},
	})
}
