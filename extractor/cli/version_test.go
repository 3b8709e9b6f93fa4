package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// --version names the release, the provider of the same release and the
// schema version a database this release creates actually has.
func TestVersionPrintsReleaseProviderAndSchema(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	schema, err := db.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if schema == 0 {
		t.Fatal("a new database has schema version 0: no migration ran")
	}

	out, errs, code := run(t, "--version")
	if code != ExitOK {
		t.Fatalf("--version: exit %d, stderr %q", code, errs)
	}
	want := fmt.Sprintf("activity-extractor test\nterraform-provider-activity test (plugin protocol 6)\ndatabase schema version %d\n", schema)
	if out != want {
		t.Errorf("--version printed\n%s\nwant\n%s", out, want)
	}
	if strings.Contains(out, "{{") {
		t.Errorf("--version printed an unexpanded template: %q", out)
	}
}
