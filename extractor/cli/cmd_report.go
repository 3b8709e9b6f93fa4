package cli

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/report"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/score"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

type reportOptions struct {
	windowOptions
	format        string
	out           string
	stored        bool
	accounts      []string
	kinds         []string
	resourceKinds []string
	minOPS        float64
	dormant       bool
	sortBy        string
	details       bool
}

func newReportCommand(g *globalOptions) *cobra.Command {
	var opts reportOptions
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Show dormant and over-provisioned principals",
		Long: `report scores the window (as score does) and shows the result: dormant and
over-provisioned principals first, then the unused services of every principal
(service_ops, permission_ops) and the findings (unused_role, unused_permission,
unused_access_key, unused_password, as IAM Access Analyzer names them UnusedIAMRole,
UnusedPermission, UnusedIAMUserAccessKey and UnusedIAMUserPassword; credentials come
from discover and the logs), then KMS keys' last
activity and last use of key material. --format table is the dashboard for a terminal, json the machine contract,
html one self-contained page (charts included, nothing fetched from the network).
On a read-only database the window is computed and shown without being stored.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runReport(cmd, g, opts) },
	}
	opts.addFlags(cmd, "activity window before --as-of")
	f := cmd.Flags()
	f.StringVar(&opts.format, "format", "table", "table, json or html")
	f.StringVar(&opts.out, "out", "", "write to this file instead of standard output (created with mode 0600)")
	f.BoolVar(&opts.stored, "stored", false, "show the latest stored run for the window instead of scoring anew")
	f.StringArrayVar(&opts.accounts, "account", nil, "only principals of this account (repeatable)")
	f.StringArrayVar(&opts.kinds, "kind", nil, "only principals of this kind: "+strings.Join(activity.ReportedKinds, ", ")+" (repeatable)")
	f.StringArrayVar(&opts.resourceKinds, "resource-kind", nil, "only grants on this kind: "+strings.Join(activity.ResourceKindNames(), ", ")+" (repeatable)")
	f.Float64Var(&opts.minOPS, "min-ops", 0, "only principals whose OPS is at least this")
	f.BoolVar(&opts.dormant, "dormant", false, "only dormant principals")
	f.StringVar(&opts.sortBy, "sort", "", "table order: ops, resource_ops, last_activity or arn (default: dormant first, then OPS)")
	f.BoolVar(&opts.details, "details", false, "table: list each principal's resources")
	return cmd
}

func (o reportOptions) filter(cmd *cobra.Command) (store.ScoreFilter, error) {
	f := store.ScoreFilter{Accounts: o.accounts, Kinds: o.kinds, ResourceKinds: o.resourceKinds, DormantOnly: o.dormant}
	for _, k := range o.kinds {
		if !oneOf(k, activity.ReportedKinds...) {
			return f, usagef("--kind %q: use one of %v", k, activity.ReportedKinds)
		}
	}
	for _, k := range o.resourceKinds {
		if activity.ResourceKindNamed(k) == nil {
			return f, usagef("--resource-kind %q: use one of %v", k, activity.ResourceKindNames())
		}
	}
	if cmd.Flags().Changed("min-ops") {
		if math.IsNaN(o.minOPS) || o.minOPS < 0 || o.minOPS > 100 {
			return f, usagef("--min-ops %v: give a number from 0 to 100", o.minOPS)
		}
		f.MinOPS = &o.minOPS
	}
	return f, nil
}

func runReport(cmd *cobra.Command, g *globalOptions, opts reportOptions) error {
	if !oneOf(opts.format, "table", "json", "html") {
		return usagef("--format %q: use table, json or html", opts.format)
	}
	order, err := report.ParseOrder(opts.sortBy)
	if err != nil {
		return usagef("--sort: %v", err)
	}
	filter, err := opts.filter(cmd)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	db, err := g.openStoreForReading(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	scores, err := reportScores(cmd, g, db, opts, filter)
	if err != nil {
		return err
	}
	w, done, err := output(cmd, opts.out)
	if err != nil {
		return err
	}
	switch opts.format {
	case "json":
		err = report.JSON(w, scores)
	case "html":
		err = report.HTML(w, scores)
	default:
		err = report.Table(w, scores, report.TableOptions{SortBy: order, Details: opts.details})
	}
	if err := done(err); err != nil {
		return err
	}
	return afterNow(scores.Run.Window, g.now)
}

// reportScores are the scores the report shows: stored ones with --stored,
// else the window scored now and stored, or only computed when the database
// is read-only.
func reportScores(cmd *cobra.Command, g *globalOptions, db *store.DB, opts reportOptions, filter store.ScoreFilter) (*activity.Scores, error) {
	if db.ReadOnly() && !opts.stored {
		w, err := opts.parse(g.now)
		if err != nil {
			return nil, err
		}
		scores, err := score.Compute(cmd.Context(), db, w, nil)
		if err != nil {
			return nil, fmt.Errorf("score: %w", err)
		}
		scores.Principals = filter.Select(scores.Principals)
		return scores, nil
	}
	run, err := latestOrScore(cmd, g, db, opts.windowOptions, !opts.stored)
	if err != nil {
		return nil, err
	}
	return db.LoadScores(cmd.Context(), run, filter)
}

// output opens --out, or standard output when it is empty. done closes the
// file and reports the first error.
func output(cmd *cobra.Command, path string) (io.Writer, func(error) error, error) {
	if path == "" {
		return cmd.OutOrStdout(), func(err error) error { return err }, nil
	}
	f, err := os.OpenFile(filepath.Clean(path), os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("--out: %w", err)
	}
	return f, func(err error) error {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	}, nil
}

func oneOf(s string, options ...string) bool {
	for _, o := range options {
		if s == o {
			return true
		}
	}
	return false
}
