package activity_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/testenv"
)

// The partitions every ARN form is tried in, each with a region of its own.
var partitions = []struct{ name, region string }{
	{"aws", "us-east-1"},
	{"aws-us-gov", "us-gov-west-1"},
	{"aws-cn", "cn-north-1"},
}

const account = "111122223333"

func TestResourceKindLookups(t *testing.T) {
	names := activity.ResourceKindNames()
	if len(names) != len(activity.ResourceKinds()) {
		t.Fatalf("ResourceKindNames %q, ResourceKinds %d", names, len(activity.ResourceKinds()))
	}
	services := map[string]string{}
	for i, k := range activity.ResourceKinds() {
		if names[i] != k.Name || k.Noun == "" || k.Service == "" || len(k.CatalogTypes) == 0 || len(k.RequestFields) == 0 ||
			!strings.HasPrefix(k.ListAction, k.Service+":") || !strings.HasPrefix(k.PolicyAction, k.Service+":") || k.PolicyNoun == "" {
			t.Errorf("kind %d: %+v (name %q)", i, k, names[i])
		}
		if prev, ok := services[k.Service]; ok {
			t.Errorf("kinds %s and %s share the ARN service %s", prev, k.Name, k.Service)
		}
		services[k.Service] = k.Name
		if activity.ResourceKindNamed(k.Name) != k || activity.ResourceKindOfService(k.Service) != k {
			t.Errorf("%s is not found by its name or its service", k.Name)
		}
		for _, tt := range k.TrailTypes {
			if got, child := activity.ResourceKindOfTrailType(tt); got != k || child {
				t.Errorf("resources[].type %s does not give %s", tt, k.Name)
			}
		}
		if k.ChildTrailType != "" {
			if got, child := activity.ResourceKindOfTrailType(k.ChildTrailType); got != k || !child {
				t.Errorf("resources[].type %s does not give what %s holds", k.ChildTrailType, k.Name)
			}
		}
	}
	for _, none := range []string{"", "ec2_instance", "s3_object"} {
		if activity.ResourceKindNamed(none) != nil {
			t.Errorf("ResourceKindNamed(%q) is not nil", none)
		}
	}
	if activity.ResourceKindOfService("iam") != nil || func() bool { k, _ := activity.ResourceKindOfTrailType("AWS::EC2::Instance"); return k != nil }() {
		t.Error("a service or resources[].type outside the registry gives a kind")
	}
}

// kindNames are names of resources of each kind, as ResourceKind.ARN takes
// them. A kind added to the registry needs names here.
var kindNames = map[string][]string{
	activity.KindS3Bucket: {"my-bucket", "logs.example.com", "a1b", "bucket-with-63-characters-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},
	activity.KindKMSKey:   {"1234abcd-12ab-34cd-56ef-1234567890ab", "mrk-1234abcd12ab34cd56ef1234567890ab"},
	activity.KindSecret:   {"prod/db", "my-db-password", "app_token+v2=@x.y", "a", "tenant/a-b-c/key1"},
	activity.KindQueue:    {"orders", "orders-dlq.fifo", "Q_1"},
	activity.KindTopic:    {"alerts", "billing-events.fifo", "T_1"},
	activity.KindFunction: {"production-api", "my_function", "f"},
	activity.KindTable:    {"orders", "Music.v2", "t_1-x"},
}

func TestResourceKindARNRoundTrip(t *testing.T) {
	for _, k := range activity.ResourceKinds() {
		names := kindNames[k.Name]
		if len(names) == 0 {
			t.Errorf("no names for kind %s: add some to kindNames", k.Name)
		}
		for _, p := range partitions {
			for _, name := range names {
				arn := k.ARN(p.name, p.region, account, name)
				a, err := activity.ParseARN(arn)
				if err != nil || a.Partition != p.name || a.Service != k.Service {
					t.Errorf("%s.ARN(%s, %s, %s, %s) = %s (%v)", k.Name, p.name, p.region, account, name, arn, err)
					continue
				}
				global := a.Region == "" && a.AccountID == ""
				r, err := activity.ParseResource(arn)
				if err != nil {
					t.Errorf("ParseResource(%s): %v", arn, err)
					continue
				}
				wantRegion, wantAccount := p.region, account
				if global {
					wantRegion, wantAccount = "", ""
				}
				if r.Kind != k.Name || r.Name != name || r.Region != wantRegion || r.AccountID != wantAccount || r.ARN != arn || r.Partition() != p.name {
					t.Errorf("ParseResource(%s) = %+v (partition %s)", arn, r, r.Partition())
				}
				if c := r.Canonical(); c != arn {
					t.Errorf("Canonical of %s = %s", arn, c)
				}
			}
		}
		// No partition means the commercial one.
		if arn := k.ARN("", partitions[0].region, account, names[0]); arn != k.ARN(activity.DefaultPartition, partitions[0].region, account, names[0]) {
			t.Errorf("%s.ARN without a partition = %s", k.Name, arn)
		}
	}
}

// inPartition writes a case's template in a partition: {P} is the
// partition, {R} its region.
func inPartition(s, partition, region string) string {
	return strings.NewReplacer("{P}", partition, "{R}", region).Replace(s)
}

func TestParseResourceForms(t *testing.T) {
	for _, c := range []struct {
		in                    string
		kind, name            string
		region, account       string
		arn, canonical, error string // arn and canonical: "" means in
	}{
		// Buckets: the ARN carries no region or account; an object's ARN
		// names its bucket.
		{in: "arn:{P}:s3:::my-bucket", kind: "s3_bucket", name: "my-bucket"},
		{in: "arn:{P}:s3:::logs.example.com", kind: "s3_bucket", name: "logs.example.com"},
		{in: "arn:{P}:s3:::my-bucket/reports/2026/q3.csv", kind: "s3_bucket", name: "my-bucket", arn: "arn:{P}:s3:::my-bucket", canonical: "arn:{P}:s3:::my-bucket"},
		{in: "arn:{P}:s3:::my-bucket/a:b c/", kind: "s3_bucket", name: "my-bucket", arn: "arn:{P}:s3:::my-bucket", canonical: "arn:{P}:s3:::my-bucket"},
		{in: "arn:{P}:s3:::my-bucket/", kind: "s3_bucket", name: "my-bucket", arn: "arn:{P}:s3:::my-bucket", canonical: "arn:{P}:s3:::my-bucket"},
		{in: "arn:{P}:s3:::/key", error: "is not the ARN of a bucket"},

		// Keys: by key ARN only; an alias is not a key.
		{in: "arn:{P}:kms:{R}:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", kind: "kms_key",
			name: "1234abcd-12ab-34cd-56ef-1234567890ab", region: "{R}", account: account},
		{in: "arn:{P}:kms:{R}:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab", kind: "kms_key",
			name: "mrk-1234abcd12ab34cd56ef1234567890ab", region: "{R}", account: account},
		{in: "arn:{P}:kms:{R}:111122223333:alias/app", error: "is not the ARN of a key"},
		{in: "arn:{P}:kms:{R}:111122223333:alias/aws/s3", error: "is not the ARN of a key"},
		{in: "arn:{P}:kms:{R}:111122223333:key/", error: "is not the ARN of a key"},
		{in: "arn:{P}:kms::111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", error: "names no region or account"},
		{in: "arn:{P}:kms:{R}::key/1234abcd-12ab-34cd-56ef-1234567890ab", error: "names no region or account"},

		// Secrets: a full ARN (name, "-" and six characters) is kept as
		// given and its canonical form is the partial ARN; a partial ARN is
		// its own canonical form.
		{in: "arn:{P}:secretsmanager:{R}:111122223333:secret:prod/db-AbCdEf", kind: "secretsmanager_secret", name: "prod/db",
			region: "{R}", account: account, canonical: "arn:{P}:secretsmanager:{R}:111122223333:secret:prod/db"},
		{in: "arn:{P}:secretsmanager:{R}:111122223333:secret:prod/db", kind: "secretsmanager_secret", name: "prod/db",
			region: "{R}", account: account},
		{in: "arn:{P}:secretsmanager:{R}:111122223333:secret:my-db-password", kind: "secretsmanager_secret", name: "my-db-password",
			region: "{R}", account: account},
		{in: "arn:{P}:secretsmanager:{R}:111122223333:secret:my-db-password-Xy12Zq", kind: "secretsmanager_secret", name: "my-db-password",
			region: "{R}", account: account, canonical: "arn:{P}:secretsmanager:{R}:111122223333:secret:my-db-password"},
		{in: "arn:{P}:secretsmanager:{R}:111122223333:secret:a-b-c-d-e", kind: "secretsmanager_secret", name: "a-b-c-d-e",
			region: "{R}", account: account},
		// A full ARN removes exactly one suffix, whatever the name ends in.
		{in: "arn:{P}:secretsmanager:{R}:111122223333:secret:stripe-apikey-Xy12Zq", kind: "secretsmanager_secret", name: "stripe-apikey",
			region: "{R}", account: account, canonical: "arn:{P}:secretsmanager:{R}:111122223333:secret:stripe-apikey"},
		{in: "arn:{P}:secretsmanager:{R}:111122223333:secret:", error: "is not the ARN of a secret"},
		{in: "arn:{P}:secretsmanager:{R}:111122223333:prod/db", error: "is not the ARN of a secret"},
		{in: "arn:{P}:secretsmanager::111122223333:secret:prod/db", error: "names no region or account"},

		// Queues and topics: the name alone; a subscription is not a topic.
		{in: "arn:{P}:sqs:{R}:111122223333:orders.fifo", kind: "sqs_queue", name: "orders.fifo", region: "{R}", account: account},
		{in: "arn:{P}:sns:{R}:111122223333:alerts", kind: "sns_topic", name: "alerts", region: "{R}", account: account},
		{in: "arn:{P}:sns:{R}:111122223333:alerts:3f1c0e4a-9d2b-4b8e-a1f0-6c5d4e3b2a10", error: "is not the ARN of a topic"},
		{in: "arn:{P}:sqs::111122223333:orders", error: "names no region or account"},

		// Functions: an alias or a version is its function.
		{in: "arn:{P}:lambda:{R}:111122223333:function:production-api", kind: "lambda_function", name: "production-api", region: "{R}", account: account},
		{in: "arn:{P}:lambda:{R}:111122223333:function:production-api:live", kind: "lambda_function", name: "production-api", region: "{R}", account: account,
			arn: "arn:{P}:lambda:{R}:111122223333:function:production-api", canonical: "arn:{P}:lambda:{R}:111122223333:function:production-api"},
		{in: "arn:{P}:lambda:{R}:111122223333:function:production-api:7", kind: "lambda_function", name: "production-api", region: "{R}", account: account,
			arn: "arn:{P}:lambda:{R}:111122223333:function:production-api", canonical: "arn:{P}:lambda:{R}:111122223333:function:production-api"},
		{in: "arn:{P}:lambda:{R}:111122223333:layer:deps:3", error: "is not the ARN of a function"},

		// Tables: an index or a stream is its table; a global table is not
		// a table of one region.
		{in: "arn:{P}:dynamodb:{R}:111122223333:table/orders", kind: "dynamodb_table", name: "orders", region: "{R}", account: account},
		{in: "arn:{P}:dynamodb:{R}:111122223333:table/orders/index/by-customer", kind: "dynamodb_table", name: "orders", region: "{R}", account: account,
			arn: "arn:{P}:dynamodb:{R}:111122223333:table/orders", canonical: "arn:{P}:dynamodb:{R}:111122223333:table/orders"},
		{in: "arn:{P}:dynamodb:{R}:111122223333:table/orders/stream/2026-01-01T00:00:00.000", kind: "dynamodb_table", name: "orders", region: "{R}", account: account,
			arn: "arn:{P}:dynamodb:{R}:111122223333:table/orders", canonical: "arn:{P}:dynamodb:{R}:111122223333:table/orders"},
		{in: "arn:{P}:dynamodb::111122223333:global-table/orders", error: "is not the ARN of a table"},

		// Not a scored kind, or not an ARN at all.
		{in: "arn:{P}:iam::111122223333:user/alice", error: "is not the ARN of a bucket, key, secret, queue, topic, function or table"},
		{in: "arn:{P}:ec2:{R}:111122223333:instance/i-0abc", error: "is not the ARN of a bucket, key, secret, queue, topic, function or table"},
		{in: "arn:{P}:s3", error: "is not an ARN"},
		{in: "arn:{P}:s3:::", error: "must not be empty"},
		{in: "arn:{P}::::bucket", error: "must not be empty"},
		{in: "arn::s3:::bucket", error: "must not be empty"},
		{in: "urn:{P}:s3:::bucket", error: "is not an ARN"},
		{in: "my-bucket", error: "is not an ARN"},
		{in: "", error: "is not an ARN"},
	} {
		for _, p := range partitions {
			in := inPartition(c.in, p.name, p.region)
			r, err := activity.ParseResource(in)
			if c.error != "" {
				if err == nil {
					t.Errorf("ParseResource(%q) = %+v, want an error %q", in, r, c.error)
				} else if !strings.Contains(err.Error(), strconv.Quote(in)) || !strings.Contains(err.Error(), c.error) {
					t.Errorf("ParseResource(%q): error %q does not name the input or does not say %q", in, err, c.error)
				}
				continue
			}
			if err != nil {
				t.Errorf("ParseResource(%q): %v", in, err)
				continue
			}
			want := activity.Resource{Kind: c.kind, Name: c.name, ARN: in,
				Region: inPartition(c.region, p.name, p.region), AccountID: c.account}
			if c.arn != "" {
				want.ARN = inPartition(c.arn, p.name, p.region)
			}
			if r != want {
				t.Errorf("ParseResource(%q) =\n %+v, want\n %+v", in, r, want)
			}
			canonical := in
			if c.canonical != "" {
				canonical = inPartition(c.canonical, p.name, p.region)
			}
			if got := r.Canonical(); got != canonical {
				t.Errorf("Canonical of %s = %s, want %s", in, got, canonical)
			}
			if k := activity.ResourceKindNamed(r.Kind); k.ARN(r.Partition(), r.Region, r.AccountID, r.Name) != canonical {
				t.Errorf("%s.ARN of the parts of %s = %s, want %s", k.Name, in, k.ARN(r.Partition(), r.Region, r.AccountID, r.Name), canonical)
			}
		}
	}
}

// A canonical ARN is a fixed point: parsing it and making it canonical
// again gives it back, except for a secret whose name ends in "-" and six
// letters or digits (stripe-apikey, db-backup, example-secret): its partial
// ARN reads as the full ARN of another secret, the ambiguity AWS documents
// for partial ARNs. What must hold for every name is that the ways events
// and discovery name one secret meet on one canonical ARN.
func TestSecretCanonicalIsStable(t *testing.T) {
	for _, name := range []string{"stripe-apikey", "db-backup", "paloma/example-secret", "app/tokens"} {
		for _, p := range partitions {
			full := fmt.Sprintf("arn:%s:secretsmanager:%s:%s:secret:%s-Xy12Zq", p.name, p.region, account, name)
			r, err := activity.ParseResource(full)
			if err != nil {
				t.Fatal(err)
			}
			c := r.Canonical()
			byName, err := activity.ResourceKindNamed(activity.KindSecret).Resolve(name, "", p.region, account)
			if err != nil {
				t.Fatal(err)
			}
			if r.Name != name || byName.Canonical() != c {
				t.Errorf("secret %q: %s gives name %q and canonical ARN %s; by name it is %s", name, full, r.Name, c, byName.Canonical())
			}
			again, err := activity.ParseResource(c)
			if err != nil {
				t.Errorf("ParseResource(%s): %v", c, err)
				continue
			}
			ambiguous := activity.HasSecretSuffix(name)
			if fixed := again.Name == name && again.Canonical() == c; fixed == ambiguous {
				t.Errorf("secret %q: the canonical ARN %s parses as secret %q (canonical %s); ambiguous name: %v",
					name, c, again.Name, again.Canonical(), ambiguous)
			}
		}
	}
}

// A bucket's ARN has neither region nor account: an ARN of the s3 service
// that has them names something else (an access point, a Multi-Region
// Access Point, a batch job, a Storage Lens dashboard), not a bucket.
func TestParseResourceRejectsS3NonBuckets(t *testing.T) {
	for _, p := range partitions {
		for _, in := range []string{
			"arn:" + p.name + ":s3:" + p.region + ":" + account + ":accesspoint/my-access-point",
			"arn:" + p.name + ":s3:" + p.region + ":" + account + ":accesspoint/my-access-point/object/reports/q3.csv",
			"arn:" + p.name + ":s3::" + account + ":accesspoint/mfzwi23gnjvgw.mrap",
			"arn:" + p.name + ":s3:" + p.region + ":" + account + ":job/5c7a8a5e-0000-4000-8000-000000000000",
			"arn:" + p.name + ":s3:" + p.region + ":" + account + ":storage-lens/default-account-dashboard",
		} {
			if r, err := activity.ParseResource(in); err == nil {
				t.Errorf("ParseResource(%s) = bucket %q (%s), want an error", in, r.Name, r.Canonical())
			}
		}
	}
}

// checkRealARN checks one ARN found in real data: an ARN of a registry
// kind parses (a KMS alias is refused, as it is not a key) and its canonical
// form is stable; anything else is refused with an error naming it. It
// returns what it found, for the summary.
func checkRealARN(t *testing.T, arn, where string) string {
	t.Helper()
	r, perr := activity.ParseResource(arn)
	refused := func(why string) string {
		if perr == nil {
			t.Errorf("%s: ParseResource(%q) = %+v, want an error (%s)", where, arn, r, why)
		} else if !strings.Contains(perr.Error(), strconv.Quote(arn)) {
			t.Errorf("%s: the error for %q does not name it: %v", where, arn, perr)
		}
		return why
	}
	a, err := activity.ParseARN(arn)
	if err != nil {
		return refused("not an ARN")
	}
	k := activity.ResourceKindOfService(a.Service)
	if k == nil {
		return refused("not a kind")
	}
	if k.Name == activity.KindKMSKey && strings.HasPrefix(a.Resource, "alias/") {
		return refused("kms alias")
	}
	if perr != nil {
		t.Errorf("%s: ParseResource(%q): %v", where, arn, perr)
		return "error"
	}
	c := r.Canonical()
	if r.Kind != k.Name || r.Partition() != a.Partition || !strings.HasPrefix(c, "arn:"+a.Partition+":"+k.Service+":") {
		t.Errorf("%s: ParseResource(%q) = %+v, canonical %s", where, arn, r, c)
	}
	again, err := activity.ParseResource(c)
	if err != nil {
		t.Errorf("%s: the canonical ARN %s of %s does not parse: %v", where, c, arn, err)
		return "error"
	}
	// A secret whose own name ends in "-" and six letters or digits has a
	// canonical (partial) ARN that reads as a full one: AWS documents the
	// same ambiguity of partial ARNs. Its canonical ARN is made from the
	// name, never parsed back.
	ambiguous := r.Kind == activity.KindSecret && activity.HasSecretSuffix(r.Name)
	if !ambiguous && (again.Canonical() != c || again.Kind != r.Kind) {
		t.Errorf("%s: canonical ARN of %s is %s, whose canonical ARN is %s (%s %q): not stable", where, arn, c, again.Canonical(), again.Kind, again.Name)
	}
	return k.Name
}

func summary(counts map[string]int) string {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, " %s %d;", k, counts[k])
	}
	return b.String()
}

// absentFromRealData are the kinds of which the shared real data holds no
// ARN, and why: their ARN forms are tested on written cases only.
var absentFromRealData = map[string]string{
	activity.KindQueue: "its records name queues by URL only (requestParameters.queueUrl), its policies only with wildcards",
	activity.KindTopic: "its policies name topics only with wildcards",
}

// The sample of real ARNs committed beside the tests (see
// testdata/NOTICE.md), so that a clone without the shared data tests them.
func TestResourceARNsOfSample(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "arns.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close() //nolint:errcheck // read only
	counts := map[string]int{}
	s := bufio.NewScanner(f)
	for line := 1; s.Scan(); line++ {
		text := strings.TrimSpace(s.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		counts[checkRealARN(t, text, fmt.Sprintf("testdata/arns.txt:%d", line))]++
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	for _, k := range activity.ResourceKindNames() {
		if counts[k] == 0 && absentFromRealData[k] == "" {
			t.Errorf("the sample has no ARN of kind %s", k)
		}
	}
	t.Logf("sample:%s", summary(counts))
}

// readJSONValues decodes a file holding one JSON value, or one a line.
func readJSONValues(path string) ([]any, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(raw, &v); err == nil {
		return []any{v}, nil
	}
	var out []any
	for i, line := range strings.Split(string(raw), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, i+1, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// field follows a dotted path through decoded JSON.
func field(v any, path string) any {
	for _, name := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[name]
	}
	return v
}

// trailARNs collects the ARNs a CloudTrail record holds where the
// registry looks for resources (resources[], the kinds' request and response
// fields when they hold an ARN) and the ARNs of its identity.
func trailARNs(rec map[string]any, add func(arn, where string)) {
	if list, ok := rec["resources"].([]any); ok {
		for _, r := range list {
			if arn, ok := field(r, "ARN").(string); ok {
				add(arn, "resources[].ARN")
			}
		}
	}
	for _, k := range activity.ResourceKinds() {
		for _, f := range k.RequestFields {
			if s, ok := field(rec, "requestParameters."+f).(string); ok && strings.HasPrefix(s, "arn:") {
				add(s, "requestParameters."+f)
			}
		}
	}
	// The response fields the event mapping reads: a created secret's and
	// a created key's ARN.
	for _, f := range []string{"arn", "keyMetadata.arn"} {
		if s, ok := field(rec, "responseElements."+f).(string); ok && strings.HasPrefix(s, "arn:") {
			add(s, "responseElements."+f)
		}
	}
	for _, f := range []string{"userIdentity.arn", "userIdentity.sessionContext.sessionIssuer.arn"} {
		if s, ok := field(rec, f).(string); ok && s != "" {
			add(s, f)
		}
	}
}

// eachRecord visits the CloudTrail records in decoded JSON, wherever they
// sit (Records, a list, an EventBridge event's detail).
func eachRecord(v any, visit func(map[string]any)) {
	switch v := v.(type) {
	case map[string]any:
		if _, ok := v["eventSource"]; ok {
			visit(v)
			return
		}
		for _, x := range v {
			eachRecord(x, visit)
		}
	case []any:
		for _, x := range v {
			eachRecord(x, visit)
		}
	}
}

// policyARNs collects the Resource and NotResource entries of the policies
// in decoded JSON, including policies held as JSON text (a bucket policy as
// get-bucket-policy prints it), that name one resource: no wildcard, no
// policy variable.
func policyARNs(v any, add func(arn string)) {
	switch v := v.(type) {
	case map[string]any:
		for key, x := range v {
			if key == "Resource" || key == "NotResource" {
				var entries []any
				switch x := x.(type) {
				case string:
					entries = []any{x}
				case []any:
					entries = x
				}
				for _, e := range entries {
					if s, ok := e.(string); ok && strings.HasPrefix(s, "arn:") && !strings.ContainsAny(s, "*?") && !strings.Contains(s, "${") {
						add(s)
					}
				}
			}
			policyARNs(x, add)
		}
	case []any:
		for _, x := range v {
			policyARNs(x, add)
		}
	case string:
		if t := strings.TrimSpace(v); strings.HasPrefix(t, "{") && strings.Contains(t, `"Statement"`) {
			var doc any
			if json.Unmarshal([]byte(t), &doc) == nil {
				policyARNs(doc, add)
			}
		}
	}
}

// The ARNs of the shared real data: CloudTrail records (resources[], the
// kinds' request and response fields, identities) and the Resource entries
// of policies. Without the shared data, of the few files committed in
// testdata/shared (see testdata/NOTICE.md).
func TestResourceARNsOfSharedData(t *testing.T) {
	dir, full := testenv.SharedData(t, filepath.Join("testdata", "shared"))
	found := map[string]string{} // ARN → the first place it was found
	add := func(arn, where string) {
		if _, ok := found[arn]; !ok {
			found[arn] = where
		}
	}
	walk := func(sub string, visit func(path string, v any)) {
		root := filepath.Join(dir, sub)
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if !strings.HasSuffix(path, ".json") && !strings.HasSuffix(path, ".jsonl") {
				return nil
			}
			switch d.Name() {
			case "service-authorization.json", "access-level-overrides.json":
				return nil // the catalog: no policy
			}
			values, err := readJSONValues(path)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(dir, path)
			for _, v := range values {
				visit(rel, v)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	records := 0
	walk("cloudtrail", func(rel string, v any) {
		eachRecord(v, func(rec map[string]any) {
			records++
			trailARNs(rec, func(arn, where string) { add(arn, rel+": "+where) })
		})
	})
	for _, sub := range []string{"iam", "resource-policies"} {
		walk(sub, func(rel string, v any) {
			policyARNs(v, func(arn string) { add(arn, rel+": Resource") })
		})
	}
	leastRecords, leastARNs := 3000, 100
	if !full {
		leastRecords, leastARNs = 30, 20
	}
	if records < leastRecords || len(found) < leastARNs {
		t.Fatalf("%d records and %d ARNs found in %s, want at least %d and %d: the folder is not the corpus this test expects", records, len(found), dir, leastRecords, leastARNs)
	}

	arns := make([]string, 0, len(found))
	for arn := range found {
		arns = append(arns, arn)
	}
	sort.Strings(arns)
	counts := map[string]int{}
	for _, arn := range arns {
		counts[checkRealARN(t, arn, found[arn])]++
	}
	// Every kind appears in the whole corpus; the committed subset is
	// smaller, and the sample of TestResourceARNsOfSample covers each kind.
	for _, k := range activity.ResourceKindNames() {
		if full && counts[k] == 0 && absentFromRealData[k] == "" {
			t.Errorf("no ARN of kind %s in the shared data", k)
		}
	}
	t.Logf("%d records, %d distinct ARNs:%s", records, len(arns), summary(counts))
}

// Canonical forms agree between the event side (how CloudTrail names a
// resource: a bucket by name in the call's region, a secret by name, partial
// or full ARN in the call's account and region, a key by id or ARN) and the
// discovery side (a bucket by name in its account, a secret by its full ARN,
// a key by its ARN), in every partition.
//
// The registry has no helper that turns what a CloudTrail field holds (a
// name, an id, a partial or full ARN) and the call's account and region into
// a Resource, so the event side is written with ResourceKind.ARN for names
// and ids and ParseResource for ARNs, as the event mapping would do.
func TestCanonicalAgreesBetweenEventsAndDiscovery(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 2026))
	bucketKind := activity.ResourceKindNamed(activity.KindS3Bucket)
	keyKind := activity.ResourceKindNamed(activity.KindKMSKey)
	secretKind := activity.ResourceKindNamed(activity.KindSecret)
	if bucketKind == nil || keyKind == nil || secretKind == nil {
		t.Fatal("a seed kind is missing from the registry")
	}
	canonical := func(arn string) string {
		r, err := activity.ParseResource(arn)
		if err != nil {
			t.Errorf("ParseResource(%s): %v", arn, err)
			return ""
		}
		return r.Canonical()
	}
	const rounds = 300
	for _, p := range partitions {
		var regions []string
		for _, r := range activity.Regions() {
			if activity.RegionPartition(r) == p.name {
				regions = append(regions, r)
			}
		}
		if len(regions) == 0 {
			t.Fatalf("no region of partition %s", p.name)
		}
		for i := 0; i < rounds; i++ {
			region := regions[rng.IntN(len(regions))]
			acct := digits(rng, 12)
			partition := activity.PartitionOf(region) // what an event says
			if partition != p.name {
				t.Fatalf("PartitionOf(%s) = %s, want %s", region, partition, p.name)
			}
			agree := func(what string, forms map[string]string) {
				var want, first string
				for _, k := range sortedKeys(forms) {
					got := forms[k]
					if !strings.HasPrefix(got, "arn:"+p.name+":") {
						t.Errorf("%s: %s gives %s, outside partition %s", what, k, got, p.name)
					}
					if want == "" {
						want, first = got, k
					} else if got != want {
						t.Errorf("%s: %s gives %s, %s gives %s", what, first, want, k, got)
					}
				}
			}

			bucket := bucketName(rng)
			object := "arn:" + p.name + ":s3:::" + bucket + "/" + objectKey(rng)
			discovered := bucketKind.ARN(p.name, "", acct, bucket)
			agree("bucket "+bucket, map[string]string{
				"event: bucketName and region":  bucketKind.ARN(partition, region, acct, bucket),
				"event: resources[] object ARN": canonical(object),
				"event: resources[] bucket ARN": canonical("arn:" + p.name + ":s3:::" + bucket),
				"discovery: bucket ARN":         canonical(discovered),
				"discovery: resource":           activity.Resource{ARN: discovered, Kind: activity.KindS3Bucket, AccountID: acct, Region: region, Name: bucket}.Canonical(),
			})

			key := keyID(rng)
			keyARN := "arn:" + p.name + ":kms:" + region + ":" + acct + ":key/" + key
			agree("key "+key, map[string]string{
				"event: keyId":                           keyKind.ARN(partition, region, acct, key),
				"event: keyId or resources[] as the ARN": canonical(keyARN),
				"discovery: key ARN":                     canonical(keyARN),
				"discovery: resource":                    activity.Resource{ARN: keyARN, Kind: activity.KindKMSKey, AccountID: acct, Region: region, Name: key}.Canonical(),
			})

			name := secretName(rng)
			full := "arn:" + p.name + ":secretsmanager:" + region + ":" + acct + ":secret:" + name + "-" + alnum(rng, 6)
			forms := map[string]string{
				"event: secretId name": secretKind.ARN(partition, region, acct, name),
				"event: secretId or responseElements.arn as the full ARN": canonical(full),
				"discovery: full ARN": canonical(full),
				"discovery: resource": activity.Resource{ARN: full, Kind: activity.KindSecret, AccountID: acct, Region: region, Name: name}.Canonical(),
			}
			// A partial ARN of a name that ends like a suffix is ambiguous
			// (AWS documents it): Secrets Manager, too, reads it as a full
			// ARN.
			if !activity.HasSecretSuffix(name) {
				forms["event: secretId partial ARN"] = canonical("arn:" + p.name + ":secretsmanager:" + region + ":" + acct + ":secret:" + name)
			}
			agree("secret "+name, forms)
		}
	}
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func pick(rng *rand.Rand, chars string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = chars[rng.IntN(len(chars))]
	}
	return string(b)
}

func digits(rng *rand.Rand, n int) string { return pick(rng, "0123456789", n) }

func alnum(rng *rand.Rand, n int) string {
	return pick(rng, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", n)
}

// bucketName follows S3's naming rules: 3 to 63 lower-case letters, digits,
// dots and hyphens, starting and ending with a letter or digit.
func bucketName(rng *rand.Rand) string {
	const ends, middle = "abcdefghijklmnopqrstuvwxyz0123456789", "abcdefghijklmnopqrstuvwxyz0123456789.-"
	return pick(rng, ends, 1) + pick(rng, middle, 1+rng.IntN(60)) + pick(rng, ends, 1)
}

// objectKey is any key, slashes, colons and spaces included.
func objectKey(rng *rand.Rand) string {
	return pick(rng, "abcXYZ019/:-_. =", rng.IntN(40))
}

// keyID is a key's id: a UUID, or a multi-Region key's mrk- id.
func keyID(rng *rand.Rand) string {
	const hex = "0123456789abcdef"
	if rng.IntN(4) == 0 {
		return "mrk-" + pick(rng, hex, 32)
	}
	return pick(rng, hex, 8) + "-" + pick(rng, hex, 4) + "-" + pick(rng, hex, 4) + "-" + pick(rng, hex, 4) + "-" + pick(rng, hex, 12)
}

// secretName uses the characters Secrets Manager allows; a third end like a
// suffix ("-" and six letters or digits).
func secretName(rng *rand.Rand) string {
	name := pick(rng, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_+=.@-", 1+rng.IntN(30))
	if rng.IntN(3) == 0 {
		name += "-" + alnum(rng, 6)
	}
	return name
}

func TestParentARN(t *testing.T) {
	for in, want := range map[string]string{
		"arn:aws:s3:::logs/AWSLogs/o-1/x.json.gz": "arn:aws:s3:::logs",
		"arn:aws-us-gov:s3:::logs/a":              "arn:aws-us-gov:s3:::logs",
		"arn:aws-cn:s3:::logs/":                   "arn:aws-cn:s3:::logs",
		"arn:aws:s3:::logs":                       "",
		"arn:aws:s3:::lo":                         "",
		"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab": "",
		"arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf":         "",
		"arn:aws:iam::111122223333:user/a/b":                                          "",
		"not an arn":                                                                  "",
	} {
		if got := activity.ParentARN(in); got != want {
			t.Errorf("ParentARN(%q) = %q, want %q", in, got, want)
		}
	}
}

// The ways requests and list calls name queues and functions besides
// their ARNs resolve to the canonical ARN.
func TestResolveQueueURLsAndFunctionRefs(t *testing.T) {
	for _, c := range []struct{ kind, ref, region, account, want string }{
		{activity.KindQueue, "https://sqs.eu-west-1.amazonaws.com/444455556666/orders", "us-east-1", account, "arn:aws:sqs:eu-west-1:444455556666:orders"},
		{activity.KindQueue, "https://eu-west-1.queue.amazonaws.com/444455556666/orders.fifo", "", "", "arn:aws:sqs:eu-west-1:444455556666:orders.fifo"},
		{activity.KindQueue, "https://queue.amazonaws.com/444455556666/orders", "", "", "arn:aws:sqs:us-east-1:444455556666:orders"},
		{activity.KindQueue, "https://sqs.cn-north-1.amazonaws.com.cn/444455556666/orders", "", "", "arn:aws-cn:sqs:cn-north-1:444455556666:orders"},
		{activity.KindQueue, "http://localhost:5000/444455556666/orders", "us-west-2", "", "arn:aws:sqs:us-west-2:444455556666:orders"},
		{activity.KindQueue, "orders", "us-west-2", account, "arn:aws:sqs:us-west-2:111122223333:orders"},
		{activity.KindFunction, "production-api", "us-west-2", account, "arn:aws:lambda:us-west-2:111122223333:function:production-api"},
		{activity.KindFunction, "production-api:live", "us-west-2", account, "arn:aws:lambda:us-west-2:111122223333:function:production-api"},
		{activity.KindFunction, "444455556666:function:production-api", "us-west-2", account, "arn:aws:lambda:us-west-2:444455556666:function:production-api"},
		{activity.KindFunction, "444455556666:function:production-api:3", "us-west-2", account, "arn:aws:lambda:us-west-2:444455556666:function:production-api"},
		{activity.KindFunction, "arn:aws:lambda:us-west-2:444455556666:function:production-api:$LATEST", "", "", "arn:aws:lambda:us-west-2:444455556666:function:production-api"},
		{activity.KindTable, "arn:aws:dynamodb:us-west-2:444455556666:table/orders", "", "", "arn:aws:dynamodb:us-west-2:444455556666:table/orders"},
		{activity.KindTable, "orders", "us-west-2", account, "arn:aws:dynamodb:us-west-2:111122223333:table/orders"},
		{activity.KindTopic, "arn:aws:sns:us-west-2:444455556666:alerts", "", "", "arn:aws:sns:us-west-2:444455556666:alerts"},
	} {
		r, err := activity.ResourceKindNamed(c.kind).Resolve(c.ref, "", c.region, c.account)
		if err != nil || r.Canonical() != c.want || r.ARN != c.want {
			t.Errorf("%s %q: %+v (%v), want %s", c.kind, c.ref, r, err, c.want)
		}
	}
	for _, c := range []struct{ kind, ref string }{
		{activity.KindQueue, "https://sqs.eu-west-1.amazonaws.com/not-an-account/orders"},
		{activity.KindQueue, "https://sqs.eu-west-1.amazonaws.com/444455556666"},
		{activity.KindFunction, "a:b:c"},
		{activity.KindTable, "orders/index/x"},
	} {
		if r, err := activity.ResourceKindNamed(c.kind).Resolve(c.ref, "", "us-west-2", account); err == nil {
			t.Errorf("%s %q resolves to %+v, want an error", c.kind, c.ref, r)
		}
	}
}
