package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// The engines that count events, as engine_days names them.
const (
	EngineLocal  = "local"
	EngineAthena = "athena"
)

// ErrDaysCounted is returned when a day to be counted was counted already:
// by another engine, or, for an engine that counts a day whole (Athena), by
// a run alongside this one. Nothing of the transaction is written.
var ErrDaysCounted = errors.New("day counted already")

// EngineDay is one day of one integration and the engine that counted it.
type EngineDay struct {
	// Integration is the integration's account id; empty for logs named on
	// the command line, which may be any integration's.
	Integration string
	Day         int64
	Engine      string
	// RunID is the run that first counted the day; 0 when the local engine
	// counted it before runs were recorded with days.
	RunID int64
}

// DaysCounted are the days of [from, to] that engine counted for the
// integration.
func (s *DB) DaysCounted(ctx context.Context, engine, integration string, from, to int64) (map[int64]bool, error) {
	return s.days(ctx, `SELECT day FROM engine_days WHERE engine = ? AND integration = ? AND day BETWEEN ? AND ?`,
		engine, integration, from, to)
}

// DaysCountedElsewhere are the days of [from, to] that an engine other than
// engine counted for the integration: engine leaves them. Logs of no
// integration ("") may hold any integration's events, so the days counted
// from them count for every integration, and reading them leaves the days
// counted for any integration.
func (s *DB) DaysCountedElsewhere(ctx context.Context, engine, integration string, from, to int64) (map[int64]bool, error) {
	return s.days(ctx, `SELECT DISTINCT day FROM engine_days WHERE day BETWEEN ? AND ? AND engine <> ?
		AND (integration = ? OR integration = '' OR ? = '')`, from, to, engine, integration, integration)
}

// EngineDays lists which engine counted each day of [from, to], by
// integration and day.
func (s *DB) EngineDays(ctx context.Context, from, to int64) ([]EngineDay, error) {
	rows, err := s.sql.QueryContext(ctx, `SELECT integration, day, engine, coalesce(run_id, 0) FROM engine_days
		WHERE day BETWEEN ? AND ? ORDER BY integration, day`, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []EngineDay
	for rows.Next() {
		var d EngineDay
		if err := rows.Scan(&d.Integration, &d.Day, &d.Engine, &d.RunID); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func (s *DB) days(ctx context.Context, query string, args ...any) (map[int64]bool, error) {
	rows, err := s.sql.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var d int64
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		out[d] = true
	}
	return out, rows.Err()
}

// claimDay records, in the transaction that writes the day's facts, that
// engine counts the integration's day. A day another engine counted is
// refused, and so is a day the same engine counted before unless again:
// the local engine adds to a day object by object, Athena loads it once.
func claimDay(ctx context.Context, st *txStatements, engine, integration string, day, runID int64, again bool) error {
	owner, err := st.get(ctx, `SELECT engine FROM engine_days WHERE day = ? AND (integration = ? OR integration = '' OR ? = '')
		AND (engine <> ? OR ? = 0) LIMIT 1`)
	if err != nil {
		return err
	}
	var other string
	switch err := owner.QueryRowContext(ctx, day, integration, integration, engine, boolInt(again)).Scan(&other); {
	case err == nil:
		return fmt.Errorf("%s of %s: counted by the %s engine: %w", activity.DayStart(day).Format(time.DateOnly), integrationName(integration), other, ErrDaysCounted)
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	ins, err := st.get(ctx, `INSERT INTO engine_days (integration, day, engine, run_id) VALUES (?, ?, ?, ?)
		ON CONFLICT (integration, day) DO NOTHING`)
	if err != nil {
		return err
	}
	_, err = ins.ExecContext(ctx, integration, day, engine, runID)
	return err
}

func integrationName(integration string) string {
	if integration == "" {
		return "the logs of no integration"
	}
	return "integration " + integration
}

// engineDay is one day of one integration.
type engineDay struct {
	integration string
	day         int64
}

// claimDays records the days whose events an object's facts count as the
// local engine's, unless the writer claimed them already in this run.
func (w *UsageWriter) claimDays(ctx context.Context, st *txStatements, f *ObjectFacts, claimed map[engineDay]bool) error {
	for _, d := range f.Days {
		k := engineDay{f.Integration, d}
		if w.claimed[k] || claimed[k] {
			continue
		}
		if err := claimDay(ctx, st, EngineLocal, f.Integration, d, w.runID, true); err != nil {
			return fmt.Errorf("%s: %w", f.Location, err)
		}
		claimed[k] = true
	}
	return nil
}
