package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/athena"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/cloudtrail"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/engine"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/extract"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

type extractOptions struct {
	windowOptions
	sources       []string
	json          bool
	workers       int
	maxObjectSize int64
	engine        string
	athena        athena.Settings
}

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

Runs are incremental: an object already read is not read again. An event delivered
twice (a retried delivery, an organization trail beside an account's own trail) counts
once when its copies arrive within 7 days of the newest day read for its account and
region; a copy arriving later may add to a count, never to times, used actions or OPS.
One run at a time
works on a database: a second one waits for the first (DB.lock beside the database
says which process holds it). Ctrl-C stops a run, keeping what it committed; --json
then prints the summary with "interrupted": true. Objects that cannot be
read (corrupt gzip, not JSON, not a CloudTrail file, too large) are skipped and listed
at the end and by 'activity-extractor errors'; the exit status is then 3. So are records
naming a value longer than AWS allows (an ARN over 2,048 bytes, say): the rest of their
object is read. Error codes longer than 256 bytes are kept cut, with a marker.

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
	opts.addFlags(cmd, "time range before --as-of whose logs are read")
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

func runExtract(cmd *cobra.Command, g *globalOptions, opts extractOptions) error {
	ctx := cmd.Context()
	window, err := opts.parse(g.now)
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
	var sources []engine.Source
	if len(opts.sources) > 0 {
		sources, err = engine.Locations(ctx, opts.sources, g.logger)
	} else {
		sources, err = engine.Integrations(ctx, db, g.logger)
	}
	var bad *engine.LocationError
	if errors.As(err, &bad) {
		return usagef("--source %v", bad)
	}
	if err != nil {
		return err
	}
	if len(sources) == 0 {
		hint := ", or name logs with --source"
		if opts.engine == "athena" {
			hint = ""
		}
		return fmt.Errorf("nothing to extract: no integration in %s extracts logs; declare one with the Terraform resource activity_monitoring_integration%s", db.Path(), hint)
	}
	if opts.engine == "athena" && opts.athena.Table != "" && len(sources) > 1 {
		return usagef("--athena-table names one table, and %d integrations extract; leave it out to get one table per integration", len(sources))
	}
	release, err := lockExtract(ctx, g, db.Path())
	if err != nil {
		return err
	}
	defer release()
	e, bar := chooseEngine(g, db, opts)
	sum, err := engine.Extract(ctx, db, e, window, sources, g.logger)
	if bar != nil {
		bar.finish()
	}
	// An interrupted run still says what it did before it stopped.
	interrupted := errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
	if err != nil && !interrupted {
		return err
	}
	out := cmd.OutOrStdout()
	if opts.engine == "athena" {
		if werr := writeAthenaSummary(out, opts.json, interrupted, opts.athena.Database, sum); werr != nil || err != nil {
			return errors.Join(err, werr)
		}
		return nil
	}
	errs, lerr := db.ExtractErrors(context.WithoutCancel(ctx), sum.RunID, 0)
	if lerr != nil {
		return errors.Join(err, lerr)
	}
	if opts.json {
		if werr := writeExtractJSON(out, sum, interrupted, errs); werr != nil {
			return errors.Join(err, werr)
		}
	} else {
		writeExtractText(out, g.streams.Err, sum, errs)
	}
	if interrupted {
		return err
	}
	if len(errs) > 0 {
		return fmt.Errorf("%d objects and %d records skipped (list them with: activity-extractor errors): %w", sum.Skipped, sum.BadRecords, ErrSkippedInputs)
	}
	if err := afterNow(window, g.now); err != nil {
		return err
	}
	if len(opts.sources) > 0 && sum.Listed == 0 {
		// A scheduled run that finds nothing to read is a broken run: a
		// wrong folder or prefix, or a window before the logs.
		return fmt.Errorf("no CloudTrail object found for the window %s under %s: check the location and --window/--as-of: %w",
			window, strings.Join(opts.sources, ", "), ErrSkippedInputs)
	}
	return nil
}

// lockExtract takes the database's extract lock, saying on standard error
// when it has to wait for another run.
func lockExtract(ctx context.Context, g *globalOptions, dbPath string) (func(), error) {
	host, _ := os.Hostname()
	holder := fmt.Sprintf("extract (pid %d on %s, started %s)", os.Getpid(), host, g.now().UTC().Format(time.RFC3339))
	release, err := store.LockExtract(ctx, dbPath, holder, func(other string) {
		fmt.Fprintf(g.streams.Err, "%s is in use by another %s; waiting for it to finish so the two runs do not read the same objects (Ctrl-C stops waiting)\n",
			dbPath, other)
	})
	if err != nil && ctx.Err() != nil {
		return nil, fmt.Errorf("stopped waiting for the other extract on %s: %w", dbPath, err)
	}
	return release, err
}

// chooseEngine is the engine --engine names, with its options, and the
// progress bar the local engine draws on a terminal.
func chooseEngine(g *globalOptions, db *store.DB, opts extractOptions) (engine.Engine, *progressBar) {
	if opts.engine == "athena" {
		return &athena.Engine{Settings: opts.athena, Now: db.Now, Logger: g.logger}, nil
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
	if os.Getenv("GOMEMLIMIT") == "" {
		// A soft bound: near it the collector runs more often instead of
		// letting the decoded objects waiting for a transaction (see
		// extract's batches) raise peak memory past 150 MB.
		debug.SetMemoryLimit(72 << 20)
	}
	eo := extract.Options{Workers: opts.workers, MaxObjectBytes: opts.maxObjectSize, Logger: g.logger}
	if bar != nil {
		eo.Progress = bar.update
	}
	return extract.New(eo), bar
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
	// Interrupted tells that the run stopped on Ctrl-C, SIGTERM or its
	// deadline: what it counted was committed, the rest is read next time.
	Interrupted bool `json:"interrupted"`
}

func writeExtractJSON(w io.Writer, sum engine.Report, interrupted bool, errs []store.ExtractError) error {
	j := extractJSON{
		Interrupted: interrupted, RunID: sum.RunID, ObjectsListed: sum.Listed, ObjectsAlreadyRead: sum.AlreadyRead, ObjectsRead: sum.Done,
		ObjectsSkipped: sum.Skipped, FoldersNotListed: sum.FoldersDenied, RecordsSkipped: sum.BadRecords, Events: sum.Events, UsesCounted: sum.Uses,
		DuplicateEvents: sum.Duplicates, EventsLeftToAthena: sum.EventsLeft, Bytes: sum.Bytes, UncompressedBytes: sum.Uncompressed,
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

func writeExtractText(out, errOut io.Writer, sum engine.Report, errs []store.ExtractError) {
	fmt.Fprintf(out, "objects: %d listed, %d already read, %d read, %d skipped\n", sum.Listed, sum.AlreadyRead, sum.Done-sum.Skipped, sum.Skipped)
	if sum.FoldersDenied > 0 {
		fmt.Fprintf(out, "folders: %d could not be listed\n", sum.FoldersDenied)
	}
	fmt.Fprintf(out, "events:  %d read, %d uses counted, %d duplicate deliveries ignored, %d records skipped\n", sum.Events, sum.Uses, sum.Duplicates, sum.BadRecords)
	if sum.EventsLeft > 0 {
		fmt.Fprintf(out, "         %d of days the Athena engine loaded, left to it\n", sum.EventsLeft)
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
	where := sentence(e.Location)
	if e.RecordIndex >= 0 {
		where += fmt.Sprintf(" record %d", e.RecordIndex)
	}
	return where + ": " + sentence(e.Reason)
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
