package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestCommittedCatalogIsCurrent regenerates the catalog from the reference
// and compares it with the committed one, so a stale catalog fails CI where
// the reference is available.
func TestCommittedCatalogIsCurrent(t *testing.T) {
	dir := os.Getenv("ACTIVITY_SHARED_DATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "..", "..", "..", "shared", "data")
	}
	in := filepath.Join(dir, "iam", "service-authorization.json")
	if _, err := os.Stat(in); err != nil {
		t.Skipf("the Service Authorization Reference is absent (%v); set ACTIVITY_SHARED_DATA to check the committed catalog", err)
	}
	out := filepath.Join(t.TempDir(), "catalog.tsv")
	if err := run(in, filepath.Join(dir, "iam", "access-level-overrides.json"), out); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("..", "..", "catalog.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("extractor/internal/iam/catalog.tsv is stale: run go generate ./extractor/internal/iam")
	}
}

func TestRunRejectsMissingInput(t *testing.T) {
	if err := run("", "", filepath.Join(t.TempDir(), "x")); err == nil {
		t.Fatal("no error without -in")
	}
	if err := run(filepath.Join(t.TempDir(), "absent.json"), "", filepath.Join(t.TempDir(), "x")); err == nil {
		t.Fatal("no error for a missing input")
	}
}
