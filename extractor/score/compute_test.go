package score_test

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/score"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// Computing a window without storing it gives what a stored run of the same
// window reads back, principal by principal and key by key.
func TestComputeIsWhatRunStores(t *testing.T) {
	ctx := context.Background()
	gen := generated(t)
	dbPath := filepath.Join(t.TempDir(), "activity.db")
	runCLI(t, ctx, []string{"--db", dbPath, "extract", "--source", filepath.Join(gen, "trail"), "--as-of", scenarioAsOf})
	runCLI(t, ctx, append([]string{"--db", dbPath, "discover"}, authzArgs(t, gen)...))
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	asOf, err := time.Parse(time.RFC3339, scenarioAsOf)
	if err != nil {
		t.Fatal(err)
	}
	// A window end inside a day, and a window shorter than the default.
	w := activity.Window{AsOf: asOf.Add(-13*time.Hour - 17*time.Minute), Days: 9}
	sum, err := score.Run(ctx, db, w, nil)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := db.PrincipalScores(ctx, sum.RunID, store.ScoreFilter{})
	if err != nil {
		t.Fatal(err)
	}
	computed, err := score.Compute(ctx, db, w, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) == 0 || len(stored) != len(computed.Principals) {
		t.Fatalf("%d principals stored, %d computed", len(stored), len(computed.Principals))
	}
	byARN := map[string]activity.PrincipalScore{}
	for _, p := range computed.Principals {
		byARN[p.ARN] = p
	}
	scored := 0
	for _, s := range stored {
		c, ok := byARN[s.ARN]
		if !ok {
			t.Errorf("%s stored, not computed", s.ARN)
			continue
		}
		if s.OPS != nil {
			scored++
		}
		if !reflect.DeepEqual(summary(s), summary(c)) {
			t.Errorf("%s: stored %+v, computed %+v", s.ARN, summary(s), summary(c))
		}
	}
	if scored == 0 {
		t.Error("no principal has a score: the comparison says little")
	}
	keys, err := db.KeyActivityAsOf(ctx, w.AsOf)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) == 0 || !reflect.DeepEqual(keys, computed.KMSKeys) {
		t.Errorf("keys: stored %d, computed %d, or they differ", len(keys), len(computed.KMSKeys))
	}
	one, err := score.Compute(ctx, db, w, func(p activity.Principal) bool { return p.ARN == stored[0].ARN })
	if err != nil || len(one.Principals) != 1 || one.Principals[0].ARN != stored[0].ARN {
		t.Errorf("computing one principal: %v, %d principals", err, len(one.Principals))
	}
}

type scoreSummary struct {
	Monitored, Dormant bool
	OPS, ResourceOPS   string
	NAReason, Last     string
	Resources          int
	Notes              []string
}

func summary(p activity.PrincipalScore) scoreSummary {
	f := func(v *float64) string { return fmtNum(v) }
	last := ""
	if p.LastActivityAt != nil {
		last = p.LastActivityAt.UTC().Format(time.RFC3339)
	}
	notes := p.Notes
	if len(notes) == 0 {
		notes = nil // stored runs read back an empty list
	}
	return scoreSummary{p.Monitored, p.Dormant, f(p.OPS), f(p.ResourceOPS), p.NAReason, last, len(p.Resources), notes}
}
