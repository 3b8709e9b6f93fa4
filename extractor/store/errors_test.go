package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// TestErrorReasonsAreBounded: a reason is stored cut to MaxMessage with a
// marker, whichever path records it.
func TestErrorReasonsAreBounded(t *testing.T) {
	db := openUsageDB(t)
	ctx := context.Background()
	run, err := db.StartExtractRun(ctx, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), 30, []string{"s3://b/"})
	if err != nil {
		t.Fatal(err)
	}
	w := db.NewUsageWriter(run)
	long := "not JSON: " + strings.Repeat("x", 1_000_000)
	read := &ObjectFacts{Location: "s3://b/read.json.gz", ETag: "e", Skipped: true, Errors: []InputError{{RecordIndex: -1, Reason: long}}}
	if _, err := w.Commit(ctx, []*ObjectFacts{read}); err != nil {
		t.Fatal(err)
	}
	unread := &ObjectFacts{Location: "s3://b/unread.json.gz", Errors: []InputError{{RecordIndex: 3, Reason: "cannot read: " + long}, {RecordIndex: 4, Reason: "short"}}}
	if err := w.RecordErrors(ctx, unread); err != nil {
		t.Fatal(err)
	}
	errs, err := db.ExtractErrors(ctx, run, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) != 3 {
		t.Fatalf("%d errors stored, want 3", len(errs))
	}
	for _, e := range errs[:2] {
		if len(e.Reason) > activity.MaxMessage || !strings.Contains(e.Reason, "…[cut ") || !strings.HasSuffix(e.Reason, " bytes]") {
			t.Errorf("%s: reason of %d bytes stored as %d bytes: %.120s", e.Location, len(long), len(e.Reason), e.Reason)
		}
	}
	if errs[2].Reason != "short" {
		t.Errorf("a short reason was changed to %q", errs[2].Reason)
	}
}
