package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func fixedNow() time.Time { return time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC) }

func writeFragment(t *testing.T, root, name, text string) {
	t.Helper()
	dir := filepath.Join(root, ".changes", "unreleased")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestBatchMakesOneSectionPerReleaseAndNotesReadItBack(t *testing.T) {
	root := t.TempDir()
	writeFragment(t, root, "b.yaml", "kind: BUG FIXES\nbody: 'extractor: a fix, with ''quotes'''\ntime: 2026-12-02T10:00:00Z\n")
	writeFragment(t, root, "f.yaml", "kind: FEATURES\nbody: a feature\ntime: 2026-12-03T10:00:00Z\n")
	writeFragment(t, root, "a.yaml", "kind: BUG FIXES\nbody: an older fix\ntime: 2026-12-01T10:00:00Z\n")
	if err := run([]string{"-root", root, "batch", "v0.1.0"}, &bytes.Buffer{}, fixedNow); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(root, "CHANGELOG.md"))
	if err != nil {
		t.Fatal(err)
	}
	want := "# Changelog\n\n## 0.1.0 (December 04, 2026)\n\nFEATURES:\n\n* a feature\n\nBUG FIXES:\n\n* an older fix\n* extractor: a fix, with 'quotes'\n"
	if string(got) != want {
		t.Fatalf("CHANGELOG.md:\n%s\nwant:\n%s", got, want)
	}
	if left, _ := filepath.Glob(filepath.Join(root, ".changes", "unreleased", "*.yaml")); len(left) != 0 {
		t.Errorf("fragments left after batch: %v", left)
	}

	writeFragment(t, root, "n.yaml", "kind: NOTES\nbody: a note\ntime: 2026-12-05T10:00:00Z\n")
	if err := run([]string{"-root", root, "batch", "0.2.0"}, &bytes.Buffer{}, fixedNow); err != nil {
		t.Fatal(err)
	}
	for version, want := range map[string]string{
		"0.2.0": "NOTES:\n\n* a note\n",
		"0.1.0": "FEATURES:\n\n* a feature\n\nBUG FIXES:\n\n* an older fix\n* extractor: a fix, with 'quotes'\n",
	} {
		var out bytes.Buffer
		if err := run([]string{"-root", root, "notes", version}, &out, fixedNow); err != nil {
			t.Fatal(err)
		}
		if out.String() != want {
			t.Errorf("notes %s:\n%s\nwant:\n%s", version, out.String(), want)
		}
	}
	err = run([]string{"-root", root, "batch", "0.2.0"}, &bytes.Buffer{}, fixedNow)
	if err == nil || !strings.Contains(err.Error(), "already has a section for 0.2.0") {
		t.Errorf("second batch of 0.2.0: %v, want a refusal", err)
	}
	err = run([]string{"-root", root, "notes", "0.3.0"}, &bytes.Buffer{}, fixedNow)
	if err == nil || !strings.Contains(err.Error(), "changelog batch 0.3.0") {
		t.Errorf("notes of a release without a section: %v, want the command that makes it", err)
	}
}

func TestBadFragmentsAreNamed(t *testing.T) {
	for name, text := range map[string]string{
		"kind":  "kind: FIXES\nbody: x\ntime: 2026-12-01T10:00:00Z\n",
		"body":  "kind: NOTES\nbody: ''\ntime: 2026-12-01T10:00:00Z\n",
		"time":  "kind: NOTES\nbody: x\n",
		"field": "kind: NOTES\nbody: x\ntime: 2026-12-01T10:00:00Z\nauthor: y\n",
	} {
		root := t.TempDir()
		writeFragment(t, root, name+".yaml", text)
		err := run([]string{"-root", root, "unreleased", "1.0.0"}, &bytes.Buffer{}, fixedNow)
		if err == nil || !strings.Contains(err.Error(), name+".yaml") {
			t.Errorf("%s: error %v, want one naming the file", name, err)
		}
	}
	if err := run([]string{"unreleased", "one"}, &bytes.Buffer{}, fixedNow); err == nil || !strings.Contains(err.Error(), "semantic version") {
		t.Errorf("version one: %v, want a refusal", err)
	}
}
