package discover

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// listed is what a list call gave in one region: the resources, each with
// the reference its policy call takes.
type listed struct {
	res  []activity.Resource
	refs []string
}

// add records one listed resource, or an issue when ref names none.
func (l *listed) add(b *builder, kind, ref, callRef, account, region, source string) {
	r, err := b.resource(kind, ref, account, region)
	if err != nil {
		b.issue(account, source, err)
		return
	}
	l.res = append(l.res, r)
	l.refs = append(l.refs, callRef)
}

// readPolicies reads the policy of each listed resource, at most apiWorkers
// at a time, and records them.
func (l *listed) readPolicies(ctx context.Context, b *builder, action string, read func(ref string) policyRead) {
	reads := make([]policyRead, len(l.res))
	parallel(ctx, len(l.res), func(i int) { reads[i] = read(l.refs[i]) })
	for i, r := range l.res {
		b.record(r, reads[i], action+" "+r.ARN)
	}
}

// discoverQueues lists each region's SQS queues (by URL) and reads each
// one's queue policy, the Policy attribute; a queue without one has none.
func discoverQueues(ctx context.Context, cfg aws.Config, opts AWSOptions, b *builder) {
	for _, region := range opts.Regions {
		client := sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.Region = region })
		var l listed
		pages := sqs.NewListQueuesPaginator(client, &sqs.ListQueuesInput{})
		for pages.HasMorePages() {
			out, err := pages.NextPage(ctx)
			if err != nil {
				b.issue(opts.AccountID, "sqs:ListQueues "+region, failure(err))
				break
			}
			for _, u := range out.QueueUrls {
				l.add(b, activity.KindQueue, u, u, opts.AccountID, region, "sqs:ListQueues "+region)
			}
		}
		l.readPolicies(ctx, b, "sqs:GetQueueAttributes", func(u string) policyRead {
			out, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(u),
				AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNamePolicy}})
			if err != nil {
				return policyRead{err: err}
			}
			doc, ok := out.Attributes[string(sqstypes.QueueAttributeNamePolicy)]
			return policyRead{doc: doc, none: !ok || doc == ""}
		})
	}
}

// discoverTopics lists each region's SNS topics and reads each one's
// access policy, the Policy attribute (SNS gives every topic one).
func discoverTopics(ctx context.Context, cfg aws.Config, opts AWSOptions, b *builder) {
	for _, region := range opts.Regions {
		client := sns.NewFromConfig(cfg, func(o *sns.Options) { o.Region = region })
		var l listed
		pages := sns.NewListTopicsPaginator(client, &sns.ListTopicsInput{})
		for pages.HasMorePages() {
			out, err := pages.NextPage(ctx)
			if err != nil {
				b.issue(opts.AccountID, "sns:ListTopics "+region, failure(err))
				break
			}
			for _, tp := range out.Topics {
				arn := aws.ToString(tp.TopicArn)
				l.add(b, activity.KindTopic, arn, arn, opts.AccountID, region, "sns:ListTopics "+region)
			}
		}
		l.readPolicies(ctx, b, "sns:GetTopicAttributes", func(arn string) policyRead {
			out, err := client.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
			if err != nil {
				return policyRead{err: err}
			}
			doc, ok := out.Attributes["Policy"]
			return policyRead{doc: doc, none: !ok || doc == ""}
		})
	}
}

// discoverFunctions lists each region's Lambda functions and reads each
// one's resource-based policy; a function without one has none
// (ResourceNotFoundException).
func discoverFunctions(ctx context.Context, cfg aws.Config, opts AWSOptions, b *builder) {
	for _, region := range opts.Regions {
		client := lambda.NewFromConfig(cfg, func(o *lambda.Options) { o.Region = region })
		var l listed
		pages := lambda.NewListFunctionsPaginator(client, &lambda.ListFunctionsInput{})
		for pages.HasMorePages() {
			out, err := pages.NextPage(ctx)
			if err != nil {
				b.issue(opts.AccountID, "lambda:ListFunctions "+region, failure(err))
				break
			}
			for _, f := range out.Functions {
				arn := aws.ToString(f.FunctionArn)
				l.add(b, activity.KindFunction, arn, arn, opts.AccountID, region, "lambda:ListFunctions "+region)
			}
		}
		l.readPolicies(ctx, b, "lambda:GetPolicy", func(arn string) policyRead {
			out, err := client.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String(arn)})
			var missing *lambdatypes.ResourceNotFoundException
			switch {
			case errors.As(err, &missing):
				return policyRead{none: true}
			case err != nil:
				return policyRead{err: err}
			}
			return policyRead{doc: aws.ToString(out.Policy)}
		})
	}
}

// discoverTables lists each region's DynamoDB tables and reads each one's
// resource-based policy; a table without one has none
// (PolicyNotFoundException).
func discoverTables(ctx context.Context, cfg aws.Config, opts AWSOptions, b *builder) {
	for _, region := range opts.Regions {
		client := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.Region = region })
		var l listed
		pages := dynamodb.NewListTablesPaginator(client, &dynamodb.ListTablesInput{})
		for pages.HasMorePages() {
			out, err := pages.NextPage(ctx)
			if err != nil {
				b.issue(opts.AccountID, "dynamodb:ListTables "+region, failure(err))
				break
			}
			for _, name := range out.TableNames {
				table := activity.ResourceKindNamed(activity.KindTable).ARN(b.partition(opts.AccountID, region), region, opts.AccountID, name)
				l.add(b, activity.KindTable, name, table, opts.AccountID, region, "dynamodb:ListTables "+region)
			}
		}
		l.readPolicies(ctx, b, "dynamodb:GetResourcePolicy", func(arn string) policyRead {
			out, err := client.GetResourcePolicy(ctx, &dynamodb.GetResourcePolicyInput{ResourceArn: aws.String(arn)})
			var ae smithy.APIError
			switch {
			case errors.As(err, &ae) && ae.ErrorCode() == "PolicyNotFoundException":
				return policyRead{none: true}
			case err != nil:
				return policyRead{err: err}
			}
			return policyRead{doc: aws.ToString(out.Policy)}
		})
	}
}
