// Package cli is the activity-extractor command line: one file per command,
// each with an options struct, its flags, and a run function.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// Streams are the standard streams a command uses: stdout is data, stderr is
// logs and progress.
type Streams struct {
	In       io.Reader
	Out, Err io.Writer
}

// globalOptions are the flags every command takes.
type globalOptions struct {
	dbPath   string
	logLevel string
	streams  Streams
	version  string
	logger   *slog.Logger
	// now is the clock of every command: the default end of a window, and
	// the store's times.
	now func() time.Time
}

// openExistingStore opens the database named by --db for a command that
// works on what other commands stored: a database that does not exist is a
// mistake (a mistyped path), not an empty store, and is not created.
func (g *globalOptions) openExistingStore(ctx context.Context) (*store.DB, error) {
	if err := g.checkExists(); err != nil {
		return nil, err
	}
	return g.openStore(ctx)
}

// openStoreForReading opens the existing database named by --db for a
// command that only reads it, and works on a read-only file or folder.
func (g *globalOptions) openStoreForReading(ctx context.Context) (*store.DB, error) {
	if err := g.checkExists(); err != nil {
		return nil, err
	}
	db, err := store.OpenExisting(ctx, g.dbPath)
	if err != nil {
		return nil, openError(g.dbPath, err)
	}
	db.Now = g.now
	return db, nil
}

func (g *globalOptions) checkExists() error {
	if _, err := os.Stat(g.dbPath); errors.Is(err, fs.ErrNotExist) {
		return usagef("--db %s: no such database; give the path extract and discover wrote to (the default is %s), or run them first",
			g.dbPath, store.DefaultPath)
	}
	return nil
}

// openStore opens the database named by --db, creating it when it does not
// exist.
func (g *globalOptions) openStore(ctx context.Context) (*store.DB, error) {
	db, err := store.Open(ctx, g.dbPath)
	if err != nil {
		return nil, openError(g.dbPath, err)
	}
	db.Now = g.now
	return db, nil
}

// openError says which --db could not be opened; a file of another program
// is a usage mistake.
func openError(path string, err error) error {
	if errors.Is(err, store.ErrForeignDatabase) {
		return usagef("--db: %v", err)
	}
	return fmt.Errorf("open database (--db %s): %w", path, err)
}

// commandConstructors are the commands, in the order of the work: from what
// Terraform enabled to sharing the results, then the demo data. A new
// command adds its constructor here.
var commandConstructors = []func(*globalOptions) *cobra.Command{
	newIntegrationsCommand,
	newExtractCommand,
	newDiscoverCommand,
	newPeopleCommand,
	newScoreCommand,
	newReportCommand,
	newRulesCommand,
	newSimulateCommand,
	newErrorsCommand,
	newPublishCommand,
	newGenerateCommand,
}

// Run runs the command line args and returns what happened; ExitCode turns
// the result into an exit status.
func Run(ctx context.Context, args []string, streams Streams, version string) error {
	return RunAt(ctx, time.Now, args, streams, version)
}

// RunAt is Run with the clock now: the default end of every window and the
// times the store records.
func RunAt(ctx context.Context, now func() time.Time, args []string, streams Streams, version string) error {
	g := &globalOptions{streams: streams, version: version, now: now}
	root := &cobra.Command{
		Use:   "activity-extractor",
		Short: "Find who holds AWS access they never use",
		Long: `activity-extractor reads the CloudTrail logs AWS writes to S3, compares what each
identity did with what its policies allow, and scores the gap (the Over-Provisioned
Score). Results go to one SQLite file that the Terraform provider reads.

Exit status: 0 success, 1 failure, 2 bad usage, 3 finished but incomplete (some inputs
were skipped, nothing was found to read, or the window ends after now), 4 rules are
violated, 130 interrupted.`,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			level, err := parseLevel(g.logLevel)
			if err != nil {
				return err
			}
			g.logger = slog.New(slog.NewTextHandler(streams.Err, &slog.HandlerOptions{Level: level}))
			return nil
		},
	}
	root.SetVersionTemplate(versionText(version))
	root.SetArgs(args)
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.Err)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	defaultDB := store.DefaultPath
	if v := os.Getenv("ACTIVITY_DATABASE"); v != "" {
		defaultDB = v
	}
	root.PersistentFlags().StringVar(&g.dbPath, "db", defaultDB, "SQLite database file (env ACTIVITY_DATABASE)")
	root.PersistentFlags().StringVar(&g.logLevel, "log-level", "warn", "log level: debug, info, warn or error")
	for _, c := range commandConstructors {
		root.AddCommand(c(g))
	}
	cmd, err := root.ExecuteContextC(ctx)
	if err != nil {
		if isUsageMistake(err) {
			err = usageError{err}
		}
		reportError(streams.Err, cmd, err)
	}
	return err
}

// isUsageMistake recognises cobra's own argument errors, which it returns as
// plain errors.
func isUsageMistake(err error) bool {
	var ue usageError
	if errors.As(err, &ue) {
		return false
	}
	msg := err.Error()
	for _, s := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "accepts ", "requires at least", "requires at most", "invalid argument"} {
		if strings.HasPrefix(msg, s) || strings.Contains(msg, " "+s) {
			return true
		}
	}
	return false
}

func reportError(w io.Writer, cmd *cobra.Command, err error) {
	name := "activity-extractor"
	if cmd != nil {
		name = cmd.CommandPath()
	}
	switch ExitCode(err) {
	case ExitCancelled:
		fmt.Fprintf(w, "%s: interrupted; work committed before the interruption is kept\n", name)
	case ExitUsage:
		fmt.Fprintf(w, "%s: %v\nRun '%s --help' for usage.\n", name, err, name)
	default:
		fmt.Fprintf(w, "%s: %v\n", name, err)
	}
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, usagef("--log-level %q: use debug, info, warn or error", s)
	}
	return l, nil
}
