package activity

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Principal kinds.
const (
	KindIAMUser       = "iam_user"
	KindIAMRole       = "iam_role"
	KindOktaIdentity  = "okta_identity"
	KindSSOUser       = "sso_user"
	KindRoot          = "root"
	KindFederatedUser = "federated_user"
	KindAWSService    = "aws_service"
)

// ScoredKinds are the principal kinds that get scores: people and workloads,
// not AWS services acting for them nor the account root.
var ScoredKinds = []string{KindIAMUser, KindIAMRole, KindOktaIdentity, KindSSOUser, KindFederatedUser}

// ReportedKinds are the principal kinds a score run lists: the scored kinds,
// and the account root, which gets last activity, dormancy and denied
// attempts but never an OPS. Any use of the root user is a finding.
var ReportedKinds = append(append([]string(nil), ScoredKinds...), KindRoot)

// PeopleKinds are the principal kinds that are people federated from an
// identity provider, found by their login as well as by ARN.
var PeopleKinds = []string{KindOktaIdentity, KindSSOUser}

// Resource kinds: the names the store, the report and the provider use.
const (
	KindS3Bucket = "s3_bucket"
	KindKMSKey   = "kms_key"
	KindSecret   = "secretsmanager_secret"
	KindQueue    = "sqs_queue"
	KindTopic    = "sns_topic"
	KindFunction = "lambda_function"
	KindTable    = "dynamodb_table"
)

// KindS3Object is what simulate calls an object of a known bucket: not a
// scored kind of its own, its use counts for its bucket.
const KindS3Object = "s3_object"

// ResourceKind is everything the project knows about one kind of scored
// resource. Adding a kind is one entry in resourceKinds, the discovery call
// that lists it, and tests.
type ResourceKind struct {
	// Name is the kind as stored, reported and filtered on.
	Name string
	// Noun names one resource in prose: "bucket".
	Noun string
	// Service is the ARN service and the IAM action prefix.
	Service string
	// CatalogTypes are the Service Authorization Reference's resource types
	// whose actions are granted on a resource of this kind (a bucket's
	// grants include the actions on its objects).
	CatalogTypes []string
	// ChildType is the catalog resource type of what a resource holds (a
	// bucket's objects), named by the resource's ARN, "/", and a path; ""
	// when it holds nothing addressable.
	ChildType string
	// ChildKind is what simulate calls one of them.
	ChildKind string
	// TrailTypes are the resources[].type values of CloudTrail records
	// that name a resource of this kind, and ChildTrailType the one that
	// names something it holds (an S3 object, whose bucket is the
	// resource). Only those the event mapping reads are listed: a secret's
	// use is named by its request alone.
	TrailTypes     []string
	ChildTrailType string
	// RequestFields are the requestParameters fields of CloudTrail records
	// that name it, by name, id or ARN.
	RequestFields []string
	// DataEvents is set when most use of the kind is logged only as data
	// events, which a trail records only when configured to.
	DataEvents bool
	// DataEventNote names, for a kind other than buckets, the calls
	// CloudTrail logs only as data events, as the score's caveat says them.
	DataEventNote string
	// ListAction and PolicyAction are the IAM actions discovery calls to
	// list the resources of an account and to read one's resource policy;
	// AlsoDiscovered, any other it calls for the kind.
	ListAction     string
	PolicyAction   string
	AlsoDiscovered []string
	// AlwaysHasPolicy is set when every resource of the kind has a resource
	// policy (a KMS key's key policy): one listed without it has an unknown
	// policy, not none.
	AlwaysHasPolicy bool
	// PolicyNoun names its resource policy in explanations.
	PolicyNoun string
	// ARNSuffix is set when AWS adds characters to the name in a
	// resource's full ARN (a secret's "-AbCdEf"): the canonical ARN is the
	// partial one, without them, and events may use either.
	ARNSuffix bool
	// NamesHaveSlashes is set when a name may hold "/" (a secret's
	// "prod/db"); elsewhere a "/" means an alias or an object, not a name.
	NamesHaveSlashes bool

	// fromRef reads a reference that is neither an ARN nor a bare name (a
	// queue URL, a Lambda function's partial ARN or qualified name): the
	// name, and the account and region when the reference says them; ok is
	// false when it is not such a reference.
	fromRef func(ref string) (name, account, region string, ok bool)
	// parse finds the resource's name in the resource part of an ARN; ok is
	// false when the ARN is not of this kind. A name is what identifies the
	// resource within its account and region.
	parse func(resource string) (name string, ok bool)
	// resource is the resource part of the ARN of a resource named name.
	resource func(name string) string
	// global is set when the kind's ARNs carry neither region nor account.
	global bool
}

var resourceKinds = []*ResourceKind{
	{
		Name: KindS3Bucket, Noun: "bucket", Service: "s3",
		CatalogTypes:   []string{"bucket", "object"},
		ChildType:      "object",
		ChildKind:      KindS3Object,
		TrailTypes:     []string{"AWS::S3::Bucket"},
		ChildTrailType: "AWS::S3::Object",
		RequestFields:  []string{"bucketName"},
		DataEvents:     true,
		ListAction:     "s3:ListAllMyBuckets", PolicyAction: "s3:GetBucketPolicy", PolicyNoun: "bucket policy",
		parse: func(res string) (string, bool) {
			// An object ARN names its bucket's use: the bucket is the resource.
			name, _, _ := strings.Cut(res, "/")
			return name, name != ""
		},
		resource: func(name string) string { return name },
		global:   true,
	},
	{
		Name: KindKMSKey, Noun: "key", Service: "kms",
		CatalogTypes:  []string{"key"},
		TrailTypes:    []string{"AWS::KMS::Key"},
		RequestFields: []string{"keyId", "destinationKeyId"},
		ListAction:    "kms:ListKeys", PolicyAction: "kms:GetKeyPolicy", PolicyNoun: "key policy",
		// Aliases name keys in policies and requests; discovery resolves them.
		AlsoDiscovered:  []string{"kms:ListAliases"},
		AlwaysHasPolicy: true,
		parse: func(res string) (string, bool) {
			// An alias names a key only through the account's alias list:
			// it is not the key's ARN.
			id, ok := strings.CutPrefix(res, "key/")
			return id, ok && id != ""
		},
		resource: func(name string) string { return "key/" + name },
	},
	{
		Name: KindSecret, Noun: "secret", Service: "secretsmanager",
		CatalogTypes:     []string{"Secret"},
		RequestFields:    []string{"secretId", "name"},
		NamesHaveSlashes: true,
		ARNSuffix:        true,
		ListAction:       "secretsmanager:ListSecrets", PolicyAction: "secretsmanager:GetResourcePolicy", PolicyNoun: "resource policy",
		parse: func(res string) (string, bool) {
			name, ok := strings.CutPrefix(res, "secret:")
			return SecretName(name), ok && name != ""
		},
		resource: func(name string) string { return "secret:" + name },
	},
	{
		Name: KindQueue, Noun: "queue", Service: "sqs",
		CatalogTypes: []string{"queue"},
		TrailTypes:   []string{"AWS::SQS::Queue"},
		// Requests name a queue by its URL (CreateQueue, which names it
		// by its name, is left out: its creator's use is not read).
		RequestFields: []string{"queueUrl"},
		DataEvents:    true,
		DataEventNote: "SendMessage, ReceiveMessage, DeleteMessage and ChangeMessageVisibility (and their batches) are SQS data events",
		ListAction:    "sqs:ListQueues", PolicyAction: "sqs:GetQueueAttributes", PolicyNoun: "queue policy",
		parse:    plainName,
		resource: func(name string) string { return name },
		fromRef:  queueURL,
	},
	{
		Name: KindTopic, Noun: "topic", Service: "sns",
		CatalogTypes:  []string{"topic"},
		TrailTypes:    []string{"AWS::SNS::Topic"},
		RequestFields: []string{"topicArn"},
		DataEvents:    true,
		DataEventNote: "Publish and PublishBatch are SNS data events",
		ListAction:    "sns:ListTopics", PolicyAction: "sns:GetTopicAttributes", PolicyNoun: "topic policy",
		// Every topic has an access policy: SNS writes a default one.
		AlwaysHasPolicy: true,
		parse:           plainName,
		resource:        func(name string) string { return name },
	},
	{
		Name: KindFunction, Noun: "function", Service: "lambda",
		// Use of an alias or a version is use of its function.
		CatalogTypes:  []string{"function", "function alias", "function version"},
		TrailTypes:    []string{"AWS::Lambda::Function"},
		RequestFields: []string{"functionName"},
		DataEvents:    true,
		DataEventNote: "Invoke is a Lambda data event",
		ListAction:    "lambda:ListFunctions", PolicyAction: "lambda:GetPolicy", PolicyNoun: "resource-based policy",
		parse: func(res string) (string, bool) {
			// function:NAME, or function:NAME:QUALIFIER for an alias or
			// a version.
			rest, ok := strings.CutPrefix(res, "function:")
			name, _, _ := strings.Cut(rest, ":")
			return name, ok && name != "" && !strings.Contains(name, "/")
		},
		resource: func(name string) string { return "function:" + name },
		fromRef:  functionRef,
	},
	{
		Name: KindTable, Noun: "table", Service: "dynamodb",
		CatalogTypes:  []string{"table"},
		TrailTypes:    []string{"AWS::DynamoDB::Table"},
		RequestFields: []string{"tableName"},
		DataEvents:    true,
		DataEventNote: "item reads and writes (GetItem, PutItem, UpdateItem, DeleteItem, Query, Scan, their batches and transactions, PartiQL statements) are DynamoDB data events",
		ListAction:    "dynamodb:ListTables", PolicyAction: "dynamodb:GetResourcePolicy", PolicyNoun: "resource-based policy",
		parse: func(res string) (string, bool) {
			// table/NAME, or an index, stream, backup or export of it,
			// whose use is the table's.
			rest, ok := strings.CutPrefix(res, "table/")
			name, _, _ := strings.Cut(rest, "/")
			return name, ok && name != ""
		},
		resource: func(name string) string { return "table/" + name },
	},
}

// plainName parses the resource part of an ARN that is the resource's name
// alone (a queue's, a topic's).
func plainName(res string) (string, bool) {
	return res, res != "" && !strings.ContainsAny(res, ":/")
}

// queueURL reads an SQS queue URL, https://sqs.REGION.amazonaws.com/ACCOUNT/NAME
// (or the legacy hosts REGION.queue.amazonaws.com and queue.amazonaws.com,
// which is us-east-1).
func queueURL(ref string) (name, account, region string, ok bool) {
	rest, ok := strings.CutPrefix(ref, "https://")
	if !ok {
		if rest, ok = strings.CutPrefix(ref, "http://"); !ok {
			return "", "", "", false
		}
	}
	host, path, _ := strings.Cut(rest, "/")
	account, name, _ = strings.Cut(path, "/")
	if !IsAccountID(account) || name == "" || strings.ContainsAny(name, "/:?") {
		return "", "", "", false
	}
	host, _, _ = strings.Cut(host, ":")
	switch labels := strings.Split(host, "."); {
	case len(labels) >= 4 && labels[0] == "sqs":
		region = labels[1]
	case len(labels) >= 4 && labels[1] == "queue":
		region = labels[0]
	case strings.HasPrefix(host, "queue.amazonaws."):
		region = "us-east-1"
	}
	return name, account, region, true
}

// functionRef reads the ways Lambda requests name a function besides its
// ARN and its name: NAME:QUALIFIER, ACCOUNT:function:NAME and
// ACCOUNT:function:NAME:QUALIFIER.
func functionRef(ref string) (name, account, region string, ok bool) {
	parts := strings.Split(ref, ":")
	switch {
	case len(parts) == 2 && parts[0] != "" && parts[1] != "":
		return parts[0], "", "", true
	case (len(parts) == 3 || len(parts) == 4) && IsAccountID(parts[0]) && parts[1] == "function" && parts[2] != "":
		return parts[2], parts[0], "", true
	}
	return "", "", "", false
}

// DiscoveryActions are the IAM actions discovery calls for the kind, in
// order.
func (k *ResourceKind) DiscoveryActions() []string {
	out := append([]string{k.ListAction, k.PolicyAction}, k.AlsoDiscovered...)
	sort.Strings(out)
	return out
}

// ResourceKinds lists every scored resource kind, in the order reports show
// them.
func ResourceKinds() []*ResourceKind { return resourceKinds }

// ResourceKindNames lists the names of the scored resource kinds.
func ResourceKindNames() []string {
	out := make([]string, len(resourceKinds))
	for i, k := range resourceKinds {
		out[i] = k.Name
	}
	return out
}

// ResourceKindNamed returns the kind called name, or nil.
func ResourceKindNamed(name string) *ResourceKind {
	for _, k := range resourceKinds {
		if k.Name == name {
			return k
		}
	}
	return nil
}

// ResourceKindOfService returns the kind whose ARNs have that service, or
// nil.
func ResourceKindOfService(service string) *ResourceKind {
	for _, k := range resourceKinds {
		if k.Service == service {
			return k
		}
	}
	return nil
}

// ResourceKindOfTrailType returns the kind a CloudTrail resources[].type
// names, and whether it names something the resource holds rather than the
// resource; nil when it names no scored kind.
func ResourceKindOfTrailType(t string) (k *ResourceKind, child bool) {
	for _, k := range resourceKinds {
		if k.ChildTrailType != "" && k.ChildTrailType == t {
			return k, true
		}
		for _, tt := range k.TrailTypes {
			if tt == t {
				return k, false
			}
		}
	}
	return nil, false
}

// ARN is the canonical ARN of the resource of this kind called name, in
// partition, region and account (both ignored for a kind whose ARNs carry
// neither). A secret's canonical ARN is its partial ARN, without the six
// characters Secrets Manager adds.
func (k *ResourceKind) ARN(partition, region, account, name string) string {
	if partition == "" {
		partition = DefaultPartition
	}
	if k.global {
		region, account = "", ""
	}
	return ARN{Partition: partition, Service: k.Service, Region: region, AccountID: account, Resource: k.resource(name)}.String()
}

// Resolve describes the resource of this kind that ref names the way an
// event, a file or an API names it: an ARN of the kind, or a bare name or
// id completed with partition (from region when empty), region and account.
// An error says why ref names no resource of the kind: a KMS alias, say.
func (k *ResourceKind) Resolve(ref, partition, region, account string) (Resource, error) {
	if strings.HasPrefix(ref, "arn:") {
		r, err := ParseResource(ref)
		if err != nil {
			return Resource{}, err
		}
		if r.Kind != k.Name {
			return Resource{}, fmt.Errorf("%q is not the ARN of a %s", ref, k.Noun)
		}
		if k.global {
			// A bucket's ARN says neither its account nor its region.
			r.AccountID, r.Region = account, region
		}
		return r, nil
	}
	if k.fromRef != nil {
		if name, acc, reg, ok := k.fromRef(ref); ok {
			if acc != "" {
				account = acc
			}
			if reg != "" {
				region = reg
			}
			ref = name
		}
	}
	if partition == "" {
		partition = PartitionOf(region)
	}
	if ref == "" || strings.Contains(ref, ":") || !k.NamesHaveSlashes && strings.Contains(ref, "/") {
		return Resource{}, fmt.Errorf("%q does not name a %s", ref, k.Noun)
	}
	if !k.global && (region == "" || account == "") {
		return Resource{}, fmt.Errorf("%s %q: its region and account are unknown", k.Noun, ref)
	}
	return Resource{ARN: k.ARN(partition, region, account, ref), Kind: k.Name, AccountID: account, Region: region, Name: ref}, nil
}

// ParentARN is the ARN of the resource an ARN names something inside of
// (an S3 object's bucket), or "" when it names no such thing.
func ParentARN(s string) string {
	a, err := ParseARN(s)
	if err != nil {
		return ""
	}
	k := ResourceKindOfService(a.Service)
	if k == nil || k.ChildType == "" {
		return ""
	}
	name, ok := k.parse(a.Resource)
	if !ok || k.resource(name) == a.Resource {
		return ""
	}
	a.Resource = k.resource(name)
	return a.String()
}

// Resource is something a principal acts on.
type Resource struct {
	ID        int64
	ARN       string
	Kind      string
	AccountID string // empty when unknown (a bucket ARN does not say)
	Region    string
	Name      string
}

// Partition is the partition of the resource's ARN, or of its region when
// it has no ARN.
func (r Resource) Partition() string {
	if a, err := ParseARN(r.ARN); err == nil {
		return a.Partition
	}
	return PartitionOf(r.Region)
}

// Canonical is the one ARN under which every way of naming the resource
// meets: a bucket's ARN for its objects, a secret's partial ARN for its full
// ARN. Events and discovery agree on it.
func (r Resource) Canonical() string {
	k := ResourceKindNamed(r.Kind)
	if k == nil {
		return r.ARN
	}
	return k.ARN(r.Partition(), r.Region, r.AccountID, r.Name)
}

// ParseResource describes the resource an ARN names: its kind, account,
// region and name. The ARN of an S3 object gives its bucket, with the
// bucket's ARN; so do a Lambda alias or version (its function) and a
// DynamoDB index or stream (its table). A full secret ARN is kept as given; Canonical strips its
// suffix.
func ParseResource(s string) (Resource, error) {
	a, err := ParseARN(s)
	if err != nil {
		return Resource{}, err
	}
	k := ResourceKindOfService(a.Service)
	if k == nil {
		return Resource{}, fmt.Errorf("%q is not the ARN of a %s", s, kindNouns())
	}
	name, ok := k.parse(a.Resource)
	if !ok {
		return Resource{}, fmt.Errorf("%q is not the ARN of a %s (%s)", s, k.Noun, k.ARN(a.Partition, "REGION", "ACCOUNT", strings.ToUpper(k.Noun)))
	}
	switch {
	case !k.global && (a.Region == "" || a.AccountID == ""):
		return Resource{}, fmt.Errorf("%q is not the ARN of a %s: it names no region or account", s, k.Noun)
	case k.global && (a.Region != "" || a.AccountID != ""):
		// S3 access points, jobs and the like name a region and account;
		// buckets never do.
		return Resource{}, fmt.Errorf("%q is not the ARN of a %s (%s)", s, k.Noun, k.ARN(a.Partition, "", "", strings.ToUpper(k.Noun)))
	}
	r := Resource{ARN: s, Kind: k.Name, AccountID: a.AccountID, Region: a.Region, Name: name}
	if k.global || !k.ARNSuffix && k.resource(name) != a.Resource {
		// An object's bucket, an alias's function, an index's table.
		r.ARN = k.ARN(a.Partition, a.Region, a.AccountID, name)
	}
	return r, nil
}

// kindNouns is "bucket, key, secret, queue, topic, function or table".
func kindNouns() string {
	var b strings.Builder
	for i, k := range resourceKinds {
		switch {
		case i == 0:
		case i == len(resourceKinds)-1:
			b.WriteString(" or ")
		default:
			b.WriteString(", ")
		}
		b.WriteString(k.Noun)
	}
	return b.String()
}

// SecretName is a secret's name from the name part of its ARN: a full ARN
// ends in a hyphen and six letters or digits that Secrets Manager adds, a
// partial ARN does not. (A name that itself ends so is indistinguishable;
// AWS documents the same ambiguity.)
func SecretName(s string) string {
	if HasSecretSuffix(s) {
		return s[:len(s)-7]
	}
	return s
}

// HasSecretSuffix tells whether the name part of a secret ARN ends with the
// "-" and six random characters of a full secret ARN.
func HasSecretSuffix(name string) bool {
	if len(name) < 8 || name[len(name)-7] != '-' {
		return false
	}
	for _, c := range name[len(name)-6:] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// Principal is an identity that acts.
type Principal struct {
	ID        int64
	ARN       string
	Kind      string
	AccountID string
	Name      string
	CreatedAt time.Time // zero when unknown
}
