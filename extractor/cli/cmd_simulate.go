package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/discover"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/iam"
)

type simulateOptions struct {
	principal string
	actions   []string
	resource  string
	json      bool
}

func newSimulateCommand(g *globalOptions) *cobra.Command {
	var opts simulateOptions
	cmd := &cobra.Command{
		Use:   "simulate",
		Short: "Decide whether a principal may perform actions on a resource, and say why",
		Long: `simulate evaluates the policies stored by discover, as AWS would: identity policies
(the user's, its groups', the role's), permissions boundary, resource policy (bucket,
key or secret; the KMS key-policy rule), organization SCPs and RCPs, explicit Deny
first. Each action gets a decision (allowed, implicit_deny, explicit_deny, or
unknown_action when the catalog has no such action), whether a Condition or an
unresolved policy variable was involved, and the statements that decided it.

A bucket ARN stands for the bucket and its objects: an object action is allowed when
it is allowed on some object. Give an object ARN (arn:aws:s3:::BUCKET/KEY) to
evaluate one object. A KMS alias ARN is resolved to its key.`,
		Example: `  activity-extractor simulate --principal arn:aws:iam::111111111111:user/deployer \
      --action s3:GetObject --action s3:PutObject --resource arn:aws:s3:::artifacts`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runSimulate(cmd, g, opts) },
	}
	f := cmd.Flags()
	f.StringVar(&opts.principal, "principal", "", "ARN of the IAM user or role (required)")
	f.StringArrayVar(&opts.actions, "action", nil, "action in catalog spelling, e.g. s3:GetObject (required, repeatable)")
	f.StringVar(&opts.resource, "resource", "", "ARN of the bucket, object, key (or alias) or secret (required)")
	f.BoolVar(&opts.json, "json", false, "print a JSON list, one decision per action")
	return cmd
}

func runSimulate(cmd *cobra.Command, g *globalOptions, opts simulateOptions) error {
	switch {
	case opts.principal == "":
		return usagef("--principal is required")
	case len(opts.actions) == 0:
		return usagef("--action is required")
	case opts.resource == "":
		return usagef("--resource is required")
	}
	for _, a := range opts.actions {
		if !strings.Contains(a, ":") || strings.ContainsAny(a, "*?") {
			return usagef("--action %q: name one action as service:Action, without wildcards", a)
		}
	}
	if _, err := activity.ParseARN(opts.resource); err != nil {
		return usagef("--resource: %v; give one such as arn:aws:s3:::BUCKET/KEY or arn:aws:kms:REGION:ACCOUNT:key/ID", err)
	}
	ctx := cmd.Context()
	db, err := g.openExistingStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	resource := opts.resource
	if strings.Contains(resource, ":alias/") {
		key, err := db.KMSKeyForAlias(ctx, resource)
		if err != nil {
			return fmt.Errorf("--resource %s: %w (aliases are known after discover)", resource, err)
		}
		fmt.Fprintf(g.streams.Err, "note: %s is an alias of %s\n", terminalSafe(resource), terminalSafe(key))
		resource = key
	}
	inv, err := discover.Load(ctx, db)
	if err != nil {
		return err
	}
	if len(inv.Principals) == 0 {
		return fmt.Errorf("no entitlements in %s: run activity-extractor discover first", db.Path())
	}
	decisions, notes, err := iam.Simulate(iam.DefaultCatalog(), inv, opts.principal, opts.actions, resource)
	if err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintf(g.streams.Err, "note: %s\n", sentence(n))
	}
	out := cmd.OutOrStdout()
	if opts.json {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(decisions)
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ACTION\tDECISION\tCONDITIONAL\tSTATEMENTS\tREASON")
	for _, d := range decisions {
		var refs []string
		for _, r := range d.Statements {
			id := fmt.Sprintf("#%d", r.Index)
			if r.Sid != "" {
				id = fmt.Sprintf("%q", r.Sid)
			}
			refs = append(refs, fmt.Sprintf("%s %s (%s)", cell(r.Policy), cell(id), r.Effect))
		}
		cond := "no"
		if d.Conditional {
			cond = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", cell(d.Action), d.Decision, cond,
			orDash(strings.Join(refs, "; ")), sentence(d.Reason))
	}
	return tw.Flush()
}
