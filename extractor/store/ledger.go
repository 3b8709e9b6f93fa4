package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

func (w *UsageWriter) writeLedger(ctx context.Context, stmts *txStatements, f *ObjectFacts) error {
	now := w.db.Now().Unix()
	ledger, err := stmts.get(ctx, `INSERT INTO extract_ledger (location, etag, size, modified_at, read_at, run_id, events, skipped)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (location) DO UPDATE SET etag = excluded.etag, size = excluded.size, modified_at = excluded.modified_at,
			read_at = excluded.read_at, run_id = excluded.run_id, events = excluded.events, skipped = excluded.skipped`)
	if err != nil {
		return err
	}
	if _, err := ledger.ExecContext(ctx, f.Location, f.ETag, f.Size, nullUnix(f.Modified), now, w.runID, f.Events, boolInt(f.Skipped)); err != nil {
		return fmt.Errorf("record %s in the ledger: %w", f.Location, err)
	}
	if len(f.Errors) == 0 {
		return nil
	}
	st, err := stmts.get(ctx, `INSERT INTO extract_errors (run_id, location, record_index, reason, at) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	for _, e := range f.Errors {
		idx := sql.NullInt64{Int64: int64(e.RecordIndex), Valid: e.RecordIndex >= 0}
		if _, err := st.ExecContext(ctx, w.runID, f.Location, idx, activity.Cut(e.Reason, activity.MaxMessage), now); err != nil {
			return err
		}
	}
	return nil
}

// Ledger answers whether an object was read already. It holds a prepared
// statement: Close it.
type Ledger struct {
	st *sql.Stmt
}

// Ledger prepares the lookup.
func (s *DB) Ledger(ctx context.Context) (*Ledger, error) {
	st, err := s.sql.PrepareContext(ctx, `SELECT etag FROM extract_ledger WHERE location = ?`)
	if err != nil {
		return nil, err
	}
	return &Ledger{st: st}, nil
}

// Has tells whether the object at location was read (or refused) with this
// ETag.
func (l *Ledger) Has(ctx context.Context, location, etag string) (bool, error) {
	var got string
	err := l.st.QueryRowContext(ctx, location).Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil && got == etag, err
}

// Close releases the statement.
func (l *Ledger) Close() error { return l.st.Close() }

// ExtractRun is one run of extract.
type ExtractRun struct {
	ID         int64
	StartedAt  time.Time
	FinishedAt time.Time
	AsOf       time.Time
	WindowDays int
	Sources    []string
	Objects    int64
	Events     int64
	Skipped    int64
	Status     string
}

// Run statuses.
const (
	RunRunning     = "running"
	RunDone        = "done"
	RunInterrupted = "interrupted"
	RunFailed      = "failed"
)

// StartExtractRun records the start of a run and returns its id.
func (s *DB) StartExtractRun(ctx context.Context, asOf time.Time, windowDays int, sources []string) (int64, error) {
	res, err := s.sql.ExecContext(ctx, `INSERT INTO extract_runs (started_at, as_of, window_days, sources, status) VALUES (?, ?, ?, ?, ?)`,
		s.Now().Unix(), asOf.Unix(), windowDays, strings.Join(sources, "\n"), RunRunning)
	if err != nil {
		return 0, fmt.Errorf("record extract run: %w", err)
	}
	return res.LastInsertId()
}

// FinishExtractRun records how a run ended. It runs after the run's context
// may have been cancelled, so it takes its own.
func (s *DB) FinishExtractRun(ctx context.Context, r ExtractRun) error {
	_, err := s.sql.ExecContext(ctx, `UPDATE extract_runs SET finished_at = ?, objects = ?, events = ?, skipped = ?, status = ? WHERE id = ?`,
		s.Now().Unix(), r.Objects, r.Events, r.Skipped, r.Status, r.ID)
	if err != nil {
		return fmt.Errorf("record end of extract run %d: %w", r.ID, err)
	}
	return nil
}

// LastExtractRun is the latest run, or ErrNotFound.
func (s *DB) LastExtractRun(ctx context.Context) (ExtractRun, error) {
	var r ExtractRun
	var started, asOf int64
	var finished sql.NullInt64
	var sources string
	err := s.sql.QueryRowContext(ctx, `SELECT id, started_at, finished_at, as_of, window_days, sources, objects, events, skipped, status
		FROM extract_runs ORDER BY id DESC LIMIT 1`).
		Scan(&r.ID, &started, &finished, &asOf, &r.WindowDays, &sources, &r.Objects, &r.Events, &r.Skipped, &r.Status)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("extract run: %w", ErrNotFound)
	}
	r.StartedAt, r.FinishedAt, r.AsOf = time.Unix(started, 0).UTC(), unixOrZero(finished), time.Unix(asOf, 0).UTC()
	r.Sources = strings.Split(sources, "\n")
	return r, err
}

// RecordErrors records why an object could not be fetched, without a ledger
// row: the next run tries it again.
func (w *UsageWriter) RecordErrors(ctx context.Context, f *ObjectFacts) error {
	for _, e := range f.Errors {
		idx := sql.NullInt64{Int64: int64(e.RecordIndex), Valid: e.RecordIndex >= 0}
		if _, err := w.db.sql.ExecContext(ctx, `INSERT INTO extract_errors (run_id, location, record_index, reason, at) VALUES (?, ?, ?, ?, ?)`,
			w.runID, f.Location, idx, activity.Cut(e.Reason, activity.MaxMessage), w.db.Now().Unix()); err != nil {
			return fmt.Errorf("record error of %s: %w", f.Location, err)
		}
	}
	return nil
}
