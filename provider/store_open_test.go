package provider

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/testenv"
)

// Data sources read a database whose file and folder are read-only, as on a
// CI runner's read-only checkout; a change to it is refused with the reason.
func TestDataSourcesReadAReadOnlyDatabase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "activity.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateIntegration(ctx, activity.Integration{AccountID: "111111111111", Trail: "org", Region: "us-east-1"}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	testenv.ReadOnly(t, path, dir)
	data := &providerData{databasePath: path, database: path}

	var diags diag.Diagnostics
	r, ok := openScoreReader(ctx, data, &diags)
	if !ok {
		t.Fatalf("a data source could not open a read-only database: %v", diags)
	}
	ins, err := r.Integrations(ctx)
	r.Close()
	if err != nil || len(ins) != 1 {
		t.Errorf("integrations %v, %v", ins, err)
	}
	diags = nil
	if w, ok := openWritableStore(ctx, data, &diags); ok {
		// SQLite may open a read-only file; the write must still fail.
		err := w.CreateIntegration(ctx, activity.Integration{AccountID: "222222222222", Trail: "org", Region: "us-east-1"})
		w.Close()
		if err == nil {
			t.Error("a change was written to a read-only database")
		}
	}
}

// A database setting naming another program's SQLite file is refused with
// a diagnostic that says so, and the file is left unchanged.
func TestAnotherProgramsDatabaseIsADiagnostic(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "app.db")
	raw, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`CREATE TABLE notes (body TEXT)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data := &providerData{databasePath: path, database: path}
	var d diag.Diagnostics
	if _, ok := openScoreReader(ctx, data, &d); ok {
		t.Error("a data source opened another program's database")
	}
	checkForeign(t, d)
	d = nil
	if _, ok := openWritableStore(ctx, data, &d); ok {
		t.Error("a resource opened another program's database")
	}
	checkForeign(t, d)
	after, err := os.ReadFile(path)
	if err != nil || string(after) != string(before) {
		t.Errorf("the file changed (%v)", err)
	}
}

func checkForeign(t *testing.T, d diag.Diagnostics) {
	t.Helper()
	if !d.HasError() || d[0].Summary() != "Not an Activity Database" || !strings.Contains(d[0].Detail(), "tables notes") {
		t.Errorf("diagnostics %v; want Not an Activity Database naming its tables", d)
	}
}
