// Package engine is what the extraction engines share: the Engine
// interface each implements (plan, run, report), the sources they read
// (integrations' trails, or logs named on the command line), and the run
// around an engine's work: its record in the store, and the grants
// evaluated on the resources the logs revealed.
package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/discover"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// Engine counts the events of a window's logs into the store. The local
// engine reads every object on this machine; the Athena engine aggregates
// in Amazon Athena. Both write the same facts, and each day of an
// integration is counted by one of them only: each records the days it
// counts in the store with their facts, and plans around the days the
// other counted (store.DB.DaysCountedElsewhere).
type Engine interface {
	// Name is the engine's name in the store's engine days.
	Name() string
	// Plan decides what a run over the window reads of each source: the
	// days it counts, and the days it leaves because they are counted
	// already (by this engine or another) or not complete yet.
	Plan(ctx context.Context, db *store.DB, w activity.Window, sources []Source) (Plan, error)
	// Run reads what the plan says into db as the run runID, and reports
	// what it did, also when it stops part way.
	Run(ctx context.Context, db *store.DB, p Plan, runID int64) (Report, error)
}

// Plan is what a run will read.
type Plan struct {
	Window  activity.Window
	Sources []SourcePlan
}

// SourcePlan is what a run reads of one source.
type SourcePlan struct {
	Source
	// Name is how the run record names what is read: the logs' location,
	// or the table queried.
	Name string
	// Days are the days whose events the run counts.
	Days []int64
	// Counted are days this engine counted in earlier runs and does not
	// read again; Pending, days not complete yet; Left, days another engine
	// counted, whose events are left to it.
	Counted, Pending, Left []int64
}

// Report is what a run did, in one shape for every engine; what an engine
// does not do stays zero.
type Report struct {
	RunID  int64
	Engine string
	// Objects listed in the window, of those already read, committed by
	// this run (read or skipped), skipped as bad input or unreadable, and
	// log folders the reader was not allowed to list.
	Listed, AlreadyRead, Done, Skipped, FoldersDenied int64
	// Events read (for an engine that aggregates, distinct events), uses
	// counted, events already counted from another delivery, and records
	// skipped as bad input.
	Events, Uses, Duplicates, BadRecords int64
	// EventsLeft counts events of days another engine counted, left to it.
	EventsLeft int64
	// Bytes read, compressed and uncompressed.
	Bytes, Uncompressed int64
	Elapsed             time.Duration
	// Sources are the parts of an engine that reports per source.
	Sources []SourceReport
}

// SourceReport is what a run did with one source.
type SourceReport struct {
	Integration string
	// Table is the table queried, for an engine that queries one.
	Table string
	// Days aggregated by this run, counted by earlier runs, not complete
	// yet, and counted by another engine, as planned.
	Days, DaysCounted, DaysPending, DaysLeft int
	// QueryID names the query that read the days; empty when none ran.
	QueryID      string
	BytesScanned int64
	CostUSD      float64
	// Rows of results folded, and skipped because their events cannot be
	// mapped; Events are the distinct events the rows count.
	Rows, RowsSkipped, Events int64
	Elapsed                   time.Duration
}

// Extract runs the engine over the window for the sources: it plans the
// run, records its start, runs it, records how it ended (done, failed or
// interrupted), and then evaluates the grants on the buckets, keys and
// secrets the logs revealed.
func Extract(ctx context.Context, db *store.DB, e Engine, w activity.Window, sources []Source, log *slog.Logger) (Report, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	resourcesBefore, err := db.ResourceCount(ctx)
	if err != nil {
		return Report{}, err
	}
	p, err := e.Plan(ctx, db, w, sources)
	if err != nil {
		return Report{}, err
	}
	var names []string
	for _, s := range p.Sources {
		names = append(names, s.Name)
	}
	runID, err := db.StartExtractRun(ctx, w.AsOf, w.Days, names)
	if err != nil {
		return Report{}, err
	}
	rep, err := e.Run(ctx, db, p, runID)
	rep.RunID, rep.Engine = runID, e.Name()
	status := store.RunDone
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		status = store.RunInterrupted
	case err != nil:
		status = store.RunFailed
	}
	// The run's own context may be cancelled: record the end regardless.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	run := store.ExtractRun{ID: runID, Objects: rep.Done, Events: rep.Events, Skipped: rep.Skipped, Status: status}
	if ferr := db.FinishExtractRun(fctx, run); ferr != nil && err == nil {
		err = ferr
	}
	if err != nil {
		return rep, err
	}
	return rep, evaluateNewResources(ctx, db, resourcesBefore, log)
}

// evaluateNewResources computes the grants on resources of the scored kinds that
// the logs revealed after discovery ran, so that scores do not depend on
// whether discover or extract ran first.
func evaluateNewResources(ctx context.Context, db *store.DB, before int, log *slog.Logger) error {
	after, err := db.ResourceCount(ctx)
	if err != nil || after == before {
		return err
	}
	discovered, err := db.HasEntitlements(ctx)
	if err != nil || !discovered {
		return err
	}
	sum, err := discover.Evaluate(ctx, db)
	if err != nil {
		return fmt.Errorf("evaluate grants on the %d resources the logs revealed: %w", after-before, err)
	}
	log.Info("grants evaluated for resources seen in the logs", "new_resources", after-before, "pairs", sum.Grants)
	return nil
}
