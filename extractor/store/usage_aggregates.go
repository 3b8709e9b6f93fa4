package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// AggregatedFacts are usage facts already counted elsewhere (by an Athena
// query): uses come with their counts instead of event ids, so the event
// ledger is not involved. Principals and resources are referred to by index.
type AggregatedFacts struct {
	activity.Facts
	Uses []activity.UsageCount
	// SessionUses are the successful uses of role sessions that name no
	// person, kept until a sign-in names one (as UseFact.Session).
	SessionUses []activity.SessionUseFact
}

// AthenaQuery is one query whose results were loaded.
type AthenaQuery struct {
	QueryID      string
	Integration  string // the integration's account id
	RunID        int64
	Days         []int64 // the days the query aggregated
	BytesScanned int64
	CostUSD      float64
	ResultRows   int64
}

// CommitAggregated writes a query's facts together with its days in one
// transaction: the days are the Athena engine's in engine_days exactly when
// their facts are in the usage tables. A day counted already (by the local
// engine, or by another run's query) fails it with ErrDaysCounted.
func (s *DB) CommitAggregated(ctx context.Context, q AthenaQuery, f *AggregatedFacts) error {
	tx, err := s.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	st := &txStatements{tx: tx, prepared: map[string]*sql.Stmt{}}
	defer st.close()
	first, last := q.Days[0], q.Days[0]
	for _, d := range q.Days {
		first, last = min(first, d), max(last, d)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO athena_queries (query_id, integration, run_id, first_day, last_day, bytes_scanned, cost_usd, result_rows, loaded_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, q.QueryID, q.Integration, q.RunID, first, last, q.BytesScanned, q.CostUSD, q.ResultRows, s.Now().Unix()); err != nil {
		return fmt.Errorf("record query %s: %w", q.QueryID, err)
	}
	for _, d := range q.Days {
		if err := claimDay(ctx, st, EngineAthena, q.Integration, d, q.RunID, false); err != nil {
			return err
		}
	}
	pids := make([]int64, len(f.Principals))
	for i, p := range f.Principals {
		if pids[i], err = UpsertPrincipal(ctx, tx, p); err != nil {
			return err
		}
	}
	rids := make([]int64, len(f.Resources))
	for i, r := range f.Resources {
		if rids[i], err = resolveResource(ctx, tx, r); err != nil {
			return err
		}
	}
	rows := newDayRows()
	for i := range f.Uses {
		u := &f.Uses[i]
		k := usageKey{principal: pids[u.Principal], action: u.Action, errorCode: u.ErrorCode, day: u.Day}
		if u.Resource >= 0 {
			k.resource = rids[u.Resource]
		}
		if k.errorCode == "" && k.resource == 0 {
			continue // activity only, as writeUses has it
		}
		add(rows.uses, k, u.First, u.Last, u.Count, &u.Seconds)
	}
	for i := range f.SessionUses {
		u := &f.SessionUses[i]
		add(rows.sessionUses, sessionUseKey{role: pids[u.Role], session: u.Session, resource: rids[u.Resource], action: u.Action, day: u.Day}, u.First, u.Last, 0, &u.Seconds)
	}
	if err := writeActivity(ctx, st, &f.Facts, pids, rids, rows); err != nil {
		return err
	}
	if err := rows.write(ctx, st); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit query %s: %w", q.QueryID, err)
	}
	return nil
}
