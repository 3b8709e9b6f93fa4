package store

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/testenv"
)

// dirNames lists a folder, to show that reading wrote nothing beside the
// database.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// A database on a read-only file, or in a read-only folder, is read without
// writing: OpenExisting reads it, and a write through it fails.
func TestOpenExistingReadsAReadOnlyDatabase(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name      string
		folderToo bool
	}{
		{"read-only file", false},
		{"read-only file and folder", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "activity.db")
			db, err := Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			in := activity.Integration{AccountID: "111111111111", Trail: "org-trail", Region: "us-east-1"}
			if err := db.CreateIntegration(ctx, in); err != nil {
				t.Fatal(err)
			}
			db.Close()
			before, names := fileSum(t, path), dirNames(t, dir)
			paths := []string{path}
			if c.folderToo {
				paths = append(paths, dir)
			}
			testenv.ReadOnly(t, paths...)

			ro, err := OpenExisting(ctx, path)
			if err != nil {
				t.Fatalf("OpenExisting: %v", err)
			}
			if !ro.ReadOnly() {
				t.Error("ReadOnly() is false on a read-only file")
			}
			got, err := ro.Integrations(ctx)
			if err != nil || len(got) != 1 || got[0].AccountID != in.AccountID {
				t.Errorf("integrations %+v, %v", got, err)
			}
			in.AccountID = "222222222222"
			if err := ro.CreateIntegration(ctx, in); err == nil {
				t.Error("a write through a read-only open succeeded")
			}
			ro.Close()
			if fileSum(t, path) != before {
				t.Error("the database changed")
			}
			if c.folderToo && !slices.Equal(dirNames(t, dir), names) {
				t.Errorf("the folder holds %v after reading, %v before", dirNames(t, dir), names)
			}
		})
	}
}

// A read-only database of an earlier schema cannot be upgraded where it is:
// the error says so and what to do, instead of misreading its tables.
func TestOpenExistingRefusesAnOldReadOnlySchema(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "activity.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().Exec(`DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	testenv.ReadOnly(t, path, dir)
	_, err = OpenExisting(ctx, path)
	if err == nil || !strings.Contains(err.Error(), "older than this release") || !strings.Contains(err.Error(), "write access") {
		t.Errorf("err = %v; want the schema named older, and what to do", err)
	}
}
