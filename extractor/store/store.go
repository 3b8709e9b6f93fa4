// Package store is the SQLite database shared by the extractor and the
// Terraform provider. Its schema is the only contract between the two: the
// provider declares what to monitor through it and reads results from it; the
// extractor writes everything else.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver too
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// DefaultPath is the database used when neither a flag nor a setting names one.
const DefaultPath = "activity.db"

// ErrNotFound is returned when a row asked for by key does not exist.
var ErrNotFound = errors.New("not found")

// ErrExists is returned when a row to be created exists already.
var ErrExists = errors.New("already exists")

// DB is an open store. It is safe for concurrent use.
type DB struct {
	sql      *sql.DB
	path     string
	readOnly bool

	// Now is the clock used for created/updated times. Tests replace it.
	Now func() time.Time
}

// Open opens the database at path, creating it with mode 0600 when it does not
// exist, and applies pending migrations.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("store: empty database path")
	}
	if strings.HasPrefix(path, "s3://") {
		return nil, fmt.Errorf("store: %q is an S3 URL; open a local copy of the snapshot instead", path)
	}
	if err := checkOwnership(ctx, path); err != nil {
		return nil, err
	}
	created, err := createPrivate(path)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open(driverName, dsn(path, modeWrite))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	s := &DB{sql: db, path: path, Now: time.Now}
	err = s.migrateWaiting(ctx, created)
	if err == nil {
		err = s.fillCanonicalARNs(ctx)
	}
	if err != nil {
		db.Close()
		if ctx.Err() != nil {
			// SQLite reports an interrupted statement in its own words.
			return nil, fmt.Errorf("store: open %s: %w", path, ctx.Err())
		}
		return nil, err
	}
	return s, nil
}

// createPrivate creates an empty database file readable by its owner only,
// before SQLite would create it with the process umask. SQLite gives its WAL
// and shared-memory files the same mode as the database file.
func createPrivate(path string) (bool, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: create %s: %w", path, err)
	}
	return true, f.Close()
}

// incrementalVacuum makes a new, empty file keep pointer maps, so that
// PRAGMA incremental_vacuum can give free pages back.
func (s *DB) incrementalVacuum(ctx context.Context) error {
	conn, err := s.sql.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close() //nolint:errcheck // the statements' errors are returned
	for _, q := range []string{`PRAGMA auto_vacuum = INCREMENTAL`, `VACUUM`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("store: %s: %s: %w", s.path, q, err)
		}
	}
	return nil
}

// openMode is how a connection may use the file.
type openMode int

const (
	modeWrite     openMode = iota // read, write, and create the WAL files
	modeReadOnly                  // read, taking the locks that keep reads consistent with writers
	modeImmutable                 // read a file nothing writes: no locks, no journal, no file created
)

// dsn puts the per-connection settings in the connection string so every
// pooled connection gets them, not only the first.
func dsn(path string, mode openMode) string {
	q := url.Values{}
	q.Set("_busy_timeout", "10000")
	q.Set("_foreign_keys", "on")
	switch mode {
	case modeImmutable:
		q.Set("mode", "ro")
		q.Set("immutable", "1")
	case modeReadOnly:
		q.Set("mode", "ro")
	default:
		q.Set("_journal_mode", "WAL")
		q.Set("_synchronous", "NORMAL")
		// Writers take the write lock at BEGIN, so two writers queue on the
		// busy timeout instead of failing when a read lock would need upgrading.
		q.Set("_txlock", "immediate")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Path is the file the store was opened from.
func (s *DB) Path() string { return s.path }

// Close closes the database.
func (s *DB) Close() error { return s.sql.Close() }

// SQL gives packages of the extractor that own tables of their own (through
// migrations here) access to the connection pool.
func (s *DB) SQL() *sql.DB { return s.sql }

type migration struct {
	version int
	name    string
	body    string
}

func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("store: migration %q is not named NNNN_name.sql", name)
		}
		body, err := migrationFiles.ReadFile(path.Join("migrations", name))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: name, body: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("store: migrations %s and %s share a version", out[i-1].name, out[i].name)
		}
	}
	return out, nil
}

// openWait bounds how long opening waits for another process that is
// setting up the same database: as long as a busy statement waits.
const openWait = 10 * time.Second

// migrateWaiting migrates, waiting for other processes that open the same
// new database at the same time. Setting up a connection (its switch to
// WAL) and the first statements on a new file can meet another process's
// locks in a way SQLite refuses at once rather than waiting for, so such a
// refusal is tried again, a little later, within openWait.
func (s *DB) migrateWaiting(ctx context.Context, created bool) error {
	deadline := time.Now().Add(openWait)
	vacuumed := !created
	for pause := 5 * time.Millisecond; ; pause = min(2*pause, 200*time.Millisecond) {
		var err error
		if !vacuumed {
			// Set before the first table, in the file this process
			// created: the pages that pruning frees (keys of events past
			// the duplicate check's horizon) go back to the file system.
			err = s.incrementalVacuum(ctx)
			vacuumed = err == nil
		}
		if err == nil {
			err = s.migrate(ctx)
		}
		var se sqlite3.Error
		if err == nil || !errors.As(err, &se) || se.Code != sqlite3.ErrBusy && se.Code != sqlite3.ErrLocked || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
	}
}

// migrate applies, in order, the migrations not yet recorded in
// schema_migrations, each in its own transaction with its record.
func (s *DB) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	// The mark first, so that a file left by a run stopped during its
	// first migrations is still recognised as ours.
	if err := s.stampApplicationID(ctx); err != nil {
		return err
	}
	if _, err := s.sql.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER NOT NULL PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at INTEGER NOT NULL
	) STRICT`); err != nil {
		return fmt.Errorf("store: %s: %w", s.path, err)
	}
	for _, m := range ms {
		if err := s.apply(ctx, m); err != nil {
			return fmt.Errorf("store: %s: migration %s: %w", s.path, m.name, err)
		}
	}
	return s.checkNotNewer(ctx, ms[len(ms)-1].version)
}

// noForeignKeys marks a migration that makes anew a table others refer to:
// it runs with foreign keys off, which SQLite allows only outside a
// transaction, and the references are checked before it commits.
const noForeignKeys = "-- foreign keys off\n"

func (s *DB) apply(ctx context.Context, m migration) error {
	conn, err := s.sql.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close() //nolint:errcheck // returns the connection to the pool
	if !strings.HasPrefix(m.body, noForeignKeys) {
		return applyIn(ctx, conn, m, s.Now())
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
		return err
	}
	err = applyIn(ctx, conn, m, s.Now())
	// The connection goes back to the pool: with foreign keys on again.
	if _, onErr := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = ON`); onErr != nil {
		return errors.Join(err, fmt.Errorf("turning foreign keys back on: %w", onErr))
	}
	return err
}

// applyIn applies m in a transaction of conn, with its record.
func applyIn(ctx context.Context, conn *sql.Conn, m migration, now time.Time) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.body); err != nil {
		return err
	}
	if strings.HasPrefix(m.body, noForeignKeys) {
		rows, err := tx.QueryContext(ctx, `PRAGMA foreign_key_check`)
		if err != nil {
			return err
		}
		broken := rows.Next()
		err = rows.Err()
		rows.Close()
		switch {
		case err != nil:
			return err
		case broken:
			return fmt.Errorf("rows refer to rows the migration lost (PRAGMA foreign_key_check)")
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, m.name, now.Unix()); err != nil {
		return err
	}
	return tx.Commit()
}

// checkNotNewer refuses a database written by a newer release, whose tables
// this one would misread.
func (s *DB) checkNotNewer(ctx context.Context, latest int) error {
	var v sql.NullInt64
	if err := s.sql.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil {
		return fmt.Errorf("store: %s: %w", s.path, err)
	}
	if v.Int64 > int64(latest) {
		return fmt.Errorf("store: %s has schema version %d, newer than this release knows (%d); upgrade activity-extractor and the provider together",
			s.path, v.Int64, latest)
	}
	return nil
}

// SchemaVersion is the latest migration applied to the database.
func (s *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.sql.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

func unixOrZero(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.Unix(v.Int64, 0).UTC()
}

func nullUnix(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.Unix(), Valid: true}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// OpenReadOnly opens an existing database for reading only, such as a
// snapshot published by another machine: a file nothing writes while it is
// read. No migration is applied; a database of another schema version is
// refused.
func OpenReadOnly(ctx context.Context, path string) (*DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if err := checkOwnership(ctx, path); err != nil {
		return nil, err
	}
	return openReading(ctx, path, modeImmutable)
}

// OpenExisting opens an existing database for a command that only reads it.
// When the file and its folder can be written it is opened as Open does,
// so a database of an earlier release is upgraded first. On a read-only file
// or folder it is read without writing anything: with the locks that keep
// reads consistent with a writer where SQLite can take them, else as an
// immutable file. Only a file or folder this process cannot write is ever
// read as immutable: a file others may be writing must be read with locks.
func OpenExisting(ctx context.Context, path string) (*DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if err := checkOwnership(ctx, path); err != nil {
		return nil, err
	}
	if writable(path) && writable(filepath.Dir(path)) {
		return Open(ctx, path)
	}
	s, err := openReading(ctx, path, modeReadOnly)
	if err != nil && isReadOnlyError(err) {
		s, err = openReading(ctx, path, modeImmutable)
	}
	return s, err
}

// isReadOnlyError tells whether opening for writing failed because the file
// or its folder cannot be written.
func isReadOnlyError(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrReadonly, sqlite3.ErrCantOpen, sqlite3.ErrPerm, sqlite3.ErrAuth:
			return true
		}
	}
	return errors.Is(err, fs.ErrPermission)
}

// openReading opens the database without writing to it and checks that its
// schema is the one this release reads.
func openReading(ctx context.Context, path string, mode openMode) (*DB, error) {
	db, err := sql.Open(driverName, dsn(path, mode))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	s := &DB{sql: db, path: path, readOnly: true, Now: time.Now}
	if err := s.checkSchemaForReading(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// checkSchemaForReading refuses a database whose tables this release would
// misread: one of a newer release, or one of an earlier release that no
// writable open has upgraded yet.
func (s *DB) checkSchemaForReading(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	latest := ms[len(ms)-1].version
	if err := s.checkNotNewer(ctx, latest); err != nil {
		return err
	}
	v, err := s.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("store: %s: %w", s.path, err)
	}
	if v < latest {
		return fmt.Errorf("store: %s has schema version %d, older than this release's %d, and cannot be upgraded where it is read-only; run any activity-extractor command on it once with write access, or on a writable copy",
			s.path, v, latest)
	}
	return nil
}

// ReadOnly tells whether the database was opened for reading only.
func (s *DB) ReadOnly() bool { return s.readOnly }

// SnapshotTo writes a consistent copy of the database to path, which must
// not exist, while other connections go on reading and writing.
func (s *DB) SnapshotTo(ctx context.Context, path string) error {
	if _, err := s.sql.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("store: snapshot %s to %s: %w", s.path, path, err)
	}
	return os.Chmod(path, 0o600)
}
