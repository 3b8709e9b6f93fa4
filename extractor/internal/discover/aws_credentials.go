package discover

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// reportWait is how long discovery waits for IAM to generate a credential
// report, polling every reportPoll.
var (
	reportWait = 2 * time.Minute
	reportPoll = 2 * time.Second
)

// discoverCredentials reads the IAM users' access keys (ListAccessKeys,
// for their ids) and the account's credential report (their last use,
// and the console passwords). The credentials stored before are replaced
// only when the report was read: without it no key's last use is known.
func discoverCredentials(ctx context.Context, cfg aws.Config, opts AWSOptions, b *builder) {
	a := b.account(opts.AccountID)
	if a.IdentitiesUnread {
		return
	}
	client := awsiam.NewFromConfig(cfg)
	listed, err := listAccessKeys(ctx, client, a.Principals)
	if err != nil {
		b.issue(opts.AccountID, "iam:ListAccessKeys", failure(err))
	}
	raw, err := credentialReport(ctx, client)
	if err != nil {
		b.issue(opts.AccountID, "iam:GenerateCredentialReport", failure(err))
		return
	}
	rep, err := ParseCredentialReport(bytes.NewReader(raw), "iam:GetCredentialReport")
	if err != nil {
		b.issue(opts.AccountID, "iam:GetCredentialReport", err)
		return
	}
	if rep.AccountID != opts.AccountID {
		// The report of another account (the credentials reach it instead):
		// FromAWS reports the mix-up; nothing of it is kept.
		return
	}
	b.addCredentialReport(rep, listed)
}

// listAccessKeys lists the access keys of the IAM users among principals.
func listAccessKeys(ctx context.Context, client *awsiam.Client, principals []store.DiscoveredPrincipal) ([]activity.AccessKey, error) {
	var listed []activity.AccessKey
	for _, p := range principals {
		if p.Principal.Kind != activity.KindIAMUser {
			continue
		}
		pages := awsiam.NewListAccessKeysPaginator(client, &awsiam.ListAccessKeysInput{UserName: aws.String(p.Principal.Name)})
		for pages.HasMorePages() {
			out, err := pages.NextPage(ctx)
			if err != nil {
				return nil, err
			}
			for _, k := range out.AccessKeyMetadata {
				created := aws.ToTime(k.CreateDate).UTC()
				listed = append(listed, activity.AccessKey{UserARN: p.Principal.ARN, ID: aws.ToString(k.AccessKeyId),
					Active: k.Status == iamtypes.StatusTypeActive, CreatedAt: &created})
			}
		}
	}
	return listed, nil
}

// credentialReport asks IAM for a credential report and waits until it is
// ready (IAM makes at most one every four hours; a recent one is reused).
func credentialReport(ctx context.Context, client *awsiam.Client) ([]byte, error) {
	deadline := time.Now().Add(reportWait)
	for {
		gen, err := client.GenerateCredentialReport(ctx, &awsiam.GenerateCredentialReportInput{})
		if err != nil {
			return nil, err
		}
		if gen.State == iamtypes.ReportStateTypeComplete {
			out, err := client.GetCredentialReport(ctx, &awsiam.GetCredentialReportInput{})
			var inProgress *iamtypes.CredentialReportNotReadyException
			if !errors.As(err, &inProgress) {
				if err != nil {
					return nil, err
				}
				return out.Content, nil
			}
		}
		if time.Now().After(deadline) {
			return nil, errors.New("the credential report was not ready after " + reportWait.String() + "; run discover again later")
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(reportPoll):
		}
	}
}
