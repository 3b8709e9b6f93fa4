package cli

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/generate"
)

type generateOptions struct {
	out      string
	accounts int
	users    int
	days     int
	events   int
	seed     uint64
	end      string
	json     bool
}

func newGenerateCommand(g *globalOptions) *cobra.Command {
	var opts generateOptions
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Write a synthetic organization trail and matching IAM data",
		Long: `generate writes a synthetic but realistic AWS organization under --out:

  trail/          the trail bucket's content, in CloudTrail's layout
                  (AWSLogs/ORG/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/*.json.gz),
                  with digests and a few duplicate deliveries
  authz/ACCOUNT.json
                  each account's IAM, as 'aws iam get-account-authorization-details'
                  prints it; one account has no logs in the trail
  credentials/ACCOUNT.csv
                  each account's IAM credential report, as 'aws iam get-credential-report'
                  returns it (base64-decoded): users' access keys and console passwords
  manifest.json   the accounts, each principal's usage profile, and the demo's
                  principals (an over-provisioned user, a dormant user, an
                  unmonitored user, an unused role, unused permissions, an
                  unused access key, an unused console password, and one role
                  each using an SQS queue, an SNS topic, a Lambda function and
                  a DynamoDB table in scripted calls, with OPS 40, 75, 0 and 66.7)

The output depends only on the flags: the same --seed and --end give the same files.
Read it with: activity-extractor discover --authz-details OUT/authz/ACCOUNT.json
  --credential-report OUT/credentials/ACCOUNT.csv (each account), then
  activity-extractor extract --source OUT/trail --as-of END+1d`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runGenerate(cmd, g, opts) },
	}
	f := cmd.Flags()
	f.StringVar(&opts.out, "out", "activity-demo", "folder to write into")
	f.IntVar(&opts.accounts, "accounts", 3, "accounts in the organization trail (one more is written outside it)")
	f.IntVar(&opts.users, "users", 10, "IAM users per account")
	f.IntVar(&opts.days, "days", 30, "days of events, ending with --end")
	f.IntVar(&opts.events, "events", 100000, "events in the trail")
	f.Uint64Var(&opts.seed, "seed", 1, "random seed")
	f.StringVar(&opts.end, "end", "", "the last event's day, YYYY-MM-DD (default today, UTC)")
	f.BoolVar(&opts.json, "json", false, "print the manifest as JSON")
	return cmd
}

func runGenerate(cmd *cobra.Command, g *globalOptions, opts generateOptions) error {
	end := time.Now().UTC()
	if opts.end != "" {
		t, err := time.Parse(time.DateOnly, opts.end)
		if err != nil {
			return usagef("--end %q: give a day as YYYY-MM-DD", opts.end)
		}
		end = t
	}
	switch {
	case opts.accounts < 1 || opts.accounts > 1000:
		return usagef("--accounts %d: give 1 to 1000", opts.accounts)
	case opts.users < 2 || opts.users > 10000:
		return usagef("--users %d: give 2 to 10000", opts.users)
	case opts.days < 1 || opts.days > 365:
		return usagef("--days %d: give 1 to 365", opts.days)
	case opts.events < 1 || opts.events > 1_000_000_000:
		return usagef("--events %d: give 1 to 1000000000", opts.events)
	}
	start := time.Now()
	m, err := generate.Run(cmd.Context(), generate.Options{Out: opts.out, Accounts: opts.accounts, Users: opts.users,
		Days: opts.days, Events: opts.events, Seed: opts.seed, End: end})
	if err != nil {
		return fmt.Errorf("generate into %s: %w", opts.out, err)
	}
	out := cmd.OutOrStdout()
	if opts.json {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(m)
	}
	fmt.Fprintf(out, "wrote %d events in %d objects (%d delivered twice), %d digests, %s, in %s\n",
		m.Stats.Events, m.Stats.Objects, m.Stats.Duplicates, m.Stats.Digests, humanBytes(m.Stats.Bytes), time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(out, "organization %s, events from %s to %s\n", m.OrganizationID, m.From, m.To)
	fmt.Fprintf(out, "trail:  %s/trail\nauthz:  %s/authz/*.json\ncreds:  %s/%s/*.csv\nokta:   %s/%s\n", opts.out, opts.out,
		opts.out, m.CredentialsFolder, opts.out, generate.OktaExportFile)
	for _, k := range []string{"over_provisioned_user", "dormant_user", "unmonitored_user", "active_person", "dormant_person", "unused_role",
		"unused_permission_user", "unused_access_key_user", "unused_password_user",
		"sqs_queue_role", "sns_topic_role", "lambda_function_role", "dynamodb_table_role"} {
		fmt.Fprintf(out, "%-24s %s\n", k+":", m.Demo[k])
	}
	return nil
}
