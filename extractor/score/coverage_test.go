package score

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// TestTrailSelectorsDecideDataEventCoverage: a trail whose event selectors
// leave out S3 data events marks the accounts it covers, with a note that
// names the selectors rather than a guess.
func TestTrailSelectorsDecideDataEventCoverage(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, in := range []activity.Integration{
		{AccountID: "111111111111", Trail: "arn:aws:cloudtrail:us-east-1:111111111111:trail/org", Region: "us-east-1", ExtractForOrganization: true},
		{AccountID: "333333333333", Trail: "own", Region: "us-east-1"},
	} {
		if err := db.CreateIntegration(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	monitored := []string{"111111111111", "222222222222", "333333333333"}
	got, err := accountsWithoutDataEvents(ctx, db, monitored)
	if err != nil || len(got) != 0 {
		t.Fatalf("before any selector is known: %v %v", got, err)
	}
	if err := db.SetS3DataEvents(ctx, "333333333333", false); err != nil {
		t.Fatal(err)
	}
	got, _ = accountsWithoutDataEvents(ctx, db, monitored)
	if len(got) != 1 || !got["333333333333"] {
		t.Errorf("account trail without data events: %v", got)
	}
	if err := db.SetS3DataEvents(ctx, "111111111111", false); err != nil {
		t.Fatal(err)
	}
	got, _ = accountsWithoutDataEvents(ctx, db, monitored)
	if len(got) != 3 {
		t.Errorf("organization trail without data events covers every monitored account: %v", got)
	}

	f := principalFacts{principal: activity.Principal{AccountID: "222222222222"}, monitored: true,
		grants: []activity.Grant{{Resource: activity.Resource{Kind: activity.KindS3Bucket}, Actions: []string{"s3:GetObject"}}}}
	n := notes(f.principal, f, nil, map[string]bool{"222222222222": true}, got)
	if len(n) != 1 || !strings.Contains(n[0], "event selectors") {
		t.Errorf("notes %q, want the selectors named", n)
	}
	n = notes(f.principal, f, nil, map[string]bool{}, map[string]bool{})
	if len(n) != 1 || !strings.Contains(n[0], "no S3 object-level events were seen") {
		t.Errorf("notes without selectors %q, want the guess stated as such", n)
	}
}
