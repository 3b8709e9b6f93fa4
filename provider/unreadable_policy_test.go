package provider

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/cli"
)

// TestAccMonitoringOPS_unreadablePolicy: a principal with a policy discover
// could not parse has no OPS, not even on one resource it is granted
// something on by its readable policies; its neighbour is scored.
func TestAccMonitoringOPS_unreadablePolicy(t *testing.T) {
	const (
		auditor  = "arn:aws:iam::123837392027:user/auditor"
		benjamin = "arn:aws:iam::123837392027:user/benjamin"
		bucket   = "arn:aws:s3:::invictus-aws-2022-10-27-e0xdv"
	)
	db := filepath.Join(t.TempDir(), "activity.db")
	if _, err := runExtractor("--db", db, "extract", "--source", "../extractor/internal/cloudtrail/testdata/invictus", "--as-of", "2023-07-11T00:00:00Z"); err != nil {
		t.Fatal(err)
	}
	// The unreadable policies are inputs skipped: exit status 3.
	var skipped *extractorError
	if _, err := runExtractor("--db", db, "discover", "--authz-details", "../extractor/cli/testdata/unreadable-authz-details.json"); !errors.As(err, &skipped) || cli.ExitCode(skipped.err) != cli.ExitSkipped {
		t.Fatalf("discover: %v, want exit status %d", err, cli.ExitSkipped)
	}
	if _, err := runExtractor("--db", db, "score", "--window", "30d", "--as-of", "2023-07-11T00:00:00Z"); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(db) + fmt.Sprintf(`
data "activity_monitoring_ops" "auditor" {
  principal = %[1]q
  resource  = %[3]q
}
data "activity_monitoring_ops" "benjamin" {
  principal = %[2]q
  resource  = %[3]q
}`, auditor, benjamin, bucket),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.activity_monitoring_ops.auditor", tfjsonpath.New("ops"), knownvalue.Null()),
				statecheck.ExpectKnownValue("data.activity_monitoring_ops.auditor", tfjsonpath.New("resource_ops"), knownvalue.Null()),
				statecheck.ExpectKnownValue("data.activity_monitoring_ops.auditor", tfjsonpath.New("na_reason"), knownvalue.StringExact("policy_unreadable")),
				statecheck.ExpectKnownValue("data.activity_monitoring_ops.auditor", tfjsonpath.New("resources").AtSliceIndex(0).AtMapKey("ops"), knownvalue.Null()),
				statecheck.ExpectKnownValue("data.activity_monitoring_ops.benjamin", tfjsonpath.New("ops"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue("data.activity_monitoring_ops.benjamin", tfjsonpath.New("na_reason"), knownvalue.Null()),
			},
		}},
	})
}
