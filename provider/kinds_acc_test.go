package provider

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// The generated organization's queue, topic, function and table roles
// (internal/generate/kinds.go) are found by resource_kinds with the OPS
// computed by hand there, and a postcondition on one kind gates a plan.
func TestAccMonitoringPrincipals_newerKinds(t *testing.T) {
	f := scoredStore(t)
	want := map[string]struct {
		role string
		ops  float64
	}{"sqs_queue": {"queue-worker", 40}, "sns_topic": {"topic-publisher", 75}, "lambda_function": {"function-invoker", 0}, "dynamodb_table": {"table-reader", 66.7}}
	var config strings.Builder
	for kind := range want {
		fmt.Fprintf(&config, "data \"activity_monitoring_principals\" %q {\n  resource_kinds = [%q]\n}\n", kind, kind)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: providerConfig(f.dbPath) + config.String(),
				Check: func(s *terraform.State) error {
					for kind, w := range want {
						attrs := s.RootModule().Resources["data.activity_monitoring_principals."+kind].Primary.Attributes
						n, _ := strconv.Atoi(attrs["principals.#"])
						found := false
						for i := range n {
							m, _ := strconv.Atoi(attrs[fmt.Sprintf("principals.%d.resources.#", i)])
							for j := range m {
								if k := attrs[fmt.Sprintf("principals.%d.resources.%d.kind", i, j)]; k != kind {
									return fmt.Errorf("%s: principal %d resource %d has kind %s", kind, i, j, k)
								}
							}
							if !strings.HasSuffix(attrs[fmt.Sprintf("principals.%d.arn", i)], ":role/"+w.role) {
								continue
							}
							found = true
							if got := attrs[fmt.Sprintf("principals.%d.resources.0.ops", i)]; m != 1 || got != strconv.FormatFloat(w.ops, 'f', -1, 64) {
								return fmt.Errorf("%s: role %s has %d resources, ops %s; want one with ops %v", kind, w.role, m, got, w.ops)
							}
						}
						if !found {
							return fmt.Errorf("%s: role %s not among the %d principals", kind, w.role, n)
						}
					}
					return nil
				},
			},
			{
				Config: providerConfig(f.dbPath) + `
data "activity_monitoring_principals" "queues" {
  resource_kinds = ["sqs_queue"]
  lifecycle {
    postcondition {
      condition     = alltrue(flatten([for p in self.principals : [for r in p.resources : coalesce(r.ops, 0) <= 30]]))
      error_message = "a principal leaves more than 30% of its access to a queue unused"
    }
  }
}`,
				ExpectError: regexp.MustCompile(`(?s)Resource postcondition failed.*more than 30% of its access to a queue unused`),
			},
		},
	})
}
