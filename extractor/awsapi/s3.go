package awsapi

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
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

// ParseS3URL splits s3://BUCKET/KEY. The key may be empty.
func ParseS3URL(u string) (bucket, key string, err error) {
	rest, ok := strings.CutPrefix(u, "s3://")
	bucket, key, _ = strings.Cut(rest, "/")
	if !ok || bucket == "" {
		return "", "", fmt.Errorf("%q is not an S3 URL (s3://BUCKET/KEY)", u)
	}
	return bucket, key, nil
}
