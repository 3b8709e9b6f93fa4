package awsapi

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// TrailAccess describes where a trail's logs are, which is all the least-
// privilege policy for reading them depends on.
type TrailAccess struct {
	Partition      string   // "aws" when empty
	S3Bucket       string   // the trail's bucket
	S3KeyPrefix    string   // the trail's key prefix, without slashes at either end; may be empty
	OrganizationID string   // set for an organization trail: logs under AWSLogs/ORG_ID/
	AccountIDs     []string // for account trails: logs under AWSLogs/ACCOUNT/ for each
	KMSKeyARN      string   // the key that encrypts the logs (SSE-KMS), if any
	// Athena, when set, adds what `extract --engine athena` needs.
	Athena *AthenaAccess
}

// AthenaAccess is where `extract --engine athena` runs its queries. Athena
// reads the trail's objects with the caller's own permissions, so the
// reader's statements stay.
type AthenaAccess struct {
	Region    string
	AccountID string // the account of the workgroup and the Glue catalog
	Workgroup string
	Database  string
	// Table is the CloudTrail table; empty allows the default names,
	// activity_cloudtrail_ACCOUNT.
	Table string
	// OutputLocation is the s3://BUCKET/PREFIX/ where results are written.
	OutputLocation string
}

var (
	bucketNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	orgIDPattern      = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
)

// Check explains what is wrong with the description, or returns nil.
func (t TrailAccess) Check() error {
	var problems []string
	if !bucketNamePattern.MatchString(t.S3Bucket) || strings.Contains(t.S3Bucket, "..") {
		problems = append(problems, fmt.Sprintf("%q is not an S3 bucket name", t.S3Bucket))
	}
	if strings.HasPrefix(t.S3KeyPrefix, "/") || strings.HasSuffix(t.S3KeyPrefix, "/") || strings.ContainsAny(t.S3KeyPrefix, "*?") {
		problems = append(problems, fmt.Sprintf("key prefix %q must not start or end with '/' nor hold wildcards", t.S3KeyPrefix))
	}
	switch {
	case t.OrganizationID != "" && len(t.AccountIDs) > 0:
		problems = append(problems, "give an organization id (organization trail) or account ids (account trails), not both")
	case t.OrganizationID == "" && len(t.AccountIDs) == 0:
		problems = append(problems, "give an organization id (organization trail) or at least one account id (account trail)")
	case t.OrganizationID != "" && !orgIDPattern.MatchString(t.OrganizationID):
		problems = append(problems, fmt.Sprintf("%q is not an organization id (o- and 10 to 32 lowercase letters or digits)", t.OrganizationID))
	}
	for _, a := range t.AccountIDs {
		if !activity.IsAccountID(a) {
			problems = append(problems, fmt.Sprintf("%q is not a 12-digit account id", a))
		}
	}
	if t.KMSKeyARN != "" {
		if k, err := activity.ParseResource(t.KMSKeyARN); err != nil || k.Kind != activity.KindKMSKey || !activity.IsAccountID(k.AccountID) {
			problems = append(problems, fmt.Sprintf("%q is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/KEY_ID)", t.KMSKeyARN))
		}
	}
	if a := t.Athena; a != nil {
		problems = append(problems, a.problems()...)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

// logsRoot is [PREFIX/]AWSLogs/.
func (t TrailAccess) logsRoot() string {
	if t.S3KeyPrefix != "" {
		return t.S3KeyPrefix + "/AWSLogs/"
	}
	return "AWSLogs/"
}

var glueName = regexp.MustCompile(`^[a-z0-9_]{1,255}$`)

func (a AthenaAccess) problems() []string {
	var out []string
	if !activity.IsRegion(a.Region) {
		out = append(out, fmt.Sprintf("athena region %q is not an AWS region", a.Region))
	}
	if !activity.IsAccountID(a.AccountID) {
		out = append(out, fmt.Sprintf("athena account %q is not a 12-digit account id", a.AccountID))
	}
	if a.Workgroup == "" || strings.ContainsAny(a.Workgroup, "*?/") {
		out = append(out, fmt.Sprintf("athena workgroup %q: give the workgroup's name", a.Workgroup))
	}
	if !glueName.MatchString(a.Database) {
		out = append(out, fmt.Sprintf("athena database %q: give lower-case letters, digits and underscores", a.Database))
	}
	if a.Table != "" && !glueName.MatchString(a.Table) {
		out = append(out, fmt.Sprintf("athena table %q: give lower-case letters, digits and underscores", a.Table))
	}
	if b, _, err := ParseS3URL(a.OutputLocation); err != nil || !bucketNamePattern.MatchString(b) || strings.ContainsAny(a.OutputLocation, "*?") {
		out = append(out, fmt.Sprintf("athena output location %q: give s3://BUCKET/PREFIX/", a.OutputLocation))
	}
	return out
}

// statements are what running the queries needs: the workgroup, the table
// in the Glue catalog (ALTER TABLE updates it as accounts join), and the
// results written under the output location.
func (a AthenaAccess) statements(partition, trailBucketARN string) []policyStatement {
	outBucket, outPrefix, _ := ParseS3URL(a.OutputLocation)
	outPrefix = strings.TrimSuffix(outPrefix, "/")
	if outPrefix != "" {
		outPrefix += "/"
	}
	outBucketARN := activity.ResourceKindNamed(activity.KindS3Bucket).ARN(partition, "", "", outBucket)
	table := a.Table
	if table == "" {
		table = "activity_cloudtrail_*"
	}
	glue := func(resource string) string {
		return activity.ARN{Partition: partition, Service: "glue", Region: a.Region, AccountID: a.AccountID, Resource: resource}.String()
	}
	return []policyStatement{
		{Sid: "CloudTrailAthenaRunQueries", Effect: "Allow",
			Action:   []string{"athena:GetQueryExecution", "athena:GetQueryResults", "athena:StartQueryExecution", "athena:StopQueryExecution"},
			Resource: []string{activity.ARN{Partition: partition, Service: "athena", Region: a.Region, AccountID: a.AccountID, Resource: "workgroup/" + a.Workgroup}.String()}},
		{Sid: "CloudTrailAthenaDefineTable", Effect: "Allow",
			Action:   []string{"glue:CreateTable", "glue:GetDatabase", "glue:GetTable", "glue:UpdateTable"},
			Resource: []string{glue("catalog"), glue("database/" + a.Database), glue("table/" + a.Database + "/" + table)}},
		{Sid: "CloudTrailAthenaLocateBuckets", Effect: "Allow", Action: []string{"s3:GetBucketLocation"}, Resource: sortedUnique(trailBucketARN, outBucketARN)},
		{Sid: "CloudTrailAthenaListResults", Effect: "Allow", Action: []string{"s3:ListBucket"}, Resource: []string{outBucketARN},
			Condition: map[string]map[string][]string{"StringLike": {"s3:prefix": {outPrefix + "*"}}}},
		{Sid: "CloudTrailAthenaWriteResults", Effect: "Allow", Action: []string{"s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"},
			Resource: []string{outBucketARN + "/" + outPrefix + "*"}},
	}
}

func sortedUnique(in ...string) []string {
	sort.Strings(in)
	out := in[:0]
	for i, s := range in {
		if i == 0 || s != in[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// LogPrefixes are the key prefixes under which the trail's log objects lie,
// one per organization or account, sorted.
func (t TrailAccess) LogPrefixes() []string {
	base := t.logsRoot()
	if t.OrganizationID != "" {
		return []string{base + t.OrganizationID + "/"}
	}
	out := make([]string, 0, len(t.AccountIDs))
	seen := map[string]bool{}
	for _, a := range t.AccountIDs {
		if !seen[a] {
			seen[a] = true
			out = append(out, base+a+"/")
		}
	}
	sort.Strings(out)
	return out
}

type policyDocument struct {
	Version   string            `json:"Version"`
	Statement []policyStatement `json:"Statement"`
}

type policyStatement struct {
	Sid       string                         `json:"Sid"`
	Effect    string                         `json:"Effect"`
	Action    []string                       `json:"Action"`
	Resource  []string                       `json:"Resource"`
	Condition map[string]map[string][]string `json:"Condition,omitempty"`
}

// ReaderPolicy is the least-privilege identity policy for reading a trail's
// logs: describe the trail and its event selectors, list and read only the log objects of the
// organization or accounts concerned, and decrypt them when they are SSE-KMS
// encrypted. The same inputs always give the same bytes.
func ReaderPolicy(t TrailAccess) ([]byte, error) {
	if err := t.Check(); err != nil {
		return nil, err
	}
	partition := cmp.Or(t.Partition, activity.DefaultPartition)
	bucketARN := activity.ResourceKindNamed(activity.KindS3Bucket).ARN(partition, "", "", t.S3Bucket)
	prefixes := t.LogPrefixes()
	objects := make([]string, 0, len(prefixes))
	listed := make([]string, 0, len(prefixes))
	for _, p := range prefixes {
		objects = append(objects, bucketARN+"/"+p+"*")
		listed = append(listed, p+"*")
	}
	doc := policyDocument{Version: "2012-10-17", Statement: []policyStatement{
		// GetTrail resolves a trail named by name or ARN in any account of the
		// organization, and GetEventSelectors tells whether it logs S3 data
		// events; they reveal where logs are and what they hold, nothing in them.
		{Sid: "CloudTrailDescribeTrail", Effect: "Allow", Action: []string{"cloudtrail:GetEventSelectors", "cloudtrail:GetTrail"}, Resource: []string{"*"}},
		{Sid: "CloudTrailS3ListLogs", Effect: "Allow", Action: []string{"s3:ListBucket"}, Resource: []string{bucketARN},
			Condition: map[string]map[string][]string{"StringLike": {"s3:prefix": listed}}},
		{Sid: "CloudTrailS3ReadLogs", Effect: "Allow", Action: []string{"s3:GetObject"}, Resource: objects},
	}}
	if t.OrganizationID != "" {
		// An organization trail's logs are read by listing the folders
		// right under AWSLogs/ (the organization) and then the accounts';
		// with the delimiter, that listing shows folder names, no object.
		doc.Statement = slices.Insert(doc.Statement, 1, policyStatement{Sid: "CloudTrailS3ListLogFolders", Effect: "Allow", Action: []string{"s3:ListBucket"},
			Resource: []string{bucketARN}, Condition: map[string]map[string][]string{"StringEquals": {"s3:delimiter": {"/"}, "s3:prefix": {t.logsRoot()}}}})
	}
	if t.KMSKeyARN != "" {
		doc.Statement = append(doc.Statement, policyStatement{
			Sid: "CloudTrailS3DecryptLogs", Effect: "Allow", Action: []string{"kms:Decrypt"}, Resource: []string{t.KMSKeyARN},
		})
	}
	if t.Athena != nil {
		doc.Statement = append(doc.Statement, t.Athena.statements(partition, bucketARN)...)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
