package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// foreignSQLite writes a SQLite database of another program: a table of its
// own, with or without an application id.
func foreignSQLite(t *testing.T, appID int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "other.db")
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)`, `INSERT INTO notes (body) VALUES ('keep me')`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if appID != 0 {
		if _, err := db.Exec(`PRAGMA application_id = ` + strconv.Itoa(appID)); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// A file that is not ours is refused, for writing and for reading, and keeps
// every byte; no WAL or shared-memory file is left beside it.
func TestForeignFilesAreRefusedUnchanged(t *testing.T) {
	ctx := context.Background()
	text := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(text, bytes.Repeat([]byte("not a database\n"), 20), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, path, says string
	}{
		{"tables of another program", foreignSQLite(t, 0), "tables notes"},
		{"application id of another program", foreignSQLite(t, 0x12345678), "application id 0x12345678"},
		{"not SQLite", text, "is not a SQLite database"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := fileSum(t, c.path)
			for name, open := range map[string]func(context.Context, string) (*DB, error){"Open": Open, "OpenExisting": OpenExisting, "OpenReadOnly": OpenReadOnly} {
				db, err := open(ctx, c.path)
				if err == nil {
					db.Close()
					t.Fatalf("%s opened %s", name, c.path)
				}
				if !errors.Is(err, ErrForeignDatabase) || !strings.Contains(err.Error(), c.says) || !strings.Contains(err.Error(), c.path) {
					t.Errorf("%s: %v; want ErrForeignDatabase naming the file and saying %q", name, err, c.says)
				}
			}
			if fileSum(t, c.path) != before {
				t.Error("the refused file changed")
			}
			for _, suffix := range []string{"-wal", "-shm", "-journal"} {
				if _, err := os.Stat(c.path + suffix); err == nil {
					t.Errorf("%s%s was created", c.path, suffix)
				}
			}
		})
	}
}

// A new database is marked as this product's; one written before the mark
// existed is recognised by its tables and marked when next opened.
func TestApplicationIDMarksOurDatabases(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "activity.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if got := appID(t, db); got != ApplicationID {
		t.Fatalf("application_id %#x, want %#x", got, ApplicationID)
	}
	// As an earlier release left it.
	if _, err := db.SQL().Exec(`PRAGMA application_id = 0`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	head := make([]byte, 72)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.ReadAt(head, 0)
	_ = f.Close()
	if err != nil || !bytes.Equal(head[68:72], []byte{0, 0, 0, 0}) {
		t.Fatalf("header application id %x, %v; want it cleared", head[68:72], err)
	}
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("a database of an earlier release is refused: %v", err)
	}
	if got := appID(t, db); got != ApplicationID {
		t.Errorf("application_id %#x after reopening, want %#x", got, ApplicationID)
	}
	db.Close()
	// file(1) and anyone else can tell it from the header alone, once the
	// last connection has checkpointed the WAL.
	if out, err := exec.Command("od", "-An", "-tx1", "-j68", "-N4", path).Output(); err == nil && strings.Join(strings.Fields(string(out)), "") != "41637476" {
		t.Errorf("header bytes 68-71 are %s, want 41637476", out)
	}
}

func appID(t *testing.T, db *DB) uint32 {
	t.Helper()
	var id int64
	if err := db.SQL().QueryRow(`PRAGMA application_id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return uint32(id)
}

// An empty file (as a user may create with touch, or Terraform's provider
// before the first write) is a new database.
func TestEmptyFileIsANewDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "activity.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, err := db.SchemaVersion(context.Background()); err != nil || v == 0 {
		t.Errorf("schema version %d, %v", v, err)
	}
}

// A file left by a run stopped during its first migrations, by a release
// that did not mark its databases yet, is still ours: its schema_migrations
// lists only this product's migrations.
func TestPartlyMigratedDatabaseOfAnEarlierReleaseIsOurs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "activity.db")
	raw, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`CREATE TABLE schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT;
		INSERT INTO schema_migrations VALUES (1, '0001_integrations.sql', 0);
		CREATE TABLE integrations (x)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if err := checkOwnership(context.Background(), path); err != nil {
		t.Errorf("a partly migrated database of ours is refused: %v", err)
	}
	// The same table listing a migration this product never had is not ours.
	raw, _ = sql.Open("sqlite3", "file:"+path)
	if _, err := raw.Exec(`INSERT INTO schema_migrations VALUES (2, '0002_users.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if err := checkOwnership(context.Background(), path); !errors.Is(err, ErrForeignDatabase) {
		t.Errorf("schema_migrations naming another program's migration: %v, want ErrForeignDatabase", err)
	}
}
