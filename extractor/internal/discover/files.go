package discover

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/iam"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// Files are the inputs of an offline discovery, as saved with the AWS CLI.
type Files struct {
	// AuthzDetails are outputs of `aws iam get-account-authorization-details`.
	AuthzDetails []string
	// BucketPolicies map [ACCOUNT:]BUCKET to a file holding the policy (the
	// document, or the output of `aws s3api get-bucket-policy`). ACCOUNT may
	// be left out when the run covers one account.
	BucketPolicies map[string]string
	// KeyPolicies map a key ARN to its key policy file (the document, or the
	// output of `aws kms get-key-policy`).
	KeyPolicies map[string]string
	// SecretPolicies map a secret's full ARN to its resource policy file
	// (the document, or the output of `aws secretsmanager get-resource-policy`).
	SecretPolicies map[string]string
	// ResourcePolicies map the ARN of a queue, topic, function or table to
	// its resource policy file: the document, or the output of
	// `aws sqs get-queue-attributes --attribute-names Policy`,
	// `aws sns get-topic-attributes`, `aws lambda get-policy` or
	// `aws dynamodb get-resource-policy`.
	ResourcePolicies map[string]string
	// Resources are buckets ([ACCOUNT:]BUCKET) and ARNs of the other kinds
	// without a policy file: buckets, secrets, queues, functions and tables
	// without a resource policy; keys and topics whose policy is unknown
	// (every key and topic has one).
	Resources []string
	// SCPs and RCPs map a file to the account it applies to, "" for every
	// account of the run. All files of one account form one level.
	SCPs, RCPs map[string]string
	// KMSAliases are outputs of `aws kms list-aliases`.
	KMSAliases []string
	// CredentialReports are IAM credential reports, one per account: the
	// CSV (`aws iam get-credential-report --query Content --output text |
	// base64 --decode`) or the command's JSON output.
	CredentialReports []string
}

// FromFiles reads an offline discovery. A file that cannot be read at all is
// an error; a malformed policy inside one is an issue of its account, and the
// rest goes on.
func FromFiles(f Files) ([]store.AccountEntitlements, error) {
	b := newBuilder()
	for _, path := range f.AuthzDetails {
		fh, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		d, err := iam.ReadAuthorizationDetails(fh)
		fh.Close() //nolint:errcheck // read only
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		accounts, err := d.Accounts()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		b.addAuthorizationDetails(d, path, accounts[0])
	}
	only := ""
	if len(b.accounts) == 1 {
		for a := range b.accounts {
			only = a
		}
	}
	bucketOf := func(spec string) (activity.Resource, error) {
		account, name, ok := strings.Cut(spec, ":")
		if !ok {
			name, account = spec, only
			if account == "" {
				return activity.Resource{}, fmt.Errorf("bucket %q: write ACCOUNT:%s, the run does not cover exactly one account", spec, spec)
			}
		}
		if !activity.IsAccountID(account) || name == "" || strings.ContainsAny(name, "/:") {
			return activity.Resource{}, fmt.Errorf("%q is not [ACCOUNT:]BUCKET", spec)
		}
		return b.resource(activity.KindS3Bucket, name, account, "")
	}
	readPolicy := func(r activity.Resource, path string) error {
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		p, err := iam.ParseResourcePolicy(resourcePolicyName(r), raw)
		if err != nil {
			b.addUnparsed(r, path, err)
			return nil
		}
		b.addResource(r, store.ResourcePolicyKnown, p)
		return nil
	}
	for spec, path := range f.BucketPolicies {
		r, err := bucketOf(spec)
		if err != nil {
			return nil, err
		}
		if err := readPolicy(r, path); err != nil {
			return nil, err
		}
	}
	for arn, path := range f.KeyPolicies {
		r, err := b.resource(activity.KindKMSKey, arn, "", "")
		if err != nil {
			return nil, err
		}
		if err := readPolicy(r, path); err != nil {
			return nil, err
		}
	}
	for arn, path := range f.SecretPolicies {
		r, err := b.resource(activity.KindSecret, arn, "", "")
		if err != nil {
			return nil, err
		}
		if err := readPolicy(r, path); err != nil {
			return nil, err
		}
	}
	for arn, path := range f.ResourcePolicies {
		r, err := activity.ParseResource(arn)
		if err != nil {
			return nil, fmt.Errorf("resource policy %s: %w", path, err)
		}
		switch r.Kind {
		case activity.KindS3Bucket, activity.KindKMSKey, activity.KindSecret:
			return nil, fmt.Errorf("resource policy %s: %s is a %s: give its policy as a bucket, key or secret policy", path, arn, activity.ResourceKindNamed(r.Kind).Noun)
		}
		if err := readPolicy(r, path); err != nil {
			return nil, err
		}
	}
	for _, spec := range f.Resources {
		var r activity.Resource
		var err error
		if strings.HasPrefix(spec, "arn:") {
			r, err = activity.ParseResource(spec)
			if err == nil && r.AccountID == "" {
				// A bucket's ARN names no account.
				var owned activity.Resource
				owned, err = bucketOf(r.Name)
				r.AccountID = owned.AccountID
			}
		} else {
			r, err = bucketOf(spec)
		}
		state := store.ResourcePolicyNone
		if k := activity.ResourceKindNamed(r.Kind); k != nil && k.AlwaysHasPolicy {
			state = store.ResourcePolicyUnknown
		}
		if err != nil {
			return nil, err
		}
		b.addResource(r, state, nil)
	}
	for kind, files := range map[string]map[string]string{store.PolicySCP: f.SCPs, store.PolicyRCP: f.RCPs} {
		for path, account := range files {
			raw, err := os.ReadFile(path)
			if err != nil {
				return nil, err
			}
			targets := []string{account}
			if account == "" {
				if len(b.accounts) == 0 {
					return nil, fmt.Errorf("%s applies to every account of the run, and none was found: name one as ACCOUNT=%s", path, path)
				}
				targets = nil
				for a := range b.accounts {
					targets = append(targets, a)
				}
			}
			for _, a := range targets {
				p, err := iam.ParsePolicy(path, raw)
				if err != nil {
					b.addUnreadableOrgPolicy(a, kind, path, path, err)
					continue
				}
				name := b.addPolicy(a, p, kind)
				acc := b.account(a)
				levels := &acc.SCPs
				if kind == store.PolicyRCP {
					levels = &acc.RCPs
				}
				if len(*levels) == 0 {
					*levels = [][]string{nil}
				}
				(*levels)[0] = append((*levels)[0], name)
			}
		}
	}
	for _, path := range f.KMSAliases {
		raw, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		var out struct {
			Aliases []struct {
				AliasName, AliasArn, TargetKeyId string
			}
		}
		if err := json.Unmarshal(raw, &out); err != nil {
			return nil, fmt.Errorf("%s: not the output of aws kms list-aliases: %w", path, err)
		}
		for _, a := range out.Aliases {
			if alias, ok := aliasRecord(a.AliasArn, a.AliasName, a.TargetKeyId); ok {
				acc := b.account(alias.AccountID)
				acc.Aliases = append(acc.Aliases, alias)
			}
		}
	}
	for _, path := range f.CredentialReports {
		fh, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		rep, err := ParseCredentialReport(fh, path)
		fh.Close() //nolint:errcheck // read only
		if err != nil {
			return nil, err
		}
		b.addCredentialReport(rep, nil)
	}
	return b.result(), nil
}

// aliasRecord builds an alias row; aliases without a target (AWS reserves
// some names before the key exists) are left out.
func aliasRecord(aliasARN, name, target string) (store.KMSAlias, bool) {
	a, err := activity.ParseARN(aliasARN)
	if target == "" || err != nil {
		return store.KMSAlias{}, false
	}
	key, err := activity.ResourceKindNamed(activity.KindKMSKey).Resolve(target, a.Partition, a.Region, a.AccountID)
	if err != nil {
		return store.KMSAlias{}, false
	}
	return store.KMSAlias{ARN: aliasARN, AccountID: a.AccountID, Region: a.Region, Name: name, KeyARN: key.ARN}, true
}
