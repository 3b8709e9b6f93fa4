package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/testenv"
)

// committedReference is the copy of the Service Authorization Reference
// the catalog is checked against in a clone without the shared data,
// gzip-compressed (see testdata/NOTICE.md).
var committedReference = filepath.Join("testdata", "shared", "iam", "service-authorization.json.gz")

// TestCommittedCatalogIsCurrent regenerates the catalog from the reference
// and compares it with the committed one, so a stale catalog fails CI: on
// the shared data's reference when it is there, else on the committed copy.
func TestCommittedCatalogIsCurrent(t *testing.T) {
	dir, full := testenv.SharedData(t, filepath.Join("testdata", "shared"))
	in := filepath.Join(dir, "iam", "service-authorization.json")
	if !full {
		in = committedReference
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
		t.Fatalf("extractor/internal/iam/catalog.tsv is stale against %s: run go generate ./extractor/internal/iam", in)
	}
	t.Logf("catalog.tsv is what %s gives", in)
}

// TestCommittedReferenceIsTheSharedOne checks, where the shared data is,
// that the committed copies are those of the shared data, so that a clone
// without it checks the catalog against the same reference.
func TestCommittedReferenceIsTheSharedOne(t *testing.T) {
	dir, full := testenv.SharedData(t, filepath.Join("testdata", "shared"))
	for _, c := range []struct{ shared, committed string }{
		{filepath.Join(dir, "iam", "service-authorization.json"), committedReference},
		{filepath.Join(dir, "iam", "access-level-overrides.json"), filepath.Join("testdata", "shared", "iam", "access-level-overrides.json")},
	} {
		committed, err := readMaybeGzip(c.committed)
		if err != nil {
			t.Fatal(err)
		}
		if len(committed) < 10000 {
			t.Fatalf("%s holds %d bytes: not the reference", c.committed, len(committed))
		}
		if !full {
			continue
		}
		shared, err := readMaybeGzip(c.shared)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(shared, committed) {
			t.Errorf("%s differs from %s: copy the shared one (gzip -9n for the reference) and regenerate the catalog", c.committed, c.shared)
		}
	}
}

func TestACorruptGzipIsNamed(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json.gz")
	if err := os.WriteFile(bad, []byte{0x1f, 0x8b, 0, 1, 2}, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readMaybeGzip(bad); err == nil || !bytes.Contains([]byte(err.Error()), []byte(bad)) {
		t.Fatalf("a corrupt gzip file gave %v, want an error naming it", err)
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
