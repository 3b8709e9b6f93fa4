package athena

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/engine"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// DeliveryDelay is how long after a day ends its events are taken to be
// delivered: CloudTrail delivers within minutes, so a day is queried once
// this much has passed since it ended, and never before.
const DeliveryDelay = time.Hour

// Target is one integration's trail.
type Target struct {
	Integration string // the integration's account id
	Layout      Layout
	// Accounts, when set, restricts the query to these accounts (an
	// account trail integration reads only its own account).
	Accounts []string
}

// Options configure one integration's part of a run (Extract).
type Options struct {
	Runner Runner
	// Window is the range whose days are aggregated.
	Window activity.Window
	// Now is the clock deciding which days are complete.
	Now    func() time.Time
	RunID  int64
	Logger *slog.Logger
}

var unsafeName = regexp.MustCompile(`[^a-z0-9_]`)

// TableName is the table of an integration unless the settings name one.
func TableName(s Settings, integration string) string {
	if s.Table != "" {
		return s.Table
	}
	return "activity_cloudtrail_" + unsafeName.ReplaceAllString(integration, "_")
}

// Extract is one integration's part of a run, planned and run at once: it
// aggregates the window's complete days not counted yet, and loads them
// with the query's id in one transaction.
func Extract(ctx context.Context, db *store.DB, t Target, o Options) (engine.SourceReport, error) {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	sp, err := planDays(ctx, db, t.Integration, o.Window, now(), log)
	if err != nil {
		return engine.SourceReport{Integration: t.Integration, Table: TableName(o.Runner.Settings, t.Integration)}, err
	}
	return extractDays(ctx, db, t, sp, o.Runner, o.RunID, log)
}

// planDays sorts the window's days of an integration: counted already by
// this engine, counted by another, not complete at now, or to aggregate.
func planDays(ctx context.Context, db *store.DB, integration string, w activity.Window, now time.Time, log *slog.Logger) (engine.SourcePlan, error) {
	var sp engine.SourcePlan
	first, last := w.FirstDay(), w.LastDay()
	loaded, err := db.DaysCounted(ctx, store.EngineAthena, integration, first, last)
	if err != nil {
		return sp, err
	}
	local, err := db.DaysCountedElsewhere(ctx, store.EngineAthena, integration, first, last)
	if err != nil {
		return sp, err
	}
	for d := first; d <= last; d++ {
		switch {
		case loaded[d]:
			sp.Counted = append(sp.Counted, d)
		case local[d]:
			// Counted by the local engine, which reads its later
			// deliveries too: querying it would count its events twice.
			sp.Left = append(sp.Left, d)
			log.Warn("athena: a day the local engine read stays with it", "integration", integration, "day", activity.DayStart(d).Format(time.DateOnly))
		case activity.DayStart(d + 1).Add(DeliveryDelay).After(now):
			sp.Pending = append(sp.Pending, d)
		default:
			sp.Days = append(sp.Days, d)
		}
	}
	return sp, nil
}

// extractDays aggregates the planned days of the target's trail and loads
// them with the query's id in one transaction.
func extractDays(ctx context.Context, db *store.DB, t Target, sp engine.SourcePlan, r Runner, runID int64, log *slog.Logger) (engine.SourceReport, error) {
	sum := engine.SourceReport{Integration: t.Integration, Table: TableName(r.Settings, t.Integration),
		DaysCounted: len(sp.Counted), DaysPending: len(sp.Pending), DaysLeft: len(sp.Left)}
	if len(sp.Days) == 0 {
		log.Info("athena: no day to aggregate", "integration", t.Integration, "loaded", sum.DaysCounted, "pending", sum.DaysPending, "local", sum.DaysLeft)
		return sum, nil
	}
	var days []time.Time
	for _, d := range sp.Days {
		days = append(days, activity.DayStart(d))
	}
	sum.Days = len(days)
	started := time.Now()

	ddlTable := HiveIdent(r.Settings.Database) + "." + HiveIdent(sum.Table)
	if _, err := r.Exec(ctx, CreateTable(ddlTable, t.Layout)); err != nil {
		return sum, fmt.Errorf("create table %s: %w", sum.Table, err)
	}
	if _, err := r.Exec(ctx, UpdateProjection(ddlTable, t.Layout)); err != nil {
		return sum, fmt.Errorf("update the projected accounts of table %s: %w", sum.Table, err)
	}
	sql := Query(Athena, QuoteIdent(r.Settings.Database)+"."+QuoteIdent(sum.Table), Window{Days: days, Accounts: t.Accounts})
	log.Info("athena: aggregating", "integration", t.Integration, "table", sum.Table, "days", len(days), "from", days[0].Format(time.DateOnly), "to", days[len(days)-1].Format(time.DateOnly))
	ex, err := r.Exec(ctx, sql)
	sum.QueryID, sum.BytesScanned = ex.ID, ex.BytesScanned
	if err != nil {
		return sum, err
	}
	sum.CostUSD = Cost(ex.BytesScanned)
	var l *Loader
	err = r.Rows(ctx, ex.ID,
		func(header []string) (err error) { l, err = NewLoader(header); return err },
		func(row []string) error { return l.Add(row) })
	if err != nil {
		return sum, err
	}
	sum.Rows, sum.Events, sum.RowsSkipped = l.Rows, l.Events, l.Skipped
	q := store.AthenaQuery{QueryID: ex.ID, Integration: t.Integration, RunID: runID, Days: sp.Days,
		BytesScanned: ex.BytesScanned, CostUSD: sum.CostUSD, ResultRows: l.Rows + l.Skipped}
	if err := db.CommitAggregated(ctx, q, l.Facts()); err != nil {
		return sum, fmt.Errorf("load the results of athena query %s: %w", ex.ID, err)
	}
	sum.Elapsed = time.Since(started)
	log.Info("athena: loaded", "integration", t.Integration, "query_id", ex.ID, "rows", l.Rows, "events", l.Events,
		"bytes_scanned", ex.BytesScanned, "cost_usd", sum.CostUSD)
	return sum, nil
}
