package store

import (
	"context"
	"database/sql"
	"time"
)

// ExtractError is an input skipped as bad: a whole object, or one record
// (RecordIndex >= 0).
type ExtractError struct {
	RunID       int64
	Location    string
	RecordIndex int
	Reason      string
	At          time.Time
}

// ExtractErrors lists the inputs skipped by one run (runID > 0) or by every
// run (runID 0), oldest first, at most limit rows (0: all).
func (s *DB) ExtractErrors(ctx context.Context, runID int64, limit int) ([]ExtractError, error) {
	q := `SELECT run_id, location, record_index, reason, at FROM extract_errors WHERE (? = 0 OR run_id = ?) ORDER BY id`
	args := []any{runID, runID}
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := s.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ExtractError
	for rows.Next() {
		var e ExtractError
		var idx sql.NullInt64
		var at int64
		if err := rows.Scan(&e.RunID, &e.Location, &idx, &e.Reason, &at); err != nil {
			return nil, err
		}
		e.RecordIndex = -1
		if idx.Valid {
			e.RecordIndex = int(idx.Int64)
		}
		e.At = time.Unix(at, 0).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}
