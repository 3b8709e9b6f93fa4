package cli

// One account in the three ARN partitions: the same user, bucket, secret and
// key, the same grants and the same calls, written once for the commercial
// partition and rewritten for GovCloud and China. Whatever the partition,
// each resource is one resource, the calls meet the grants, and the scores
// are those of the commercial partition.

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

const (
	ptAccount = "111111111111"
	ptRegion  = "us-east-1"
	ptAsOf    = "2026-11-25T00:00:00Z"
	ptBucket  = "ptest-data"
	ptKeyID   = "3f1d2c4b-5a69-4788-9b0c-d1e2f3a4b5c6"
	ptSecret  = "app/db"
	ptSuffix  = "Xy12Zq"
)

// A partition as the test writes it: its name and the region the account
// works in.
type partitionCase struct{ partition, region string }

var partitionCases = []partitionCase{
	{"aws", "us-east-1"},
	{"aws-us-gov", "us-gov-west-1"},
	{"aws-cn", "cn-north-1"},
}

// inPartition rewrites text written for the commercial partition and
// ptRegion into another partition and region: every ARN's partition and
// every region name. Service endpoints (eventSource) stay as they are, as
// CloudTrail writes them in every partition.
func (c partitionCase) inPartition(s string) string {
	s = strings.ReplaceAll(s, "arn:aws:", "arn:"+c.partition+":")
	return strings.ReplaceAll(s, ptRegion, c.region)
}

// toCommercial is the inverse of inPartition, for comparing what the
// commands print.
func (c partitionCase) toCommercial(s string) string {
	s = strings.ReplaceAll(s, "arn:"+c.partition+":", "arn:aws:")
	return strings.ReplaceAll(s, c.region, ptRegion)
}

var (
	ptUser      = "arn:aws:iam::" + ptAccount + ":user/pat"
	ptBucketARN = "arn:aws:s3:::" + ptBucket
	ptKeyARN    = "arn:aws:kms:" + ptRegion + ":" + ptAccount + ":key/" + ptKeyID
	ptSecretARN = "arn:aws:secretsmanager:" + ptRegion + ":" + ptAccount + ":secret:" + ptSecret + "-" + ptSuffix
)

// ptAuthzDetails is what aws iam get-account-authorization-details prints
// for an account with one user. Its inline policy grants listing the bucket
// and reading its objects (by the objects' ARNs only), three actions on the
// secret and four on the key; the bucket policy adds writing objects.
func ptAuthzDetails() any {
	statement := func(sid string, actions []string, resources ...string) map[string]any {
		return map[string]any{"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources}
	}
	return map[string]any{
		"UserDetailList": []any{map[string]any{
			"Path": "/", "UserName": "pat", "UserId": "AIDAPAT0000000000001", "Arn": ptUser,
			"CreateDate": "2024-03-04T09:15:27Z", "GroupList": []any{}, "AttachedManagedPolicies": []any{}, "Tags": []any{},
			"UserPolicyList": []any{map[string]any{
				"PolicyName": "App",
				"PolicyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{
					statement("List", []string{"s3:ListBucket"}, ptBucketARN),
					statement("Read", []string{"s3:GetObject"}, ptBucketARN+"/*"),
					statement("Secret", []string{"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:PutSecretValue"},
						"arn:aws:secretsmanager:"+ptRegion+":"+ptAccount+":secret:"+ptSecret+"-??????"),
					statement("Key", []string{"kms:Decrypt", "kms:Encrypt", "kms:DescribeKey", "kms:GenerateDataKey"}, ptKeyARN),
				}},
			}},
		}},
		"GroupDetailList": []any{}, "RoleDetailList": []any{}, "Policies": []any{},
	}
}

// ptKeyPolicy is the default key policy: the account's IAM policies decide.
func ptKeyPolicy() any {
	return map[string]any{"Version": "2012-10-17", "Id": "key-default-1", "Statement": []any{map[string]any{
		"Sid": "Enable IAM User Permissions", "Effect": "Allow",
		"Principal": map[string]any{"AWS": "arn:aws:iam::" + ptAccount + ":root"},
		"Action":    "kms:*", "Resource": "*",
	}}}
}

// ptBucketPolicy lets the user write objects; nothing else grants it.
func ptBucketPolicy() any {
	return map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Sid": "Write", "Effect": "Allow", "Principal": map[string]any{"AWS": ptUser},
		"Action": "s3:PutObject", "Resource": ptBucketARN + "/*",
	}}}
}

// ptSecretPolicy lets the user read the secret, as its identity policy does
// already.
func ptSecretPolicy() any {
	return map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Principal": map[string]any{"AWS": ptUser},
		"Action": "secretsmanager:GetSecretValue", "Resource": "*",
	}}}
}

// ptRecords are the user's calls, by the day of their delivery file: on the
// window's first day one outside the three kinds; later reads of the bucket
// (by object and by listing), of the secret (by name and by full ARN) and
// of the key (by ARN and by bare key id).
func ptRecords() map[string][]map[string]any {
	n := 0
	rec := func(at, source, name string, params map[string]any, resources ...map[string]any) map[string]any {
		n++
		r := map[string]any{
			"eventVersion": "1.09",
			"userIdentity": map[string]any{"type": "IAMUser", "principalId": "AIDAPAT0000000000001", "arn": ptUser,
				"accountId": ptAccount, "accessKeyId": "AKIAPAT0000000000001", "userName": "pat"},
			"eventTime": at, "eventSource": source, "eventName": name, "awsRegion": ptRegion,
			"sourceIPAddress": "198.51.100.7", "userAgent": "aws-cli/2.17.20",
			"requestParameters": params, "responseElements": nil,
			"requestID": fmt.Sprintf("PTREQ%04d", n), "eventID": fmt.Sprintf("0d7c3a52-0000-4000-8000-%012d", n),
			"readOnly": true, "eventType": "AwsApiCall", "managementEvent": true,
			"recipientAccountId": ptAccount, "eventCategory": "Management",
		}
		if len(resources) > 0 {
			r["resources"] = resources
		}
		if source == "s3.amazonaws.com" {
			r["managementEvent"], r["eventCategory"] = false, "Data"
		}
		return r
	}
	res := func(typ, arn string) map[string]any {
		return map[string]any{"accountId": ptAccount, "type": typ, "ARN": arn}
	}
	return map[string][]map[string]any{
		"2026/10/26": {
			rec("2026-10-26T06:00:00Z", "sts.amazonaws.com", "GetCallerIdentity", nil),
		},
		"2026/11/10": {
			rec("2026-11-10T08:00:00Z", "s3.amazonaws.com", "GetObject",
				map[string]any{"bucketName": ptBucket, "key": "reports/q3.csv"},
				res("AWS::S3::Object", ptBucketARN+"/reports/q3.csv"), res("AWS::S3::Bucket", ptBucketARN)),
			rec("2026-11-10T08:01:00Z", "s3.amazonaws.com", "ListObjects",
				map[string]any{"bucketName": ptBucket, "prefix": "reports/"},
				res("AWS::S3::Bucket", ptBucketARN)),
			rec("2026-11-10T08:02:00Z", "secretsmanager.amazonaws.com", "GetSecretValue",
				map[string]any{"secretId": ptSecret}),
			rec("2026-11-10T08:03:00Z", "secretsmanager.amazonaws.com", "DescribeSecret",
				map[string]any{"secretId": ptSecretARN}),
			rec("2026-11-10T08:04:00Z", "kms.amazonaws.com", "Decrypt",
				map[string]any{"keyId": ptKeyARN, "encryptionAlgorithm": "SYMMETRIC_DEFAULT"},
				res("AWS::KMS::Key", ptKeyARN)),
			rec("2026-11-10T08:05:00Z", "kms.amazonaws.com", "DescribeKey",
				map[string]any{"keyId": ptKeyID},
				res("AWS::KMS::Key", ptKeyARN)),
		},
	}
}

// writePartitionScenario writes the scenario in one partition under dir:
// the trail in the delivery layout, the authorization details and the
// resource policies of the bucket, the key and the secret. It returns the trail folder and the discover arguments.
func writePartitionScenario(t *testing.T, dir string, c partitionCase) (trail string, discoverArgs []string) {
	t.Helper()
	write := func(rel string, v any, gz bool) string {
		raw, err := json.MarshalIndent(v, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		raw = []byte(c.inPartition(string(raw)))
		if gz {
			var b bytes.Buffer
			zw := gzip.NewWriter(&b)
			if _, err := zw.Write(raw); err != nil {
				t.Fatal(err)
			}
			if err := zw.Close(); err != nil {
				t.Fatal(err)
			}
			raw = b.Bytes()
		}
		path := filepath.Join(dir, filepath.FromSlash(c.inPartition(rel)))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	for day, records := range ptRecords() {
		stamp := strings.ReplaceAll(day, "/", "") + "T0805Z"
		write(fmt.Sprintf("trail/AWSLogs/%s/CloudTrail/%s/%s/%s_CloudTrail_%s_%s_PtQ3vX9pLm2RbN4c.json.gz",
			ptAccount, ptRegion, day, ptAccount, ptRegion, stamp), map[string]any{"Records": records}, true)
	}
	authz := write("authz-details.json", ptAuthzDetails(), false)
	key := write("key-policy.json", ptKeyPolicy(), false)
	secret := write("secret-policy.json", ptSecretPolicy(), false)
	return filepath.Join(dir, "trail"), []string{
		"--authz-details", authz,
		"--bucket-policy", ptBucket + "=" + write("bucket-policy.json", ptBucketPolicy(), false),
		"--key-policy", c.inPartition(ptKeyARN) + "=" + key,
		"--secret-policy", c.inPartition(ptSecretARN) + "=" + secret,
	}
}

// partitionResult is what one partition's run leaves: the report's JSON
// and the resources stored, by kind.
type partitionResult struct {
	report    map[string]any
	resources map[string][]string
}

// runPartitionScenario runs discover and extract (in that order, or the
// other way round when extractFirst), then score and report.
func runPartitionScenario(t *testing.T, c partitionCase, extractFirst bool) partitionResult {
	t.Helper()
	dir := t.TempDir()
	trail, discoverArgs := writePartitionScenario(t, dir, c)
	db := filepath.Join(dir, "activity.db")
	window := []string{"--as-of", ptAsOf, "--window", "30d"}
	steps := [][]string{
		append([]string{"discover"}, discoverArgs...),
		append([]string{"extract", "--source", trail}, window...),
	}
	if extractFirst {
		steps[0], steps[1] = steps[1], steps[0]
	}
	for _, args := range append(steps, append([]string{"score"}, window...)) {
		if out, errs, code := run(t, append([]string{"--db", db}, args...)...); code != ExitOK {
			t.Fatalf("%s: %s: exit %d\nstdout:\n%s\nstderr:\n%s", c.partition, args[0], code, out, errs)
		}
	}
	out, errs, code := run(t, append([]string{"--db", db, "report", "--format", "json"}, window...)...)
	if code != ExitOK {
		t.Fatalf("%s: report: exit %d: %s", c.partition, code, errs)
	}
	var r partitionResult
	if err := json.Unmarshal([]byte(out), &r.report); err != nil {
		t.Fatalf("%s: report: %v\n%s", c.partition, err, out)
	}
	delete(r.report, "computed_at")

	s, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rows, err := s.SQL().QueryContext(context.Background(), `SELECT kind, arn FROM resources ORDER BY kind, arn`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	r.resources = map[string][]string{}
	for rows.Next() {
		var kind, arn string
		if err := rows.Scan(&kind, &arn); err != nil {
			t.Fatal(err)
		}
		r.resources[kind] = append(r.resources[kind], arn)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return r
}

// ptPrincipal finds the user in a report, ARNs written in the commercial
// partition.
func ptPrincipal(report map[string]any) map[string]any {
	ps, _ := report["principals"].([]any)
	for _, p := range ps {
		if m, _ := p.(map[string]any); m != nil && m["arn"] == ptUser {
			return m
		}
	}
	return nil
}

// ptResourceScores indexes the user's resource scores by ARN.
func ptResourceScores(p map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	rs, _ := p["resources"].([]any)
	for _, r := range rs {
		if m, _ := r.(map[string]any); m != nil {
			arn, _ := m["arn"].(string)
			out[arn] = m
		}
	}
	return out
}

func stringsOf(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, s := range list {
		if str, ok := s.(string); ok {
			out = append(out, str)
		}
	}
	sort.Strings(out)
	return out
}

// commercial rewrites a decoded report into the commercial partition.
func (c partitionCase) commercial(t *testing.T, report map[string]any) map[string]any {
	raw, err := json.Marshal(report)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(c.toCommercial(string(raw))), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// The commercial partition's scores, by hand: the bucket 1 of 3 actions
// unused (GetObject and ListBucket used, PutObject not), the secret 1 of
// 3 (GetSecretValue and DescribeSecret used), the key 2 of 4 (Decrypt
// and DescribeKey used): ops 100 × 4/10 = 40.0; every resource granted
// is used, so resource_ops is 0.0. The secret
// is reported under the full ARN discovery gave.
var ptWantResources = map[string]struct {
	kind          string
	ops           float64
	granted, used []string
	lastUsedAt    string
}{
	ptBucketARN: {"s3_bucket", 33.3, []string{"s3:GetObject", "s3:ListBucket", "s3:PutObject"},
		[]string{"s3:GetObject", "s3:ListBucket"}, "2026-11-10T08:01:00Z"},
	ptSecretARN: {"secretsmanager_secret", 33.3,
		[]string{"secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"},
		[]string{"secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"}, "2026-11-10T08:03:00Z"},
	ptKeyARN: {"kms_key", 50, []string{"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"},
		[]string{"kms:Decrypt", "kms:DescribeKey"}, "2026-11-10T08:05:00Z"},
}

const ptWantOPS, ptWantResourceOPS = 40.0, 0.0

func TestPartitionsScoreAlike(t *testing.T) {
	var commercial map[string]any
	for _, c := range partitionCases {
		for _, order := range []struct {
			name         string
			extractFirst bool
		}{{"discover_first", false}, {"extract_first", true}} {
			t.Run(c.partition+"/"+order.name, func(t *testing.T) {
				c.checkScenario(t, runPartitionScenario(t, c, order.extractFirst), &commercial)
			})
		}
	}
}

// checkScenario checks one run against the scores computed by hand and,
// outside the commercial partition, against the commercial partition's
// report; the first commercial run's report is kept in commercial.
func (c partitionCase) checkScenario(t *testing.T, got partitionResult, commercial *map[string]any) {
	// One resource of each kind, in the partition's own ARN.
	for _, kind := range []string{"s3_bucket", "secretsmanager_secret", "kms_key"} {
		arns := got.resources[kind]
		if len(arns) != 1 {
			t.Errorf("%d %s resources stored, want 1: %q", len(arns), kind, arns)
			continue
		}
		if !strings.HasPrefix(arns[0], "arn:"+c.partition+":") {
			t.Errorf("%s stored as %s, outside partition %s", kind, arns[0], c.partition)
		}
	}

	// Every ARN the report prints is in the partition.
	for _, arn := range reportARNs(got.report) {
		if !strings.HasPrefix(arn, "arn:"+c.partition+":") {
			t.Errorf("the report names %s, outside partition %s", arn, c.partition)
		}
	}

	report := c.commercial(t, got.report)
	p := ptPrincipal(report)
	if p == nil {
		t.Fatalf("the report has no principal %s:\n%v", c.inPartition(ptUser), got.report)
	}
	if ops, _ := p["ops"].(float64); p["ops"] == nil || ops != ptWantOPS {
		t.Errorf("ops %v, want %v", p["ops"], ptWantOPS)
	}
	if ops, _ := p["resource_ops"].(float64); p["resource_ops"] == nil || ops != ptWantResourceOPS {
		t.Errorf("resource_ops %v, want %v", p["resource_ops"], ptWantResourceOPS)
	}
	rs := ptResourceScores(p)
	for arn, want := range ptWantResources {
		r := rs[arn]
		if r == nil {
			t.Errorf("no score for %s (scored: %v)", c.inPartition(arn), keysOf(rs))
			continue
		}
		granted, used := stringsOf(r["granted_actions"]), stringsOf(r["used_actions"])
		for _, u := range used {
			if !contains(granted, u) {
				t.Errorf("%s: used %s is not among the granted %q", c.inPartition(arn), u, granted)
			}
		}
		ops, _ := r["ops"].(float64)
		if r["kind"] != want.kind || r["ops"] == nil || ops != want.ops || !reflect.DeepEqual(granted, want.granted) ||
			!reflect.DeepEqual(used, want.used) || r["last_used_at"] != want.lastUsedAt {
			t.Errorf("%s: kind %v, ops %v, granted %q, used %q, last used %v; want %s, %v, %q, %q, %s",
				c.inPartition(arn), r["kind"], r["ops"], granted, used, r["last_used_at"],
				want.kind, want.ops, want.granted, want.used, want.lastUsedAt)
		}
	}
	if len(rs) != len(ptWantResources) {
		t.Errorf("%d resources scored, want %d: %v", len(rs), len(ptWantResources), keysOf(rs))
	}

	if *commercial == nil {
		if c.partition != "aws" {
			t.Fatal("the commercial partition did not run first")
		}
		*commercial = report
		return
	}
	// Everything else the report says is the same as well, once its
	// ARNs and region are written in the commercial partition.
	if !reflect.DeepEqual(report, *commercial) {
		a, _ := json.MarshalIndent(*commercial, "", " ")
		b, _ := json.MarshalIndent(report, "", " ")
		t.Errorf("the report differs from the commercial partition's (- commercial, + this one, ARNs rewritten to aws):\n%s", lineDiff(string(a), string(b)))
	}
}

// reportARNs lists the ARNs of the principals, their resources and the
// keys a report prints.
func reportARNs(report map[string]any) []string {
	var out []string
	add := func(list any, nested string) {
		items, _ := list.([]any)
		for _, it := range items {
			m, _ := it.(map[string]any)
			if arn, ok := m["arn"].(string); ok {
				out = append(out, arn)
			}
			if nested != "" {
				out = append(out, reportARNs(map[string]any{"principals": m[nested]})...)
			}
		}
	}
	add(report["principals"], "resources")
	add(report["kms_keys"], "")
	return out
}

func keysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// lineDiff lists the lines only in a (-) and only in b (+), in order.
func lineDiff(a, b string) string {
	count := map[string]int{}
	for _, l := range strings.Split(b, "\n") {
		count[l]++
	}
	var out strings.Builder
	for _, l := range strings.Split(a, "\n") {
		if count[l] > 0 {
			count[l]--
			continue
		}
		fmt.Fprintf(&out, "- %s\n", l)
	}
	count = map[string]int{}
	for _, l := range strings.Split(a, "\n") {
		count[l]++
	}
	for _, l := range strings.Split(b, "\n") {
		if count[l] > 0 {
			count[l]--
			continue
		}
		fmt.Fprintf(&out, "+ %s\n", l)
	}
	return out.String()
}

// A key or secret named by ARN on --resource is taken in every partition,
// as --key-policy and --secret-policy take them.
func TestPartitionsDiscoverResourceARNs(t *testing.T) {
	for _, c := range partitionCases {
		t.Run(c.partition, func(t *testing.T) {
			dir := t.TempDir()
			_, discoverArgs := writePartitionScenario(t, dir, c)
			db := filepath.Join(dir, "activity.db")
			args := []string{"--db", db, "discover", discoverArgs[0], discoverArgs[1],
				"--resource", c.inPartition(ptKeyARN), "--resource", c.inPartition(ptSecretARN), "--resource", c.inPartition(ptBucketARN)}
			if out, errs, code := run(t, args...); code != ExitOK || !strings.Contains(out, "1 principals, 3 resources") {
				t.Errorf("discover --resource in %s: exit %d\nstdout:\n%s\nstderr:\n%s", c.partition, code, out, errs)
			}
		})
	}
}

// simulate decides in every partition as in the commercial one: an object
// of the bucket is covered by the bucket's policy, and the key's default
// policy delegates to the account's IAM policies.
func TestPartitionsSimulate(t *testing.T) {
	for _, c := range partitionCases {
		t.Run(c.partition, func(t *testing.T) {
			dir := t.TempDir()
			_, discoverArgs := writePartitionScenario(t, dir, c)
			db := filepath.Join(dir, "activity.db")
			if out, errs, code := run(t, append([]string{"--db", db, "discover"}, discoverArgs...)...); code != ExitOK {
				t.Fatalf("discover: exit %d\n%s%s", code, out, errs)
			}
			for _, q := range []struct{ action, resource string }{
				{"s3:ListBucket", ptBucketARN},
				{"s3:GetObject", ptBucketARN + "/reports/q3.csv"},
				{"s3:PutObject", ptBucketARN + "/reports/q4.csv"},
				{"secretsmanager:GetSecretValue", ptSecretARN},
				{"kms:Decrypt", ptKeyARN},
			} {
				out, errs, code := run(t, "--db", db, "simulate", "--json", "--principal", c.inPartition(ptUser),
					"--action", q.action, "--resource", c.inPartition(q.resource))
				var ds []struct{ Decision string }
				if code != ExitOK || json.Unmarshal([]byte(out), &ds) != nil || len(ds) != 1 || ds[0].Decision != "allowed" {
					t.Errorf("simulate %s on %s: exit %d, %s%s; want allowed", q.action, c.inPartition(q.resource), code, out, errs)
				}
			}
		})
	}
}
