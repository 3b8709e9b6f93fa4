package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// scoreCheck compares a float attribute of the state with the report's value.
func scoreCheck(addr, attr string, want *float64) resource.TestCheckFunc {
	if want == nil {
		return resource.TestCheckNoResourceAttr(addr, attr)
	}
	return resource.TestCheckResourceAttr(addr, attr, strconv.FormatFloat(*want, 'f', -1, 64))
}

func TestAccMonitoringOPS_scoresMatchTheReport(t *testing.T) {
	f := scoredStore(t)
	var over, unmon, dormant = -1, -1, -1
	for i, p := range f.report.Principals {
		switch p.ARN {
		case f.overProvisioned:
			over = i
		case f.unmonitored:
			unmon = i
		case f.dormant:
			dormant = i
		}
	}
	if over < 0 || unmon < 0 || dormant < 0 {
		t.Fatalf("the report lacks a demo principal: %d %d %d", over, unmon, dormant)
	}
	o := f.report.Principals[over]
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: providerConfig(f.dbPath) + fmt.Sprintf(`
data "activity_monitoring_ops" "over" {
  principal = %q
}
data "activity_monitoring_ops" "unmonitored" {
  principal = %q
}
data "activity_monitoring_ops" "dormant" {
  principal = %q
}
data "activity_monitoring_ops" "one" {
  principal = %q
  resource  = %q
}`, f.overProvisioned, f.unmonitored, f.dormant, f.overProvisioned, o.Resources[0].ARN),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.activity_monitoring_ops.over", tfjsonpath.New("monitored"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("data.activity_monitoring_ops.over", tfjsonpath.New("as_of"), knownvalue.StringExact(fixtureAsOf)),
					statecheck.ExpectKnownValue("data.activity_monitoring_ops.over", tfjsonpath.New("window_days"), knownvalue.Int64Exact(30)),
					statecheck.ExpectKnownValue("data.activity_monitoring_ops.over", tfjsonpath.New("resources"), knownvalue.ListSizeExact(len(o.Resources))),
					statecheck.ExpectKnownValue("data.activity_monitoring_ops.unmonitored", tfjsonpath.New("monitored"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("data.activity_monitoring_ops.unmonitored", tfjsonpath.New("ops"), knownvalue.Null()),
					statecheck.ExpectKnownValue("data.activity_monitoring_ops.unmonitored", tfjsonpath.New("resource_ops"), knownvalue.Null()),
					statecheck.ExpectKnownValue("data.activity_monitoring_ops.unmonitored", tfjsonpath.New("na_reason"), knownvalue.StringExact("no_logs")),
					statecheck.ExpectKnownValue("data.activity_monitoring_ops.over", tfjsonpath.New("na_reason"), knownvalue.Null()),
					statecheck.ExpectKnownValue("data.activity_monitoring_ops.dormant", tfjsonpath.New("dormant"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("data.activity_monitoring_ops.dormant", tfjsonpath.New("last_activity_at"), knownvalue.Null()),
					statecheck.ExpectKnownValue("data.activity_monitoring_ops.one", tfjsonpath.New("resources"), knownvalue.ListSizeExact(1)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					scoreCheck("data.activity_monitoring_ops.over", "ops", o.OPS),
					scoreCheck("data.activity_monitoring_ops.over", "resource_ops", o.ResourceOPS),
					scoreCheck("data.activity_monitoring_ops.dormant", "ops", f.report.Principals[dormant].OPS),
					resource.TestCheckResourceAttr("data.activity_monitoring_ops.one", "resources.0.arn", o.Resources[0].ARN),
				),
			},
			{
				Config:      providerConfig(f.dbPath) + `data "activity_monitoring_ops" "x" { principal = "arn:aws:iam::111111111111:user/nobody" }`,
				ExpectError: regexp.MustCompile(`(?s)Unknown Principal.*arn:aws:iam::111111111111:user/nobody`),
			},
			{
				Config: providerConfig(f.dbPath) + fmt.Sprintf(`data "activity_monitoring_ops" "x" {
  principal = %q
  as_of     = "0001-01-01T00:00:00Z"
}`, f.overProvisioned),
				ExpectError: regexp.MustCompile(`(?s)Invalid as_of.*before CloudTrail existed`),
			},
			// A window no stored run covers is computed from the facts; a
			// stored one is read. Both at a given as_of.
			{
				Config: providerConfig(f.dbPath) + fmt.Sprintf(`data "activity_monitoring_ops" "week" {
  principal   = %q
  window_days = 7
  as_of       = %q
}
data "activity_monitoring_ops" "stored" {
  principal = %q
  as_of     = %q
}`, f.overProvisioned, fixtureAsOf, f.overProvisioned, fixtureAsOf),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.activity_monitoring_ops.week", tfjsonpath.New("computed"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("data.activity_monitoring_ops.week", tfjsonpath.New("window_days"), knownvalue.Int64Exact(7)),
					statecheck.ExpectKnownValue("data.activity_monitoring_ops.week", tfjsonpath.New("as_of"), knownvalue.StringExact(fixtureAsOf)),
					statecheck.ExpectKnownValue("data.activity_monitoring_ops.week", tfjsonpath.New("monitored"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("data.activity_monitoring_ops.stored", tfjsonpath.New("computed"), knownvalue.Bool(false)),
				},
				Check: scoreCheck("data.activity_monitoring_ops.stored", "ops", o.OPS),
			},
		},
	})
}

// TestAccMonitoringOPS_people reads people federated from Okta by login: two
// share one role, one uses it, the other is dormant.
func TestAccMonitoringOPS_people(t *testing.T) {
	f := scoredStore(t)
	if f.activePerson == "" || f.dormantPerson == "" {
		t.Fatal("the generated world names no Okta people")
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(f.dbPath) + fmt.Sprintf(`
data "activity_monitoring_ops" "active" {
  principal = %q
}
data "activity_monitoring_ops" "idle" {
  principal = %q
}
data "activity_monitoring_principals" "dormant_people" {
  kinds        = ["okta_identity"]
  dormant_only = true
}`, f.activePerson, f.dormantPerson),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.activity_monitoring_ops.active", tfjsonpath.New("kind"), knownvalue.StringExact("okta_identity")),
				statecheck.ExpectKnownValue("data.activity_monitoring_ops.active", tfjsonpath.New("monitored"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue("data.activity_monitoring_ops.active", tfjsonpath.New("dormant"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue("data.activity_monitoring_ops.idle", tfjsonpath.New("arn"), knownvalue.StringExact("okta:"+f.dormantPerson)),
				statecheck.ExpectKnownValue("data.activity_monitoring_ops.idle", tfjsonpath.New("monitored"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue("data.activity_monitoring_ops.idle", tfjsonpath.New("dormant"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue("data.activity_monitoring_ops.idle", tfjsonpath.New("ops"), knownvalue.Float64Exact(100)),
				statecheck.ExpectKnownValue("data.activity_monitoring_ops.idle", tfjsonpath.New("last_activity_at"), knownvalue.Null()),
			},
			Check: resource.TestMatchResourceAttr("data.activity_monitoring_principals.dormant_people", "principals.#", regexp.MustCompile(`^[1-9]`)),
		}},
	})
}

// TestAccMonitoringOPS_postconditionFails is the gate of a pipeline: a plan
// that reads an over-provisioned principal fails with the author's message.
func TestAccMonitoringOPS_postconditionFails(t *testing.T) {
	f := scoredStore(t)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(f.dbPath) + fmt.Sprintf(`
data "activity_monitoring_ops" "deployer" {
  principal = %q
  lifecycle {
    postcondition {
      condition     = coalesce(self.ops, 0) < 50
      error_message = "deployer leaves ${coalesce(self.ops, 0)}%% of its access unused"
    }
  }
}`, f.overProvisioned),
			ExpectError: regexp.MustCompile(`(?s)Resource postcondition failed.*deployer leaves [0-9.]+% of its access unused`),
		}},
	})
}

func TestAccMonitoringPrincipals_filters(t *testing.T) {
	f := scoredStore(t)
	var dormant, above50 []string
	defer func() {
		if len(dormant) == 0 || len(above50) == 0 {
			t.Errorf("the fixture has %d dormant and %d over-provisioned principals; both filters need some", len(dormant), len(above50))
		}
	}()
	for _, p := range f.report.Principals {
		if p.Kind == "root" {
			// Listed by the data source only when its kinds name it.
			continue
		}
		if p.Dormant {
			dormant = append(dormant, p.ARN)
		}
		if p.OPS != nil && *p.OPS >= 50 {
			above50 = append(above50, p.ARN)
		}
	}
	// The holders of the over-provisioned principal's first resource, in
	// the report's order.
	var holdersOf string
	var holders []string
	for _, p := range f.report.Principals {
		if p.ARN == f.overProvisioned && len(p.Resources) > 0 {
			holdersOf = p.Resources[0].ARN
		}
	}
	for _, p := range f.report.Principals {
		for _, r := range p.Resources {
			if r.ARN == holdersOf {
				holders = append(holders, p.ARN)
			}
		}
	}
	if len(holders) == 0 {
		t.Fatal("no holder of the over-provisioned principal's first resource")
	}
	arnsCheck := func(addr string, want []string) statecheck.StateCheck {
		checks := make([]knownvalue.Check, 0, len(want))
		for _, a := range want {
			checks = append(checks, knownvalue.StringExact(a))
		}
		return statecheck.ExpectKnownValue(addr, tfjsonpath.New("arns"), knownvalue.ListExact(checks))
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      providerConfig(f.dbPath) + `data "activity_monitoring_principals" "x" { min_ops = 120 }`,
				ExpectError: regexp.MustCompile(`min_ops`),
			},
			{
				Config: providerConfig(f.dbPath) + `
data "activity_monitoring_principals" "dormant" {
  dormant_only = true
}
data "activity_monitoring_principals" "above" {
  min_ops = 50
}
data "activity_monitoring_principals" "roles" {
  kinds          = ["iam_role"]
  resource_kinds = ["s3_bucket"]
}`,
				ConfigStateChecks: []statecheck.StateCheck{
					arnsCheck("data.activity_monitoring_principals.dormant", dormant),
					arnsCheck("data.activity_monitoring_principals.above", above50),
				},
				Check: func(s *terraform.State) error {
					attrs := s.RootModule().Resources["data.activity_monitoring_principals.roles"].Primary.Attributes
					n, _ := strconv.Atoi(attrs["principals.#"])
					if n == 0 {
						return fmt.Errorf("no role with a bucket grant: the filter check would prove nothing")
					}
					for i := 0; i < n; i++ {
						if k := attrs[fmt.Sprintf("principals.%d.kind", i)]; k != "iam_role" {
							return fmt.Errorf("principal %d has kind %s", i, k)
						}
						m, _ := strconv.Atoi(attrs[fmt.Sprintf("principals.%d.resources.#", i)])
						for j := 0; j < m; j++ {
							if k := attrs[fmt.Sprintf("principals.%d.resources.%d.kind", i, j)]; k != "s3_bucket" {
								return fmt.Errorf("principal %d resource %d has kind %s", i, j, k)
							}
						}
					}
					return nil
				},
			},
			// Who holds access to one bucket, with their score on it; the
			// same from a week's window no stored run covers.
			{
				Config: providerConfig(f.dbPath) + fmt.Sprintf(`
data "activity_monitoring_principals" "holders" {
  resource = %q
}
data "activity_monitoring_principals" "holders_week" {
  resource    = %q
  window_days = 7
}`, holdersOf, holdersOf),
				ConfigStateChecks: []statecheck.StateCheck{
					arnsCheck("data.activity_monitoring_principals.holders", holders),
					statecheck.ExpectKnownValue("data.activity_monitoring_principals.holders", tfjsonpath.New("computed"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("data.activity_monitoring_principals.holders_week", tfjsonpath.New("computed"), knownvalue.Bool(true)),
				},
				Check: func(s *terraform.State) error {
					for _, addr := range []string{"data.activity_monitoring_principals.holders", "data.activity_monitoring_principals.holders_week"} {
						attrs := s.RootModule().Resources[addr].Primary.Attributes
						n, _ := strconv.Atoi(attrs["principals.#"])
						if n != len(holders) {
							return fmt.Errorf("%s: %d principals hold %s, the report says %d", addr, n, holdersOf, len(holders))
						}
						for i := 0; i < n; i++ {
							if attrs[fmt.Sprintf("principals.%d.resources.#", i)] != "1" || attrs[fmt.Sprintf("principals.%d.resources.0.arn", i)] != holdersOf {
								return fmt.Errorf("%s: principal %d does not list %s alone", addr, i, holdersOf)
							}
						}
					}
					return nil
				},
			},
		},
	})
}

func TestAccMonitoringKMSKey_lastActivity(t *testing.T) {
	f := scoredStore(t)
	if len(f.report.KMSKeys) == 0 {
		t.Fatal("the report lists no KMS key")
	}
	k := f.report.KMSKeys[0]
	strOrNull := func(s *string) knownvalue.Check {
		if s == nil {
			return knownvalue.Null()
		}
		return knownvalue.StringExact(*s)
	}
	id := k.ARN[len(k.ARN)-36:]
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: providerConfig(f.dbPath) + fmt.Sprintf(`
data "activity_monitoring_kms_key" "by_arn" {
  key = %q
}
data "activity_monitoring_kms_key" "by_id" {
  key = %q
}`, k.ARN, id),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.activity_monitoring_kms_key.by_arn", tfjsonpath.New("last_activity_at"), strOrNull(k.LastActivityAt)),
					statecheck.ExpectKnownValue("data.activity_monitoring_kms_key.by_arn", tfjsonpath.New("last_viewed_at"), strOrNull(k.LastViewedAt)),
					statecheck.ExpectKnownValue("data.activity_monitoring_kms_key.by_id", tfjsonpath.New("arn"), knownvalue.StringExact(k.ARN)),
				},
			},
			{
				Config:      providerConfig(f.dbPath) + `data "activity_monitoring_kms_key" "x" { key = "alias/nothing" }`,
				ExpectError: regexp.MustCompile(`Unknown KMS Key`),
			},
		},
	})
}

// TestAccMonitoringPrincipals_fromSnapshot reads the dashboard from a
// snapshot that activity-extractor published to a real S3 server.
func TestAccMonitoringPrincipals_fromSnapshot(t *testing.T) {
	f := scoredStore(t)
	url := publishTestSnapshot(t, f.dbPath, "snapshot-scores")
	var dormant []knownvalue.Check
	for _, p := range f.report.Principals {
		if p.Dormant && p.Kind != "root" {
			dormant = append(dormant, knownvalue.StringExact(p.ARN))
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(url) + `data "activity_monitoring_principals" "dormant" { dormant_only = true }`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.activity_monitoring_principals.dormant", tfjsonpath.New("arns"), knownvalue.ListExact(dormant)),
			},
		}},
	})
}

// TestAccMonitoringOPS_backfillIsNotRead: scoring a past window after the
// present one (a back-fill) leaves what a data source without as_of reads
// alone: the run whose window ends last, not the run computed last.
func TestAccMonitoringOPS_backfillIsNotRead(t *testing.T) {
	f := scoredStore(t)
	raw, err := os.ReadFile(f.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "activity.db")
	if err := os.WriteFile(db, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	const past = "2026-11-10T00:00:00Z"
	if _, err := runExtractor("--db", db, "score", "--window", "30d", "--as-of", past); err != nil {
		t.Fatal(err)
	}
	var over *float64
	for _, p := range f.report.Principals {
		if p.ARN == f.overProvisioned {
			over = p.OPS
		}
	}
	if over == nil {
		t.Fatalf("the report has no score for %s", f.overProvisioned)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(db) + fmt.Sprintf(`
data "activity_monitoring_ops" "over" {
  principal = %q
}`, f.overProvisioned),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.activity_monitoring_ops.over", tfjsonpath.New("as_of"), knownvalue.StringExact(fixtureAsOf)),
			},
			Check: scoreCheck("data.activity_monitoring_ops.over", "ops", over),
		}},
	})
}

// TestAccMonitoringOPS_deniedAndRoot: the denied attempts of the principal
// that made the most kinds of them, and a root user, read as the report
// shows them.
func TestAccMonitoringOPS_deniedAndRoot(t *testing.T) {
	f := scoredStore(t)
	most, root := -1, -1
	// The data source lists root users as it lists any principal without a
	// score: dormant first, then by ARN.
	var dormantRoots, activeRoots []string
	for i, p := range f.report.Principals {
		if most < 0 || len(p.Denied) > len(f.report.Principals[most].Denied) {
			most = i
		}
		if p.Kind != "root" {
			continue
		}
		if root < 0 {
			root = i
		}
		if p.Dormant {
			dormantRoots = append(dormantRoots, p.ARN)
		} else {
			activeRoots = append(activeRoots, p.ARN)
		}
	}
	sort.Strings(dormantRoots)
	sort.Strings(activeRoots)
	var roots []knownvalue.Check
	for _, a := range append(dormantRoots, activeRoots...) {
		roots = append(roots, knownvalue.StringExact(a))
	}
	if most < 0 || len(f.report.Principals[most].Denied) < 2 || root < 0 {
		t.Fatalf("the fixture needs a principal with denied attempts of two kinds and a root user (most: %d, root: %d)", most, root)
	}
	p := f.report.Principals[most]
	var denied, lines []knownvalue.Check
	for _, d := range p.Denied {
		var res knownvalue.Check = knownvalue.Null()
		on := "-"
		if d.Resource != nil {
			res, on = knownvalue.StringExact(*d.Resource), *d.Resource
		}
		// The output of the data source's example, which reads the list.
		lines = append(lines, knownvalue.StringExact(fmt.Sprintf("%d x %s on %s: %s", d.Count, d.Action, on, d.ErrorCode)))
		denied = append(denied, knownvalue.ObjectExact(map[string]knownvalue.Check{
			"action": knownvalue.StringExact(d.Action), "resource": res, "error_code": knownvalue.StringExact(d.ErrorCode),
			"count": knownvalue.Int64Exact(d.Count), "last_at": knownvalue.StringExact(d.LastAt),
		}))
	}
	r := f.report.Principals[root]
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(f.dbPath) + fmt.Sprintf(`
data "activity_monitoring_ops" "denied" {
  principal = %q
}
data "activity_monitoring_ops" "root" {
  principal = %q
}
data "activity_monitoring_principals" "roots" {
  kinds = ["root"]
}
output "denied" {
  value = [
    for d in data.activity_monitoring_ops.denied.denied :
    "${d.count} x ${d.action} on ${coalesce(d.resource, "-")}: ${d.error_code}"
  ]
}`, p.ARN, r.ARN),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.activity_monitoring_ops.denied", tfjsonpath.New("denied"), knownvalue.ListExact(denied)),
				statecheck.ExpectKnownValue("data.activity_monitoring_ops.root", tfjsonpath.New("kind"), knownvalue.StringExact("root")),
				statecheck.ExpectKnownValue("data.activity_monitoring_ops.root", tfjsonpath.New("ops"), knownvalue.Null()),
				statecheck.ExpectKnownValue("data.activity_monitoring_ops.root", tfjsonpath.New("na_reason"), knownvalue.StringExact("root_user")),
				statecheck.ExpectKnownValue("data.activity_monitoring_ops.root", tfjsonpath.New("dormant"), knownvalue.Bool(r.Dormant)),
				statecheck.ExpectKnownValue("data.activity_monitoring_ops.root", tfjsonpath.New("resources"), knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownValue("data.activity_monitoring_principals.roots", tfjsonpath.New("arns"), knownvalue.ListExact(roots)),
				statecheck.ExpectKnownOutputValue("denied", knownvalue.ListExact(lines)),
			},
		}},
	})
}
