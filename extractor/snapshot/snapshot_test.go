package snapshot

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Run(m)) }

// TestPublishAndFetchThroughVersityGW publishes a database to a real S3
// server, fetches it, and checks the copy is reused until the object changes.
func TestPublishAndFetchThroughVersityGW(t *testing.T) {
	srv := testenv.StartS3(t)
	client := srv.Client(t)
	ctx := context.Background()
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("snapshots")}); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "activity.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CreateIntegration(ctx, activity.Integration{AccountID: "111111111111", Trail: "org", Region: "us-east-1"}); err != nil {
		t.Fatal(err)
	}
	url := "s3://snapshots/ci/activity.db"
	pub, err := Publish(ctx, db, client, url)
	if err != nil {
		t.Fatal(err)
	}
	if pub.Size == 0 || pub.ETag == "" {
		t.Fatalf("published %+v", pub)
	}
	cache := t.TempDir()
	first, err := Fetch(ctx, client, url, cache)
	if err != nil {
		t.Fatal(err)
	}
	ro, err := store.OpenReadOnly(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	all, err := ro.Integrations(ctx)
	ro.Close()
	if err != nil || len(all) != 1 || all[0].AccountID != "111111111111" {
		t.Fatalf("fetched snapshot holds %+v (%v)", all, err)
	}
	again, err := Fetch(ctx, client, url, cache)
	if err != nil || again != first {
		t.Fatalf("unchanged snapshot fetched to %s, first %s (%v)", again, first, err)
	}

	if err := db.CreateIntegration(ctx, activity.Integration{AccountID: "222222222222", Trail: "org", Region: "us-east-1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := Publish(ctx, db, client, url); err != nil {
		t.Fatal(err)
	}
	changed, err := Fetch(ctx, client, url, cache)
	if err != nil {
		t.Fatal(err)
	}
	if changed == first {
		t.Fatal("a changed snapshot reused the old copy")
	}
	ro, err = store.OpenReadOnly(ctx, changed)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if all, _ := ro.Integrations(ctx); len(all) != 2 {
		t.Errorf("changed snapshot holds %d integrations, want 2", len(all))
	}
}

func TestPublishRefusesURLWithoutKey(t *testing.T) {
	for _, u := range []string{"s3://bucket", "s3://bucket/dir/", "https://bucket/key"} {
		if _, err := Publish(context.Background(), nil, nil, u); err == nil || !strings.Contains(err.Error(), "s3://") {
			t.Errorf("Publish(%q): err = %v", u, err)
		}
	}
}
