package discover

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/testenv"
)

// buildKinds creates, in region, two queues (one with a queue policy
// letting carol send), a topic whose policy lets carol publish, two
// functions (one whose resource-based policy lets carol invoke it) and two
// tables (one whose resource-based policy lets carol read items).
func buildKinds(t *testing.T, cfg aws.Config, region string) {
	t.Helper()
	ctx := context.Background()
	must := func(_ any, err error) {
		t.Helper()
		var exists *iamtypes.EntityAlreadyExistsException
		if err != nil && !errors.As(err, &exists) {
			t.Fatal(err)
		}
	}
	carol := "arn:aws:iam::" + acct + ":user/carol"
	im := awsiam.NewFromConfig(cfg)
	must(im.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("carol")}))
	must(im.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("fn-exec"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}))

	qc := sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.Region = region })
	queueARN := "arn:aws:sqs:" + region + ":" + acct + ":orders"
	must(qc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders"), Attributes: map[string]string{"Policy": `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Principal":{"AWS":"` + carol + `"},"Action":"sqs:SendMessage","Resource":"` + queueARN + `"}]}`}}))
	must(qc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("quiet")}))

	nc := sns.NewFromConfig(cfg, func(o *sns.Options) { o.Region = region })
	topic, err := nc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("alerts")})
	must(topic, err)
	must(nc.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: topic.TopicArn, AttributeName: aws.String("Policy"), AttributeValue: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + carol + `"},"Action":"sns:Publish","Resource":"` + aws.ToString(topic.TopicArn) + `"}]}`)}))

	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	w, err := zw.Create("index.py")
	must(w, err)
	must(w.Write([]byte("def handler(event, context):\n    return event\n")))
	must(nil, zw.Close())
	lc := lambda.NewFromConfig(cfg, func(o *lambda.Options) { o.Region = region })
	for _, name := range []string{"resize", "idle"} {
		must(lc.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(name), Runtime: lambdatypes.RuntimePython312,
			Role: aws.String("arn:aws:iam::" + acct + ":role/fn-exec"), Handler: aws.String("index.handler"), Code: &lambdatypes.FunctionCode{ZipFile: zipped.Bytes()}}))
	}
	must(lc.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("resize"), StatementId: aws.String("carol"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String(carol)}))

	dc := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.Region = region })
	for _, name := range []string{"carts", "archive"} {
		must(dc.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(name), BillingMode: ddbtypes.BillingModePayPerRequest,
			AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
			KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: ddbtypes.KeyTypeHash}}}))
	}
	tableARN := "arn:aws:dynamodb:" + region + ":" + acct + ":table/carts"
	must(dc.PutResourcePolicy(ctx, &dynamodb.PutResourcePolicyInput{ResourceArn: aws.String(tableARN), Policy: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + carol + `"},"Action":"dynamodb:GetItem","Resource":"` + tableARN + `"}]}`)}))
}

// Discovery through the API lists the queues, topics, functions and tables
// of a region of an account built in moto, reads their resource policies
// (none where there is none), and carol's grants come from them alone.
func TestDiscoverQueuesTopicsFunctionsTablesFromAWS(t *testing.T) {
	m := testenv.StartMoto(t)
	m.Reset(t)
	ctx := context.Background()
	const region = "eu-west-3"
	buildKinds(t, m.Config(t, region), region)
	a, err := FromAWS(ctx, m.Config(t, region), AWSOptions{AccountID: acct, Regions: []string{region}})
	if err != nil {
		t.Fatal(err)
	}
	for _, is := range a.Issues {
		t.Errorf("issue from AWS: %s: %s", is.Source, is.Message)
	}
	var got []string
	for _, r := range a.Resources {
		if r.Resource.Kind == activity.KindS3Bucket || r.Resource.Kind == activity.KindKMSKey || r.Resource.Kind == activity.KindSecret {
			continue
		}
		got = append(got, r.Resource.Kind+" "+r.Resource.ARN+" "+r.PolicyState)
	}
	sort.Strings(got)
	p := "arn:aws:%s:" + region + ":" + acct + ":"
	arn := func(service, res string) string { return strings.Replace(p, "%s", service, 1) + res }
	want := []string{
		"dynamodb_table " + arn("dynamodb", "table/archive") + " none",
		"dynamodb_table " + arn("dynamodb", "table/carts") + " known",
		"lambda_function " + arn("lambda", "function:idle") + " none",
		"lambda_function " + arn("lambda", "function:resize") + " known",
		"sns_topic " + arn("sns", "alerts") + " known",
		"sqs_queue " + arn("sqs", "orders") + " known",
		"sqs_queue " + arn("sqs", "quiet") + " none",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("resources:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	db := openDB(t)
	if err := Store(ctx, db, []store.AccountEntitlements{a}); err != nil {
		t.Fatal(err)
	}
	if _, err := Evaluate(ctx, db); err != nil {
		t.Fatal(err)
	}
	grants := grantsOf(t, db)
	carol := "arn:aws:iam::" + acct + ":user/carol"
	for res, action := range map[string]string{
		arn("sqs", "orders"):             "sqs:SendMessage",
		arn("sns", "alerts"):             "sns:Publish",
		arn("lambda", "function:resize"): "lambda:InvokeFunction",
		arn("dynamodb", "table/carts"):   "dynamodb:GetItem",
	} {
		if g := grants[carol+" "+res]; len(g) != 2 || g[0] != action || g[1] != "|" {
			t.Errorf("carol on %s: %v, want [%s |]", res, g, action)
		}
	}
	for _, res := range []string{arn("sqs", "quiet"), arn("lambda", "function:idle"), arn("dynamodb", "table/archive")} {
		if g, ok := grants[carol+" "+res]; ok {
			t.Errorf("carol on %s: %v, want nothing (no policy grants it)", res, g)
		}
	}

	// The files side: what the AWS CLI saves for the same account gives
	// the same grants.
	cli, err := exec.LookPath("aws")
	if err != nil {
		testenv.Unavailable(t, "the AWS CLI (aws) is not on PATH: the files side of this test needs it; install it with: apt-get install awscli (or pip install awscli)")
	}
	dir := t.TempDir()
	save := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(cli, append([]string{"--endpoint-url", m.Endpoint, "--region", region, "--output", "json"}, args...)...)
		for _, kv := range os.Environ() {
			if kv != "AWS_PROFILE=" && kv != "AWS_SESSION_TOKEN=" {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("aws %v: %v", args, err)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, out, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	m.Env(t, region)
	files := Files{
		AuthzDetails: []string{save("authz.json", "iam", "get-account-authorization-details")},
		ResourcePolicies: map[string]string{
			arn("sqs", "orders"): save("orders.json", "sqs", "get-queue-attributes", "--queue-url",
				m.Endpoint+"/"+acct+"/orders", "--attribute-names", "Policy"),
			arn("sns", "alerts"):             save("alerts.json", "sns", "get-topic-attributes", "--topic-arn", arn("sns", "alerts")),
			arn("lambda", "function:resize"): save("resize.json", "lambda", "get-policy", "--function-name", "resize"),
			arn("dynamodb", "table/carts"):   save("carts.json", "dynamodb", "get-resource-policy", "--resource-arn", arn("dynamodb", "table/carts")),
		},
		Resources: []string{arn("sqs", "quiet"), arn("lambda", "function:idle"), arn("dynamodb", "table/archive")},
	}
	accounts, err := FromFiles(files)
	if err != nil {
		t.Fatal(err)
	}
	fromFiles := openDB(t)
	if err := Store(ctx, fromFiles, accounts); err != nil {
		t.Fatal(err)
	}
	if _, err := Evaluate(ctx, fromFiles); err != nil {
		t.Fatal(err)
	}
	viaFiles := grantsOf(t, fromFiles)
	for key, g := range grants {
		if !strings.HasPrefix(key, carol+" ") {
			continue
		}
		if !reflect.DeepEqual(viaFiles[key], g) {
			t.Errorf("%s: %v from the files, %v from the API", key, viaFiles[key], g)
		}
	}
	if len(accounts) != 1 || len(accounts[0].Issues) != 0 {
		t.Errorf("files discovery: %+v", accounts)
	}
}

// A policy file given for a bucket, key or secret ARN as a resource policy
// is refused with what to use instead; a file for something no kind is
// refused too.
func TestResourcePoliciesOfOtherKindsRefused(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:s3:::logs": "give its policy as a bucket, key or secret policy",
		"arn:aws:ec2:eu-west-1:111111111111:instance/i-0abc": "is not the ARN of a",
	} {
		_, err := FromFiles(Files{ResourcePolicies: map[string]string{arn: "policy.json"}})
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "policy.json") {
			t.Errorf("%s: %v, want an error naming the file and saying %q", arn, err, want)
		}
	}
}
