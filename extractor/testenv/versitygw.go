package testenv

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// S3Server is a running versitygw S3 server backed by a temporary folder.
type S3Server struct {
	Endpoint  string
	AccessKey string
	SecretKey string
	Region    string
}

var (
	vgwOnce sync.Once
	vgwSrv  *S3Server
	vgwErr  string
)

// StartS3 returns the versitygw server of this test binary, starting it on
// first use. The binary is looked up in ACTIVITY_VERSITYGW, the project's
// .bin/ (`make tools` builds it there), then PATH. Buckets persist across the
// tests of one binary: give each test its own bucket.
func StartS3(t testing.TB) *S3Server {
	t.Helper()
	vgwOnce.Do(func() { vgwSrv, vgwErr = startVersityGW() })
	if vgwSrv == nil {
		unavailable(t, "versitygw S3 server unavailable: %s; build it with: make tools", vgwErr)
	}
	return vgwSrv
}

func startVersityGW() (*S3Server, string) {
	bin := findTool("ACTIVITY_VERSITYGW", "versitygw")
	if bin == "" {
		return nil, "no versitygw in ACTIVITY_VERSITYGW, .bin/ or PATH"
	}
	root, err := os.MkdirTemp("", "activity-s3-")
	if err != nil {
		return nil, err.Error()
	}
	addr, err := freePort()
	if err != nil {
		return nil, err.Error()
	}
	s := &S3Server{Endpoint: "http://" + addr, AccessKey: "testkey", SecretKey: "testsecret123", Region: "us-east-1"}
	args := []string{"--port", addr, "--access", s.AccessKey, "--secret", s.SecretKey, "--region", s.Region, "--quiet", "posix", root}
	if _, err := start(bin, args, nil, root+".log"); err != nil {
		return nil, err.Error()
	}
	if err := waitListening(addr, 20*time.Second); err != nil {
		return nil, fmt.Sprintf("%v (log: %s.log)", err, root)
	}
	return s, ""
}

// Client is an S3 client for the server, with the settings versitygw needs.
func (s *S3Server) Client(t testing.TB) *s3.Client {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion(s.Region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, "")),
	)
	if err != nil {
		t.Fatal(err)
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(s.Endpoint)
		o.UsePathStyle = true
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
}

// Env points the AWS SDK default chain of this process and its children at
// the server for the duration of the test.
func (s *S3Server) Env(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL_S3", s.Endpoint)
	t.Setenv("AWS_ACCESS_KEY_ID", s.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", s.SecretKey)
	t.Setenv("AWS_REGION", s.Region)
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}
