package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/cli"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/testenv"
)

const integrationAddr = "activity_monitoring_integration.test"

func integrationConfig(dbPath, body string) string {
	return providerConfig(dbPath) + "resource \"activity_monitoring_integration\" \"test\" {\n" + body + "\n}\n"
}

// checkStored compares the row the provider wrote with want, through the
// store API the extractor uses, and through `activity-extractor integrations
// list --json`.
func checkStored(dbPath string, want activity.Integration) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		db, err := store.Open(ctx, dbPath)
		if err != nil {
			return err
		}
		defer db.Close()
		got, err := db.Integration(ctx, want.AccountID)
		if err != nil {
			return err
		}
		if got.Trail != want.Trail || got.Region != want.Region || got.ExtractForOrganization != want.ExtractForOrganization ||
			got.SkipExtraction != want.SkipExtraction || got.RoleARN != want.RoleARN ||
			got.OktaOrgURL != want.OktaOrgURL || got.OktaAppID != want.OktaAppID {
			return fmt.Errorf("stored integration %+v, want %+v", got, want)
		}
		var out, errs bytes.Buffer
		if err := cli.Run(ctx, []string{"--db", dbPath, "integrations", "list", "--json"}, cli.Streams{Out: &out, Err: &errs}, "test"); err != nil {
			return fmt.Errorf("integrations list: %v: %s", err, errs.String())
		}
		var listed []struct {
			AccountID string `json:"account_id"`
			Trail     string `json:"trail"`
			Mode      string `json:"mode"`
		}
		if err := json.Unmarshal(out.Bytes(), &listed); err != nil {
			return fmt.Errorf("integrations list --json: %v: %s", err, out.String())
		}
		for _, l := range listed {
			if l.AccountID == want.AccountID && l.Trail == want.Trail && l.Mode == want.Mode() {
				return nil
			}
		}
		return fmt.Errorf("integrations list --json does not show %s (%s): %s", want.AccountID, want.Mode(), out.String())
	}
}

func checkNoIntegrations(dbPath string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		db, err := store.Open(ctx, dbPath)
		if err != nil {
			return err
		}
		defer db.Close()
		all, err := db.Integrations(ctx)
		if err != nil {
			return err
		}
		if len(all) != 0 {
			return fmt.Errorf("%d integrations left after destroy: %+v", len(all), all)
		}
		return nil
	}
}

func TestAccMonitoringIntegration_lifecycle(t *testing.T) {
	dbPath := testDB(t)
	orgTrail := "arn:aws:cloudtrail:us-east-2:222222222222:trail/org-trail"
	role := "arn:aws:iam::111111111111:role/activity-reader"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoIntegrations(dbPath),
		Steps: []resource.TestStep{
			{
				Config: integrationConfig(dbPath, `
  account_id = "111111111111"
  trail      = "management-events"
  region     = "us-east-1"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(integrationAddr, tfjsonpath.New("id"), knownvalue.StringExact("111111111111")),
					statecheck.ExpectKnownValue(integrationAddr, tfjsonpath.New("extract_for_organization"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(integrationAddr, tfjsonpath.New("skip_extraction"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(integrationAddr, tfjsonpath.New("verify"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(integrationAddr, tfjsonpath.New("trail_arn"), knownvalue.Null()),
					statecheck.ExpectKnownValue(integrationAddr, tfjsonpath.New("role_arn"), knownvalue.Null()),
				},
				Check: checkStored(dbPath, activity.Integration{AccountID: "111111111111", Trail: "management-events", Region: "us-east-1"}),
			},
			{
				Config: integrationConfig(dbPath, fmt.Sprintf(`
  account_id      = "111111111111"
  trail           = %q
  region          = "us-east-2"
  skip_extraction = true
  role_arn        = %q
  okta_org_url    = "https://example.okta.com/"
  okta_app_id     = "0oa1b2c3d4EXAMPLE697"`, orgTrail, role)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(integrationAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(integrationAddr, tfjsonpath.New("skip_extraction"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(integrationAddr, tfjsonpath.New("role_arn"), knownvalue.StringExact(role)),
					statecheck.ExpectKnownValue(integrationAddr, tfjsonpath.New("okta_org_url"), knownvalue.StringExact("https://example.okta.com/")),
					statecheck.ExpectKnownValue(integrationAddr, tfjsonpath.New("okta_app_id"), knownvalue.StringExact("0oa1b2c3d4EXAMPLE697")),
				},
				Check: checkStored(dbPath, activity.Integration{AccountID: "111111111111", Trail: orgTrail, Region: "us-east-2",
					SkipExtraction: true, RoleARN: role, OktaOrgURL: "https://example.okta.com/", OktaAppID: "0oa1b2c3d4EXAMPLE697"}),
			},
			{
				ResourceName:      integrationAddr,
				ImportState:       true,
				ImportStateId:     "111111111111",
				ImportStateVerify: true,
			},
			{
				Config: integrationConfig(dbPath, fmt.Sprintf(`
  account_id               = "222222222222"
  trail                    = %q
  region                   = "us-east-2"
  extract_for_organization = true`, orgTrail)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(integrationAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkStored(dbPath, activity.Integration{AccountID: "222222222222", Trail: orgTrail, Region: "us-east-2", ExtractForOrganization: true}),
					func(*terraform.State) error {
						db, err := store.Open(context.Background(), dbPath)
						if err != nil {
							return err
						}
						defer db.Close()
						if _, err := db.Integration(context.Background(), "111111111111"); !errors.Is(err, store.ErrNotFound) {
							return fmt.Errorf("replaced integration 111111111111 still stored (err %v)", err)
						}
						return nil
					},
				),
			},
		},
	})
}

func TestAccMonitoringIntegration_deletedOutsideTerraform(t *testing.T) {
	dbPath := testDB(t)
	cfg := integrationConfig(dbPath, `
  account_id = "333333333333"
  trail      = "main"
  region     = "eu-west-1"`)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					if err := openTestStore(t, dbPath).DeleteIntegration(context.Background(), "333333333333"); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(integrationAddr, plancheck.ResourceActionCreate)},
				},
				Check: checkStored(dbPath, activity.Integration{AccountID: "333333333333", Trail: "main", Region: "eu-west-1"}),
			},
		},
	})
}

func TestAccMonitoringIntegration_existingRowMustBeImported(t *testing.T) {
	dbPath := testDB(t)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				err := openTestStore(t, dbPath).CreateIntegration(context.Background(),
					activity.Integration{AccountID: "444444444444", Trail: "main", Region: "us-west-2"})
				if err != nil {
					t.Fatal(err)
				}
			},
			Config: integrationConfig(dbPath, `
  account_id = "444444444444"
  trail      = "main"
  region     = "us-west-2"`),
			ExpectError: regexp.MustCompile(`(?s)Integration Already Exists.*terraform import.*444444444444`),
		}},
	})
}

func TestAccMonitoringIntegration_validation(t *testing.T) {
	dbPath := testDB(t)
	orgTrail := "arn:aws:cloudtrail:us-east-2:222222222222:trail/org-trail"
	cases := []struct {
		name, body, want string
	}{
		{"short account id", `account_id = "12345"
  trail = "main"
  region = "us-east-1"`, `Invalid Account ID(?s).*"12345" is not an AWS account id`},
		{"account id with letters", `account_id = "11111111111a"
  trail = "main"
  region = "us-east-1"`, `Invalid Account ID`},
		{"trail name with a space", `account_id = "111111111111"
  trail = "my trail"
  region = "us-east-1"`, `Invalid Trail(?s).*"my trail" is not a trail name`},
		{"trail ARN of another service", `account_id = "111111111111"
  trail = "arn:aws:s3:::bucket"
  region = "us-east-1"`, `Invalid Trail(?s).*not a CloudTrail trail ARN`},
		{"unknown region", `account_id = "111111111111"
  trail = "main"
  region = "us-east-7"`, `Invalid Region(?s).*"us-east-7" is not an AWS region.*Did you mean`},
		{"both modes", `account_id = "111111111111"
  trail = "` + orgTrail + `"
  region = "us-east-2"
  extract_for_organization = true
  skip_extraction = true`, `Conflicting Extraction Modes`},
		{"organization trail by name", `account_id = "111111111111"
  trail = "org-trail"
  region = "us-east-2"
  extract_for_organization = true`, `Organization Trail Needs an ARN`},
		{"region differs from the ARN", `account_id = "111111111111"
  trail = "` + orgTrail + `"
  region = "us-east-1"`, `Region Does Not Match the Trail(?s).*set region = "us-east-2"`},
		{"role ARN of a user", `account_id = "111111111111"
  trail = "main"
  region = "us-east-1"
  role_arn = "arn:aws:iam::111111111111:user/alice"`, `Invalid Role ARN`},
		{"role ARN longer than any", `account_id = "111111111111"
  trail = "main"
  region = "us-east-1"
  role_arn = "arn:aws:iam::111111111111:role/` + strings.Repeat("r", 100_000) + `"`, `Invalid Role ARN(?s).*is 100,031 bytes long, and an ARN has\s+at\s+most\s+2,048`},
		{"Okta org URL with a path", `account_id = "111111111111"
  trail = "main"
  region = "us-east-1"
  okta_org_url = "https://example.okta.com/app/amazon_aws"
  okta_app_id = "0oa1"`, `Invalid Okta Org URL`},
		{"Okta org URL over http", `account_id = "111111111111"
  trail = "main"
  region = "us-east-1"
  okta_org_url = "http://example.okta.com"
  okta_app_id = "0oa1"`, `Invalid Okta Org URL`},
		{"Okta app without the org", `account_id = "111111111111"
  trail = "main"
  region = "us-east-1"
  okta_app_id = "0oa1"`, `(?s)okta_org_url.*must be specified|Missing Attribute Configuration`},
	}
	steps := make([]resource.TestStep, 0, len(cases))
	for _, c := range cases {
		steps = append(steps, resource.TestStep{
			Config:      integrationConfig(dbPath, "  "+c.body),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(c.want),
		})
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})
}

func TestAccMonitoringIntegration_importInvalidID(t *testing.T) {
	dbPath := testDB(t)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: integrationConfig(dbPath, `
  account_id = "111111111111"
  trail      = "main"
  region     = "us-east-1"`),
			ResourceName:  integrationAddr,
			ImportState:   true,
			ImportStateId: "prod",
			ExpectError:   regexp.MustCompile(`Invalid Import ID`),
		}},
	})
}

// TestAccMonitoringIntegration_verify builds a bucket, a KMS key and a trail
// through the real AWS API in the moto emulator, then lets the provider
// describe the trail at plan and apply time.
func TestAccMonitoringIntegration_verify(t *testing.T) {
	moto := testenv.StartMoto(t)
	moto.Env(t, "us-east-1")
	ctx := context.Background()
	cfg := moto.Config(t, "us-east-1")
	if _, err := s3.NewFromConfig(cfg).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("audit-logs")}); err != nil {
		t.Fatal(err)
	}
	key, err := kms.NewFromConfig(cfg).CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("trail logs")})
	if err != nil {
		t.Fatal(err)
	}
	keyARN := aws.ToString(key.KeyMetadata.Arn)
	trail, err := cloudtrail.NewFromConfig(cfg).CreateTrail(ctx, &cloudtrail.CreateTrailInput{
		Name: aws.String("management-events"), S3BucketName: aws.String("audit-logs"),
		S3KeyPrefix: aws.String("cloudtrail"), KmsKeyId: aws.String(keyARN),
	})
	if err != nil {
		t.Fatal(err)
	}
	trailARN := aws.ToString(trail.TrailARN)

	dbPath := testDB(t)
	account := testenv.MotoAccountID
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoIntegrations(dbPath),
		Steps: []resource.TestStep{
			{
				Config: integrationConfig(dbPath, fmt.Sprintf(`
  account_id = %q
  trail      = "management-events"
  region     = "us-east-1"
  verify     = true`, account)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectKnownValue(integrationAddr, tfjsonpath.New("s3_bucket"), knownvalue.StringExact("audit-logs")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(integrationAddr, tfjsonpath.New("trail_arn"), knownvalue.StringExact(trailARN)),
					statecheck.ExpectKnownValue(integrationAddr, tfjsonpath.New("s3_bucket"), knownvalue.StringExact("audit-logs")),
					statecheck.ExpectKnownValue(integrationAddr, tfjsonpath.New("s3_key_prefix"), knownvalue.StringExact("cloudtrail")),
					statecheck.ExpectKnownValue(integrationAddr, tfjsonpath.New("is_organization_trail"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(integrationAddr, tfjsonpath.New("kms_key_id"), knownvalue.StringExact(keyARN)),
				},
				Check: func(*terraform.State) error {
					in, err := openTestStore(t, dbPath).Integration(ctx, account)
					if err != nil {
						return err
					}
					if in.TrailInfo.S3Bucket != "audit-logs" || in.TrailInfo.ARN != trailARN || in.TrailInfo.ResolvedAt.IsZero() {
						return fmt.Errorf("stored trail info %+v", in.TrailInfo)
					}
					return nil
				},
			},
			{
				// Re-planning an unchanged configuration asks CloudTrail again and finds nothing to do.
				Config: integrationConfig(dbPath, fmt.Sprintf(`
  account_id = %q
  trail      = "management-events"
  region     = "us-east-1"
  verify     = true`, account)),
				PlanOnly: true,
			},
			{
				Config: integrationConfig(dbPath, fmt.Sprintf(`
  account_id = %q
  trail      = "management-events"
  region     = "us-east-1"
  verify     = true
  extract_for_organization = false
  skip_extraction          = false
  role_arn   = null`, account)) + "\n" + `resource "activity_monitoring_integration" "missing" {
  account_id = "555555555555"
  trail      = "no-such-trail"
  region     = "us-east-1"
  verify     = true
}`,
				ExpectError: regexp.MustCompile(`(?s)Trail Not Found.*"no-such-trail" in region us-east-1`),
			},
			{
				Config: integrationConfig(dbPath, fmt.Sprintf(`
  account_id               = %q
  trail                    = %q
  region                   = "us-east-1"
  verify                   = true
  extract_for_organization = true`, account, trailARN)),
				ExpectError: regexp.MustCompile(`(?s)Not an Organization Trail.*extract_for_organization = false`),
			},
		},
	})
}
