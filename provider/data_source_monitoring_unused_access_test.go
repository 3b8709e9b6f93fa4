package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

const unusedAccessExample = "../examples/data-sources/activity_monitoring_unused_access/data-source.tf"

// servicesStore is the store of the extractor's services scenario
// (extractor/score/testdata/services), discovered, extracted and scored for
// the 30 days up to fixtureAsOf. Its findings, computed by hand there: role
// batch unused since 2026-09-01 (84 days); user ops with unused
// permissions in ec2 (never used: 30 days) and iam (54 days).
func servicesStore(t *testing.T, discoverArgs ...string) string {
	t.Helper()
	dir := "../extractor/score/testdata/services"
	db := testDB(t)
	for _, args := range [][]string{
		append([]string{"--db", db, "discover", "--authz-details", filepath.Join(dir, "authz-details-333333333333.json")}, discoverArgs...),
		{"--db", db, "extract", "--source", filepath.Join(dir, "trail"), "--as-of", fixtureAsOf, "--window", "120d"},
		{"--db", db, "score", "--as-of", fixtureAsOf, "--window", "30d"},
	} {
		if _, err := runExtractor(args...); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// exampleUnusedRoles is the gate of the example, as written, on the
// scenario's account and with the given min_unused_days.
func exampleUnusedRoles(t *testing.T, minDays string) string {
	t.Helper()
	raw, err := os.ReadFile(unusedAccessExample)
	if err != nil {
		t.Fatal(err)
	}
	src := string(raw)
	header := `data "activity_monitoring_unused_access" "roles" {`
	start := strings.Index(src, header)
	end := hclBlockEnd(src, start+len(header)-1)
	if start < 0 || end < 0 {
		t.Fatalf("%s: no complete %s block", unusedAccessExample, header)
	}
	block := strings.Replace(src[start:end+1], `"111111111111"`, `"333333333333"`, 1)
	return regexp.MustCompile(`min_unused_days = \d+`).ReplaceAllString(block, "min_unused_days = "+minDays)
}

func TestAccMonitoringUnusedAccess_gate(t *testing.T) {
	db := servicesStore(t)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Role batch is unused for 84 days: the example's gate stops the plan.
				Config:      providerConfig(db) + exampleUnusedRoles(t, "30"),
				ExpectError: regexp.MustCompile(`(?s)Resource postcondition failed.*unused roles:[\s│]+arn:aws:iam::333333333333:role/batch`),
			},
			{
				// Not yet 90 days: the plan goes on.
				Config: providerConfig(db) + exampleUnusedRoles(t, "90"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.activity_monitoring_unused_access.roles", tfjsonpath.New("findings"), knownvalue.ListExact(nil)),
					statecheck.ExpectKnownValue("data.activity_monitoring_unused_access.roles", tfjsonpath.New("computed"), knownvalue.Bool(false)),
				},
			},
			{
				Config: providerConfig(db) + `data "activity_monitoring_unused_access" "permissions" {
  types = ["unused_permission"]
  kinds = ["iam_user"]
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.activity_monitoring_unused_access.permissions", tfjsonpath.New("findings"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"type": knownvalue.StringExact("unused_permission"), "principal": knownvalue.StringExact("arn:aws:iam::333333333333:user/ops"),
							"kind": knownvalue.StringExact("iam_user"), "account_id": knownvalue.StringExact("333333333333"),
							"service": knownvalue.StringExact("ec2"), "actions": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("ec2:DescribeInstances")}),
							"action_last_used": knownvalue.MapExact(map[string]knownvalue.Check{}), "last_used_at": knownvalue.Null(),
							"unused_days": knownvalue.Int64Exact(30), "access_key_id": knownvalue.Null(), "created_at": knownvalue.Null(),
						}),
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"type": knownvalue.StringExact("unused_permission"), "principal": knownvalue.StringExact("arn:aws:iam::333333333333:user/ops"),
							"kind": knownvalue.StringExact("iam_user"), "account_id": knownvalue.StringExact("333333333333"),
							"service":          knownvalue.StringExact("iam"),
							"actions":          knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("iam:CreateAccessKey"), knownvalue.StringExact("iam:ListRoles")}),
							"action_last_used": knownvalue.MapExact(map[string]knownvalue.Check{"iam:CreateAccessKey": knownvalue.StringExact("2026-10-01T09:00:00Z")}),
							"last_used_at":     knownvalue.StringExact("2026-11-20T10:00:00Z"),
							"unused_days":      knownvalue.Int64Exact(54),
							"access_key_id":    knownvalue.Null(),
							"created_at":       knownvalue.Null(),
						}),
					})),
				},
			},
		},
	})
}

// exampleAccessKeys is the access-key gate of the example, as written,
// with the given min_unused_days.
func exampleAccessKeys(t *testing.T, minDays string) string {
	t.Helper()
	raw, err := os.ReadFile(unusedAccessExample)
	if err != nil {
		t.Fatal(err)
	}
	src := string(raw)
	header := `data "activity_monitoring_unused_access" "access_keys" {`
	start := strings.Index(src, header)
	end := hclBlockEnd(src, start+len(header)-1)
	if start < 0 || end < 0 {
		t.Fatalf("%s: no complete %s block", unusedAccessExample, header)
	}
	return regexp.MustCompile(`min_unused_days = \d+`).ReplaceAllString(src[start:end+1], "min_unused_days = "+minDays)
}

// With the scenario's credential report (extractor/score/testdata/services):
// user ops signs its calls with key 1 (last used 2026-11-21, in the logs
// and the report), holds a second key created 2025-06-01 and never used
// (542 days up to 2026-11-25), and a console password last used on
// 2026-08-15 (101 days). Findings of one principal sort by access key, the
// password's (none) first.
func TestAccMonitoringUnusedAccess_accessKeys(t *testing.T) {
	db := servicesStore(t, "--credential-report", "../extractor/score/testdata/services/credential-report-333333333333.csv")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// The unused key stops the plan.
				Config:      providerConfig(db) + exampleAccessKeys(t, "90"),
				ExpectError: regexp.MustCompile(`(?s)Resource postcondition failed.*unused access keys:[\s│]+arn:aws:iam::333333333333:user/ops[\s│]+access_key_2`),
			},
			{
				// Not yet 600 days: the plan goes on.
				Config: providerConfig(db) + exampleAccessKeys(t, "600"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.activity_monitoring_unused_access.access_keys", tfjsonpath.New("findings"), knownvalue.ListExact(nil)),
				},
			},
			{
				Config: providerConfig(db) + `data "activity_monitoring_unused_access" "credentials" {
  types = ["unused_access_key", "unused_password"]
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.activity_monitoring_unused_access.credentials", tfjsonpath.New("findings"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"type": knownvalue.StringExact("unused_password"), "principal": knownvalue.StringExact("arn:aws:iam::333333333333:user/ops"),
							"kind": knownvalue.StringExact("iam_user"), "account_id": knownvalue.StringExact("333333333333"),
							"service": knownvalue.Null(), "actions": knownvalue.ListExact(nil), "action_last_used": knownvalue.MapExact(map[string]knownvalue.Check{}),
							"last_used_at": knownvalue.StringExact("2026-08-15T07:30:00Z"), "unused_days": knownvalue.Int64Exact(101),
							"access_key_id": knownvalue.Null(), "created_at": knownvalue.StringExact("2025-01-10T08:05:00Z"),
						}),
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"type": knownvalue.StringExact("unused_access_key"), "principal": knownvalue.StringExact("arn:aws:iam::333333333333:user/ops"),
							"kind": knownvalue.StringExact("iam_user"), "account_id": knownvalue.StringExact("333333333333"),
							"service": knownvalue.Null(), "actions": knownvalue.ListExact(nil), "action_last_used": knownvalue.MapExact(map[string]knownvalue.Check{}),
							"last_used_at": knownvalue.Null(), "unused_days": knownvalue.Int64Exact(542),
							"access_key_id": knownvalue.StringExact("access_key_2"), "created_at": knownvalue.StringExact("2025-06-01T00:00:00Z"),
						}),
					})),
				},
			},
			{
				// The rule constraint: key 2 (542 days) violates 90; key 1 does not.
				Config: ruleConfig(db, `
  name                       = "no-idle-keys"
  max_unused_access_key_days = 90`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ruleAddr, tfjsonpath.New("max_unused_access_key_days"), knownvalue.Int64Exact(90)),
				},
				Check: func(*terraform.State) error {
					out, err := runExtractor("--db", db, "rules", "check", "--as-of", fixtureAsOf, "--window", "30d", "--json")
					if err != nil {
						return err
					}
					if !strings.Contains(string(out), "access key access_key_2 unused for 542 days, more than 90") || strings.Contains(string(out), "access_key_1") {
						return fmt.Errorf("rules check:\n%s", out)
					}
					return nil
				},
			},
		},
	})
}

func TestAccMonitoringUnusedAccess_validation(t *testing.T) {
	db := testDB(t)
	config := func(body string) string {
		return providerConfig(db) + "data \"activity_monitoring_unused_access\" \"x\" {\n  " + body + "\n}\n"
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config(`types = ["unused_key"]`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)types.*value must be one of`)},
			{Config: config(`kinds = ["okta_identity"]`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)kinds.*value must be one of`)},
			{Config: config(`min_unused_days = -1`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)min_unused_days.*at least 0`)},
			{Config: config(`accounts = ["123"]`), PlanOnly: true, ExpectError: regexp.MustCompile(`Invalid Account ID`)},
		},
	})
}

// A rule bounding how long roles go unused is stored, read back, and
// violated by the scenario's role batch (84 days) when scored.
func TestAccMonitoringRule_maxUnusedRoleDays(t *testing.T) {
	db := servicesStore(t)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: ruleConfig(db, `
  name                 = "no-idle-roles"
  max_unused_role_days = 30
  kinds                = ["iam_role"]`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ruleAddr, tfjsonpath.New("max_unused_role_days"), knownvalue.Int64Exact(30)),
				},
				Check: func(*terraform.State) error {
					out, err := runExtractor("--db", db, "rules", "check", "--as-of", fixtureAsOf, "--window", "30d", "--json")
					if err != nil {
						return err
					}
					if !strings.Contains(string(out), `"principal": "arn:aws:iam::333333333333:role/batch"`) ||
						!strings.Contains(string(out), "role unused for 84 days, more than 30") || strings.Contains(string(out), "role/fresh") {
						return fmt.Errorf("rules check:\n%s", out)
					}
					return nil
				},
			},
			{ResourceName: ruleAddr, ImportState: true, ImportStateId: "no-idle-roles", ImportStateVerify: true},
		},
	})
}
