package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/awsapi"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/testenv"
)

const policyAddr = "data.activity_monitoring_iam_policy.test"

func policyConfig(dbPath, body string) string {
	return providerConfig(dbPath) + "data \"activity_monitoring_iam_policy\" \"test\" {\n" + body + "\n}\n"
}

// TestAccMonitoringIAMPolicy_organizationTrail renders the policy for an
// organization trail and has the moto emulator's IAM accept it as a managed
// policy attached to a role.
func TestAccMonitoringIAMPolicy_organizationTrail(t *testing.T) {
	moto := testenv.StartMoto(t)
	iamc := iam.NewFromConfig(moto.Config(t, "us-east-1"))
	key := "arn:aws:kms:us-east-2:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	want, err := awsapi.ReaderPolicy(awsapi.TrailAccess{S3Bucket: "org-logs", S3KeyPrefix: "audit", OrganizationID: "o-abc123def4", KMSKeyARN: key})
	if err != nil {
		t.Fatal(err)
	}
	dbPath := testDB(t)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: policyConfig(dbPath, fmt.Sprintf(`
  s3_bucket       = "org-logs"
  s3_key_prefix   = "audit"
  organization_id = "o-abc123def4"
  kms_key_arn     = %q`, key)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(policyAddr, tfjsonpath.New("json"), knownvalue.StringExact(string(want))),
				statecheck.ExpectKnownValue(policyAddr, tfjsonpath.New("log_prefixes"),
					knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("audit/AWSLogs/o-abc123def4/")})),
			},
			Check: func(s *terraform.State) error {
				doc := s.RootModule().Resources[policyAddr].Primary.Attributes["json"]
				ctx := context.Background()
				p, err := iamc.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("activity-reader"), PolicyDocument: aws.String(doc)})
				if err != nil {
					return fmt.Errorf("IAM refused the policy: %w", err)
				}
				trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`
				if _, err := iamc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("activity-reader"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
					return err
				}
				if _, err := iamc.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("activity-reader"), PolicyArn: p.Policy.Arn}); err != nil {
					return fmt.Errorf("attach: %w", err)
				}
				v, err := iamc.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: p.Policy.Arn, VersionId: p.Policy.DefaultVersionId})
				if err != nil {
					return err
				}
				if aws.ToString(v.PolicyVersion.Document) == "" {
					return fmt.Errorf("IAM stored an empty document")
				}
				// simulate evaluates buckets, keys and secrets; the GetTrail
				// statement is checked by the golden test of the document.
				logs := "arn:aws:s3:::org-logs/audit/AWSLogs/o-abc123def4/222222222222/CloudTrail/us-east-2/2026/11/24/x.json.gz"
				return simulateReaderPolicy(t.TempDir(), doc, map[[2]string]string{
					{"s3:ListBucket", "arn:aws:s3:::org-logs"}: "allowed",
					{"s3:GetObject", logs}:                     "allowed",
					{"s3:GetObject", "arn:aws:s3:::org-logs/audit/AWSLogs/222222222222/x.json.gz"}: "implicit_deny",
					{"s3:GetObject", "arn:aws:s3:::org-logs/other/secret.txt"}:                     "implicit_deny",
					{"s3:GetObject", "arn:aws:s3:::other-bucket/audit/AWSLogs/o-abc123def4/x"}:     "implicit_deny",
					{"s3:PutObject", logs}:    "implicit_deny",
					{"s3:DeleteObject", logs}: "implicit_deny",
				})
			},
		}},
	})
}

func TestAccMonitoringIAMPolicy_accountTrails(t *testing.T) {
	dbPath := testDB(t)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      policyConfig(dbPath, `s3_bucket = "logs"`),
				ExpectError: regexp.MustCompile(`(?s)Missing Attribute Configuration.*organization_id,account_ids`),
			},
			{
				Config: policyConfig(dbPath, `
  s3_bucket       = "logs"
  organization_id = "o-abc123def4"
  account_ids     = ["111111111111"]`),
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination.*organization_id`),
			},
			{
				Config: policyConfig(dbPath, `
  s3_bucket   = "Logs_Bucket"
  account_ids = ["111111111111"]`),
				ExpectError: regexp.MustCompile(`(?s)Invalid Trail Location.*not an S3 bucket name`),
			},
			{
				Config: policyConfig(dbPath, `
  s3_bucket   = "logs"
  account_ids = ["1111"]`),
				ExpectError: regexp.MustCompile(`Invalid Account ID`),
			},
			{
				Config: policyConfig(dbPath, `
  s3_bucket   = "account-logs"
  account_ids = ["222222222222", "111111111111"]`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(policyAddr, tfjsonpath.New("log_prefixes"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("AWSLogs/111111111111/"), knownvalue.StringExact("AWSLogs/222222222222/"),
					})),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestMatchResourceAttr(policyAddr, "json", regexp.MustCompile(`"arn:aws:s3:::account-logs/AWSLogs/111111111111/\*"`)),
					resource.TestMatchResourceAttr(policyAddr, "json", regexp.MustCompile(`"arn:aws:s3:::account-logs/AWSLogs/222222222222/\*"`)),
					func(s *terraform.State) error {
						if regexp.MustCompile(`kms:Decrypt`).MatchString(s.RootModule().Resources[policyAddr].Primary.Attributes["json"]) {
							return fmt.Errorf("kms:Decrypt granted without a key")
						}
						return nil
					},
				),
			},
		},
	})
}

// TestAccMonitoringIAMPolicy_athena adds what extraction through Athena
// needs, and IAM accepts the document; a bad output location is refused at
// plan time.
func TestAccMonitoringIAMPolicy_athena(t *testing.T) {
	moto := testenv.StartMoto(t)
	iamc := iam.NewFromConfig(moto.Config(t, "us-east-1"))
	want, err := awsapi.ReaderPolicy(awsapi.TrailAccess{S3Bucket: "org-logs", OrganizationID: "o-abc123def4", Athena: &awsapi.AthenaAccess{
		Region: "us-east-2", AccountID: "222222222222", Workgroup: "activity", Database: "cloudtrail", OutputLocation: "s3://athena-results/activity/",
	}})
	if err != nil {
		t.Fatal(err)
	}
	athenaBlock := func(output string) string {
		return fmt.Sprintf(`
  s3_bucket       = "org-logs"
  organization_id = "o-abc123def4"
  athena = {
    region          = "us-east-2"
    account_id      = "222222222222"
    workgroup       = "activity"
    database        = "cloudtrail"
    output_location = %q
  }`, output)
	}
	dbPath := testDB(t)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      policyConfig(dbPath, athenaBlock("athena-results")),
				ExpectError: regexp.MustCompile(`(?s)Invalid Trail Location.*output location`),
			},
			{
				Config: policyConfig(dbPath, athenaBlock("s3://athena-results/activity/")),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(policyAddr, tfjsonpath.New("json"), knownvalue.StringExact(string(want))),
				},
				Check: func(s *terraform.State) error {
					doc := s.RootModule().Resources[policyAddr].Primary.Attributes["json"]
					if _, err := iamc.CreatePolicy(context.Background(), &iam.CreatePolicyInput{PolicyName: aws.String("activity-athena"), PolicyDocument: aws.String(doc)}); err != nil {
						return fmt.Errorf("IAM refused the policy: %w", err)
					}
					return nil
				},
			},
		},
	})
}
