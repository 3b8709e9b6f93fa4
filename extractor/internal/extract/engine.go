package extract

import (
	"context"
	"math"
	"slices"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/engine"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// Engine is the local engine: every object is read on this machine.
type Engine struct {
	opts Options
}

var _ engine.Engine = (*Engine)(nil)

// New is the local engine with the options.
func New(o Options) *Engine { return &Engine{opts: o} }

// Name is the local engine's name in the store's engine days.
func (e *Engine) Name() string { return store.EngineLocal }

// Plan names the sources and the days whose events are left to another
// engine; objects are listed while the run reads them. A source reads the
// window's days and the day before (the first day's deliveries hold some
// of its events), except the days another engine counted for the source's
// integration: their events are left to it, whichever object holds them.
func (e *Engine) Plan(ctx context.Context, db *store.DB, w activity.Window, sources []engine.Source) (engine.Plan, error) {
	p := engine.Plan{Window: w}
	for _, s := range sources {
		left, err := db.DaysCountedElsewhere(ctx, store.EngineLocal, s.IntegrationID(), math.MinInt64, math.MaxInt64)
		if err != nil {
			return p, err
		}
		sp := engine.SourcePlan{Source: s, Name: s.Logs.String()}
		for d := range left {
			sp.Left = append(sp.Left, d)
		}
		slices.Sort(sp.Left)
		for d := w.FirstDay() - 1; d <= w.LastDay(); d++ {
			if !left[d] {
				sp.Days = append(sp.Days, d)
			}
		}
		p.Sources = append(p.Sources, sp)
	}
	return p, nil
}
