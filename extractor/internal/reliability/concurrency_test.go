package reliability

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// Case 3a: two extract runs on one database at once. The second waits for
// the first (saying so), so together they read each object exactly once,
// their summaries add up to one run's, and the facts are a clean run's.
func TestReliabilityTwoExtracts(t *testing.T) {
	c := begin(t, "two-extracts-one-db")
	tr := generate(t, size(30000, 200000), size(10, 20))
	clean := cleanRun(t, tr)
	for round := 0; round < size(3, 10); round++ {
		db := dbIn(t)
		c.inputs += tr.files
		a := startChild(t, nil, extractArgs(db, tr.source(), tr.asOf, "--json")...)
		b := startChild(t, nil, extractArgs(db, tr.source(), tr.asOf, "--json")...)
		c.runs += 2
		read, waited := 0, 0
		for _, ch := range []*child{a, b} {
			if status := ch.wait(); status != 0 {
				t.Fatalf("round %d: exit status %d:\n%s", round, status, ch.stderr.String())
			}
			if strings.Contains(ch.stderr.String(), "waiting for it to finish") {
				waited++
				c.faults++
			}
			var sum struct {
				Read int `json:"objects_read"`
			}
			if err := json.Unmarshal(ch.stdout.Bytes(), &sum); err != nil {
				t.Fatalf("round %d: summary %q: %v", round, ch.stdout.String(), err)
			}
			read += sum.Read
		}
		if read != tr.files {
			t.Errorf("round %d: the two runs read %d objects between them; want each of the %d once", round, read, tr.files)
		}
		t.Logf("round %d: %d of the two runs waited for the other", round, waited)
		integrity(t, db)
		sameFacts(t, c, clean, db)
	}
}

// Case 3b: the provider's data sources read while extract and score write:
// every read opens the database as the provider does, sees a consistent
// snapshot, and never meets "database is locked".
func TestReliabilityReadsDuringWrites(t *testing.T) {
	c := begin(t, "provider-reads-during-extract")
	tr := generate(t, size(30000, 200000), size(10, 20))
	clean := cleanRun(t, tr)
	db := dbIn(t)
	// Entitlements and a first score run, so the reads have scores to read.
	mustRun(t, nil, append([]string{"--db", db, "discover"}, tr.authzArgs()...)...)
	mustRun(t, nil, "--db", db, "score", "--as-of", tr.asOf)
	c.inputs = tr.files

	var stop atomic.Bool
	type readResult struct {
		reads int
		errs  []string
	}
	results := make(chan readResult)
	for r := 0; r < 2; r++ {
		go func() {
			var res readResult
			last := int64(-1)
			for !stop.Load() {
				n, err := providerRead(db, tr.asOf)
				res.reads++
				switch {
				case err != nil:
					res.errs = append(res.errs, err.Error())
				case n < last:
					res.errs = append(res.errs, fmt.Sprintf("usage rows went from %d back to %d", last, n))
				default:
					last = n
				}
			}
			results <- res
		}()
	}
	for range size(3, 10) {
		mustRun(t, nil, extractArgs(db, tr.source(), tr.asOf)...)
		mustRun(t, nil, "--db", db, "score", "--as-of", tr.asOf)
		c.runs += 2
	}
	stop.Store(true)
	for r := 0; r < 2; r++ {
		res := <-results
		c.faults += res.reads
		for _, e := range res.errs {
			t.Errorf("provider read: %s", e)
		}
	}
	integrity(t, db)
	// Discovery added principals of its own: compare the uses only.
	c.lost, c.twice = compareCounts(clean.counts, counts(t, db))
	if c.lost != 0 || c.twice != 0 {
		t.Errorf("%d events lost and %d counted twice against a clean run", c.lost, c.twice)
	}
}

// providerRead does what the provider's data sources do: open the database,
// find the latest score run, read its principal scores; and sums the uses
// counted, in one statement (one snapshot).
func providerRead(path, asOf string) (int64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := store.Open(ctx, path)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	run, err := db.ScoreRunFor(ctx, 30, time.Time{})
	if err != nil {
		return 0, fmt.Errorf("latest score run: %w", err)
	}
	if _, err := db.PrincipalScores(ctx, run.ID, store.ScoreFilter{}); err != nil {
		return 0, fmt.Errorf("principal scores: %w", err)
	}
	var sum int64
	if err := db.SQL().QueryRowContext(ctx, `SELECT coalesce(sum(count), 0) FROM usage_actions`).Scan(&sum); err != nil {
		return 0, err
	}
	return sum, nil
}
