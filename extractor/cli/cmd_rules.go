package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/rules"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

type rulesOptions struct {
	windowOptions
	json    bool
	rescore bool
}

func newRulesCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List the saved rules and check the scores against them",
		Long: `Rules are saved constraints on scores, usually declared with the Terraform resource
activity_monitoring_rule: a bound on OPS (for principals, or for their scores on a kind of
resource) or a ban on dormant principals, scoped by accounts and kinds. 'rules check' exits
with status 4 when a rule is violated, so a pipeline without Terraform can gate on it.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error { return usagef("name a subcommand: list or check") },
	}
	var listJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List the rules in the database",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := g.openStoreForReading(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			all, err := db.Rules(cmd.Context())
			if err != nil {
				return err
			}
			return printRules(cmd.OutOrStdout(), all, listJSON)
		},
	}
	list.Flags().BoolVar(&listJSON, "json", false, "print a JSON array instead of a table")
	var opts rulesOptions
	check := &cobra.Command{
		Use:   "check",
		Short: "Check the latest scores of the window against every rule",
		Long: `check evaluates every rule against the latest scores stored for the window (scoring
the window first when there are none, or when --rescore is given) and prints the violations.
Exit status 4 means at least one rule is violated.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := g.openStoreForReading(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			run, err := latestOrScore(cmd, g, db, opts.windowOptions, opts.rescore)
			if err != nil {
				return err
			}
			return checkRules(cmd, cmd.OutOrStdout(), db, run, opts.json)
		},
	}
	opts.addFlags(check, "activity window before --as-of")
	check.Flags().BoolVar(&opts.json, "json", false, "print the violations as JSON")
	check.Flags().BoolVar(&opts.rescore, "rescore", false, "score the window anew instead of using the latest stored scores")
	cmd.AddCommand(list, check)
	return cmd
}

// checkRules prints the violations of a run and returns ErrViolations when
// there are any.
func checkRules(cmd *cobra.Command, out io.Writer, db *store.DB, run activity.ScoreRun, asJSON bool) error {
	all, violations, err := rules.Check(cmd.Context(), db, run)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(map[string]any{"rules": len(all), "violations": nonNilViolations(violations)}); err != nil {
			return err
		}
	} else if len(violations) == 0 {
		fmt.Fprintf(out, "%d rules checked: no violation.\n", len(all))
	} else {
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "RULE\tPRINCIPAL\tACCOUNT\tREASON")
		for _, v := range violations {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", cell(v.Rule), cell(v.PrincipalARN), cell(v.AccountID), sentence(v.Reason))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(violations) > 0 {
		return fmt.Errorf("%d violations of %d rules: %w", len(violations), len(all), ErrViolations)
	}
	return nil
}

func nonNilViolations(v []rules.Violation) []rules.Violation {
	if v == nil {
		return []rules.Violation{}
	}
	return v
}

func printRules(w io.Writer, all []store.Rule, asJSON bool) error {
	if asJSON {
		type ruleJSON struct {
			Name           string   `json:"name"`
			Description    string   `json:"description"`
			MaxOPS         *float64 `json:"max_ops"`
			MaxResourceOPS *float64 `json:"max_resource_ops"`
			NoDormant      bool     `json:"no_dormant"`
			Accounts       []string `json:"accounts"`
			Kinds          []string `json:"kinds"`
			ResourceKinds  []string `json:"resource_kinds"`
			MaxUnusedRole  *int64   `json:"max_unused_role_days"`
			MaxUnusedKey   *int64   `json:"max_unused_access_key_days"`
		}
		rows := make([]ruleJSON, 0, len(all))
		for _, r := range all {
			rows = append(rows, ruleJSON{r.Name, r.Description, r.MaxOPS, r.MaxResourceOPS, r.NoDormant, r.Accounts, r.Kinds, r.ResourceKinds,
				r.MaxUnusedRoleDays, r.MaxUnusedAccessKeyDays})
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	if len(all) == 0 {
		fmt.Fprintln(w, "No rules. Declare them with the Terraform resource activity_monitoring_rule.")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tCONSTRAINT\tSCOPE")
	for _, r := range all {
		var c []string
		if r.MaxOPS != nil {
			c = append(c, fmt.Sprintf("max_ops %.1f", *r.MaxOPS))
		}
		if r.MaxResourceOPS != nil {
			c = append(c, fmt.Sprintf("max_resource_ops %.1f", *r.MaxResourceOPS))
		}
		if r.NoDormant {
			c = append(c, "no_dormant")
		}
		if r.MaxUnusedRoleDays != nil {
			c = append(c, fmt.Sprintf("max_unused_role_days %d", *r.MaxUnusedRoleDays))
		}
		if r.MaxUnusedAccessKeyDays != nil {
			c = append(c, fmt.Sprintf("max_unused_access_key_days %d", *r.MaxUnusedAccessKeyDays))
		}
		scope := strings.Join(append(append(append([]string{}, r.Accounts...), r.Kinds...), r.ResourceKinds...), ",")
		fmt.Fprintf(tw, "%s\t%s\t%s\n", cell(r.Name), strings.Join(c, ", "), orDash(cell(scope)))
	}
	return tw.Flush()
}
