package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

type errorsOptions struct {
	run  int64
	all  bool
	json bool
}

func newErrorsCommand(g *globalOptions) *cobra.Command {
	var opts errorsOptions
	cmd := &cobra.Command{
		Use:   "errors",
		Short: "List the inputs extract skipped as bad",
		Long: `errors lists the CloudTrail objects and records that extract skipped, with the
reason: corrupt or truncated gzip, not JSON, not a CloudTrail delivery file, too large,
a record without eventTime, a record naming a value longer than AWS allows (an ARN over
2,048 bytes, an account id or region over 32, a user name over 256, a role session name
over 64; the reason names the field, its length and the bound). By default it lists those
of the latest run.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runErrors(cmd, g, opts) },
	}
	cmd.Flags().Int64Var(&opts.run, "run", 0, "list the errors of this run id")
	cmd.Flags().BoolVar(&opts.all, "all", false, "list the errors of every run")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print a JSON array")
	return cmd
}

type extractErrorJSON struct {
	RunID       int64  `json:"run_id"`
	Location    string `json:"location"`
	RecordIndex *int   `json:"record_index"`
	Reason      string `json:"reason"`
	At          string `json:"at"`
}

func toErrorsJSON(errs []store.ExtractError) []extractErrorJSON {
	out := make([]extractErrorJSON, 0, len(errs))
	for _, e := range errs {
		j := extractErrorJSON{RunID: e.RunID, Location: e.Location, Reason: e.Reason, At: e.At.Format(time.RFC3339)}
		if e.RecordIndex >= 0 {
			j.RecordIndex = &e.RecordIndex
		}
		out = append(out, j)
	}
	return out
}

func runErrors(cmd *cobra.Command, g *globalOptions, opts errorsOptions) error {
	ctx := cmd.Context()
	if opts.all && opts.run != 0 {
		return usagef("--all and --run exclude each other")
	}
	db, err := g.openStoreForReading(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	run := opts.run
	if !opts.all && run == 0 {
		last, err := db.LastExtractRun(ctx)
		if errors.Is(err, store.ErrNotFound) {
			if opts.json {
				fmt.Fprintln(cmd.OutOrStdout(), "[]")
				return nil
			}
			fmt.Fprintln(cmd.OutOrStdout(), "No extract run yet.")
			return nil
		}
		if err != nil {
			return err
		}
		run = last.ID
	}
	errs, err := db.ExtractErrors(ctx, run, 0)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if opts.json {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(toErrorsJSON(errs))
	}
	if len(errs) == 0 {
		fmt.Fprintln(out, "No inputs skipped.")
		return nil
	}
	for _, e := range errs {
		fmt.Fprintf(out, "run %d  %s\n", e.RunID, describeError(e))
	}
	return nil
}
