package discover

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/iam"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// AWSOptions say what to read from one account.
type AWSOptions struct {
	AccountID string
	// Regions where keys, secrets, queues, topics, functions and tables
	// are listed; buckets are listed once, wherever they are.
	Regions []string
	// OrganizationPolicies reads the SCPs and RCPs that apply to the account
	// from AWS Organizations (the credentials must be allowed to read the
	// organization: its management account or a delegated administrator).
	OrganizationPolicies bool
}

// FromAWS discovers one account through the AWS API with cfg's credentials.
// A call that fails (a missing permission, say) is recorded as an issue of
// the account and the rest goes on; only a cancelled context stops it.
func FromAWS(ctx context.Context, cfg aws.Config, opts AWSOptions) (store.AccountEntitlements, error) {
	b := newBuilder()
	b.account(opts.AccountID)
	steps := []func(context.Context, aws.Config, AWSOptions, *builder){discoverIAM, discoverCredentials}
	for _, k := range activity.ResourceKinds() {
		steps = append(steps, discoverKind[k.Name])
	}
	if opts.OrganizationPolicies {
		steps = append(steps, discoverOrganization)
	}
	for _, step := range steps {
		step(ctx, cfg, opts, b)
		if err := ctx.Err(); err != nil {
			return store.AccountEntitlements{}, err
		}
	}
	a := *b.account(opts.AccountID)
	for id, other := range b.accounts {
		if id != opts.AccountID && len(other.Principals)+len(other.Resources) > 0 {
			a.Issues = append(a.Issues, store.DiscoveryIssue{AccountID: opts.AccountID, Source: "iam:GetAccountAuthorizationDetails",
				Message: fmt.Sprintf("the credentials reach account %s, not %s; check the integration's role_arn", id, opts.AccountID)})
		}
	}
	bound(&a)
	return a, nil
}

// failure describes an API error for the issue list, naming the missing
// permission when AWS says access was denied.
func failure(err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code := ae.ErrorCode()
		if strings.Contains(code, "AccessDenied") || code == "UnauthorizedOperation" || code == "AuthorizationError" {
			return fmt.Errorf("permission denied (%s): %s", code, ae.ErrorMessage())
		}
	}
	return err
}

func discoverIAM(ctx context.Context, cfg aws.Config, opts AWSOptions, b *builder) {
	client := awsiam.NewFromConfig(cfg)
	var d iam.AuthorizationDetails
	pages := awsiam.NewGetAccountAuthorizationDetailsPaginator(client, &awsiam.GetAccountAuthorizationDetailsInput{})
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			b.issue(opts.AccountID, "iam:GetAccountAuthorizationDetails", failure(err))
			b.account(opts.AccountID).IdentitiesUnread = true
			return
		}
		for _, u := range out.UserDetailList {
			d.UserDetailList = append(d.UserDetailList, iam.UserDetail{
				Path: aws.ToString(u.Path), UserName: aws.ToString(u.UserName), Arn: aws.ToString(u.Arn),
				CreateDate: iam.Timestamp{Time: aws.ToTime(u.CreateDate).UTC()}, GroupList: u.GroupList,
				UserPolicyList: inlinePolicies(u.UserPolicyList), AttachedManagedPolicies: attachedPolicies(u.AttachedManagedPolicies),
				PermissionsBoundary: boundary(u.PermissionsBoundary),
			})
		}
		for _, g := range out.GroupDetailList {
			d.GroupDetailList = append(d.GroupDetailList, iam.GroupDetail{GroupName: aws.ToString(g.GroupName), Arn: aws.ToString(g.Arn),
				GroupPolicyList: inlinePolicies(g.GroupPolicyList), AttachedManagedPolicies: attachedPolicies(g.AttachedManagedPolicies)})
		}
		for _, r := range out.RoleDetailList {
			d.RoleDetailList = append(d.RoleDetailList, iam.RoleDetail{
				Path: aws.ToString(r.Path), RoleName: aws.ToString(r.RoleName), Arn: aws.ToString(r.Arn),
				CreateDate:     iam.Timestamp{Time: aws.ToTime(r.CreateDate).UTC()},
				RolePolicyList: inlinePolicies(r.RolePolicyList), AttachedManagedPolicies: attachedPolicies(r.AttachedManagedPolicies),
				PermissionsBoundary: boundary(r.PermissionsBoundary),
			})
		}
		for _, p := range out.Policies {
			mp := iam.ManagedPolicyDetail{PolicyName: aws.ToString(p.PolicyName), Arn: aws.ToString(p.Arn), DefaultVersionId: aws.ToString(p.DefaultVersionId)}
			for _, v := range p.PolicyVersionList {
				mp.PolicyVersionList = append(mp.PolicyVersionList, iam.PolicyVersion{Document: quoted(v.Document), VersionId: aws.ToString(v.VersionId), IsDefaultVersion: v.IsDefaultVersion})
			}
			d.Policies = append(d.Policies, mp)
		}
	}
	b.addAuthorizationDetails(&d, "iam:GetAccountAuthorizationDetails", opts.AccountID)
}

// quoted keeps an API document (URL-encoded) as a JSON string, which the
// policy parser decodes.
func quoted(s *string) json.RawMessage {
	b, _ := json.Marshal(aws.ToString(s))
	return b
}

func inlinePolicies(list []iamtypes.PolicyDetail) []iam.InlinePolicy {
	out := make([]iam.InlinePolicy, 0, len(list))
	for _, p := range list {
		out = append(out, iam.InlinePolicy{PolicyName: aws.ToString(p.PolicyName), PolicyDocument: quoted(p.PolicyDocument)})
	}
	return out
}

func attachedPolicies(list []iamtypes.AttachedPolicy) []iam.AttachedPolicy {
	out := make([]iam.AttachedPolicy, 0, len(list))
	for _, p := range list {
		out = append(out, iam.AttachedPolicy{PolicyName: aws.ToString(p.PolicyName), PolicyArn: aws.ToString(p.PolicyArn)})
	}
	return out
}

func boundary(b *iamtypes.AttachedPermissionsBoundary) *iam.PermissionBoundary {
	if b == nil || b.PermissionsBoundaryArn == nil {
		return nil
	}
	return &iam.PermissionBoundary{PermissionsBoundaryArn: *b.PermissionsBoundaryArn}
}

func s3Client(cfg aws.Config, region string) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		if region != "" {
			o.Region = region
		}
		// Endpoints set for S3-compatible servers and emulators rarely
		// resolve bucket host names.
		o.UsePathStyle = cfg.BaseEndpoint != nil
	})
}

// apiWorkers bounds the policy reads in flight per account: enough to hide
// latency, few enough to stay clear of API throttling.
const apiWorkers = 8

// parallel calls fn for 0..n-1, at most apiWorkers at a time.
func parallel(ctx context.Context, n int, fn func(i int)) {
	sem := make(chan struct{}, apiWorkers)
	var wg sync.WaitGroup
	for i := 0; i < n && ctx.Err() == nil; i++ {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			fn(i)
		}()
	}
	wg.Wait()
}

// policyRead is the answer of one resource-policy call.
type policyRead struct {
	doc  string
	none bool // the resource has no policy
	err  error
}

// record adds a resource with what reading its policy gave.
func (b *builder) record(r activity.Resource, got policyRead, source string) {
	switch {
	case got.none:
		b.addResource(r, store.ResourcePolicyNone, nil)
	case got.err != nil:
		b.issue(r.AccountID, source, failure(got.err))
		b.addResource(r, store.ResourcePolicyUnknown, nil)
	default:
		b.addParsed(r, got.doc, source)
	}
}

// discoverKind lists the resources of each kind of an account and reads
// their resource policies.
var discoverKind = map[string]func(context.Context, aws.Config, AWSOptions, *builder){
	activity.KindS3Bucket: discoverBuckets,
	activity.KindKMSKey:   discoverKeys,
	activity.KindSecret:   discoverSecrets,
	activity.KindQueue:    discoverQueues,
	activity.KindTopic:    discoverTopics,
	activity.KindFunction: discoverFunctions,
	activity.KindTable:    discoverTables,
}

func discoverBuckets(ctx context.Context, cfg aws.Config, opts AWSOptions, b *builder) {
	var buckets []activity.Resource
	pages := s3.NewListBucketsPaginator(s3Client(cfg, ""), &s3.ListBucketsInput{})
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			b.issue(opts.AccountID, "s3:ListBuckets", failure(err))
			break
		}
		for _, bk := range out.Buckets {
			r, err := b.resource(activity.KindS3Bucket, aws.ToString(bk.Name), opts.AccountID, cmp.Or(aws.ToString(bk.BucketRegion), cfg.Region))
			if err != nil {
				b.issue(opts.AccountID, "s3:ListBuckets", err)
				continue
			}
			buckets = append(buckets, r)
		}
	}
	clients := map[string]*s3.Client{}
	for _, r := range buckets {
		if clients[r.Region] == nil {
			clients[r.Region] = s3Client(cfg, r.Region)
		}
	}
	reads := make([]policyRead, len(buckets))
	parallel(ctx, len(buckets), func(i int) {
		out, err := clients[buckets[i].Region].GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(buckets[i].Name)})
		var ae smithy.APIError
		switch {
		case errors.As(err, &ae) && ae.ErrorCode() == "NoSuchBucketPolicy":
			reads[i].none = true
		case err != nil:
			reads[i].err = err
		default:
			reads[i].doc = aws.ToString(out.Policy)
		}
	})
	for i, r := range buckets {
		b.record(r, reads[i], "s3:GetBucketPolicy "+r.Name)
	}
}

// addParsed records a resource with the policy text an API returned.
func (b *builder) addParsed(r activity.Resource, doc, source string) {
	if strings.TrimSpace(doc) == "" {
		b.addResource(r, store.ResourcePolicyNone, nil)
		return
	}
	p, err := iam.ParsePolicy(resourcePolicyName(r), []byte(doc))
	if err != nil {
		b.addUnparsed(r, source, err)
		return
	}
	b.addResource(r, store.ResourcePolicyKnown, p)
}

func discoverKeys(ctx context.Context, cfg aws.Config, opts AWSOptions, b *builder) {
	for _, region := range opts.Regions {
		client := kms.NewFromConfig(cfg, func(o *kms.Options) { o.Region = region })
		var keys []activity.Resource
		pages := kms.NewListKeysPaginator(client, &kms.ListKeysInput{})
		for pages.HasMorePages() {
			out, err := pages.NextPage(ctx)
			if err != nil {
				b.issue(opts.AccountID, "kms:ListKeys "+region, failure(err))
				break
			}
			for _, k := range out.Keys {
				r, err := b.resource(activity.KindKMSKey, aws.ToString(k.KeyArn), opts.AccountID, region)
				if err != nil {
					b.issue(opts.AccountID, "kms:ListKeys "+region, err)
					continue
				}
				keys = append(keys, r)
			}
		}
		reads := make([]policyRead, len(keys))
		parallel(ctx, len(keys), func(i int) {
			out, err := client.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(keys[i].ARN), PolicyName: aws.String("default")})
			if err != nil {
				reads[i].err = err
				return
			}
			reads[i].doc = aws.ToString(out.Policy)
		})
		for i, r := range keys {
			b.record(r, reads[i], "kms:GetKeyPolicy "+r.ARN)
		}
		aliases := kms.NewListAliasesPaginator(client, &kms.ListAliasesInput{})
		for aliases.HasMorePages() {
			out, err := aliases.NextPage(ctx)
			if err != nil {
				b.issue(opts.AccountID, "kms:ListAliases "+region, failure(err))
				break
			}
			for _, a := range out.Aliases {
				if rec, ok := aliasRecord(aws.ToString(a.AliasArn), aws.ToString(a.AliasName), aws.ToString(a.TargetKeyId)); ok {
					acc := b.account(opts.AccountID)
					acc.Aliases = append(acc.Aliases, rec)
				}
			}
		}
	}
}

func discoverSecrets(ctx context.Context, cfg aws.Config, opts AWSOptions, b *builder) {
	for _, region := range opts.Regions {
		client := secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) { o.Region = region })
		var secrets []activity.Resource
		pages := secretsmanager.NewListSecretsPaginator(client, &secretsmanager.ListSecretsInput{})
		for pages.HasMorePages() {
			out, err := pages.NextPage(ctx)
			if err != nil {
				b.issue(opts.AccountID, "secretsmanager:ListSecrets "+region, failure(err))
				break
			}
			for _, s := range out.SecretList {
				r, err := b.resource(activity.KindSecret, aws.ToString(s.ARN), opts.AccountID, region)
				if err != nil {
					b.issue(opts.AccountID, "secretsmanager:ListSecrets "+region, err)
					continue
				}
				r.Name = aws.ToString(s.Name)
				secrets = append(secrets, r)
			}
		}
		reads := make([]policyRead, len(secrets))
		parallel(ctx, len(secrets), func(i int) {
			out, err := client.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: aws.String(secrets[i].ARN)})
			if err != nil {
				reads[i].err = err
				return
			}
			reads[i].doc = aws.ToString(out.ResourcePolicy)
		})
		for i, r := range secrets {
			b.record(r, reads[i], "secretsmanager:GetResourcePolicy "+r.ARN)
		}
	}
}

// discoverOrganization reads the SCPs and RCPs attached to the account and
// to each OU above it, up to the root: one level each.
func discoverOrganization(ctx context.Context, cfg aws.Config, opts AWSOptions, b *builder) {
	client := organizations.NewFromConfig(cfg)
	var targets []string
	child := opts.AccountID
	for {
		targets = append(targets, child)
		out, err := client.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(child)})
		if err != nil {
			b.issue(opts.AccountID, "organizations:ListParents "+child, failure(err))
			return
		}
		if len(out.Parents) == 0 {
			break
		}
		child = aws.ToString(out.Parents[0].Id)
		if out.Parents[0].Type == orgtypes.ParentTypeRoot {
			targets = append(targets, child)
			break
		}
	}
	acc := b.account(opts.AccountID)
	for _, kind := range []struct {
		filter orgtypes.PolicyType
		name   string
		levels *[][]string
	}{
		{orgtypes.PolicyTypeServiceControlPolicy, store.PolicySCP, &acc.SCPs},
		{orgtypes.PolicyTypeResourceControlPolicy, store.PolicyRCP, &acc.RCPs},
	} {
		var levels [][]string
		failed := false
		// Root first, the account last, as the organization applies them.
		for i := len(targets) - 1; i >= 0 && !failed; i-- {
			var names []string
			pages := organizations.NewListPoliciesForTargetPaginator(client, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(targets[i]), Filter: kind.filter})
			for pages.HasMorePages() {
				out, err := pages.NextPage(ctx)
				if err != nil {
					b.issue(opts.AccountID, "organizations:ListPoliciesForTarget "+targets[i], failure(err))
					failed = true
					break
				}
				for _, s := range out.Policies {
					source := "organizations:DescribePolicy " + aws.ToString(s.Id)
					d, err := client.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: s.Id})
					if err != nil {
						b.addUnreadableOrgPolicy(opts.AccountID, kind.name, aws.ToString(s.Arn), source, failure(err))
						continue
					}
					p, err := iam.ParsePolicy(aws.ToString(s.Arn), []byte(aws.ToString(d.Policy.Content)))
					if err != nil {
						b.addUnreadableOrgPolicy(opts.AccountID, kind.name, aws.ToString(s.Arn), source, err)
						continue
					}
					names = append(names, b.addPolicy(opts.AccountID, p, kind.name))
				}
			}
			if len(names) > 0 {
				levels = append(levels, names)
			}
		}
		// Missing levels would read as "nothing allowed": leave the
		// organization out rather than deny everything.
		if !failed {
			*kind.levels = levels
		}
	}
}
