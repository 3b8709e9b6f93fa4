package awsapi

import (
	"strings"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

func TestCheckTrailName(t *testing.T) {
	for _, c := range []struct {
		name string
		ok   bool
		why  string
	}{
		{"management-events", true, ""},
		{"Org.Trail_2", true, ""},
		{"abc", true, ""},
		{"ab", false, "3 to 128"},
		{strings.Repeat("a", 128), true, ""},
		{strings.Repeat("a", 129), false, "3 to 128"},
		{"-trail", false, "starting and ending"},
		{"trail-", false, "starting and ending"},
		{"my_-trail", false, "next to each other"},
		{"my..trail", false, "next to each other"},
		{"10.0.0.1", false, "IP address"},
		{"my trail", false, "letters, digits"},
	} {
		err := CheckTrailName(c.name)
		if (err == nil) != c.ok {
			t.Errorf("CheckTrailName(%q) = %v, want ok=%v", c.name, err, c.ok)
		}
		if err != nil && !strings.Contains(err.Error(), c.why) {
			t.Errorf("CheckTrailName(%q) = %q, want it to explain %q", c.name, err, c.why)
		}
	}
}

func TestParseTrailARN(t *testing.T) {
	a, err := ParseTrailARN("arn:aws:cloudtrail:us-east-2:222222222222:trail/org-trail")
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "org-trail" || a.Region != "us-east-2" || a.AccountID != "222222222222" || a.Partition != "aws" {
		t.Errorf("parsed %+v", a)
	}
	if _, err := ParseTrailARN("arn:aws-cn:cloudtrail:cn-north-1:222222222222:trail/t1x"); err != nil {
		t.Errorf("China partition: %v", err)
	}
	for arn, why := range map[string]string{
		"arn:aws:cloudtrail:us-east-2:222222222222:eventdatastore/x": "not a CloudTrail trail ARN",
		"arn:aws:s3:::bucket":                                  "not a CloudTrail trail ARN",
		"arn:aws:cloudtrail:mars-1:222222222222:trail/x1x":     "not an AWS region",
		"arn:aws:cloudtrail:cn-north-1:222222222222:trail/x1x": "partition",
		"arn:aws:cloudtrail:us-east-1:2222:trail/x1x":          "12-digit",
		"arn:aws:cloudtrail:us-east-1:222222222222:trail/-bad": "trail name",
		"cloudtrail:us-east-1:222222222222:trail/x":            "not an ARN",
	} {
		_, err := ParseTrailARN(arn)
		if err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("ParseTrailARN(%q) = %v, want an error about %q", arn, err, why)
		}
	}
}

func TestRegions(t *testing.T) {
	for _, r := range []string{"us-east-1", "eu-central-2", "ap-southeast-7", "us-gov-west-1", "cn-northwest-1"} {
		if !activity.IsRegion(r) {
			t.Errorf("%s not known", r)
		}
	}
	for _, r := range []string{"", "us-east", "US-EAST-1", "us-east-7", "global"} {
		if activity.IsRegion(r) {
			t.Errorf("%q accepted as a region", r)
		}
	}
	if got := SuggestRegion("us-est-1"); got != "us-east-1" {
		t.Errorf("SuggestRegion(us-est-1) = %q", got)
	}
	if got := SuggestRegion("something else entirely"); got != "" {
		t.Errorf("SuggestRegion(nonsense) = %q, want none", got)
	}
	if activity.RegionPartition("us-gov-east-1") != "aws-us-gov" || activity.RegionPartition("nowhere") != "" {
		t.Error("RegionPartition")
	}
}

func TestIsAccountIDAndRoleARN(t *testing.T) {
	if !activity.IsAccountID("012345678901") || activity.IsAccountID("12345678901") || activity.IsAccountID("1234567890123") || activity.IsAccountID("12345678901a") {
		t.Error("IsAccountID")
	}
	if !IsRoleARN("arn:aws:iam::111111111111:role/service-role/reader") || IsRoleARN("arn:aws:iam::111111111111:user/alice") ||
		IsRoleARN("arn:aws:iam::1111:role/x") {
		t.Error("IsRoleARN")
	}
}
