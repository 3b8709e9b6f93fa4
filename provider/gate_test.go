package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// The documented gates are tested as written in the examples, read from
// their files, so that an example that stops working on a CLI fails here.
const (
	gateDeploymentsDir = "../examples/gate-deployments"
	opsDataSourceFile  = "../examples/data-sources/activity_monitoring_ops/data-source.tf"
	gateBlockHeader    = `data "activity_monitoring_ops" "deployer" {`
	gateAddress        = "data.activity_monitoring_ops.deployer"
	// gateMaxOPS is the max_ops the deployments example is run with.
	gateMaxOPS = 50
)

// gateConditionForm is the one form of gate that works on Terraform 1.11 as
// on OpenTofu: a null (N/A) ops counts as 0.
var gateConditionForm = regexp.MustCompile(`^coalesce\(self\.ops, 0\) (<|<=) (\S+)$`)

// exampleGate is the postcondition of the example's deployer data source.
type exampleGate struct {
	block        string // the data source's block, as written
	op, limit    string // the condition's comparison and right-hand side
	errorMessage string // the error_message template, without its quotes
}

func readExampleGate(t *testing.T, file string) exampleGate {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	src := string(raw)
	start := strings.Index(src, gateBlockHeader)
	if start < 0 {
		t.Fatalf("%s: no %s block", file, gateBlockHeader)
	}
	end := hclBlockEnd(src, start+len(gateBlockHeader)-1)
	if end < 0 {
		t.Fatalf("%s: the %s block does not end", file, gateBlockHeader)
	}
	g := exampleGate{block: src[start : end+1]}
	cond := regexp.MustCompile(`(?m)^\s*condition\s*=\s*(.*?)\s*$`).FindStringSubmatch(g.block)
	if cond == nil {
		t.Fatalf("%s: the deployer's postcondition has no condition", file)
	}
	m := gateConditionForm.FindStringSubmatch(cond[1])
	if m == nil {
		t.Fatalf("%s: the gate %q is not of the form %s: check it on Terraform 1.11 and OpenTofu, then update this test", file, cond[1], gateConditionForm)
	}
	g.op, g.limit = m[1], m[2]
	msg := regexp.MustCompile(`error_message\s*=\s*"`).FindStringIndex(g.block)
	if msg == nil {
		t.Fatalf("%s: the deployer's postcondition has no error_message", file)
	}
	closing := hclStringEnd(g.block, msg[1]-1)
	if closing < 0 {
		t.Fatalf("%s: the error_message does not end", file)
	}
	g.errorMessage = g.block[msg[1]:closing]
	return g
}

// passes says whether the gate lets a principal with this ops through.
func (g exampleGate) passes(ops *float64, limit float64) bool {
	v := 0.0
	if ops != nil {
		v = *ops
	}
	if g.op == "<" {
		return v < limit
	}
	return v <= limit
}

// failure matches the plan's error for the gate: the example's message with
// each interpolation standing for any text, and each space for a line break
// too, where the CLI wraps the message.
func (g exampleGate) failure() *regexp.Regexp {
	space := regexp.MustCompile(`\s+`)
	literal := func(s string) string { return space.ReplaceAllLiteralString(regexp.QuoteMeta(s), `[\s│]+`) }
	var b strings.Builder
	b.WriteString(`(?s)Resource postcondition failed.*`)
	rest := g.errorMessage
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			b.WriteString(literal(rest))
			return regexp.MustCompile(b.String())
		}
		b.WriteString(literal(rest[:i]) + `.+?`)
		rest = rest[hclBlockEnd(rest, i+1)+1:]
	}
}

// hclBlockEnd is the index of the brace that closes the one at open,
// skipping strings (with their interpolations) and # comments; -1 if none.
func hclBlockEnd(src string, open int) int {
	depth := 0
	for i := open; i < len(src); i++ {
		switch src[i] {
		case '"':
			if i = hclStringEnd(src, i); i < 0 {
				return -1
			}
		case '#':
			n := strings.IndexByte(src[i:], '\n')
			if n < 0 {
				return -1
			}
			i += n
		case '{':
			depth++
		case '}':
			if depth--; depth == 0 {
				return i
			}
		}
	}
	return -1
}

// hclStringEnd is the index of the quote that closes the one at open.
func hclStringEnd(src string, open int) int {
	for i := open + 1; i < len(src); i++ {
		switch {
		case src[i] == '\\':
			i++
		case src[i] == '"':
			return i
		case strings.HasPrefix(src[i:], "${"):
			if i = hclBlockEnd(src, i+1); i < 0 {
				return -1
			}
		}
	}
	return -1
}

// gateCase is one principal of the fixture through a gate.
type gateCase struct {
	name, principal string
	ops             *float64
}

// gateCases are an N/A principal, the dormant one, and two chosen by their
// ops in the report, whatever ops measures: one below the limit, and one at
// or above it (the fixture's over-provisioned principal when its ops is, else
// the monitored principal with the highest ops that is not dormant).
func gateCases(t *testing.T, f *scoredFixture, limit float64) []gateCase {
	t.Helper()
	byARN := map[string]int{}
	below, above := -1, -1
	for i, p := range f.report.Principals {
		byARN[p.ARN] = i
		if !p.Monitored || p.Dormant || p.OPS == nil {
			continue
		}
		if below < 0 && *p.OPS < limit {
			below = i
		}
		if *p.OPS >= limit && (above < 0 || *p.OPS > *f.report.Principals[above].OPS) {
			above = i
		}
	}
	if i, ok := byARN[f.overProvisioned]; ok && f.report.Principals[i].OPS != nil && *f.report.Principals[i].OPS >= limit {
		above = i
	}
	if below < 0 || above < 0 {
		t.Fatalf("the fixture needs monitored principals with ops below and at or above %v", limit)
	}
	var out []gateCase
	for _, c := range []struct{ name, arn string }{
		{"not_applicable", f.unmonitored},
		{"below_limit", f.report.Principals[below].ARN},
		{"dormant", f.dormant},
		{"over_provisioned", f.report.Principals[above].ARN},
	} {
		i, ok := byARN[c.arn]
		if !ok {
			t.Fatalf("the report lacks %s (%s)", c.arn, c.name)
		}
		out = append(out, gateCase{name: c.name, principal: c.arn, ops: f.report.Principals[i].OPS})
	}
	if out[0].ops != nil {
		t.Fatalf("%s has ops %v; the N/A case needs a null ops", out[0].principal, *out[0].ops)
	}
	return out
}

func opsText(ops *float64) string {
	if ops == nil {
		return "null"
	}
	return strconv.FormatFloat(*ops, 'f', -1, 64)
}

// gateStep is the step of one case: a pass with the principal's ops in state,
// or the failure with the example's message.
func gateStep(g exampleGate, c gateCase, limit float64) resource.TestStep {
	if !g.passes(c.ops, limit) {
		return resource.TestStep{ExpectError: g.failure()}
	}
	var ops knownvalue.Check = knownvalue.Null()
	if c.ops != nil {
		ops = knownvalue.Float64Exact(*c.ops)
	}
	return resource.TestStep{ConfigStateChecks: []statecheck.StateCheck{
		statecheck.ExpectKnownValue(gateAddress, tfjsonpath.New("ops"), ops),
	}}
}

// onlyReads is a plan that has nothing to do but read these data sources.
type onlyReads []string

func (o onlyReads) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if !rc.Change.Actions.NoOp() && !(rc.Change.Actions.Read() && slices.Contains(o, rc.Address)) {
			resp.Error = errors.Join(resp.Error, fmt.Errorf("%s: %v", rc.Address, rc.Change.Actions))
		}
	}
}

// TestAccGate_deploymentsExample runs examples/gate-deployments unchanged.
func TestAccGate_deploymentsExample(t *testing.T) {
	f := scoredStore(t)
	g := readExampleGate(t, filepath.Join(gateDeploymentsDir, "main.tf"))
	if g.limit != "var.max_ops" {
		t.Fatalf("the deployments gate compares ops with %s, not var.max_ops", g.limit)
	}
	for _, c := range gateCases(t, f, gateMaxOPS) {
		t.Run(c.name, func(t *testing.T) {
			t.Logf("%s, ops %s", c.principal, opsText(c.ops))
			step := gateStep(g, c, gateMaxOPS)
			step.ConfigDirectory = config.StaticDirectory(gateDeploymentsDir)
			// The example configures the provider itself: plugin-testing then
			// wants the provider server on the step, not on the test case.
			step.ProtoV6ProviderFactories = testAccProtoV6ProviderFactories
			if step.ExpectError == nil {
				// Every plan reads the check block's data source again.
				step.ExpectNonEmptyPlan = true
				only := onlyReads{"data.activity_monitoring_principals.dormant"}
				step.ConfigPlanChecks = resource.ConfigPlanChecks{
					PostApplyPreRefresh:  []plancheck.PlanCheck{only},
					PostApplyPostRefresh: []plancheck.PlanCheck{only},
				}
			}
			step.ConfigVariables = config.Variables{
				"database": config.StringVariable(f.dbPath),
				"deployer": config.StringVariable(c.principal),
				"max_ops":  config.IntegerVariable(gateMaxOPS),
			}
			resource.Test(t, resource.TestCase{
				PreCheck: func() { testAccPreCheck(t) },
				Steps:    []resource.TestStep{step},
			})
		})
	}
}

// TestAccGate_dataSourceExample runs the gate of the activity_monitoring_ops
// example, its block as written with the fixture's principal in it.
func TestAccGate_dataSourceExample(t *testing.T) {
	f := scoredStore(t)
	g := readExampleGate(t, opsDataSourceFile)
	limit, err := strconv.ParseFloat(g.limit, 64)
	if err != nil {
		t.Fatalf("the example's gate compares ops with %s, not a number", g.limit)
	}
	principalLine := regexp.MustCompile(`(?m)^\s*principal\s*=\s*"[^"]*"`)
	if !principalLine.MatchString(g.block) {
		t.Fatalf("the example's block names no principal:\n%s", g.block)
	}
	for _, c := range gateCases(t, f, limit) {
		t.Run(c.name, func(t *testing.T) {
			t.Logf("%s, ops %s", c.principal, opsText(c.ops))
			step := gateStep(g, c, limit)
			step.Config = providerConfig(f.dbPath) + principalLine.ReplaceAllLiteralString(g.block, fmt.Sprintf("  principal = %q", c.principal))
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    []resource.TestStep{step},
			})
		})
	}
}
