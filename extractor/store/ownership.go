package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
)

// ApplicationID marks a SQLite file as this product's database: SQLite keeps
// it in the file header (offset 68), where file(1) and other tools can read
// it without opening the database. The bytes spell "Actv".
const ApplicationID = 0x41637476

// ErrForeignDatabase is returned when the database path names a file that
// another program owns. The file is left exactly as it was.
var ErrForeignDatabase = errors.New("not an activity database")

// sqliteHeader starts every SQLite database file.
var sqliteHeader = []byte("SQLite format 3\x00")

// checkOwnership refuses to open, for writing, a file that is not ours: a
// file that is not SQLite at all, or a SQLite database of another program.
// An empty or missing file is a new database. A SQLite file without an
// application id is ours when it holds this product's tables (databases
// written before the id was set). The check reads the file and never writes
// to it, so a refused file keeps every byte.
func checkOwnership(ctx context.Context, path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer func() { _ = f.Close() }()
	head := make([]byte, 100)
	n, err := io.ReadFull(f, head)
	switch {
	case n == 0:
		return nil // a new, empty file
	case err != nil && !errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("store: read %s: %w", path, err)
	case n < len(head) || !bytes.HasPrefix(head, sqliteHeader):
		return fmt.Errorf("%w: %s is not a SQLite database; give --db a new path or the database activity-extractor wrote", ErrForeignDatabase, path)
	}
	switch id := binary.BigEndian.Uint32(head[68:72]); id {
	case ApplicationID:
		return nil
	case 0:
		return checkTables(ctx, path)
	default:
		return fmt.Errorf("%w: %s is the SQLite database of another program (application id %#08x); it is left unchanged; give --db a new path or the database activity-extractor wrote",
			ErrForeignDatabase, path, id)
	}
}

// checkTables tells apart a database this product wrote before it set its
// application id (its schema_migrations table lists only migrations of
// this product, possibly not all of them), and any other SQLite database.
// It only reads: the file keeps every byte.
func checkTables(ctx context.Context, path string) error {
	// A database being written keeps its newest pages, the application id
	// included, in its WAL until a checkpoint: read it as SQLite readers do.
	// Only where that cannot be done (a read-only folder) read the file
	// alone, as immutable.
	raw, tables, err := readTables(ctx, path, modeReadOnly)
	if err != nil && isReadOnlyError(err) {
		raw, tables, err = readTables(ctx, path, modeImmutable)
	}
	if err != nil {
		return fmt.Errorf("store: read the tables of %s: %w", path, err)
	}
	defer raw.sql.Close()
	if len(tables) == 0 {
		return nil
	}
	if tables["schema_migrations"] {
		ours, err := migrationsAreOurs(ctx, raw)
		if err != nil {
			return fmt.Errorf("store: read the migrations of %s: %w", path, err)
		}
		if ours {
			return nil
		}
	}
	names := slices.Sorted(maps.Keys(tables))
	if len(names) > 5 {
		names = append(names[:5], "…")
	}
	return fmt.Errorf("%w: %s is a SQLite database of another program (tables %s); it is left unchanged; give --db a new path or the database activity-extractor wrote",
		ErrForeignDatabase, path, strings.Join(names, ", "))
}

// readTables opens the file without writing to it and lists its tables.
func readTables(ctx context.Context, path string, mode openMode) (*DB, map[string]bool, error) {
	db, err := sql.Open("sqlite3", dsn(path, mode))
	if err != nil {
		return nil, nil, err
	}
	raw := &DB{sql: db, path: path}
	tables, err := querySet[string](ctx, raw, `SELECT name FROM sqlite_schema WHERE type = 'table'`)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return raw, tables, nil
}

// migrationsAreOurs tells whether a schema_migrations table is the one this
// product keeps: its columns, and only names of its own migrations (an
// earlier release may have stopped after any of them).
func migrationsAreOurs(ctx context.Context, db *DB) (bool, error) {
	var cols string
	if err := db.sql.QueryRowContext(ctx,
		`SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_table_info('schema_migrations') ORDER BY cid)`).Scan(&cols); err != nil {
		return false, err
	}
	if cols != "version,name,applied_at" {
		return false, nil
	}
	names, err := querySet[string](ctx, db, `SELECT name FROM schema_migrations`)
	if err != nil {
		return false, err
	}
	ms, err := migrations()
	if err != nil {
		return false, err
	}
	for _, m := range ms {
		delete(names, m.name)
	}
	return len(names) == 0, nil
}

// stampApplicationID marks the database as this product's once its tables
// exist.
func (s *DB) stampApplicationID(ctx context.Context) error {
	var id int64
	if err := s.sql.QueryRowContext(ctx, `PRAGMA application_id`).Scan(&id); err != nil {
		return fmt.Errorf("store: %s: %w", s.path, err)
	}
	if uint32(id) == ApplicationID {
		return nil
	}
	if _, err := s.sql.ExecContext(ctx, fmt.Sprintf(`PRAGMA application_id = %d`, int32(ApplicationID))); err != nil {
		return fmt.Errorf("store: %s: set the application id: %w", s.path, err)
	}
	return nil
}
