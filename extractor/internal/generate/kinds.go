package generate

import (
	"math/rand/v2"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// The first account has a queue, a topic, a function and a table in the
// first region, each used by one role of its own whose events are
// scripted rather than drawn: the demo's OPS of these kinds is known
// exactly (see kindWorkers).
const (
	queueWorker     profile = iota + 100 // sends, receives and deletes messages
	topicPublisher                       // publishes
	functionInvoker                      // invokes through an alias, reads the configuration
	tableReader                          // reads items
)

// kindResources are the names of the first account's resources of the
// newer kinds.
type kindResources struct{ queue, topic, function, table string }

func (a *account) kindResources() kindResources {
	return kindResources{queue: a.alias + "-orders", topic: a.alias + "-alerts", function: a.alias + "-resize", table: a.alias + "-carts"}
}

func (a *account) kindARN(kind, name string) string {
	return activity.ResourceKindNamed(kind).ARN("", regions[0], a.id, name)
}

// kindWorker is one role's grants and its scripted calls.
type kindWorker struct {
	profile profile
	role    string
	kind    string
	actions []string // granted on the resource (and its qualifiers or indexes)
	calls   []string // event names, in order, one an hour
}

// kindWorkers: by hand, each role's OPS is the share of its granted actions
// on its one resource that it never used:
//
//	queue-worker      5 granted, 3 used (SendMessage, ReceiveMessage, DeleteMessage): 40
//	topic-publisher   4 granted, 1 used (Publish): 75
//	function-invoker  2 granted, 2 used (InvokeFunction through alias live, GetFunction): 0
//	table-reader      6 granted, 2 used (GetItem, Query): 66.7
var kindWorkers = []kindWorker{
	{queueWorker, "queue-worker", activity.KindQueue,
		[]string{"sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"},
		[]string{"SendMessage", "ReceiveMessage", "DeleteMessage", "SendMessage"}},
	{topicPublisher, "topic-publisher", activity.KindTopic,
		[]string{"sns:Publish", "sns:Subscribe", "sns:GetTopicAttributes", "sns:SetTopicAttributes"},
		[]string{"Publish", "Publish"}},
	{functionInvoker, "function-invoker", activity.KindFunction,
		[]string{"lambda:InvokeFunction", "lambda:GetFunction"},
		[]string{"Invoke", "GetFunction20150331v2", "Invoke"}},
	{tableReader, "table-reader", activity.KindTable,
		[]string{"dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchGetItem", "dynamodb:DescribeTable", "dynamodb:PutItem"},
		[]string{"GetItem", "Query", "GetItem"}},
}

func scripted(p profile) bool { return p >= queueWorker }

// kindWorkerOf is the kind worker of a scripted profile.
func kindWorkerOf(p profile) kindWorker {
	for _, k := range kindWorkers {
		if k.profile == p {
			return k
		}
	}
	return kindWorker{}
}

func init() {
	for _, k := range kindWorkers {
		profileNames[k.profile] = k.role
	}
}

// addKindWorkers gives account a the roles of kindWorkers, with ids drawn
// from no random source, so that the rest of the world is as before.
func (a *account) addKindWorkers() {
	for _, k := range kindWorkers {
		a.identities = append(a.identities, &identity{kind: "AssumedRole", name: k.role, arn: activity.IAMARN("", a.id, "role/"+k.role),
			principalID: stableID("AROA" + a.id + k.role), accessKey: stableID("ASIA" + a.id + k.role), profile: k.profile, sessionName: "worker-"})
	}
}

// kindResource is the resource of a kind worker.
func (a *account) kindResource(kind string) (name, arn string) {
	res := a.kindResources()
	name = map[string]string{activity.KindQueue: res.queue, activity.KindTopic: res.topic, activity.KindFunction: res.function, activity.KindTable: res.table}[kind]
	return name, a.kindARN(kind, name)
}

// kindPolicy is a kind worker's inline policy.
func (a *account) kindPolicy(k kindWorker) policyDoc {
	_, arn := a.kindResource(k.kind)
	resources := []string{arn}
	switch k.kind {
	case activity.KindFunction:
		resources = append(resources, arn+":*")
	case activity.KindTable:
		resources = append(resources, arn+"/index/*")
	}
	return policyDoc{Version: "2012-10-17", Statement: []statement{allow(k.actions, resources)}}
}

// scriptedEvents are the kind workers' calls, one an hour from 12 hours
// before the end, as CloudTrail logs them: the data events with
// resources[], the management ones by the request alone.
func (w *world) scriptedEvents(seed uint64, a *account) []*record {
	g := newEventGen(rand.New(rand.NewPCG(seed, 0x6b696e6473)), w, a, regions[0])
	at := w.end.Add(-12 * time.Hour)
	var out []*record
	for _, k := range kindWorkers {
		var id *identity
		for _, i := range a.identities {
			if i.profile == k.profile {
				id = i
			}
		}
		name, arn := a.kindResource(k.kind)
		for _, call := range k.calls {
			at = at.Add(time.Hour)
			source := activity.ResourceKindNamed(k.kind).Service + ".amazonaws.com"
			rec := g.base(at, source, call, false)
			rec.UserIdentity = g.userIdentity(id, at)
			trailType := activity.ResourceKindNamed(k.kind).TrailTypes[0]
			data := true
			ref := arn
			switch k.kind {
			case activity.KindQueue:
				rec.RequestParameters = map[string]any{"queueUrl": "https://sqs." + regions[0] + ".amazonaws.com/" + a.id + "/" + name}
			case activity.KindTopic:
				rec.RequestParameters = map[string]any{"topicArn": arn, "message": "HIDDEN_DUE_TO_SECURITY_REASONS"}
			case activity.KindFunction:
				if call == "Invoke" {
					ref = arn + ":live"
					rec.RequestParameters = map[string]any{"functionName": ref, "invocationType": "Event"}
				} else {
					rec.RequestParameters = map[string]any{"functionName": name}
					rec.ReadOnly, data = true, false
				}
			case activity.KindTable:
				rec.RequestParameters = map[string]any{"tableName": name, "key": map[string]any{"id": "HIDDEN_DUE_TO_SECURITY_REASONS"}}
				rec.ReadOnly = true
			}
			if data {
				rec.Resources = []resourceRef{{AccountID: a.id, Type: trailType, ARN: ref}}
				rec.ManagementEvent, rec.EventCategory = false, "Data"
			}
			out = append(out, rec)
		}
	}
	return out
}
