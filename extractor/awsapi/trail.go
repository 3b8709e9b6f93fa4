package awsapi

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// ErrTrailNotFound is returned by DescribeTrail when CloudTrail does not know
// the trail in the region asked.
var ErrTrailNotFound = errors.New("trail not found")

// DescribeTrail calls cloudtrail:GetTrail for trail (a name, or an ARN for an
// organization trail or one owned by another account) in the configuration's
// region.
func DescribeTrail(ctx context.Context, cfg aws.Config, trail string) (activity.TrailInfo, error) {
	out, err := cloudtrail.NewFromConfig(cfg).GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(trail)})
	var notFound *cttypes.TrailNotFoundException
	if errors.As(err, &notFound) {
		return activity.TrailInfo{}, fmt.Errorf("trail %q in region %s: %w; check the trail name and that region is the trail's home region", trail, cfg.Region, ErrTrailNotFound)
	}
	if IsAccessDenied(err) {
		return activity.TrailInfo{}, fmt.Errorf("cloudtrail:GetTrail on %q in region %s was denied; grant cloudtrail:GetTrail to the credentials in use (see data source activity_monitoring_iam_policy): %w", trail, cfg.Region, err)
	}
	if err != nil {
		return activity.TrailInfo{}, fmt.Errorf("cloudtrail:GetTrail on %q in region %s: %w", trail, cfg.Region, err)
	}
	t := out.Trail
	if t == nil {
		return activity.TrailInfo{}, fmt.Errorf("cloudtrail:GetTrail on %q in region %s answered without a trail", trail, cfg.Region)
	}
	return activity.TrailInfo{
		ARN:                 aws.ToString(t.TrailARN),
		S3Bucket:            aws.ToString(t.S3BucketName),
		S3KeyPrefix:         aws.ToString(t.S3KeyPrefix),
		IsOrganizationTrail: aws.ToBool(t.IsOrganizationTrail),
		KMSKeyID:            aws.ToString(t.KmsKeyId),
		ResolvedAt:          time.Now().UTC().Truncate(time.Second),
	}, nil
}

// S3DataEventsLogged asks cloudtrail:GetEventSelectors whether the trail logs
// S3 object-level (data) events, through basic or advanced event selectors.
// Where it does not, object use is invisible in its logs.
func S3DataEventsLogged(ctx context.Context, cfg aws.Config, trail string) (bool, error) {
	out, err := cloudtrail.NewFromConfig(cfg).GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String(trail)})
	if err != nil {
		return false, fmt.Errorf("cloudtrail:GetEventSelectors on %q in region %s: %w", trail, cfg.Region, err)
	}
	for _, s := range out.EventSelectors {
		for _, d := range s.DataResources {
			if aws.ToString(d.Type) == "AWS::S3::Object" && len(d.Values) > 0 {
				return true, nil
			}
		}
	}
	for _, s := range out.AdvancedEventSelectors {
		var data, objects bool
		for _, f := range s.FieldSelectors {
			switch aws.ToString(f.Field) {
			case "eventCategory":
				data = slices.Contains(f.Equals, "Data")
			case "resources.type":
				objects = slices.Contains(f.Equals, "AWS::S3::Object")
			}
		}
		if data && objects {
			return true, nil
		}
	}
	return false, nil
}
