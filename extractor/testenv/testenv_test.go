package testenv

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestMain(m *testing.M) { os.Exit(Run(m)) }

func TestMotoAnswersSTS(t *testing.T) {
	m := StartMoto(t)
	out, err := sts.NewFromConfig(m.Config(t, "us-east-1")).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Account) != MotoAccountID {
		t.Errorf("account %q, want %s", aws.ToString(out.Account), MotoAccountID)
	}
}

func TestVersityGWStoresObjects(t *testing.T) {
	s := StartS3(t)
	c := s.Client(t)
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("testenv-check")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("testenv-check"), Key: aws.String("a/b.json"),
		Body: strings.NewReader(`{"Records":[]}`)}); err != nil {
		t.Fatal(err)
	}
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("testenv-check")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Contents) != 1 || aws.ToString(out.Contents[0].Key) != "a/b.json" {
		t.Errorf("listing = %+v", out.Contents)
	}
}
