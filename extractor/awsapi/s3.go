package awsapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// PathStyleEnv, set to true, makes S3 requests use path-style addressing,
// which S3-compatible servers usually need.
const PathStyleEnv = "AWS_S3_USE_PATH_STYLE"

// NewS3Client is an S3 client for cfg. Checksums are computed and validated
// only where the API requires them, which S3-compatible servers accept too.
func NewS3Client(cfg aws.Config) *s3.Client {
	pathStyle, _ := strconv.ParseBool(os.Getenv(PathStyleEnv))
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = pathStyle
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
}

// S3ClientForBucket is an S3 client for cfg, in the region that holds
// bucket. A trail may write to a bucket in another region than its own, and
// S3 answers a request signed for the wrong region with a redirect naming
// the bucket's region; one listing of the folders under listPrefix (which
// the reader policy allows) finds it. Any other answer keeps cfg's region:
// the listing that follows reports the problem in full.
func S3ClientForBucket(ctx context.Context, cfg aws.Config, bucket, listPrefix string) *s3.Client {
	c := NewS3Client(cfg)
	_, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{
		Bucket: aws.String(bucket), Prefix: aws.String(listPrefix), Delimiter: aws.String("/"), MaxKeys: aws.Int32(1),
	})
	if region := BucketRegion(err); region != "" && region != cfg.Region {
		return s3.New(c.Options(), func(o *s3.Options) { o.Region = region })
	}
	return c
}

// BucketRegion is the bucket's region that an S3 error response names, or "".
func BucketRegion(err error) string {
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.Response == nil {
		return ""
	}
	switch re.Response.StatusCode {
	case http.StatusMovedPermanently, http.StatusBadRequest, http.StatusForbidden:
		return re.Response.Header.Get("X-Amz-Bucket-Region")
	}
	return ""
}

// IsAccessDenied tells whether an AWS API refused a call for lack of
// permission.
func IsAccessDenied(err error) bool {
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() == http.StatusForbidden {
		// Whatever the body says, or when it cannot be read.
		return true
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.ErrorCode() {
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation":
		return true
	}
	return false
}

// ParseS3URL splits s3://BUCKET/KEY. The key may be empty.
func ParseS3URL(u string) (bucket, key string, err error) {
	rest, ok := strings.CutPrefix(u, "s3://")
	bucket, key, _ = strings.Cut(rest, "/")
	if !ok || bucket == "" {
		return "", "", fmt.Errorf("%q is not an S3 URL (s3://BUCKET/KEY)", u)
	}
	return bucket, key, nil
}
