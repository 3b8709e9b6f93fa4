package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/score"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

type scoreOptions struct {
	windowOptions
	json bool
}

func newScoreCommand(g *globalOptions) *cobra.Command {
	var opts scoreOptions
	cmd := &cobra.Command{
		Use:   "score",
		Short: "Compute OPS, dormant flags and last activity for a window",
		Long: `score compares, for every principal, the actions its policies grant on each bucket,
KMS key and secret (from discover) with the actions it performed successfully in the
window (from extract), and stores the result as one run that report and the Terraform
provider read.

OPS on a resource is the share of granted actions left unused. A principal's OPS is the
share of all the (resource, action) pairs it is granted that it left unused;
resource_ops is the share of its granted resources it did not use at all. A principal
is monitored when an integration enables its account (in a database without
integrations, any account) and the account's logs were read for the window. A principal
is dormant when it is monitored, existed for the whole window, and did nothing at all
in it. When OPS cannot be known it is null, not zero, and na_reason says why:
not_enabled, no_logs, not_discovered, policy_unreadable or nothing_granted.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runScore(cmd, g, opts) },
	}
	opts.addFlags(cmd, "activity window before --as-of")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the run summary as JSON")
	return cmd
}

func runScore(cmd *cobra.Command, g *globalOptions, opts scoreOptions) error {
	w, err := opts.parse(g.now)
	if err != nil {
		return err
	}
	db, err := g.openExistingStore(cmd.Context())
	if err != nil {
		return err
	}
	defer db.Close()
	sum, err := score.Run(cmd.Context(), db, w, g.logger)
	if err != nil {
		return fmt.Errorf("score: %w", err)
	}
	if err := printScoreSummary(cmd, w, sum, opts.json); err != nil {
		return err
	}
	if err := checkRulesAfterScore(cmd, db, sum.RunID); err != nil {
		return err
	}
	return afterNow(w, g.now)
}

// checkRulesAfterScore evaluates the saved rules against the run just made,
// when there are rules, so that the exit status of a scoring run gates too.
// The verdict goes to stderr: stdout keeps the run summary alone.
func checkRulesAfterScore(cmd *cobra.Command, db *store.DB, runID int64) error {
	all, err := db.Rules(cmd.Context())
	if err != nil || len(all) == 0 {
		return err
	}
	run, err := db.ScoreRunByID(cmd.Context(), runID)
	if err != nil {
		return err
	}
	return checkRules(cmd, cmd.ErrOrStderr(), db, run, false)
}

func printScoreSummary(cmd *cobra.Command, w activity.Window, sum score.Summary, asJSON bool) error {
	out := cmd.OutOrStdout()
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{
			"run_id": sum.RunID, "as_of": w.AsOf.UTC().Format(time.RFC3339), "window_days": w.Days,
			"principals": sum.Principals, "monitored": sum.Monitored, "unmonitored": sum.Unmonitored,
			"dormant": sum.Dormant, "kms_keys": sum.KMSKeys,
		})
	}
	fmt.Fprintf(out, "Scored %d principals (%d monitored, %d not monitored, %d dormant) and %d KMS keys for the %d days up to %s (run %d).\n",
		sum.Principals, sum.Monitored, sum.Unmonitored, sum.Dormant, sum.KMSKeys, w.Days, w.AsOf.Format(time.RFC3339), sum.RunID)
	return nil
}

// latestOrScore returns the scores to show: a new run for the window when
// asked, or when the store has none for it. With --as-of the stored run must
// end there; without, it is the one whose window ends last.
func latestOrScore(cmd *cobra.Command, g *globalOptions, db *store.DB, opts windowOptions, rescore bool) (activity.ScoreRun, error) {
	w, err := opts.parse(g.now)
	if err != nil {
		return activity.ScoreRun{}, err
	}
	if !rescore {
		var at time.Time
		if opts.asOf != "" {
			at = w.AsOf
		}
		run, err := db.ScoreRunFor(cmd.Context(), w.Days, at)
		if !errors.Is(err, store.ErrNoScores) {
			return run, err
		}
	}
	if db.ReadOnly() {
		return activity.ScoreRun{}, fmt.Errorf("%s is read-only and holds no scores for the window %s: run 'activity-extractor score' where the database can be written (or on a writable copy), or give the --window and --as-of of a stored run", db.Path(), w)
	}
	sum, err := score.Run(cmd.Context(), db, w, g.logger)
	if err != nil {
		return activity.ScoreRun{}, fmt.Errorf("score: %w", err)
	}
	return db.ScoreRunByID(cmd.Context(), sum.RunID)
}
