package awsapi

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

var (
	// CloudTrail trail names: 3 to 128 ASCII letters, digits, '.', '_' and
	// '-', starting and ending with a letter or digit, with no two of '.',
	// '_', '-' side by side, and not shaped like an IP address.
	trailNamePattern  = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9._-]{1,126})[A-Za-z0-9]$`)
	adjacentSeparator = regexp.MustCompile(`[._-]{2}`)
	ipAddressPattern  = regexp.MustCompile(`^[0-9]{1,3}(\.[0-9]{1,3}){3}$`)
	roleARNPattern    = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}$`)
)

// CheckTrailName explains why s is not a valid CloudTrail trail name, or
// returns nil.
func CheckTrailName(s string) error {
	switch {
	case !trailNamePattern.MatchString(s):
		return fmt.Errorf("%q is not a trail name: use 3 to 128 letters, digits, '.', '_' or '-', starting and ending with a letter or digit", s)
	case adjacentSeparator.MatchString(s):
		return fmt.Errorf("%q is not a trail name: '.', '_' and '-' may not stand next to each other", s)
	case ipAddressPattern.MatchString(s):
		return fmt.Errorf("%q is not a trail name: a trail name may not look like an IP address", s)
	}
	return nil
}

// TrailARN is a parsed CloudTrail trail ARN.
type TrailARN struct {
	activity.ARN
	Name string
}

// ParseTrailARN parses arn:PARTITION:cloudtrail:REGION:ACCOUNT:trail/NAME.
func ParseTrailARN(s string) (TrailARN, error) {
	a, err := activity.ParseARN(s)
	if err != nil {
		return TrailARN{}, err
	}
	name, ok := strings.CutPrefix(a.Resource, "trail/")
	switch {
	case a.Service != "cloudtrail" || !ok:
		return TrailARN{}, fmt.Errorf("%q is not a CloudTrail trail ARN (arn:aws:cloudtrail:REGION:ACCOUNT:trail/NAME)", s)
	case !activity.IsRegion(a.Region):
		return TrailARN{}, fmt.Errorf("%q: %q is not an AWS region", s, a.Region)
	case activity.RegionPartition(a.Region) != a.Partition:
		return TrailARN{}, fmt.Errorf("%q: region %s belongs to partition %q, not %q", s, a.Region, activity.RegionPartition(a.Region), a.Partition)
	case !activity.IsAccountID(a.AccountID):
		return TrailARN{}, fmt.Errorf("%q: %q is not a 12-digit account id", s, a.AccountID)
	}
	if err := CheckTrailName(name); err != nil {
		return TrailARN{}, fmt.Errorf("%q: %w", s, err)
	}
	return TrailARN{ARN: a, Name: name}, nil
}

// IsRoleARN tells whether s is an IAM role ARN.
func IsRoleARN(s string) bool { return roleARNPattern.MatchString(s) }
