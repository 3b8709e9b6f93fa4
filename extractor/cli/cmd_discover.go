package cli

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/awsapi"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/discover"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

type discoverOptions struct {
	authzDetails      []string
	bucketPolicies    []string
	keyPolicies       []string
	secretPolicies    []string
	resourcePolicies  []string
	resources         []string
	scps              []string
	rcps              []string
	kmsAliases        []string
	credentialReports []string
	regions           []string
	accounts          []string
	orgPolicies       bool
	printPolicy       bool
}

func newDiscoverCommand(g *globalOptions) *cobra.Command {
	var opts discoverOptions
	cmd := &cobra.Command{
		Use:   "discover",
		Short: "Load IAM and resource policies and evaluate who may do what",
		Long: `discover loads entitlements and evaluates them into granted actions for every
principal (IAM user or role) and every bucket, KMS key, secret, SQS queue, SNS
topic, Lambda function and DynamoDB table.

Without file flags it goes to AWS for each integration in the database, with the
default credentials or the integration's role_arn: IAM GetAccountAuthorizationDetails,
IAM ListAccessKeys, GenerateCredentialReport and GetCredentialReport (users' access
keys and console passwords), S3 ListBuckets and GetBucketPolicy, KMS ListKeys, ListAliases and GetKeyPolicy,
Secrets Manager ListSecrets and GetResourcePolicy, SQS ListQueues and
GetQueueAttributes, SNS ListTopics and GetTopicAttributes, Lambda ListFunctions and
GetPolicy, DynamoDB ListTables and GetResourcePolicy, and with --organization-policies
the SCPs and RCPs of AWS Organizations. A call that is denied is reported and the
rest goes on (exit status 3). --print-policy prints the IAM policy granting exactly
these calls, to attach to the identity discover runs as.

With file flags it works offline from what the AWS CLI saved:

  --authz-details FILE          aws iam get-account-authorization-details > FILE
  --bucket-policy [ACCOUNT:]BUCKET=FILE
                                aws s3api get-bucket-policy --bucket BUCKET > FILE
                                (ACCOUNT may be left out when one account is discovered)
  --key-policy KEY_ARN=FILE     aws kms get-key-policy --key-id KEY_ARN > FILE
  --secret-policy SECRET_ARN=FILE
                                aws secretsmanager get-resource-policy --secret-id ARN > FILE
  --resource-policy ARN=FILE    the policy of a queue, topic, function or table:
                                aws sqs get-queue-attributes --queue-url URL \
                                  --attribute-names Policy > FILE
                                aws sns get-topic-attributes --topic-arn ARN > FILE
                                aws lambda get-policy --function-name ARN > FILE
                                aws dynamodb get-resource-policy --resource-arn ARN > FILE
  --resource ARN|[ACCOUNT:]BUCKET
                                a bucket, secret, queue, function or table without a
                                resource policy, or a key or topic whose policy is unknown
                                (the default key policy is assumed)
  --scp [ACCOUNT=]FILE, --rcp [ACCOUNT=]FILE
                                organization policies, for one account or all of the run;
                                deny-only files are taken to sit beside FullAWSAccess
  --kms-aliases FILE            aws kms list-aliases > FILE
  --credential-report FILE      aws iam generate-credential-report, then
                                aws iam get-credential-report --query Content --output text \
                                  | base64 --decode > FILE
                                (users' access keys and console passwords; the JSON
                                output of get-credential-report is read too)

A policy file may hold the document itself or the CLI's answer. Each account found
replaces what an earlier discovery stored for it. Grants are then recomputed for
every account in the database.`,
		Example: `  activity-extractor discover
  activity-extractor discover --authz-details prod.json --bucket-policy logs=logs-policy.json \
      --key-policy arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab=key.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runDiscover(cmd, g, opts) },
	}
	f := cmd.Flags()
	f.StringArrayVar(&opts.authzDetails, "authz-details", nil, "output of aws iam get-account-authorization-details (repeatable)")
	f.StringArrayVar(&opts.bucketPolicies, "bucket-policy", nil, "[ACCOUNT:]BUCKET=FILE: a bucket and its policy (repeatable)")
	f.StringArrayVar(&opts.keyPolicies, "key-policy", nil, "KEY_ARN=FILE: a KMS key and its key policy (repeatable)")
	f.StringArrayVar(&opts.secretPolicies, "secret-policy", nil, "SECRET_ARN=FILE: a secret (full ARN) and its resource policy (repeatable)")
	f.StringArrayVar(&opts.resourcePolicies, "resource-policy", nil, "ARN=FILE: a queue, topic, function or table and its resource policy (repeatable)")
	f.StringArrayVar(&opts.resources, "resource", nil, "a resource of any kind without a policy file (repeatable)")
	f.StringArrayVar(&opts.scps, "scp", nil, "[ACCOUNT=]FILE: a service control policy (repeatable)")
	f.StringArrayVar(&opts.rcps, "rcp", nil, "[ACCOUNT=]FILE: a resource control policy (repeatable)")
	f.StringArrayVar(&opts.kmsAliases, "kms-aliases", nil, "output of aws kms list-aliases (repeatable)")
	f.StringArrayVar(&opts.credentialReports, "credential-report", nil, "an IAM credential report, one per account (repeatable)")
	f.StringArrayVar(&opts.regions, "region", nil, "from AWS: regions to list keys, secrets, queues, topics, functions and tables in (repeatable; default the integration's region)")
	f.StringArrayVar(&opts.accounts, "account", nil, "from AWS: discover only these integrations' accounts (repeatable)")
	f.BoolVar(&opts.orgPolicies, "organization-policies", false, "from AWS: read SCPs and RCPs from AWS Organizations")
	f.BoolVar(&opts.printPolicy, "print-policy", false, "print the IAM policy discovery from AWS needs (with --organization-policies: and Organizations') and exit")
	return cmd
}

func (o discoverOptions) fromFiles() bool {
	return len(o.authzDetails)+len(o.bucketPolicies)+len(o.keyPolicies)+len(o.secretPolicies)+len(o.resourcePolicies)+
		len(o.resources)+len(o.scps)+len(o.rcps)+len(o.kmsAliases)+len(o.credentialReports) > 0
}

// splitAssignment cuts NAME=FILE at the last '=', since secret names and
// ARNs may hold '=' while the files of a run rarely do.
func splitAssignment(flag, spec string) (string, string, error) {
	i := strings.LastIndexByte(spec, '=')
	if i <= 0 || i == len(spec)-1 {
		return "", "", usagef("--%s %q: write NAME=FILE", flag, spec)
	}
	return spec[:i], spec[i+1:], nil
}

var accountPrefix = regexp.MustCompile(`^([0-9]{12})=(.+)$`)

func (o discoverOptions) files() (discover.Files, error) {
	f := discover.Files{AuthzDetails: o.authzDetails, Resources: o.resources, KMSAliases: o.kmsAliases, CredentialReports: o.credentialReports,
		BucketPolicies: map[string]string{}, KeyPolicies: map[string]string{}, SecretPolicies: map[string]string{},
		ResourcePolicies: map[string]string{}, SCPs: map[string]string{}, RCPs: map[string]string{}}
	for _, m := range []struct {
		flag  string
		specs []string
		into  map[string]string
	}{{"bucket-policy", o.bucketPolicies, f.BucketPolicies}, {"key-policy", o.keyPolicies, f.KeyPolicies}, {"secret-policy", o.secretPolicies, f.SecretPolicies},
		{"resource-policy", o.resourcePolicies, f.ResourcePolicies}} {
		for _, s := range m.specs {
			k, v, err := splitAssignment(m.flag, s)
			if err != nil {
				return f, err
			}
			m.into[k] = v
		}
	}
	for _, m := range []struct {
		specs []string
		into  map[string]string
	}{{o.scps, f.SCPs}, {o.rcps, f.RCPs}} {
		for _, s := range m.specs {
			if sub := accountPrefix.FindStringSubmatch(s); sub != nil {
				m.into[sub[2]] = sub[1]
			} else {
				m.into[s] = ""
			}
		}
	}
	return f, nil
}

func runDiscover(cmd *cobra.Command, g *globalOptions, opts discoverOptions) error {
	ctx := cmd.Context()
	if opts.printPolicy {
		doc, err := awsapi.DiscoverPolicy(opts.orgPolicies)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s\n", doc)
		return err
	}
	if opts.fromFiles() && (len(opts.regions)+len(opts.accounts) > 0 || opts.orgPolicies) {
		return usagef("--region, --account and --organization-policies apply to discovery from AWS, not from files")
	}
	db, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()

	var found []store.AccountEntitlements
	if opts.fromFiles() {
		files, err := opts.files()
		if err != nil {
			return err
		}
		if found, err = discover.FromFiles(files); err != nil {
			return err
		}
	} else {
		if found, err = discoverFromAWS(cmd, g, db, opts); err != nil {
			return err
		}
	}
	if err := discover.Store(ctx, db, found); err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	issues := 0
	for _, a := range found {
		fmt.Fprintf(out, "account %s: %d principals, %d resources, %d policies, %d aliases, %d issues\n",
			a.AccountID, len(a.Principals), len(a.Resources), len(a.Policies), len(a.Aliases), len(a.Issues))
		if a.CredentialsRead {
			fmt.Fprintf(out, "account %s: %d access keys, %d console passwords\n", a.AccountID, len(a.AccessKeys), len(a.Passwords))
		}
		for _, is := range a.Issues {
			fmt.Fprintf(g.streams.Err, "account %s: %s: %s\n", a.AccountID, sentence(is.Source), sentence(is.Message))
		}
		issues += len(a.Issues)
	}
	sum, err := discover.Evaluate(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "grants: %d principal-resource pairs (%d with conditional actions) over %d principals and %d resources\n",
		sum.Grants, sum.ConditionalGrants, sum.Principals, sum.Resources)
	for _, n := range sum.Notes {
		fmt.Fprintf(g.streams.Err, "note: %s\n", sentence(n))
	}
	if issues > 0 {
		return fmt.Errorf("%d entitlement sources could not be read (listed above): %w", issues, ErrSkippedInputs)
	}
	return nil
}

func discoverFromAWS(cmd *cobra.Command, g *globalOptions, db *store.DB, opts discoverOptions) ([]store.AccountEntitlements, error) {
	ctx := cmd.Context()
	all, err := db.Integrations(ctx)
	if err != nil {
		return nil, err
	}
	wanted := map[string]bool{}
	for _, a := range opts.accounts {
		if !activity.IsAccountID(a) {
			return nil, usagef("--account %q is not a 12-digit account id", a)
		}
		wanted[a] = true
	}
	var found []store.AccountEntitlements
	for _, in := range all {
		if len(wanted) > 0 && !wanted[in.AccountID] {
			continue
		}
		delete(wanted, in.AccountID)
		cfg, err := awsapi.Config(ctx, in.Region, in.RoleARN)
		if err != nil {
			return nil, err
		}
		regions := opts.regions
		if len(regions) == 0 {
			regions = []string{in.Region}
		}
		g.logger.Info("discovering", "account", in.AccountID, "regions", strings.Join(regions, ","), "role", in.RoleARN)
		a, err := discover.FromAWS(ctx, cfg, discover.AWSOptions{AccountID: in.AccountID, Regions: regions, OrganizationPolicies: opts.orgPolicies})
		if err != nil {
			return nil, err
		}
		found = append(found, a)
	}
	for a := range wanted {
		return nil, usagef("--account %s: no integration for this account", a)
	}
	if len(found) == 0 {
		return nil, errors.New("no integrations in the database: declare one with the Terraform resource activity_monitoring_integration, or discover from files (--authz-details)")
	}
	return found, nil
}
