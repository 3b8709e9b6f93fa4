package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
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
// application id, and any other SQLite database. It reads the file as an
// immutable one: no lock, no journal, nothing written next to it.
func checkTables(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite3", dsn(path, modeImmutable))
	if err != nil {
		return fmt.Errorf("store: open %s: %w", path, err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`)
	if err != nil {
		return fmt.Errorf("store: read the tables of %s: %w", path, err)
	}
	defer rows.Close()
	var names []string
	has := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return err
		}
		names = append(names, name)
		has[name] = true
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: read the tables of %s: %w", path, err)
	}
	// The tables of the first migrations: every database this product
	// wrote has them.
	if len(names) == 0 || has["schema_migrations"] && has["integrations"] && has["principals"] {
		return nil
	}
	if len(names) > 5 {
		names = append(names[:5], "…")
	}
	return fmt.Errorf("%w: %s is a SQLite database of another program (tables %s); it is left unchanged; give --db a new path or the database activity-extractor wrote",
		ErrForeignDatabase, path, strings.Join(names, ", "))
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
