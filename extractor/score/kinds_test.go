package score_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Account 444444444444 of testdata/kinds, by hand, for the 30-day window
// ending 2026-11-25. Each user may do a few actions on one resource of a new
// kind (inline policies); the queue, the function and the table have no
// resource policy, the topic's lets EventBridge publish (a service, not a
// principal scored here).
//
//   - queue-user: sqs:SendMessage, ReceiveMessage, DeleteMessage and
//     GetQueueAttributes on queue orders. Used SendMessage (a data event
//     naming the queue in resources[]) and GetQueueAttributes (named by its
//     queueUrl); PurgeQueue was refused (not granted, not a use). 2 of 4
//     unused: OPS 50.
//   - topic-user: sns:Publish, GetTopicAttributes and Subscribe on topic
//     alerts. Used Publish. 2 of 3 unused: OPS 66.7.
//   - function-user: lambda:InvokeFunction, GetFunction,
//     UpdateFunctionCode and GetPolicy on function resize (and its
//     qualifiers). Invoked it through alias live, which is use of the
//     function. 3 of 4 unused: OPS 75.
//   - table-user: dynamodb:GetItem, PutItem, Query, DescribeTable and
//     DeleteItem on table carts (and its indexes). Used GetItem (a data
//     event) and DescribeTable. 3 of 5 unused: OPS 60.
func TestQueueTopicFunctionTableOPS(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "activity.db")
	dir := "testdata/kinds"
	const a, r = "444444444444", "eu-west-1"
	queue := "arn:aws:sqs:" + r + ":" + a + ":orders"
	topic := "arn:aws:sns:" + r + ":" + a + ":alerts"
	function := "arn:aws:lambda:" + r + ":" + a + ":function:resize"
	table := "arn:aws:dynamodb:" + r + ":" + a + ":table/carts"
	runCLI(t, ctx, []string{"--db", db, "discover", "--authz-details", filepath.Join(dir, "authz-details-"+a+".json"),
		"--resource-policy", topic + "=" + filepath.Join(dir, "alerts-topic-attributes.json"),
		"--resource", queue, "--resource", function, "--resource", table})
	runCLI(t, ctx, []string{"--db", db, "extract", "--source", filepath.Join(dir, "trail"), "--as-of", scenarioAsOf, "--window", "30d"})
	out, _ := runCLI(t, ctx, []string{"--db", db, "report", "--format", "json", "--as-of", scenarioAsOf, "--window", "30d"})

	var rep struct {
		Principals []struct {
			ARN       string   `json:"arn"`
			OPS       *float64 `json:"ops"`
			Notes     []string `json:"notes"`
			Resources []struct {
				ARN         string   `json:"arn"`
				Kind        string   `json:"kind"`
				OPS         *float64 `json:"ops"`
				Granted     []string `json:"granted_actions"`
				UsedActions []string `json:"used_actions"`
			} `json:"resources"`
		} `json:"principals"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := map[string]struct {
		ops       float64
		resource  string
		kind      string
		used      []string
		granted   int
		dataEvent string
	}{
		"queue-user":    {50, queue, "sqs_queue", []string{"sqs:GetQueueAttributes", "sqs:SendMessage"}, 4, "are SQS data events"},
		"topic-user":    {66.7, topic, "sns_topic", []string{"sns:Publish"}, 3, "are SNS data events"},
		"function-user": {75, function, "lambda_function", []string{"lambda:InvokeFunction"}, 4, "Invoke is a Lambda data event"},
		"table-user":    {60, table, "dynamodb_table", []string{"dynamodb:DescribeTable", "dynamodb:GetItem"}, 5, "are DynamoDB data events"},
	}
	seen := 0
	for _, p := range rep.Principals {
		w, ok := want[strings.TrimPrefix(p.ARN, "arn:aws:iam::"+a+":user/")]
		if !ok {
			continue
		}
		seen++
		if p.OPS == nil || *p.OPS != w.ops {
			t.Errorf("%s ops = %v, want %v", p.ARN, deref(p.OPS), w.ops)
		}
		if len(p.Resources) != 1 {
			t.Errorf("%s resources = %+v, want %s alone", p.ARN, p.Resources, w.resource)
			continue
		}
		res := p.Resources[0]
		if res.ARN != w.resource || res.Kind != w.kind || res.OPS == nil || *res.OPS != w.ops || len(res.Granted) != w.granted || !reflect.DeepEqual(res.UsedActions, w.used) {
			t.Errorf("%s resource %+v (ops %v), want %s %s ops %v, %d granted, used %v", p.ARN, res, deref(res.OPS), w.resource, w.kind, w.ops, w.granted, w.used)
		}
		found := false
		for _, n := range p.Notes {
			found = found || strings.Contains(n, w.dataEvent) && strings.Contains(n, a)
		}
		if !found {
			t.Errorf("%s notes %q lack the data-event caveat %q", p.ARN, p.Notes, w.dataEvent)
		}
	}
	if seen != len(want) {
		t.Fatalf("%d of the %d principals reported:\n%s", seen, len(want), out)
	}
}

// The generated organization's roles of the newer kinds have the OPS
// computed by hand beside kindWorkers (internal/generate/kinds.go): each
// may do a few actions on one resource and uses some, in scripted calls
// 12 hours before the end.
func TestGeneratedKindWorkersOPS(t *testing.T) {
	ctx := context.Background()
	gen := t.TempDir()
	runCLI(t, ctx, []string{"generate", "--out", gen, "--seed", "11", "--end", "2026-11-24", "--accounts", "2", "--users", "4", "--days", "3", "--events", "400"})
	raw, err := os.ReadFile(filepath.Join(gen, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ Demo map[string]string }
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "activity.db")
	runCLI(t, ctx, []string{"--db", db, "extract", "--source", filepath.Join(gen, "trail"), "--as-of", scenarioAsOf})
	runCLI(t, ctx, append([]string{"--db", db, "discover"}, authzArgs(t, gen)...))
	out, _ := runCLI(t, ctx, []string{"--db", db, "report", "--format", "json", "--as-of", scenarioAsOf})
	var rep struct {
		Principals []struct {
			ARN       string   `json:"arn"`
			OPS       *float64 `json:"ops"`
			Resources []struct {
				Kind        string   `json:"kind"`
				UsedActions []string `json:"used_actions"`
			} `json:"resources"`
		} `json:"principals"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		ops  float64
		used int
	}{"sqs_queue": {40, 3}, "sns_topic": {75, 1}, "lambda_function": {0, 2}, "dynamodb_table": {66.7, 2}}
	for kind, w := range want {
		arn := m.Demo[kind+"_role"]
		found := false
		for _, p := range rep.Principals {
			if p.ARN != arn {
				continue
			}
			found = true
			if p.OPS == nil || *p.OPS != w.ops || len(p.Resources) != 1 || p.Resources[0].Kind != kind || len(p.Resources[0].UsedActions) != w.used {
				t.Errorf("%s (%s): ops %v, resources %+v; want ops %v, one %s with %d actions used", arn, kind, deref(p.OPS), p.Resources, w.ops, kind, w.used)
			}
		}
		if !found {
			t.Errorf("the %s role %q is not reported", kind, arn)
		}
	}
}
