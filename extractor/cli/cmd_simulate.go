package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/discover"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/iam"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

type simulateOptions struct {
	principal string
	actions   []string
	resource  string
	json      bool
	context   []string
	input     string
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
evaluate one object. A KMS alias ARN is the resource of the alias actions
(kms:CreateAlias, kms:UpdateAlias, kms:DeleteAlias); for other actions it is
resolved to its key.

Without --context, conditions are not evaluated: a statement under a Condition
counts and marks the decision conditional. With --context KEY=VALUE (repeatable;
repeat a key for a multivalued key such as aws:TagKeys), conditions are evaluated
against the values given, as aws iam simulate-principal-policy --context-entries
does: a statement whose condition fails does not apply, one whose condition holds
applies without condition, and a condition on a key not given stays conditional.
Keys are case-insensitive; policy variables the context gives are resolved.

--input FILE asks many questions in one run, loading the stored entitlements
once: one question a line, PRINCIPAL ACTION RESOURCE separated by spaces or tabs;
blank lines and lines starting with # are skipped. The answers are JSON Lines,
one decision object a line (the fields of --json), in the order of the questions.
A malformed line stops the run before any answer, naming the line (exit 2); a
principal discover did not find stops it at that line (exit 1).`,
		Example: `  activity-extractor simulate --principal arn:aws:iam::111111111111:user/deployer \
      --action s3:GetObject --action s3:PutObject --resource arn:aws:s3:::artifacts

  activity-extractor simulate --principal arn:aws:iam::111111111111:role/ci \
      --action s3:PutObject --resource arn:aws:s3:::artifacts/build.zip \
      --context aws:SourceIp=203.0.113.7 --context aws:SecureTransport=true

  activity-extractor simulate --input questions.txt > answers.jsonl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runSimulate(cmd, g, opts) },
	}
	f := cmd.Flags()
	f.StringVar(&opts.principal, "principal", "", "ARN of the IAM user or role (required)")
	f.StringArrayVar(&opts.actions, "action", nil, "action in catalog spelling, e.g. s3:GetObject (required, repeatable)")
	f.StringVar(&opts.resource, "resource", "", "ARN of the bucket, object, key (or alias) or secret (required)")
	f.BoolVar(&opts.json, "json", false, "print a JSON list, one decision per action")
	f.StringArrayVar(&opts.context, "context", nil, "request context entry KEY=VALUE, e.g. aws:SourceIp=203.0.113.7 (repeatable): conditions are evaluated against it")
	f.StringVar(&opts.input, "input", "", "file of questions, one PRINCIPAL ACTION RESOURCE a line ('-' for standard input); answers are JSON Lines")
	return cmd
}

// parseContext reads --context entries into a request context.
func parseContext(entries []string) (map[string][]string, error) {
	if len(entries) == 0 {
		return nil, nil
	}
	ctx := map[string][]string{}
	for _, e := range entries {
		k, v, ok := strings.Cut(e, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" || !strings.Contains(k, ":") {
			return nil, usagef("--context %q: give KEY=VALUE with a condition key such as aws:SourceIp=203.0.113.7", e)
		}
		ctx[k] = append(ctx[k], v)
	}
	return ctx, nil
}

// question is one line of a --input file.
type question struct {
	line                        int
	principal, action, resource string
}

// readQuestions reads a --input file: PRINCIPAL ACTION RESOURCE a line,
// separated by spaces or tabs, # comments and blank lines skipped.
func readQuestions(r io.Reader, name string) ([]question, error) {
	var out []question
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 {
			return nil, usagef("%s:%d: %d fields, want 3: PRINCIPAL ACTION RESOURCE separated by spaces or tabs", terminalSafe(name), n, len(f))
		}
		q := question{line: n, principal: f[0], action: f[1], resource: f[2]}
		if err := checkQuestion(q.principal, []string{q.action}, q.resource); err != nil {
			return nil, usagef("%s:%d: %v", terminalSafe(name), n, err)
		}
		out = append(out, q)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(out) == 0 {
		return nil, usagef("%s has no question: write one PRINCIPAL ACTION RESOURCE a line", terminalSafe(name))
	}
	return out, nil
}

// checkQuestion checks the parts of a question before anything is loaded.
func checkQuestion(principal string, actions []string, resource string) error {
	if _, err := activity.ParseARN(principal); err != nil {
		return fmt.Errorf("principal %q: %w; give the ARN of an IAM user or role", principal, err)
	}
	for _, a := range actions {
		if !strings.Contains(a, ":") || strings.ContainsAny(a, "*?") {
			return fmt.Errorf("action %q: name one action as service:Action, without wildcards", a)
		}
	}
	if _, err := activity.ParseARN(resource); err != nil {
		return fmt.Errorf("resource %q: %w; give one such as arn:aws:s3:::BUCKET/KEY or arn:aws:kms:REGION:ACCOUNT:key/ID", resource, err)
	}
	return nil
}

func runSimulate(cmd *cobra.Command, g *globalOptions, opts simulateOptions) error {
	reqCtx, err := parseContext(opts.context)
	if err != nil {
		return err
	}
	if opts.input != "" {
		if opts.principal != "" || len(opts.actions) > 0 || opts.resource != "" {
			return usagef("--input asks its own questions: leave out --principal, --action and --resource")
		}
		return runSimulateBatch(cmd, g, opts.input, reqCtx)
	}
	switch {
	case opts.principal == "":
		return usagef("--principal is required (or --input FILE)")
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
	db, inv, err := loadForSimulate(cmd, g)
	if err != nil {
		return err
	}
	defer db.Close()
	decisions, notes, err := simulateQuestion(ctx, db, inv, opts.principal, opts.actions, opts.resource, iam.Options{Context: reqCtx})
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

// loadForSimulate opens the database and loads what discover stored.
func loadForSimulate(cmd *cobra.Command, g *globalOptions) (*store.DB, *iam.Inventory, error) {
	ctx := cmd.Context()
	db, err := g.openStoreForReading(ctx)
	if err != nil {
		return nil, nil, err
	}
	inv, err := discover.Load(ctx, db)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	if len(inv.Principals) == 0 {
		db.Close()
		return nil, nil, fmt.Errorf("no entitlements in %s: run activity-extractor discover first", db.Path())
	}
	return db, inv, nil
}

// simulateQuestion answers one question. A KMS alias is the resource of the
// alias actions; for the others it stands for its key, which discover
// recorded.
func simulateQuestion(ctx context.Context, db *store.DB, inv *iam.Inventory, principal string, actions []string, resource string, opts iam.Options) ([]iam.Decision, []string, error) {
	if !strings.Contains(resource, ":alias/") {
		return iam.SimulateWith(iam.DefaultCatalog(), inv, principal, actions, resource, opts)
	}
	cat := iam.DefaultCatalog()
	var onAlias, onKey []string
	for _, a := range actions {
		if id, ok := cat.Lookup(a); ok && cat.Action(id).AppliesTo("alias") {
			onAlias = append(onAlias, a)
		} else {
			onKey = append(onKey, a)
		}
	}
	byAction := map[string]iam.Decision{}
	var notes []string
	if len(onAlias) > 0 {
		ds, n, err := iam.SimulateWith(cat, inv, principal, onAlias, resource, opts)
		if err != nil {
			return nil, nil, err
		}
		notes = append(notes, n...)
		for i, d := range ds {
			byAction[onAlias[i]] = d
		}
	}
	if len(onKey) > 0 {
		key, err := db.KMSKeyForAlias(ctx, resource)
		if err != nil {
			return nil, nil, fmt.Errorf("resource %s: %w (an alias stands for its key in %s, and aliases are known after discover)", terminalSafe(resource), err, terminalSafe(strings.Join(onKey, ", ")))
		}
		notes = append(notes, fmt.Sprintf("%s is an alias of %s", resource, key))
		ds, n, err := iam.SimulateWith(cat, inv, principal, onKey, key, opts)
		if err != nil {
			return nil, nil, err
		}
		notes = append(notes, n...)
		for i, d := range ds {
			byAction[onKey[i]] = d
		}
	}
	out := make([]iam.Decision, len(actions))
	for i, a := range actions {
		out[i] = byAction[a]
	}
	return out, notes, nil
}

// runSimulateBatch answers the questions of a --input file as JSON Lines,
// loading the entitlements once.
func runSimulateBatch(cmd *cobra.Command, g *globalOptions, name string, reqCtx map[string][]string) error {
	r := io.Reader(g.streams.In)
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return usagef("--input: %v", err)
		}
		defer f.Close() //nolint:errcheck // read only
		r = f
	}
	questions, err := readQuestions(r, name)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	db, inv, err := loadForSimulate(cmd, g)
	if err != nil {
		return err
	}
	defer db.Close()
	out := bufio.NewWriter(cmd.OutOrStdout())
	enc := json.NewEncoder(out)
	seen := map[string]bool{}
	var all []iam.Decision
	for _, q := range questions {
		if err := ctx.Err(); err != nil {
			return err
		}
		ds, notes, err := simulateQuestion(ctx, db, inv, q.principal, []string{q.action}, q.resource, iam.Options{Context: reqCtx})
		if err != nil {
			out.Flush() //nolint:errcheck // the question's error says more
			return fmt.Errorf("%s:%d: %w", terminalSafe(name), q.line, err)
		}
		for _, n := range notes {
			if !seen[n] {
				seen[n] = true
				fmt.Fprintf(g.streams.Err, "note: %s\n", sentence(n))
			}
		}
		if err := enc.Encode(ds[0]); err != nil {
			return err
		}
		all = append(all, ds[0])
	}
	if err := out.Flush(); err != nil {
		return err
	}
	return unknownDecisions(all)
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
