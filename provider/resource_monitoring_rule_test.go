package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

const ruleAddr = "activity_monitoring_rule.test"

func ruleConfig(dbPath, body string) string {
	return providerConfig(dbPath) + "resource \"activity_monitoring_rule\" \"test\" {\n" + body + "\n}\n"
}

func checkRuleStored(dbPath string, check func(store.Rule) error) resource.TestCheckFunc {
	return func(*terraform.State) error {
		db, err := store.Open(context.Background(), dbPath)
		if err != nil {
			return err
		}
		defer db.Close()
		all, err := db.Rules(context.Background())
		if err != nil {
			return err
		}
		if len(all) != 1 {
			return fmt.Errorf("%d rules stored, want 1: %+v", len(all), all)
		}
		return check(all[0])
	}
}

func TestAccMonitoringRule_lifecycle(t *testing.T) {
	dbPath := testDB(t)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			all, err := openTestStore(t, dbPath).Rules(context.Background())
			if err != nil || len(all) != 0 {
				return fmt.Errorf("rules left after destroy: %+v (%v)", all, err)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: ruleConfig(dbPath, `
  name           = "kms-users"
  description    = "No IAM user above 80 on any KMS key"
  max_ops        = 80
  kinds          = ["iam_user"]
  resource_kinds = ["kms_key"]`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ruleAddr, tfjsonpath.New("id"), knownvalue.StringExact("kms-users")),
					statecheck.ExpectKnownValue(ruleAddr, tfjsonpath.New("no_dormant"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(ruleAddr, tfjsonpath.New("accounts"), knownvalue.Null()),
				},
				Check: checkRuleStored(dbPath, func(r store.Rule) error {
					if r.Name != "kms-users" || r.MaxOPS == nil || *r.MaxOPS != 80 || r.Kinds[0] != "iam_user" || r.ResourceKinds[0] != "kms_key" {
						return fmt.Errorf("stored %+v", r)
					}
					return nil
				}),
			},
			{
				Config: ruleConfig(dbPath, `
  name       = "kms-users"
  no_dormant = true
  accounts   = ["111111111111", "222222222222"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(ruleAddr, plancheck.ResourceActionUpdate)},
				},
				Check: checkRuleStored(dbPath, func(r store.Rule) error {
					if r.MaxOPS != nil || !r.NoDormant || len(r.Accounts) != 2 || len(r.Kinds) != 0 || r.Description != "" {
						return fmt.Errorf("stored %+v", r)
					}
					return nil
				}),
			},
			{ResourceName: ruleAddr, ImportState: true, ImportStateId: "kms-users", ImportStateVerify: true},
			{
				Config: ruleConfig(dbPath, `
  name       = "no-dormant"
  no_dormant = true
  accounts   = ["111111111111", "222222222222"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(ruleAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				Check: checkRuleStored(dbPath, func(r store.Rule) error {
					if r.Name != "no-dormant" {
						return fmt.Errorf("stored %+v", r)
					}
					return nil
				}),
			},
		},
	})
}

func TestAccMonitoringRule_validation(t *testing.T) {
	dbPath := testDB(t)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: ruleConfig(dbPath, `name = "nothing"`), PlanOnly: true, ExpectError: regexp.MustCompile(`Rule Without a Constraint`)},
			{Config: ruleConfig(dbPath, "name = \"x\"\n  max_ops = 101"), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)max_ops.*between 0.* and 100`)},
			{Config: ruleConfig(dbPath, "name = \"x\"\n  max_unused_role_days = -1"), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)max_unused_role_days.*between 0 and 3650`)},
			{Config: ruleConfig(dbPath, "name = \"x\"\n  no_dormant = true\n  kinds = [\"robot\"]"), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)kinds.*value must be one of`)},
			{Config: ruleConfig(dbPath, "name = \"x\"\n  no_dormant = true\n  resource_kinds = [\"ec2_instance\"]"), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)resource_kinds.*value must be one of`)},
			{Config: ruleConfig(dbPath, "name = \"x\"\n  no_dormant = true\n  accounts = [\"123\"]"), PlanOnly: true,
				ExpectError: regexp.MustCompile(`Invalid Account ID`)},
			{Config: ruleConfig(dbPath, "name = \"x\"\n  no_dormant = true\n  description = \""+strings.Repeat("d", 5000)+"\""), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)description.*length must be at most 1024`)},
			{
				PreConfig: func() {
					if err := openTestStore(t, dbPath).CreateRule(context.Background(), store.Rule{Name: "taken", NoDormant: true}); err != nil {
						t.Fatal(err)
					}
				},
				Config:      ruleConfig(dbPath, "name = \"taken\"\n  no_dormant = true"),
				ExpectError: regexp.MustCompile(`(?s)Rule Already Exists.*terraform import`),
			},
		},
	})
	if _, err := openTestStore(t, dbPath).Rule(context.Background(), "x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an invalid rule reached the database: %v", err)
	}
}
