package athena

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
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

// Options configure a run.
type Options struct {
	Runner Runner
	// Window is the range whose days are aggregated.
	Window activity.Window
	// Now is the clock deciding which days are complete.
	Now    func() time.Time
	RunID  int64
	Logger *slog.Logger
}

// Summary is what a run did for one integration.
type Summary struct {
	Table        string
	QueryID      string // empty when every day was loaded already
	Days         int    // days aggregated by this run
	DaysLoaded   int    // days of the window loaded by earlier runs
	DaysPending  int    // days of the window not complete yet
	DaysLocal    int    // days of the window the local engine counted, left to it
	Rows         int64
	Events       int64
	Skipped      int64
	BytesScanned int64
	CostUSD      float64
	Elapsed      time.Duration
}

var unsafeName = regexp.MustCompile(`[^a-z0-9_]`)

// TableName is the table of an integration unless the settings name one.
func TableName(s Settings, integration string) string {
	if s.Table != "" {
		return s.Table
	}
	return "activity_cloudtrail_" + unsafeName.ReplaceAllString(integration, "_")
}

// Extract aggregates the window's complete days not loaded yet for one
// integration, and loads them with the query's id in one transaction.
func Extract(ctx context.Context, db *store.DB, t Target, o Options) (Summary, error) {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	r := o.Runner
	sum := Summary{Table: TableName(r.Settings, t.Integration)}
	firstDay, lastDay := o.Window.FirstDay(), o.Window.LastDay()
	loaded, err := db.DaysCounted(ctx, store.EngineAthena, t.Integration, firstDay, lastDay)
	if err != nil {
		return sum, err
	}
	local, err := db.DaysCountedElsewhere(ctx, store.EngineAthena, t.Integration, firstDay, lastDay)
	if err != nil {
		return sum, err
	}
	var days []time.Time
	var dayNumbers []int64
	for d := firstDay; d <= lastDay; d++ {
		switch {
		case loaded[d]:
			sum.DaysLoaded++
		case local[d]:
			// Counted by the local engine, which reads its later
			// deliveries too: querying it would count its events twice.
			sum.DaysLocal++
			log.Warn("athena: a day the local engine read stays with it", "integration", t.Integration, "day", activity.DayStart(d).Format(time.DateOnly))
		case activity.DayStart(d + 1).Add(DeliveryDelay).After(now()):
			sum.DaysPending++
		default:
			days = append(days, activity.DayStart(d))
			dayNumbers = append(dayNumbers, d)
		}
	}
	if len(days) == 0 {
		log.Info("athena: no day to aggregate", "integration", t.Integration, "loaded", sum.DaysLoaded, "pending", sum.DaysPending, "local", sum.DaysLocal)
		return sum, nil
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
	sum.Rows, sum.Events, sum.Skipped = l.Rows, l.Events, l.Skipped
	q := store.AthenaQuery{QueryID: ex.ID, Integration: t.Integration, RunID: o.RunID, Days: dayNumbers,
		BytesScanned: ex.BytesScanned, CostUSD: sum.CostUSD, ResultRows: l.Rows + l.Skipped}
	if err := db.CommitAggregated(ctx, q, l.Facts()); err != nil {
		return sum, fmt.Errorf("load the results of athena query %s: %w", ex.ID, err)
	}
	sum.Elapsed = time.Since(started)
	log.Info("athena: loaded", "integration", t.Integration, "query_id", ex.ID, "rows", l.Rows, "events", l.Events,
		"bytes_scanned", ex.BytesScanned, "cost_usd", sum.CostUSD)
	return sum, nil
}
