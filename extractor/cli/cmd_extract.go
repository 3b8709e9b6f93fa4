package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/awsapi"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/athena"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/cloudtrail"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/discover"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/extract"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

type extractOptions struct {
	sources       []string
	window        string
	asOf          string
	json          bool
	workers       int
	maxObjectSize int64
	engine        string
	athena        athena.Settings
}

// trailInfoMaxAge is how long a cached cloudtrail:GetTrail answer is used
// before the trail is described again.
const trailInfoMaxAge = 24 * time.Hour

func newExtractCommand(g *globalOptions) *cobra.Command {
	var opts extractOptions
	cmd := &cobra.Command{
		Use:   "extract",
		Short: "Read CloudTrail logs into usage facts",
		Long: `extract reads the CloudTrail objects of the window and records who did what to
which S3 bucket, KMS key and Secrets Manager secret, when, and whether it was allowed.

Without --source it reads every integration in the database that is not skip_extraction:
it describes the trail (cloudtrail:GetTrail, cached in the database) and lists only the
date folders of the window, for every account and region the trail holds (or only the
integration's account, for an account trail). --source DIR reads every *.json and
*.json.gz event file under a folder; --source s3://BUCKET/PREFIX reads a bucket.

Runs are incremental: an object already read is not read again. Objects that cannot be
read (corrupt gzip, not JSON, not a CloudTrail file, too large) are skipped and listed
at the end and by 'activity-extractor errors'; the exit status is then 3.

S3 access uses the AWS default credential chain; set AWS_S3_USE_PATH_STYLE=true for
S3-compatible servers that need path-style requests.

--engine athena pushes the scan to Amazon Athena instead, for the integrations only: it
creates (if absent) a CloudTrail table with partition projection over each trail's S3
location, aggregates the window's complete days not loaded yet in one query, and loads
the aggregated rows. Each query's id, bytes scanned and cost are printed and recorded.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runExtract(cmd, g, opts) },
	}
	f := cmd.Flags()
	f.StringArrayVar(&opts.sources, "source", nil, "read this folder or s3://BUCKET/PREFIX instead of the integrations (repeatable)")
	f.StringVar(&opts.window, "window", "30d", "time range before --as-of whose logs are read: 1d to 365d")
	f.StringVar(&opts.asOf, "as-of", "", "end of the window, RFC 3339 (default now)")
	f.BoolVar(&opts.json, "json", false, "print the run summary as JSON")
	f.IntVar(&opts.workers, "workers", 0, "objects decoded at once (default: one per CPU)")
	f.Int64Var(&opts.maxObjectSize, "max-object-size", cloudtrail.DefaultMaxObjectBytes, "largest decompressed object read, in bytes; larger ones are skipped")
	f.StringVar(&opts.engine, "engine", "local", "where logs are scanned: local (read every object here) or athena (aggregate in Amazon Athena)")
	f.StringVar(&opts.athena.Workgroup, "athena-workgroup", "primary", "Athena workgroup the queries run in (--engine athena)")
	f.StringVar(&opts.athena.Database, "athena-database", "default", "Glue database holding the CloudTrail tables (--engine athena)")
	f.StringVar(&opts.athena.Output, "athena-output", "", "s3://BUCKET/PREFIX/ for query results (--engine athena; default: the workgroup's)")
	f.StringVar(&opts.athena.Table, "athena-table", "", "CloudTrail table name (--engine athena; default activity_cloudtrail_ACCOUNT per integration)")
	return cmd
}

// parseWindow reads a window such as 30d.
func parseWindow(s string) (time.Duration, error) {
	n, err := strconv.Atoi(strings.TrimSuffix(s, "d"))
	if err != nil || !strings.HasSuffix(s, "d") || n < 1 || n > 365 {
		return 0, usagef("--window %q: give a number of days from 1d to 365d, such as 30d", s)
	}
	return time.Duration(n) * 24 * time.Hour, nil
}

// parseAsOf reads --as-of, defaulting to now.
func parseAsOf(s string, now func() time.Time) (time.Time, error) {
	if s == "" {
		return now().UTC().Truncate(time.Second), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, usagef("--as-of %q: give an RFC 3339 time such as 2026-11-25T00:00:00Z", s)
	}
	return t.UTC(), nil
}

func runExtract(cmd *cobra.Command, g *globalOptions, opts extractOptions) error {
	ctx := cmd.Context()
	window, err := parseWindow(opts.window)
	if err != nil {
		return err
	}
	if opts.workers < 0 || opts.workers > 256 {
		return usagef("--workers %d: give 1 to 256, or 0 for one per CPU", opts.workers)
	}
	if opts.maxObjectSize < 1<<20 {
		return usagef("--max-object-size %d: give at least 1048576 bytes", opts.maxObjectSize)
	}
	switch opts.engine {
	case "local":
	case "athena":
		if err := checkAthenaOptions(opts); err != nil {
			return err
		}
	default:
		return usagef("--engine %q: give local or athena", opts.engine)
	}
	db, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	asOf, err := parseAsOf(opts.asOf, db.Now)
	if err != nil {
		return err
	}
	if opts.engine == "athena" {
		return runAthenaExtract(cmd, g, db, opts, asOf, window)
	}
	var sources []cloudtrail.Source
	if len(opts.sources) > 0 {
		sources, err = explicitSources(ctx, g, opts.sources)
	} else {
		sources, err = integrationSources(ctx, g, db)
	}
	if err != nil {
		return err
	}
	if len(sources) == 0 {
		return fmt.Errorf("nothing to extract: no integration in %s extracts logs; declare one with the Terraform resource activity_monitoring_integration, or name logs with --source", db.Path())
	}
	var bar *progressBar
	if f, ok := g.streams.Err.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		bar = &progressBar{w: g.streams.Err}
	}
	if os.Getenv("GOGC") == "" {
		// Decoding allocates a great deal that dies at once while little
		// stays live; collecting half as often saves CPU for decoding and
		// keeps peak memory well under the 300 MB budget.
		debug.SetGCPercent(200)
	}
	// Deliveries of the window's first day hold events of the day before.
	athenaDays, _, err := db.DaysByEngine(ctx, store.Day(asOf.Add(-window))-1, store.Day(asOf))
	if err != nil {
		return err
	}
	eo := extract.Options{Sources: sources, AsOf: asOf, Window: window, Workers: opts.workers, MaxObjectBytes: opts.maxObjectSize,
		AthenaDays: athenaDays, Logger: g.logger}
	if bar != nil {
		eo.Progress = bar.update
	}
	resourcesBefore, err := db.ResourceCount(ctx)
	if err != nil {
		return err
	}
	sum, err := extract.Run(ctx, db, eo)
	if bar != nil {
		bar.finish()
	}
	if err != nil {
		return err
	}
	if err := evaluateNewResources(ctx, g, db, resourcesBefore); err != nil {
		return err
	}
	errs, err := db.ExtractErrors(context.WithoutCancel(ctx), sum.RunID, 0)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if opts.json {
		if err := writeExtractJSON(out, sum, errs); err != nil {
			return err
		}
	} else {
		writeExtractText(out, g.streams.Err, sum, errs)
	}
	if len(errs) > 0 {
		return fmt.Errorf("%d objects and %d records skipped (list them with: activity-extractor errors): %w", sum.Skipped, sum.BadRecords, ErrSkippedInputs)
	}
	return nil
}

func explicitSources(ctx context.Context, g *globalOptions, specs []string) ([]cloudtrail.Source, error) {
	var out []cloudtrail.Source
	for _, s := range specs {
		if !strings.HasPrefix(s, "s3://") {
			if st, err := os.Stat(s); err != nil || !st.IsDir() {
				return nil, usagef("--source %q: not a folder or an s3://BUCKET/PREFIX URL", s)
			}
			out = append(out, cloudtrail.Folder{Dir: s})
			continue
		}
		bucket, prefix, err := awsapi.ParseS3URL(s)
		if err != nil {
			return nil, usagef("--source: %v", err)
		}
		cfg, err := awsapi.Config(ctx, "", "")
		if err != nil {
			return nil, err
		}
		if cfg.Region == "" {
			cfg.Region = "us-east-1"
		}
		out = append(out, cloudtrail.S3{Client: awsapi.S3ClientForBucket(ctx, cfg, bucket, cloudtrail.LogsRoot(prefix)), Bucket: bucket, Prefix: prefix, Logger: g.logger})
	}
	return out, nil
}

// integrationSources turns the integrations that extract into S3 sources,
// describing each trail unless a recent answer is cached.
func integrationSources(ctx context.Context, g *globalOptions, db *store.DB) ([]cloudtrail.Source, error) {
	trails, err := integrationTrails(ctx, g, db)
	if err != nil {
		return nil, err
	}
	var out []cloudtrail.Source
	for _, it := range trails {
		out = append(out, it.src)
	}
	return out, nil
}

// integrationTrail is an integration that extracts, with its trail's
// location and the AWS configuration that reads it.
type integrationTrail struct {
	in  store.Integration
	cfg aws.Config
	src cloudtrail.S3
}

// integrationTrails describes the trail of each integration that extracts,
// unless a recent answer is cached.
func integrationTrails(ctx context.Context, g *globalOptions, db *store.DB) ([]integrationTrail, error) {
	ins, err := db.Integrations(ctx)
	if err != nil {
		return nil, err
	}
	var out []integrationTrail
	for _, in := range ins {
		if in.SkipExtraction {
			continue
		}
		cfg, err := awsapi.Config(ctx, in.Region, in.RoleARN)
		if err != nil {
			return nil, fmt.Errorf("integration %s: %w", in.AccountID, err)
		}
		info := in.TrailInfo
		if info.ResolvedAt.IsZero() || db.Now().Sub(info.ResolvedAt) > trailInfoMaxAge || info.S3Bucket == "" {
			info, err = awsapi.DescribeTrail(ctx, cfg, in.Trail)
			if err != nil {
				return nil, fmt.Errorf("integration %s: %w", in.AccountID, err)
			}
			if err := db.SetTrailInfo(ctx, in.AccountID, info); err != nil {
				return nil, err
			}
		}
		// Without S3 data events object use is invisible; the scores say so.
		if logged, err := awsapi.S3DataEventsLogged(ctx, cfg, in.Trail); err != nil {
			g.logger.Warn("cannot read the trail's event selectors; S3 data event coverage is guessed from the logs", "account", in.AccountID, "error", err)
		} else if err := db.SetS3DataEvents(ctx, in.AccountID, logged); err != nil {
			return nil, err
		}
		src := cloudtrail.S3{Client: awsapi.S3ClientForBucket(ctx, cfg, info.S3Bucket, cloudtrail.LogsRoot(info.S3KeyPrefix)),
			Bucket: info.S3Bucket, Prefix: info.S3KeyPrefix, Logger: g.logger}
		if !in.ExtractForOrganization {
			src.Accounts = []string{in.AccountID}
		}
		g.logger.Info("extracting integration", "account", in.AccountID, "mode", in.Mode(), "source", src.String())
		out = append(out, integrationTrail{in: in, cfg: cfg, src: src})
	}
	return out, nil
}

// extractJSON is the --json summary.
type extractJSON struct {
	RunID              int64              `json:"run_id"`
	ObjectsListed      int64              `json:"objects_listed"`
	ObjectsAlreadyRead int64              `json:"objects_already_read"`
	ObjectsRead        int64              `json:"objects_read"`
	ObjectsSkipped     int64              `json:"objects_skipped"`
	FoldersNotListed   int64              `json:"folders_not_listed"`
	RecordsSkipped     int64              `json:"records_skipped"`
	Events             int64              `json:"events"`
	UsesCounted        int64              `json:"uses_counted"`
	DuplicateEvents    int64              `json:"duplicate_events"`
	EventsLeftToAthena int64              `json:"events_left_to_athena"`
	Bytes              int64              `json:"bytes"`
	UncompressedBytes  int64              `json:"uncompressed_bytes"`
	Seconds            float64            `json:"seconds"`
	EventsPerSecond    float64            `json:"events_per_second"`
	Skipped            []extractErrorJSON `json:"skipped"`
}

func writeExtractJSON(w io.Writer, sum extract.Summary, errs []store.ExtractError) error {
	j := extractJSON{
		RunID: sum.RunID, ObjectsListed: sum.Listed, ObjectsAlreadyRead: sum.AlreadyRead, ObjectsRead: sum.Done,
		ObjectsSkipped: sum.Skipped, FoldersNotListed: sum.FoldersDenied, RecordsSkipped: sum.BadRecords, Events: sum.Events, UsesCounted: sum.Uses,
		DuplicateEvents: sum.Duplicates, EventsLeftToAthena: sum.LeftToAthena, Bytes: sum.Bytes, UncompressedBytes: sum.Uncompressed,
		Seconds: sum.Elapsed.Seconds(), Skipped: toErrorsJSON(errs),
	}
	if s := sum.Elapsed.Seconds(); s > 0 {
		j.EventsPerSecond = float64(sum.Events) / s
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(j)
}

// maxErrorsShown bounds the skipped inputs listed after a run; the errors
// command lists them all.
const maxErrorsShown = 20

func writeExtractText(out, errOut io.Writer, sum extract.Summary, errs []store.ExtractError) {
	fmt.Fprintf(out, "objects: %d listed, %d already read, %d read, %d skipped\n", sum.Listed, sum.AlreadyRead, sum.Done-sum.Skipped, sum.Skipped)
	if sum.FoldersDenied > 0 {
		fmt.Fprintf(out, "folders: %d could not be listed\n", sum.FoldersDenied)
	}
	fmt.Fprintf(out, "events:  %d read, %d uses counted, %d duplicate deliveries ignored, %d records skipped\n", sum.Events, sum.Uses, sum.Duplicates, sum.BadRecords)
	if sum.LeftToAthena > 0 {
		fmt.Fprintf(out, "         %d of days the Athena engine loaded, left to it\n", sum.LeftToAthena)
	}
	fmt.Fprintf(out, "took:    %s (%s events/s, %s uncompressed)\n", sum.Elapsed.Round(time.Millisecond), humanRate(float64(sum.Events), sum.Elapsed), humanBytes(sum.Uncompressed))
	for i, e := range errs {
		if i == maxErrorsShown {
			fmt.Fprintf(errOut, "... and %d more; list them all with: activity-extractor errors\n", len(errs)-maxErrorsShown)
			break
		}
		fmt.Fprintf(errOut, "skipped %s\n", describeError(e))
	}
}

func describeError(e store.ExtractError) string {
	where := terminalSafe(e.Location)
	if e.RecordIndex >= 0 {
		where += fmt.Sprintf(" record %d", e.RecordIndex)
	}
	return where + ": " + terminalSafe(e.Reason)
}

func humanRate(n float64, d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	r := n / d.Seconds()
	switch {
	case r >= 1e6:
		return fmt.Sprintf("%.2fM", r/1e6)
	case r >= 1e3:
		return fmt.Sprintf("%.1fk", r/1e3)
	}
	return fmt.Sprintf("%.0f", r)
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// progressBar draws one status line on a terminal.
type progressBar struct {
	w    io.Writer
	last time.Time
	drew bool
}

func (b *progressBar) update(p extract.Progress) {
	now := time.Now()
	if now.Sub(b.last) < 200*time.Millisecond {
		return
	}
	b.last = now
	elapsed := now.Sub(p.Started)
	todo := p.Listed - p.AlreadyRead
	line := fmt.Sprintf("objects %d/%d", p.Done, todo)
	if p.Listing {
		line += "+ (listing)"
	}
	line += fmt.Sprintf(" · events %d · %s · %s/s", p.Events, humanBytes(p.Uncompressed), humanBytes(int64(float64(p.Uncompressed)/max(elapsed.Seconds(), 0.001))))
	if !p.Listing && p.Done > 0 && todo > p.Done {
		eta := time.Duration(float64(elapsed) / float64(p.Done) * float64(todo-p.Done))
		line += " · ETA " + eta.Round(time.Second).String()
	}
	fmt.Fprintf(b.w, "\r\x1b[K%s", line)
	b.drew = true
}

func (b *progressBar) finish() {
	if b.drew {
		fmt.Fprint(b.w, "\r\x1b[K")
	}
}

// evaluateNewResources computes the grants on buckets, keys and secrets that
// the logs revealed after discovery ran, so that scores do not depend on
// whether discover or extract ran first.
func evaluateNewResources(ctx context.Context, g *globalOptions, db *store.DB, before int) error {
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
	g.logger.Info("grants evaluated for resources seen in the logs", "new_resources", after-before, "pairs", sum.Grants)
	return nil
}
