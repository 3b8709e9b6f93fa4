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

When a policy that applies could not be read by discover (malformed, or absent
from its input), access is not known: the decision is unknown, and the reason
(unreadable_policies with --json) names each such policy, how it applies and
what was wrong with it. An explicit Deny in a readable policy still decides
explicit_deny: nothing can lift it.

Exit status: 0 when every decision is known, 3 when some decision is unknown
(neither proven allowed nor proven denied), 2 on bad usage, 1 on failure.
simulate stores nothing.

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
	db, err := g.openStoreForReading(ctx)
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
		if err := enc.Encode(decisions); err != nil {
			return err
		}
		return unknownDecisions(decisions)
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
	if err := tw.Flush(); err != nil {
		return err
	}
	return unknownDecisions(decisions)
}

// unknownDecisions makes a run with an unknown decision finish with exit
// status 3: a gate must treat it as neither allowed nor denied.
func unknownDecisions(decisions []iam.Decision) error {
	n := 0
	var names []string
	seen := map[string]bool{}
	for _, d := range decisions {
		if d.Decision != iam.Unknown {
			continue
		}
		n++
		for _, u := range d.UnreadablePolicies {
			if !seen[u.Policy] {
				seen[u.Policy] = true
				names = append(names, u.Policy)
			}
		}
	}
	if n == 0 {
		return nil
	}
	return fmt.Errorf("%d of %d decisions are unknown: %s could not be read (the reason says what is wrong); correct it and run discover again: %w",
		n, len(decisions), terminalSafe(strings.Join(names, ", ")), ErrSkippedInputs)
}
