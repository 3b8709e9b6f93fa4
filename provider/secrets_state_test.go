package provider

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/testenv"
)

// Credentials the provider uses to verify a trail, and an Okta token in its
// environment, reach neither the Terraform state nor the database.
func TestAccSecretsNotInState(t *testing.T) {
	moto := testenv.StartMoto(t)
	moto.Env(t, "us-east-1")
	ctx := context.Background()
	cfg := moto.Config(t, "us-east-1")
	if _, err := s3.NewFromConfig(cfg).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("canary-logs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := cloudtrail.NewFromConfig(cfg).CreateTrail(ctx, &cloudtrail.CreateTrailInput{
		Name: aws.String("canary-trail"), S3BucketName: aws.String("canary-logs"),
	}); err != nil {
		t.Fatal(err)
	}
	// moto accepts any credentials: these are the ones the provider holds.
	canaries := map[string]string{
		"AWS_ACCESS_KEY_ID":     "AKIACANARY7Q2W3E4R5T",
		"AWS_SECRET_ACCESS_KEY": "canary-secret-9f8e7d6c5b4a39281706",
		"AWS_SESSION_TOKEN":     "canary-session-token-0a1b2c3d4e5f",
		"OKTA_API_TOKEN":        "canary-okta-token-00aa11bb22cc33dd",
	}
	for k, v := range canaries {
		t.Setenv(k, v)
	}
	dbPath := testDB(t)
	leaks := func(what, text string) error {
		for k, v := range canaries {
			if strings.Contains(text, v) {
				return fmt.Errorf("%s holds the value of %s", what, k)
			}
		}
		return nil
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: integrationConfig(dbPath, fmt.Sprintf(`
  account_id   = %q
  trail        = "canary-trail"
  region       = "us-east-1"
  verify       = true
  okta_org_url = "https://example.okta.com"
  okta_app_id  = "0oa1b2c3d4EXAMPLE697"`, testenv.MotoAccountID)),
			Check: func(s *terraform.State) error {
				for addr, r := range s.RootModule().Resources {
					if r.Primary == nil {
						continue
					}
					if r.Primary.Attributes["s3_bucket"] != "canary-logs" {
						return fmt.Errorf("%s: the trail was not verified: %v", addr, r.Primary.Attributes)
					}
					for name, v := range r.Primary.Attributes {
						if err := leaks(addr+"."+name+" in the state", v); err != nil {
							return err
						}
					}
				}
				for _, f := range []string{dbPath, dbPath + "-wal"} {
					data, err := os.ReadFile(f)
					if err != nil && !os.IsNotExist(err) {
						return err
					}
					if err := leaks(f, string(data)); err != nil {
						return err
					}
				}
				return nil
			},
		}},
	})
}
