package extract_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/cli"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/score"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/testenv"
)

// The duplicate check keeps its state for store.DedupHorizonDays after the
// newest day of an account and region. These tests deliver the events of
// alice (account 111111111111 of the score scenario, allowed s3:* on the
// bucket data) as CloudTrail would, and run extract as a user does.

const horizonAccount = "111111111111"

const authzDetails = "../../score/testdata/scenario/authz-details-111111111111.json"

// event is one CloudTrail record of alice's: an action on the bucket data.
type event struct {
	id, at, name string
}

func (e event) record() string {
	return fmt.Sprintf(`{"eventVersion":"1.10","eventTime":%q,"eventSource":"s3.amazonaws.com","eventName":%q,`+
		`"eventID":%q,"awsRegion":"us-east-1","recipientAccountId":"111111111111",`+
		`"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/alice","accountId":"111111111111","userName":"alice"},`+
		`"requestParameters":{"bucketName":"data","key":"report.csv"}}`, e.at, e.name, e.id)
}

// deliver writes events as one delivery file of the organization trail
// (org true) or of the account's own trail, delivered at the given time.
func deliver(t *testing.T, dir string, org bool, delivered string, unique string, events ...event) {
	t.Helper()
	at, err := time.Parse(time.RFC3339, delivered)
	if err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(dir, "AWSLogs")
	if org {
		folder = filepath.Join(folder, "o-abcdefghij")
	}
	folder = filepath.Join(folder, horizonAccount, "CloudTrail", "us-east-1", at.Format("2006/01/02"))
	if err := os.MkdirAll(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	var recs []string
	for _, e := range events {
		recs = append(recs, e.record())
	}
	name := fmt.Sprintf("%s_CloudTrail_us-east-1_%s_%s.json.gz", horizonAccount, at.Format("20060102T1504Z"), unique)
	data := gz(t, []byte(`{"Records":[`+strings.Join(recs, ",")+`]}`))
	if err := os.WriteFile(filepath.Join(folder, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// extractAt runs `extract --source dir --as-of asOf` and returns its
// duplicate_events.
func extractAt(t *testing.T, db, dir, asOf string) int {
	t.Helper()
	var out strings.Builder
	err := cli.Run(context.Background(), []string{"--db", db, "extract", "--source", dir, "--as-of", asOf, "--window", "90d", "--json"},
		cli.Streams{In: strings.NewReader(""), Out: &out, Err: &strings.Builder{}}, "test")
	if err != nil {
		t.Fatalf("extract --as-of %s: %v\n%s", asOf, err, out.String())
	}
	m := regexp.MustCompile(`"duplicate_events": (\d+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no duplicate_events in\n%s", out.String())
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func newScoredDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "activity.db")
	if err := cli.Run(context.Background(), []string{"--db", db, "discover", "--authz-details", authzDetails},
		cli.Streams{In: strings.NewReader(""), Out: &strings.Builder{}, Err: &strings.Builder{}}, "test"); err != nil {
		t.Fatal(err)
	}
	return db
}

// aliceGetObjects is alice's count of s3:GetObject on the bucket data.
func aliceGetObjects(t *testing.T, path string) string {
	t.Helper()
	db, err := store.OpenReadOnly(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return strings.TrimSpace(testenv.Rows(t, db.SQL(), `SELECT coalesce(sum(count), 0) FROM usage_actions u JOIN principals p ON p.id = u.principal_id
		WHERE p.arn = 'arn:aws:iam::111111111111:user/alice' AND u.action = 's3:GetObject'`))
}

// withoutCounts is every fact extract keeps, with the counts of uses
// blanked: what a duplicate past the horizon may not change.
func withoutCounts(t *testing.T, path string) string {
	t.Helper()
	db, err := store.OpenReadOnly(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var b strings.Builder
	for _, q := range testenv.FactQueries {
		q = strings.Replace(q, "u.count", "0", 1)
		b.WriteString(testenv.Rows(t, db.SQL(), q))
		b.WriteString("--\n")
	}
	return b.String()
}

// aliceOPS is alice's OPS over the 90 days before asOf.
func aliceOPS(t *testing.T, path, asOf string) string {
	t.Helper()
	db, err := store.OpenReadOnly(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	end, _ := time.Parse(time.RFC3339, asOf)
	scores, err := score.Compute(context.Background(), db, activity.Window{AsOf: end, Days: 90}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range scores.Principals {
		if p.ARN == "arn:aws:iam::111111111111:user/alice" {
			if p.OPS == nil {
				t.Fatalf("alice has no OPS: %+v", p)
			}
			return fmt.Sprintf("%.6f", *p.OPS)
		}
	}
	t.Fatal("alice was not scored")
	return ""
}

func TestDuplicatesInsideTheHorizonCountOnce(t *testing.T) {
	db := newScoredDB(t)
	dir := t.TempDir()
	e1 := event{"aaaaaaaa-0000-4000-8000-000000000001", "2026-11-10T10:00:00Z", "GetObject"}
	e2 := event{"bbbbbbbb-0000-4000-8000-000000000002", "2026-11-10T10:01:00Z", "GetObject"}
	// The organization trail's file, the same file delivered twice (the
	// second copy under another name), and the account trail's own file.
	deliver(t, dir, true, "2026-11-10T10:05:00Z", "AAAA", e1, e2)
	deliver(t, dir, true, "2026-11-10T10:05:00Z", "BBBB", e1, e2)
	deliver(t, dir, false, "2026-11-10T10:06:00Z", "CCCC", e1, e2)
	// And a copy under a name that is not CloudTrail's: the records name
	// the account and region.
	renamed := gz(t, []byte(`{"Records":[`+e1.record()+`,`+e2.record()+`]}`))
	if err := os.WriteFile(filepath.Join(dir, "renamed.json.gz"), renamed, 0o644); err != nil {
		t.Fatal(err)
	}
	if dups := extractAt(t, db, dir, "2026-11-11T00:00:00Z"); dups != 6 {
		t.Errorf("first run: %d duplicate events, want 6 (three copies of two events)", dups)
	}
	if got := aliceGetObjects(t, db); got != "2" {
		t.Errorf("alice's GetObject counted %s times, want 2", got)
	}
	// A re-delivery hours later, in the next run, with a new event of the
	// next day that moves the newest day on.
	e3 := event{"cccccccc-0000-4000-8000-000000000003", "2026-11-11T09:00:00Z", "GetObject"}
	deliver(t, dir, true, "2026-11-11T09:05:00Z", "DDDD", e1, e3)
	if dups := extractAt(t, db, dir, "2026-11-12T00:00:00Z"); dups != 1 {
		t.Errorf("re-delivery: %d duplicate events, want 1", dups)
	}
	if got := aliceGetObjects(t, db); got != "3" {
		t.Errorf("alice's GetObject counted %s times after the re-delivery, want 3", got)
	}
}

func TestDuplicatePastTheHorizonChangesOnlyACount(t *testing.T) {
	db := newScoredDB(t)
	dir := t.TempDir()
	old := event{"aaaaaaaa-0000-4000-8000-000000000001", "2026-11-01T10:00:00Z", "GetObject"}
	deliver(t, dir, true, "2026-11-01T10:05:00Z", "AAAA", old)
	extractAt(t, db, dir, "2026-11-02T00:00:00Z")
	// Later days of the same account and region move the horizon past the
	// old event's day.
	for d := 2; d <= 2+store.DedupHorizonDays+1; d++ {
		day := fmt.Sprintf("2026-11-%02d", d)
		deliver(t, dir, true, day+"T12:05:00Z", fmt.Sprintf("D%03d", d),
			event{fmt.Sprintf("dddddddd-0000-4000-8000-%012d", d), day + "T12:00:00Z", "PutObject"})
		extractAt(t, db, dir, fmt.Sprintf("2026-11-%02dT00:00:00Z", d+1))
	}
	asOf := "2026-11-15T00:00:00Z"
	facts, ops := withoutCounts(t, db), aliceOPS(t, db, asOf)
	if got := aliceGetObjects(t, db); got != "1" {
		t.Fatalf("alice's GetObject counted %s times, want 1", got)
	}
	// The old event again, from the account's own trail.
	deliver(t, dir, false, "2026-11-14T08:00:00Z", "LATE", old)
	extractAt(t, db, dir, asOf)
	if got := aliceGetObjects(t, db); got != "1" && got != "2" {
		t.Errorf("alice's GetObject counted %s times, want 1 or 2", got)
	}
	if got := withoutCounts(t, db); got != facts {
		t.Errorf("a duplicate past the horizon changed facts other than counts:\n%s\nwas\n%s", got, facts)
	}
	if got := aliceOPS(t, db, asOf); got != ops {
		t.Errorf("a duplicate past the horizon changed alice's OPS from %s to %s", ops, got)
	}
}

// Sixty daily runs of one account in two regions: the duplicate check's
// state holds the horizon's days, not the history.
func TestDedupStateStaysBoundedOverDailyRuns(t *testing.T) {
	db := filepath.Join(t.TempDir(), "activity.db")
	dir := t.TempDir()
	const perDay = 20
	start := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	var sizes []int
	for d := 0; d < 60; d++ {
		day := start.AddDate(0, 0, d)
		var events []event
		for i := 0; i < perDay; i++ {
			events = append(events, event{fmt.Sprintf("eeeeeeee-0000-4000-8000-%06d%06d", d, i),
				day.Add(time.Duration(i) * time.Minute).Format(time.RFC3339), "GetObject"})
		}
		deliver(t, dir, true, day.Add(time.Hour).Format(time.RFC3339), fmt.Sprintf("R%03d", d), events...)
		// Yesterday's file again: a duplicate delivery every day.
		if d > 0 {
			prev := day.AddDate(0, 0, -1)
			deliver(t, dir, false, day.Add(2*time.Hour).Format(time.RFC3339), fmt.Sprintf("Y%03d", d),
				event{fmt.Sprintf("eeeeeeee-0000-4000-8000-%06d%06d", d-1, 0), prev.Format(time.RFC3339), "GetObject"})
		}
		if dups := extractAt(t, db, dir, day.AddDate(0, 0, 1).Format(time.RFC3339)); d > 0 && dups != 1 {
			t.Fatalf("day %d: %d duplicate events, want 1", d, dups)
		}
		s, err := store.OpenReadOnly(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := s.SQL().QueryRow(`SELECT coalesce(sum(length(keys) / 8), 0) FROM dedup_events`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		s.Close()
		sizes = append(sizes, n)
	}
	bound := (store.DedupHorizonDays + 1) * perDay
	for d, n := range sizes {
		if n > bound {
			t.Errorf("after day %d the state holds %d keys, more than the %d of the horizon", d, n, bound)
		}
	}
	if last := sizes[len(sizes)-1]; last != bound {
		t.Errorf("after 60 days the state holds %d keys, want the horizon's %d", last, bound)
	}
	if got := aliceGetObjects(t, db); got != fmt.Sprint(60*perDay) {
		t.Errorf("alice's GetObject counted %s times, want %d (each event once)", got, 60*perDay)
	}
}
