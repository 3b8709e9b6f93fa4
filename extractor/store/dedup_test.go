package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"path/filepath"
	"testing"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// oldEventKey is a key of the former usage_events.
func oldEventKey(at int64, id [16]byte) []byte {
	k := make([]byte, 24)
	binary.BigEndian.PutUint64(k[:8], uint64(at))
	copy(k[8:], id[:])
	return k
}

// Migration 0060 keeps the keys of the horizon's days from usage_events, so
// that a re-delivery of an event counted before the upgrade still counts
// once; older keys go.
func TestMigrationKeepsTheKeysOfTheHorizon(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "activity.db")
	conn, err := sql.Open(driverName, dsn(path, modeWrite))
	if err != nil {
		t.Fatal(err)
	}
	old := &DB{sql: conn, path: path, Now: time.Now}
	if _, err := conn.Exec(`CREATE TABLE schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`); err != nil {
		t.Fatal(err)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.version < 60 {
			if err := old.apply(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
	}
	const newest = 20_400
	recent := [16]byte{1, 2, 3}
	stale := [16]byte{4, 5, 6}
	for _, q := range []struct {
		query string
		args  []any
	}{
		{`INSERT INTO usage_observed VALUES ('111111111111', 'us-east-1', ?, 5)`, []any{newest}},
		{`INSERT INTO usage_events VALUES (?), (?)`, []any{
			oldEventKey((newest-DedupHorizonDays)*86400+60, recent), oldEventKey((newest-DedupHorizonDays)*86400-60, stale)}},
	} {
		if _, err := conn.Exec(q.query, q.args...); err != nil {
			t.Fatalf("%s: %v", q.query, err)
		}
	}
	conn.Close()

	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.sql.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name = 'usage_events'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("usage_events left after the migration (%d, %v)", n, err)
	}
	// The re-delivery of the recent event is a duplicate; the stale one,
	// past the horizon, counts again.
	w := db.NewUsageWriter(1)
	defer w.Close()
	f := &ObjectFacts{Location: "s3://trail/redelivered.json.gz", Account: "111111111111", Region: "us-east-1"}
	f.Principals = []activity.Principal{{ARN: "arn:aws:iam::111111111111:user/alice", Kind: "iam_user", AccountID: "111111111111", Name: "alice"}}
	f.Resources = []activity.Resource{{ARN: "arn:aws:s3:::data", Kind: "s3_bucket", AccountID: "111111111111", Name: "data"}}
	for _, u := range []struct {
		id [16]byte
		at int64
	}{{recent, (newest-DedupHorizonDays)*86400 + 60}, {stale, (newest-DedupHorizonDays)*86400 - 60}} {
		f.Uses = append(f.Uses, activity.UseFact{EventID: u.id, At: u.at, Principal: 0, Resource: 0, Action: "s3:GetObject"})
	}
	c, err := w.Commit(ctx, []*ObjectFacts{f})
	if err != nil {
		t.Fatal(err)
	}
	if c.Duplicates != 1 || c.Uses != 1 {
		t.Errorf("after the migration: %+v, want the recent event a duplicate and the stale one counted", c)
	}
}

// Keys differ for events of one second whose ids differ in any byte, and
// are ordered by time first.
func TestDedupKeysTellEventsApart(t *testing.T) {
	base := [16]byte{0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x33, 0x33, 0x44, 0x44, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55}
	seen := map[dedupKey]int{dedupKeyOf(1e9, base): -1}
	for i := range base {
		id := base
		id[i] ^= 0x80
		k := dedupKeyOf(1e9, id)
		if j, dup := seen[k]; dup {
			t.Errorf("ids differing in byte %d and %d share a key", i, j)
		}
		seen[k] = i
	}
	a, b := dedupKeyOf(1e9, base), dedupKeyOf(1e9+1, [16]byte{})
	if string(a[:]) >= string(b[:]) {
		t.Errorf("the key of a later second does not sort after: %x, %x", a, b)
	}
	got, err := dedupKeyOfEventKey(oldEventKey(1e9, base))
	if err != nil || string(got) != string(a[:]) {
		t.Errorf("dedup_key of the former key = %x, %v; want %x", got, err, a)
	}
	if _, err := dedupKeyOfEventKey([]byte{1, 2}); err == nil {
		t.Error("dedup_key of 2 bytes succeeded")
	}
}
