package awsapi

import (
	"cmp"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

func TestReaderPolicyOrganizationTrail(t *testing.T) {
	doc, err := ReaderPolicy(TrailAccess{S3Bucket: "org-logs", S3KeyPrefix: "audit", OrganizationID: "o-abc123def4",
		KMSKeyARN: "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"})
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "CloudTrailDescribeTrail",
      "Effect": "Allow",
      "Action": [
        "cloudtrail:GetEventSelectors",
        "cloudtrail:GetTrail"
      ],
      "Resource": [
        "*"
      ]
    },
    {
      "Sid": "CloudTrailS3ListLogFolders",
      "Effect": "Allow",
      "Action": [
        "s3:ListBucket"
      ],
      "Resource": [
        "arn:aws:s3:::org-logs"
      ],
      "Condition": {
        "StringEquals": {
          "s3:delimiter": [
            "/"
          ],
          "s3:prefix": [
            "audit/AWSLogs/"
          ]
        }
      }
    },
    {
      "Sid": "CloudTrailS3ListLogs",
      "Effect": "Allow",
      "Action": [
        "s3:ListBucket"
      ],
      "Resource": [
        "arn:aws:s3:::org-logs"
      ],
      "Condition": {
        "StringLike": {
          "s3:prefix": [
            "audit/AWSLogs/o-abc123def4/*"
          ]
        }
      }
    },
    {
      "Sid": "CloudTrailS3ReadLogs",
      "Effect": "Allow",
      "Action": [
        "s3:GetObject"
      ],
      "Resource": [
        "arn:aws:s3:::org-logs/audit/AWSLogs/o-abc123def4/*"
      ]
    },
    {
      "Sid": "CloudTrailS3DecryptLogs",
      "Effect": "Allow",
      "Action": [
        "kms:Decrypt"
      ],
      "Resource": [
        "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"
      ]
    }
  ]
}`
	if string(doc) != want {
		t.Errorf("policy:\n%s\nwant:\n%s", doc, want)
	}
}

func TestReaderPolicyAccountTrailsStableAndNarrow(t *testing.T) {
	a := TrailAccess{S3Bucket: "logs", AccountIDs: []string{"222222222222", "111111111111", "222222222222"}, Partition: "aws-us-gov"}
	first, err := ReaderPolicy(a)
	if err != nil {
		t.Fatal(err)
	}
	a.AccountIDs = []string{"111111111111", "222222222222"}
	second, _ := ReaderPolicy(a)
	if string(first) != string(second) {
		t.Errorf("same accounts in another order gave other bytes:\n%s\n%s", first, second)
	}
	var doc policyDocument
	if err := json.Unmarshal(first, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Statement) != 3 {
		t.Fatalf("%d statements without a key, want 3", len(doc.Statement))
	}
	got := strings.Join(doc.Statement[2].Resource, ",")
	if got != "arn:aws-us-gov:s3:::logs/AWSLogs/111111111111/*,arn:aws-us-gov:s3:::logs/AWSLogs/222222222222/*" {
		t.Errorf("object resources %s", got)
	}
	for _, s := range doc.Statement[1:] {
		for _, r := range s.Resource {
			if r == "*" || strings.HasSuffix(r, ":::logs/*") {
				t.Errorf("statement %s has a broad resource %s", s.Sid, r)
			}
		}
	}
}

func TestReaderPolicyRefusesBadInput(t *testing.T) {
	for _, c := range []struct {
		a    TrailAccess
		want string
	}{
		{TrailAccess{S3Bucket: "Bad_Bucket", OrganizationID: "o-abc123def4"}, "not an S3 bucket name"},
		{TrailAccess{S3Bucket: "logs"}, "give an organization id"},
		{TrailAccess{S3Bucket: "logs", OrganizationID: "o-abc123def4", AccountIDs: []string{"111111111111"}}, "not both"},
		{TrailAccess{S3Bucket: "logs", OrganizationID: "org-1"}, "not an organization id"},
		{TrailAccess{S3Bucket: "logs", AccountIDs: []string{"1111"}}, "12-digit"},
		{TrailAccess{S3Bucket: "logs", AccountIDs: []string{"111111111111"}, S3KeyPrefix: "a/*"}, "wildcards"},
		{TrailAccess{S3Bucket: "logs", AccountIDs: []string{"111111111111"}, KMSKeyARN: "alias/logs"}, "not a KMS key ARN"},
	} {
		_, err := ReaderPolicy(c.a)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err = %v, want %q", c.a, err, c.want)
		}
	}
}

func TestReaderPolicyAthena(t *testing.T) {
	access := TrailAccess{S3Bucket: "org-logs", OrganizationID: "o-abc123def4", Athena: &AthenaAccess{
		Region: "us-east-2", AccountID: "222222222222", Workgroup: "activity", Database: "cloudtrail",
		OutputLocation: "s3://athena-results/activity/",
	}}
	doc, err := ReaderPolicy(access)
	if err != nil {
		t.Fatal(err)
	}
	var p policyDocument
	if err := json.Unmarshal(doc, &p); err != nil {
		t.Fatal(err)
	}
	got := map[string]policyStatement{}
	for _, s := range p.Statement {
		got[s.Sid] = s
	}
	for sid, want := range map[string]string{
		"CloudTrailS3ReadLogs":          "s3:GetObject on arn:aws:s3:::org-logs/AWSLogs/o-abc123def4/*",
		"CloudTrailAthenaRunQueries":    "athena:GetQueryExecution,athena:GetQueryResults,athena:StartQueryExecution,athena:StopQueryExecution on arn:aws:athena:us-east-2:222222222222:workgroup/activity",
		"CloudTrailAthenaDefineTable":   "glue:CreateTable,glue:GetDatabase,glue:GetTable,glue:UpdateTable on arn:aws:glue:us-east-2:222222222222:catalog,arn:aws:glue:us-east-2:222222222222:database/cloudtrail,arn:aws:glue:us-east-2:222222222222:table/cloudtrail/activity_cloudtrail_*",
		"CloudTrailAthenaLocateBuckets": "s3:GetBucketLocation on arn:aws:s3:::athena-results,arn:aws:s3:::org-logs",
		"CloudTrailAthenaListResults":   "s3:ListBucket on arn:aws:s3:::athena-results",
		"CloudTrailAthenaWriteResults":  "s3:AbortMultipartUpload,s3:GetObject,s3:PutObject on arn:aws:s3:::athena-results/activity/*",
	} {
		s := got[sid]
		if have := strings.Join(s.Action, ",") + " on " + strings.Join(s.Resource, ","); have != want {
			t.Errorf("%s: %s, want %s", sid, have, want)
		}
	}
	if c := got["CloudTrailAthenaListResults"].Condition["StringLike"]["s3:prefix"]; len(c) != 1 || c[0] != "activity/*" {
		t.Errorf("results listed under %v", c)
	}

	access.Athena.OutputLocation = "athena-results"
	access.Athena.Database = "Bad-Name"
	if _, err := ReaderPolicy(access); err == nil || !strings.Contains(err.Error(), "output location") || !strings.Contains(err.Error(), "database") {
		t.Errorf("error %v, want the output location and database refused", err)
	}
}

// Users are told to look for a "CloudTrail" statement and a "CloudTrail S3"
// one, and IAM takes only letters and digits in a Sid: every statement's id
// starts with CloudTrail, those that list, read or decrypt the trail's log
// objects with CloudTrailS3, and Athena's with CloudTrailAthena.
func TestReaderPolicySids(t *testing.T) {
	const key = "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	athena := &AthenaAccess{Region: "us-east-2", AccountID: "222222222222", Workgroup: "activity", Database: "cloudtrail",
		OutputLocation: "s3://athena-results/activity/"}
	sidPattern := regexp.MustCompile(`^[A-Za-z0-9]+$`)
	for _, a := range []TrailAccess{
		{S3Bucket: "org-logs", S3KeyPrefix: "audit", OrganizationID: "o-abc123def4", KMSKeyARN: key, Athena: athena},
		{S3Bucket: "org-logs", AccountIDs: []string{"111111111111", "222222222222"}, KMSKeyARN: key},
		{S3Bucket: "org-logs", OrganizationID: "o-abc123def4", Partition: "aws-us-gov"},
	} {
		raw, err := ReaderPolicy(a)
		if err != nil {
			t.Fatal(err)
		}
		var doc policyDocument
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		bucketARN := "arn:" + cmp.Or(a.Partition, "aws") + ":s3:::" + a.S3Bucket
		seen := map[string]bool{}
		for _, s := range doc.Statement {
			if !sidPattern.MatchString(s.Sid) {
				t.Errorf("Sid %q: IAM takes only letters and digits", s.Sid)
			}
			if seen[s.Sid] {
				t.Errorf("Sid %q appears twice", s.Sid)
			}
			seen[s.Sid] = true
			services := map[string]bool{}
			for _, act := range s.Action {
				service, _, _ := strings.Cut(act, ":")
				services[service] = true
			}
			logs := true // every resource is the trail's bucket, a log object or the trail's key
			for _, r := range s.Resource {
				logs = logs && (r == bucketARN || strings.HasPrefix(r, bucketARN+"/") || r == a.KMSKeyARN)
			}
			var want string
			switch {
			case services["athena"] || services["glue"] || !logs && !services["cloudtrail"]:
				want = "CloudTrailAthena"
			case len(services) == 1 && services["cloudtrail"]:
				want = "CloudTrail"
				if strings.HasPrefix(s.Sid, "CloudTrailS3") || strings.HasPrefix(s.Sid, "CloudTrailAthena") {
					t.Errorf("Sid %q describes the trail but reads like a log-reading or Athena statement", s.Sid)
				}
			default:
				want = "CloudTrailS3"
			}
			if !strings.HasPrefix(s.Sid, want) || len(s.Sid) == len(want) {
				t.Errorf("Sid %q (%v on %v): want an id that starts with %s", s.Sid, s.Action, s.Resource, want)
			}
		}
	}
}

// Discovery's policy grants, for each resource kind, what discovery calls
// for it, and every statement names actions.
func TestDiscoverPolicyCoversEveryKind(t *testing.T) {
	raw, err := DiscoverPolicy(false)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Statement []struct {
			Sid    string
			Action []string
		}
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	granted := map[string]bool{}
	for _, s := range doc.Statement {
		if len(s.Action) == 0 {
			t.Errorf("statement %s grants no action", s.Sid)
		}
		for _, a := range s.Action {
			granted[a] = true
		}
	}
	for _, k := range activity.ResourceKinds() {
		for _, a := range k.DiscoveryActions() {
			if !granted[a] {
				t.Errorf("%s: discovery calls %s, which its policy does not grant", k.Name, a)
			}
		}
	}
}
