package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

func openTemp(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "activity.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestOpenCreatesPrivateFile(t *testing.T) {
	db := openTemp(t)
	fi, err := os.Stat(db.Path())
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("database file mode = %o, want 600", got)
	}
	// The WAL file appears on the first write and must not be wider.
	if err := db.CreateIntegration(context.Background(), activity.Integration{AccountID: "111111111111", Trail: "t", Region: "us-east-1"}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(db.Path() + "-wal"); err == nil && fi.Mode().Perm() != 0o600 {
		t.Errorf("WAL file mode = %o, want 600", fi.Mode().Perm())
	}
}

func TestMigrationsAppliedOnceInOrder(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "a.db")
	for i := 0; i < 3; i++ {
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("open #%d: %v", i, err)
		}
		ms, _ := migrations()
		var n int
		if err := db.SQL().QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != len(ms) {
			t.Errorf("open #%d: %d migrations recorded, want %d", i, n, len(ms))
		}
		v, _ := db.SchemaVersion(ctx)
		if v != ms[len(ms)-1].version {
			t.Errorf("schema version %d, want %d", v, ms[len(ms)-1].version)
		}
		db.Close()
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	if _, err := db.SQL().Exec(`INSERT INTO schema_migrations VALUES (9999, '9999_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err := Open(ctx, db.Path())
	if err == nil || !strings.Contains(err.Error(), "newer than this release") {
		t.Fatalf("Open on a newer schema: err = %v, want a refusal", err)
	}
}

func TestOpenRejectsS3URL(t *testing.T) {
	if _, err := Open(context.Background(), "s3://bucket/db"); err == nil {
		t.Fatal("Open accepted an s3:// URL")
	}
}

func TestIntegrationLifecycle(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	clock := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return clock }

	in := activity.Integration{AccountID: "111111111111", Trail: "arn:aws:cloudtrail:us-east-2:222222222222:trail/org-trail",
		Region: "us-east-2", SkipExtraction: true, RoleARN: "arn:aws:iam::111111111111:role/reader"}
	if err := db.CreateIntegration(ctx, in); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateIntegration(ctx, in); !errors.Is(err, ErrExists) {
		t.Fatalf("second create: err = %v, want ErrExists", err)
	}
	got, err := db.Integration(ctx, in.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Trail != in.Trail || got.Region != in.Region || !got.SkipExtraction || got.ExtractForOrganization ||
		got.RoleARN != in.RoleARN || !got.CreatedAt.Equal(clock) || got.Mode() != "skip" {
		t.Errorf("read back %+v", got)
	}

	clock = clock.Add(time.Hour)
	in.SkipExtraction, in.ExtractForOrganization = false, true
	if err := db.UpdateIntegration(ctx, in); err != nil {
		t.Fatal(err)
	}
	ti := activity.TrailInfo{ARN: in.Trail, S3Bucket: "logs", S3KeyPrefix: "p", IsOrganizationTrail: true, KMSKeyID: "k", ResolvedAt: clock}
	if err := db.SetTrailInfo(ctx, in.AccountID, ti); err != nil {
		t.Fatal(err)
	}
	got, _ = db.Integration(ctx, in.AccountID)
	if got.Mode() != "organization" || got.TrailInfo != ti || !got.UpdatedAt.Equal(clock) || !got.CreatedAt.Equal(clock.Add(-time.Hour)) {
		t.Errorf("after update: %+v", got)
	}

	if err := db.UpdateIntegration(ctx, activity.Integration{AccountID: "333333333333", Trail: "t", Region: "us-east-1"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("update of a missing integration: err = %v, want ErrNotFound", err)
	}
	if err := db.DeleteIntegration(ctx, in.AccountID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Integration(ctx, in.AccountID); !errors.Is(err, ErrNotFound) {
		t.Errorf("after delete: err = %v, want ErrNotFound", err)
	}
	if err := db.DeleteIntegration(ctx, in.AccountID); err != nil {
		t.Errorf("second delete: %v", err)
	}
}

func TestSchemaRefusesBadRows(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	for name, in := range map[string]activity.Integration{
		"short account id": {AccountID: "1234", Trail: "t", Region: "us-east-1"},
		"letters in id":    {AccountID: "12345678901a", Trail: "t", Region: "us-east-1"},
		"both modes":       {AccountID: "111111111111", Trail: "t", Region: "us-east-1", ExtractForOrganization: true, SkipExtraction: true},
		"empty trail":      {AccountID: "111111111111", Region: "us-east-1"},
	} {
		if err := db.CreateIntegration(ctx, in); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestIntegrationsOrderedAndConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	other, err := Open(ctx, db.Path()) // a second process-like handle on the same file
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ids := []string{"999999999999", "111111111111", "555555555555", "222222222222", "888888888888", "333333333333"}
	var wg sync.WaitGroup
	errs := make(chan error, len(ids))
	for i, id := range ids {
		h := db
		if i%2 == 1 {
			h = other
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- h.CreateIntegration(ctx, activity.Integration{AccountID: id, Trail: "t", Region: "us-east-1"})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	all, err := db.Integrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(ids) {
		t.Fatalf("%d integrations, want %d", len(all), len(ids))
	}
	for i := 1; i < len(all); i++ {
		if all[i-1].AccountID >= all[i].AccountID {
			t.Errorf("not ordered: %s before %s", all[i-1].AccountID, all[i].AccountID)
		}
	}
}

func TestSnapshotIsConsistentAndReadOnly(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	if err := db.CreateIntegration(ctx, activity.Integration{AccountID: "111111111111", Trail: "t", Region: "us-east-1"}); err != nil {
		t.Fatal(err)
	}
	snap := filepath.Join(t.TempDir(), "snap.db")
	if err := db.SnapshotTo(ctx, snap); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(snap); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("snapshot mode: %v %v", fi, err)
	}
	// Writes after the snapshot do not reach it.
	if err := db.CreateIntegration(ctx, activity.Integration{AccountID: "222222222222", Trail: "t", Region: "us-east-1"}); err != nil {
		t.Fatal(err)
	}
	ro, err := OpenReadOnly(ctx, snap)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	all, err := ro.Integrations(ctx)
	if err != nil || len(all) != 1 || all[0].AccountID != "111111111111" {
		t.Fatalf("snapshot holds %+v (%v), want the one integration of the snapshot's time", all, err)
	}
	if err := ro.CreateIntegration(ctx, activity.Integration{AccountID: "333333333333", Trail: "t", Region: "us-east-1"}); err == nil {
		t.Error("a read-only snapshot accepted a write")
	}
	if _, err := OpenReadOnly(ctx, filepath.Join(t.TempDir(), "missing.db")); err == nil {
		t.Error("OpenReadOnly of a missing file succeeded")
	}
}

// The schema's check on resource kinds lists the registry's kinds: a new
// kind needs a migration that lets the store keep it.
func TestResourceKindsCheckedByTheSchemaAreTheRegistrys(t *testing.T) {
	db := openTemp(t)
	var ddl string
	if err := db.SQL().QueryRow(`SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'resources'`).Scan(&ddl); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`kind\s+TEXT\s+NOT NULL CHECK \(kind IN \(([^)]*)\)\)`).FindStringSubmatch(ddl)
	if m == nil {
		t.Fatalf("no check on kind in %s", ddl)
	}
	var checked []string
	for _, k := range strings.Split(m[1], ",") {
		checked = append(checked, strings.Trim(strings.TrimSpace(k), "'"))
	}
	want := activity.ResourceKindNames()
	sort.Strings(checked)
	sort.Strings(want)
	if !slices.Equal(checked, want) {
		t.Errorf("the schema keeps resource kinds %v, the registry has %v", checked, want)
	}
}

// databaseAt is a database as a release whose latest migration was version
// left it: its path, and a connection for writing the rows that release
// wrote.
func databaseAt(t *testing.T, version int) (string, *sql.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "activity.db")
	conn, err := sql.Open(driverName, dsn(path, modeWrite))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	old := &DB{sql: conn, path: path, Now: time.Now}
	if _, err := conn.Exec(`CREATE TABLE schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`); err != nil {
		t.Fatal(err)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.version <= version {
			if err := old.apply(context.Background(), m); err != nil {
				t.Fatal(err)
			}
		}
	}
	return path, conn
}
