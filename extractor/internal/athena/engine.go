package athena

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	awsathena "github.com/aws/aws-sdk-go-v2/service/athena"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/cloudtrail"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/engine"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// Engine is the Athena engine: for each integration's trail it creates (if
// absent) a CloudTrail table with partition projection, aggregates the
// window's complete days not counted yet in one query, and loads the rows
// with their days in one transaction.
type Engine struct {
	Settings Settings
	// Now is the clock deciding which days are complete; time.Now when nil.
	Now    func() time.Time
	Logger *slog.Logger
}

var _ engine.Engine = (*Engine)(nil)

// Name is the Athena engine's name in the store's engine days.
func (e *Engine) Name() string { return store.EngineAthena }

func (e *Engine) log() *slog.Logger {
	if e.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return e.Logger
}

// Plan gives each integration's days: those to aggregate, those counted
// already (by an earlier query, or by the local engine) and those not
// complete yet. The Athena engine reads integrations' trails in S3 only.
func (e *Engine) Plan(ctx context.Context, db *store.DB, w activity.Window, sources []engine.Source) (engine.Plan, error) {
	now := time.Now
	if e.Now != nil {
		now = e.Now
	}
	p := engine.Plan{Window: w}
	for _, s := range sources {
		id := s.IntegrationID()
		if id == "" {
			return p, fmt.Errorf("the Athena engine reads the integrations' trails, not %s", s.Logs)
		}
		if _, ok := s.Logs.(cloudtrail.S3); !ok {
			return p, fmt.Errorf("integration %s: the Athena engine reads trails in S3, not %s", id, s.Logs)
		}
		sp, err := planDays(ctx, db, id, w, now(), e.log())
		if err != nil {
			return p, err
		}
		sp.Source = s
		sp.Name = "athena:" + e.Settings.Database + "." + TableName(e.Settings, id)
		p.Sources = append(p.Sources, sp)
	}
	return p, nil
}

// cloudTrailLaunch is the first day a CloudTrail table's projection covers:
// any window ends after it.
var cloudTrailLaunch = time.Date(2013, 11, 13, 0, 0, 0, 0, time.UTC)

// Run aggregates and loads each integration's days, one query each, with
// the integration's AWS configuration.
func (e *Engine) Run(ctx context.Context, db *store.DB, plan engine.Plan, runID int64) (engine.Report, error) {
	started := time.Now()
	var rep engine.Report
	ins, err := db.Integrations(ctx)
	if err != nil {
		return rep, err
	}
	for _, sp := range plan.Sources {
		id := sp.IntegrationID()
		t := Target{Integration: id}
		if len(sp.Days) > 0 {
			if t, err = target(ctx, sp.Source, ins); err != nil {
				rep.Elapsed = time.Since(started)
				return rep, fmt.Errorf("integration %s: list the trail's accounts: %w", id, err)
			}
		}
		runner := Runner{Client: awsathena.NewFromConfig(sp.AWS), Settings: e.Settings}
		sum, err := extractDays(ctx, db, t, sp, runner, runID, e.log())
		rep.Sources = append(rep.Sources, sum)
		rep.Events += sum.Events
		if err != nil {
			rep.Elapsed = time.Since(started)
			return rep, fmt.Errorf("integration %s: %w", id, err)
		}
	}
	rep.Elapsed = time.Since(started)
	return rep, nil
}

// target is the table layout of the source's trail. The projection
// enumerates the accounts and regions that have logs, so that Athena lists
// no empty folders; every integration's account is added, and the next run
// adds what appeared since.
func target(ctx context.Context, s engine.Source, ins []activity.Integration) (Target, error) {
	logs := s.Logs.(cloudtrail.S3)
	orgID, accounts, regions, err := logs.LogFolders(ctx)
	if err != nil {
		return Target{}, err
	}
	for _, in := range ins {
		accounts = append(accounts, in.AccountID)
	}
	if len(regions) == 0 {
		regions = activity.Regions()
	}
	t := Target{Integration: s.IntegrationID(), Layout: Layout{
		Bucket: logs.Bucket, Prefix: logs.Prefix, OrgID: orgID, Accounts: accounts, Regions: regions, Since: cloudTrailLaunch,
	}}
	if !s.Integration.ExtractForOrganization {
		t.Accounts = []string{s.IntegrationID()}
	}
	return t, nil
}
