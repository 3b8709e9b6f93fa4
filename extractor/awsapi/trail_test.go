package awsapi

import (
	"context"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Run(m)) }

// TestS3DataEventsLogged sets a trail's event selectors through the real
// CloudTrail API of the moto emulator and reads them back.
func TestS3DataEventsLogged(t *testing.T) {
	moto := testenv.StartMoto(t)
	ctx := context.Background()
	cfg := moto.Config(t, "us-east-1")
	if _, err := s3.NewFromConfig(cfg).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("logs")}); err != nil {
		t.Fatal(err)
	}
	ct := cloudtrail.NewFromConfig(cfg)
	if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("logs")}); err != nil {
		t.Fatal(err)
	}
	check := func(want bool, what string) {
		t.Helper()
		got, err := S3DataEventsLogged(ctx, cfg, "main")
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s: S3 data events logged = %v, want %v", what, got, want)
		}
	}
	check(false, "management events only")

	_, err := ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("main"),
		EventSelectors: []cttypes.EventSelector{{IncludeManagementEvents: aws.Bool(true), ReadWriteType: cttypes.ReadWriteTypeAll,
			DataResources: []cttypes.DataResource{{Type: aws.String("AWS::Lambda::Function"), Values: []string{"arn:aws:lambda"}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	check(false, "Lambda data events only")

	_, err = ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("main"),
		EventSelectors: []cttypes.EventSelector{{IncludeManagementEvents: aws.Bool(true), ReadWriteType: cttypes.ReadWriteTypeAll,
			DataResources: []cttypes.DataResource{{Type: aws.String("AWS::S3::Object"), Values: []string{"arn:aws:s3"}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	check(true, "basic selector on S3 objects")

	_, err = ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("main"),
		AdvancedEventSelectors: []cttypes.AdvancedEventSelector{{Name: aws.String("s3 data"), FieldSelectors: []cttypes.AdvancedFieldSelector{
			{Field: aws.String("eventCategory"), Equals: []string{"Data"}},
			{Field: aws.String("resources.type"), Equals: []string{"AWS::S3::Object"}},
		}}}})
	if err != nil {
		t.Fatal(err)
	}
	check(true, "advanced selector on S3 objects")

	if _, err := S3DataEventsLogged(ctx, cfg, "no-such-trail"); err == nil {
		t.Error("a missing trail gave no error")
	}
}
