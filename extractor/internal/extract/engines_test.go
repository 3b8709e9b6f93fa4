package extract_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/cloudtrail"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/engine"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/extract"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/generate"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// The events of a day the Athena engine loaded for an integration are left
// to it: the local engine reading that integration's logs, or logs named by
// location (which may be any integration's), counts none of them and says
// how many it left; reading another integration's logs, it counts them.
func TestExtractLeavesAthenaDays(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	end := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	m, err := generate.Run(ctx, generate.Options{Out: dir, Accounts: 2, Users: 6, Days: 4, Events: 3000, Seed: 5, End: end})
	if err != nil {
		t.Fatal(err)
	}
	trail := filepath.Join(dir, m.TrailFolder)
	athenaDay := activity.Day(end.AddDate(0, 0, -1))

	// Counted apart from the engine: records whose event falls on that day,
	// duplicate deliveries included.
	var onAthenaDay int64
	err = filepath.WalkDir(trail, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !cloudtrail.IsEventObject(path) {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close() //nolint:errcheck // read only
		dec, err := cloudtrail.Decoder{}.Decode(f)
		if err != nil {
			return err
		}
		for _, r := range dec.Records {
			if strings.HasPrefix(r.EventTime, end.AddDate(0, 0, -1).Format(time.DateOnly)) {
				onAthenaDay++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if onAthenaDay == 0 {
		t.Fatal("the generated trail has no event on the day given to Athena")
	}

	const loaded, other = "111111111111", "222222222222"
	for _, tc := range []struct {
		name        string
		integration string // of the logs read
		left        bool
	}{
		{"logs named by location", "", true},
		{"logs of the integration Athena loaded", loaded, true},
		{"logs of another integration", other, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openDB(t)
			runID, err := db.StartExtractRun(ctx, end, 1, []string{"athena"})
			if err != nil {
				t.Fatal(err)
			}
			if err := db.CommitAggregated(ctx, store.AthenaQuery{QueryID: "q1", Integration: loaded, RunID: runID, Days: []int64{athenaDay}}, &store.AggregatedFacts{}); err != nil {
				t.Fatal(err)
			}
			src := engine.Source{Integration: activity.Integration{AccountID: tc.integration}, Logs: cloudtrail.Folder{Dir: trail}}
			sum, err := engine.Extract(ctx, db, extract.New(extract.Options{Workers: 2}), activity.Window{AsOf: end, Days: 30}, []engine.Source{src}, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := int64(0)
			if tc.left {
				want = onAthenaDay
			}
			if sum.EventsLeft != want {
				t.Errorf("%d events left to Athena, want %d", sum.EventsLeft, want)
			}
			for _, q := range []string{
				`SELECT count(*) FROM usage_actions WHERE day = ?`, `SELECT count(*) FROM usage_failures WHERE day = ?`,
				`SELECT count(*) FROM usage_principal_days WHERE day = ?`, `SELECT count(*) FROM usage_observed WHERE day = ?`,
				`SELECT count(*) FROM usage_key_days WHERE day = ?`, `SELECT count(*) FROM usage_session_days WHERE day = ?`,
			} {
				var n int
				if err := db.SQL().QueryRow(q, athenaDay).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if tc.left && n != 0 {
					t.Errorf("%s: %d rows on the day left to Athena", q, n)
				}
				if !tc.left && n == 0 && strings.Contains(q, "usage_observed") {
					t.Errorf("%s: nothing read on the day Athena loaded for another integration", q)
				}
			}
			days, err := db.EngineDays(ctx, athenaDay-5, athenaDay+5)
			if err != nil {
				t.Fatal(err)
			}
			athena, local := map[int64]bool{}, map[int64]bool{}
			for _, d := range days {
				switch {
				case d.Engine == store.EngineAthena && d.Integration == loaded:
					athena[d.Day] = true
				case d.Engine == store.EngineLocal && d.Integration == tc.integration && d.RunID == sum.RunID:
					local[d.Day] = true
				default:
					t.Errorf("unexpected engine day %+v", d)
				}
			}
			if len(athena) != 1 || !athena[athenaDay] || local[athenaDay] == tc.left || !local[athenaDay-1] {
				t.Errorf("days by engine: athena %v, local %v", athena, local)
			}
		})
	}
}
