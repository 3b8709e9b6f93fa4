package awsapi

import (
	"strconv"
	"strings"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// FuzzParseARN: no panic; an ARN parsed prints back as its input, and an
// error quotes the input.
func FuzzParseARN(f *testing.F) {
	for _, s := range []string{
		"arn:aws:iam::123456789012:user/deployer",
		"arn:aws:sts::123456789012:assumed-role/Admin/alice@example.com",
		"arn:aws:s3:::org-trail-logs/AWSLogs/o-abc123def4/*",
		"arn:aws:kms:us-east-2:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab",
		"arn:aws:secretsmanager:eu-west-1:111111111111:secret:db/password-AbCdEf",
		"arn:aws-us-gov:cloudtrail:us-gov-west-1:123456789012:trail/org-trail",
		"arn:aws-cn:iam::123456789012:role/a/b/c",
		"arn:aws:iam::123456789012:root",
		"arn::::::", "arn:aws", "", "*",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := activity.ParseARN(s)
		if err != nil {
			if !strings.Contains(err.Error(), strconv.Quote(s)) {
				t.Fatalf("error %q does not name its input %q", err, s)
			}
			return
		}
		if a.String() != s {
			t.Fatalf("%q parsed as %+v, printed back as %q", s, a, a.String())
		}
		_, _ = ParseTrailARN(s)
		_ = IsRoleARN(s)
		if r, err := activity.ParseResource(s); err == nil && r.Canonical() == "" {
			t.Fatalf("%q: a resource with no canonical ARN", s)
		}
	})
}
