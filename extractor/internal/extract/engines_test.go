package extract_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/cloudtrail"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/extract"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/generate"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// The events of a day the Athena engine loaded are left to it: the local
// engine counts none of them, and says how many it left.
func TestExtractLeavesAthenaDays(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	end := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	m, err := generate.Run(ctx, generate.Options{Out: dir, Accounts: 2, Users: 6, Days: 4, Events: 3000, Seed: 5, End: end})
	if err != nil {
		t.Fatal(err)
	}
	trail := filepath.Join(dir, m.TrailFolder)
	athenaDay := store.Day(end.AddDate(0, 0, -1))

	// Counted apart from the engine: records whose event falls on that day,
	// duplicate deliveries included.
	var want int64
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
				want++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want == 0 {
		t.Fatal("the generated trail has no event on the day given to Athena")
	}

	db := openDB(t)
	sum, err := extract.Run(ctx, db, extract.Options{
		Sources: []cloudtrail.Source{cloudtrail.Folder{Dir: trail}}, AsOf: end, Window: 30 * 24 * time.Hour, Workers: 2,
		AthenaDays: map[int64]bool{athenaDay: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum.LeftToAthena != want {
		t.Errorf("%d events left to Athena, want %d", sum.LeftToAthena, want)
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
		if n != 0 {
			t.Errorf("%s: %d rows on the day left to Athena", q, n)
		}
	}
	athena, local, err := db.DaysByEngine(ctx, athenaDay-5, athenaDay+5)
	if err != nil {
		t.Fatal(err)
	}
	if len(athena) != 0 || local[athenaDay] || !local[athenaDay-1] {
		t.Errorf("days by engine: athena %v, local %v", athena, local)
	}
}
