package provider

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/testenv"
)

// requireAccEnv makes a run without acceptance tests a failure: `make test`
// sets it, so the suite cannot pass by skipping them.
const requireAccEnv = "ACTIVITY_REQUIRE_ACC"

var accTestsRun atomic.Int64

var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"activity": providerserver.NewProtocol6WithError(New("test")()),
}

func TestMain(m *testing.M) {
	required := os.Getenv(requireAccEnv) == "1"
	if required && os.Getenv("TF_ACC") != "1" {
		fmt.Fprintf(os.Stderr, "%s=1 but TF_ACC is not 1: the acceptance tests would be skipped\n", requireAccEnv)
		os.Exit(1)
	}
	code := testenv.Run(m)
	if fixture != nil {
		os.RemoveAll(fixture.dir)
	}
	if n := accTestsRun.Load(); n > 0 {
		fmt.Printf("acceptance: %d tests ran on %s\n", n, cliVersion())
	} else if required && code == 0 {
		fmt.Fprintf(os.Stderr, "%s=1 but no acceptance test ran: check TF_ACC_TERRAFORM_PATH and the -run filter\n", requireAccEnv)
		code = 1
	}
	os.Exit(code)
}

// cliVersion names the Terraform CLI the acceptance tests run on.
func cliVersion() string {
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if bin == "" {
		return "the Terraform CLI found on PATH"
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		return bin
	}
	first, _, _ := strings.Cut(string(out), "\n")
	return fmt.Sprintf("%s (%s)", first, bin)
}

// testAccPreCheck runs only when the acceptance test is not skipped; it
// counts the acceptance tests that really ran.
func testAccPreCheck(t *testing.T) {
	t.Helper()
	accTestsRun.Add(1)
}

// testDB is a fresh database path for one test.
func testDB(t *testing.T) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "activity.db")
}

func providerConfig(dbPath string) string {
	return fmt.Sprintf("provider \"activity\" {\n  database = %q\n}\n", dbPath)
}

// openTestStore opens the database the provider wrote, to check it from the
// extractor's side of the contract.
func openTestStore(t *testing.T, path string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestAccProvider_configValidation(t *testing.T) {
	resourceBody := "resource \"activity_monitoring_integration\" \"test\" {\n  account_id = \"111111111111\"\n  trail = \"main\"\n  region = \"us-east-1\"\n}\n"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      "provider \"activity\" {\n  window_days = 400\n}\n" + resourceBody,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)window_days.*between 1 and 365`),
			},
			{
				Config:      "provider \"activity\" {\n  database = \"" + filepath.Join(t.TempDir(), "missing-dir", "x", "activity.db") + "\"\n}\n" + resourceBody,
				ExpectError: regexp.MustCompile(`(?s)Cannot Open Database.*folder exists`),
			},
		},
	})
}
