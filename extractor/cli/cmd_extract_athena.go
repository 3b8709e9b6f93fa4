package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	awsathena "github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/spf13/cobra"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/athena"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/cloudtrail"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/engine"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// athenaName is what Glue accepts as a database or table name.
var athenaName = regexp.MustCompile(`^[a-z0-9_]{1,255}$`)

func checkAthenaOptions(opts extractOptions) error {
	s := opts.athena
	switch {
	case len(opts.sources) > 0:
		return usagef("--engine athena reads the integrations' trails; --source is for --engine local")
	case s.Workgroup == "":
		return usagef("--athena-workgroup: give the workgroup queries run in, such as primary")
	case !athenaName.MatchString(s.Database):
		return usagef("--athena-database %q: give a Glue database name of lower-case letters, digits and underscores", s.Database)
	case s.Table != "" && !athenaName.MatchString(s.Table):
		return usagef("--athena-table %q: give a table name of lower-case letters, digits and underscores", s.Table)
	case s.Output != "" && !strings.HasPrefix(s.Output, "s3://"):
		return usagef("--athena-output %q: give an s3://BUCKET/PREFIX/ location", s.Output)
	}
	return nil
}

// cloudTrailLaunch is the first day a CloudTrail table's projection covers:
// any window ends after it.
var cloudTrailLaunch = time.Date(2013, 11, 13, 0, 0, 0, 0, time.UTC)

func runAthenaExtract(cmd *cobra.Command, g *globalOptions, db *store.DB, opts extractOptions, window activity.Window) error {
	ctx := cmd.Context()
	trails, err := engine.Integrations(ctx, db, g.logger)
	if err != nil {
		return err
	}
	if len(trails) == 0 {
		return fmt.Errorf("nothing to extract: no integration in %s extracts logs; declare one with the Terraform resource activity_monitoring_integration", db.Path())
	}
	if opts.athena.Table != "" && len(trails) > 1 {
		return usagef("--athena-table names one table, and %d integrations extract; leave it out to get one table per integration", len(trails))
	}
	ins, err := db.Integrations(ctx)
	if err != nil {
		return err
	}
	resourcesBefore, err := db.ResourceCount(ctx)
	if err != nil {
		return err
	}
	var names []string
	for _, it := range trails {
		names = append(names, "athena:"+opts.athena.Database+"."+athena.TableName(opts.athena, it.IntegrationID()))
	}
	runID, err := db.StartExtractRun(ctx, window.AsOf, window.Days, names)
	if err != nil {
		return err
	}
	var sums []athenaSummaryJSON
	run := store.ExtractRun{ID: runID, Status: store.RunDone}
	for _, it := range trails {
		logs := it.Logs.(cloudtrail.S3)
		orgID, accounts, regions, err := logs.LogFolders(ctx)
		if err != nil {
			run.Status = store.RunFailed
			_ = db.FinishExtractRun(context.WithoutCancel(ctx), run)
			return fmt.Errorf("integration %s: list the trail's accounts: %w", it.IntegrationID(), err)
		}
		// The projection enumerates the accounts and regions that have
		// logs, so that Athena lists no empty folders; every integration's
		// account is added, and the next run adds what appeared since.
		for _, in := range ins {
			accounts = append(accounts, in.AccountID)
		}
		if len(regions) == 0 {
			regions = activity.Regions()
		}
		target := athena.Target{Integration: it.IntegrationID(), Layout: athena.Layout{
			Bucket: logs.Bucket, Prefix: logs.Prefix, OrgID: orgID, Accounts: accounts, Regions: regions, Since: cloudTrailLaunch,
		}}
		if !it.Integration.ExtractForOrganization {
			target.Accounts = []string{it.IntegrationID()}
		}
		runner := athena.Runner{Client: awsathena.NewFromConfig(it.AWS), Settings: opts.athena}
		sum, err := athena.Extract(ctx, db, target, athena.Options{Runner: runner, Window: window, Now: db.Now, RunID: runID, Logger: g.logger})
		sums = append(sums, toAthenaJSON(it.IntegrationID(), opts.athena.Database, sum))
		run.Events += sum.Events
		if err != nil {
			run.Status = store.RunFailed
			if errors.Is(err, context.Canceled) {
				run.Status = store.RunInterrupted
			}
			_ = db.FinishExtractRun(context.WithoutCancel(ctx), run)
			return fmt.Errorf("integration %s: %w", it.IntegrationID(), err)
		}
	}
	if err := db.FinishExtractRun(context.WithoutCancel(ctx), run); err != nil {
		return err
	}
	if err := evaluateNewResources(ctx, g, db, resourcesBefore); err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if opts.json {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"run_id": runID, "engine": "athena", "integrations": sums})
	}
	writeAthenaText(out, sums)
	return nil
}

// athenaSummaryJSON is one integration's part of the --json summary.
type athenaSummaryJSON struct {
	Integration  string  `json:"integration"`
	Table        string  `json:"table"`
	QueryID      *string `json:"query_id"`
	Days         int     `json:"days_aggregated"`
	DaysLoaded   int     `json:"days_already_loaded"`
	DaysPending  int     `json:"days_not_complete"`
	DaysLocal    int     `json:"days_read_by_local_engine"`
	Rows         int64   `json:"rows"`
	RowsSkipped  int64   `json:"rows_skipped"`
	Events       int64   `json:"events"`
	BytesScanned int64   `json:"bytes_scanned"`
	CostUSD      float64 `json:"cost_usd"`
	Seconds      float64 `json:"seconds"`
}

func toAthenaJSON(integration, database string, s athena.Summary) athenaSummaryJSON {
	j := athenaSummaryJSON{Integration: integration, Table: database + "." + s.Table, Days: s.Days, DaysLoaded: s.DaysLoaded,
		DaysPending: s.DaysPending, DaysLocal: s.DaysLocal, Rows: s.Rows, RowsSkipped: s.Skipped, Events: s.Events, BytesScanned: s.BytesScanned, CostUSD: s.CostUSD, Seconds: s.Elapsed.Seconds()}
	if s.QueryID != "" {
		j.QueryID = &s.QueryID
	}
	return j
}

func writeAthenaText(out io.Writer, sums []athenaSummaryJSON) {
	for _, s := range sums {
		fmt.Fprintf(out, "integration %s: table %s\n", s.Integration, s.Table)
		fmt.Fprintf(out, "  days:  %d aggregated, %d already loaded, %d not complete yet, %d read by the local engine\n", s.Days, s.DaysLoaded, s.DaysPending, s.DaysLocal)
		if s.QueryID != nil {
			fmt.Fprintf(out, "  query: %s, %d rows, %d events, %s scanned, $%.4f\n", *s.QueryID, s.Rows, s.Events, humanBytes(s.BytesScanned), s.CostUSD)
			if s.RowsSkipped > 0 {
				fmt.Fprintf(out, "  %d rows skipped: their events have no usable eventTime, eventSource or eventName\n", s.RowsSkipped)
			}
		}
	}
}
