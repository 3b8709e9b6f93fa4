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
	if err := writeUsageCounts(ctx, st, f.Uses, pids, rids); err != nil {
		return err
	}
	if err := writeSessionUses(ctx, st, f.SessionUses, pids, rids); err != nil {
		return err
	}
	if err := writeActivity(ctx, st, &f.Facts, pids, rids); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit query %s: %w", q.QueryID, err)
	}
	return nil
}

// writeUsageCounts adds counted uses to usage_actions and usage_failures,
// as writeUses does for events.
func writeUsageCounts(ctx context.Context, st *txStatements, uses []activity.UsageCount, pids, rids []int64) error {
	used, err := st.get(ctx, upsertUsedSQL)
	if err != nil {
		return err
	}
	failed, err := st.get(ctx, upsertFailedSQL)
	if err != nil {
		return err
	}
	for _, u := range uses {
		var resource int64
		if u.Resource >= 0 {
			resource = rids[u.Resource]
		}
		if u.ErrorCode == "" {
			if resource == 0 {
				continue
			}
			_, err = used.ExecContext(ctx, pids[u.Principal], resource, u.Action, u.Day, u.First, u.Last, u.Count, u.Seconds.Encode())
		} else {
			_, err = failed.ExecContext(ctx, pids[u.Principal], resource, u.Action, u.ErrorCode, u.Day, u.First, u.Last, u.Count, u.Seconds.Encode())
		}
		if err != nil {
			return fmt.Errorf("record use of %s: %w", u.Action, err)
		}
	}
	return nil
}

// writeSessionUses adds role sessions' uses to usage_session_actions, as
// writeUses does for events.
func writeSessionUses(ctx context.Context, st *txStatements, uses []activity.SessionUseFact, pids, rids []int64) error {
	if len(uses) == 0 {
		return nil
	}
	ins, err := st.get(ctx, upsertSessionUseSQL)
	if err != nil {
		return err
	}
	for _, u := range uses {
		if _, err := ins.ExecContext(ctx, pids[u.Role], u.Session, rids[u.Resource], u.Action, u.Day, u.First, u.Last, u.Seconds.Encode()); err != nil {
			return fmt.Errorf("record session use of %s: %w", u.Action, err)
		}
	}
	return nil
}
