package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-json"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/extract"
)

func TestExtractUsage(t *testing.T) {
	db := filepath.Join(t.TempDir(), "activity.db")
	for _, args := range [][]string{
		{"--window", "0d"}, {"--window", "366d"}, {"--window", "30"}, {"--window", "1w"},
		{"--as-of", "yesterday"}, {"--workers", "-1"}, {"--source", "/does/not/exist"}, {"--source", "s3://"},
	} {
		_, errs, code := run(t, append([]string{"--db", db, "extract"}, args...)...)
		if code != ExitUsage {
			t.Errorf("extract %v: exit %d (%s), want %d", args, code, errs, ExitUsage)
		}
	}
	_, errs, code := run(t, "--db", db, "extract")
	if code != ExitFailure || !strings.Contains(errs, "no integration") {
		t.Errorf("extract without integrations: exit %d: %s", code, errs)
	}
}

func TestExtractSkippedInputsAndErrors(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile("../internal/cloudtrail/testdata/invictus/218007301253_CloudTrail_us-east-1_20230710T1145Z_7xgocspSowgK0Gto.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"good.json.gz": good, "bad\x1b[31m.json": []byte("nope")} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db := filepath.Join(t.TempDir(), "activity.db")
	out, errs, code := run(t, "--db", db, "extract", "--source", dir, "--as-of", "2023-07-11T00:00:00Z", "--json")
	if code != ExitSkipped {
		t.Fatalf("exit %d, want %d: %s", code, ExitSkipped, errs)
	}
	var sum extractJSON
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("summary %q: %v", out, err)
	}
	if sum.ObjectsRead != 2 || sum.ObjectsSkipped != 1 || sum.Events != 29 || len(sum.Skipped) != 1 || !strings.Contains(sum.Skipped[0].Reason, "neither gzip nor JSON") {
		t.Errorf("summary = %+v", sum)
	}

	out, _, code = run(t, "--db", db, "errors")
	if code != ExitOK || !strings.Contains(out, `bad\x1b[31m.json: neither gzip nor JSON`) {
		t.Errorf("errors (exit %d) printed %q; want the bad file, its control characters quoted", code, out)
	}
	out, _, _ = run(t, "--db", db, "errors", "--json")
	var list []extractErrorJSON
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != 1 || list[0].RecordIndex != nil || list[0].RunID != sum.RunID {
		t.Errorf("errors --json = %s (%v)", out, err)
	}
	// A second run reads nothing new and skips nothing.
	out, _, code = run(t, "--db", db, "extract", "--source", dir, "--as-of", "2023-07-11T00:00:00Z")
	if code != ExitOK || !strings.Contains(out, "2 listed, 2 already read") {
		t.Errorf("rerun exit %d: %s", code, out)
	}
	out, _, _ = run(t, "--db", db, "errors")
	if !strings.Contains(out, "No inputs skipped") {
		t.Errorf("errors of the latest run: %q", out)
	}
	out, _, _ = run(t, "--db", db, "errors", "--all")
	if !strings.Contains(out, "neither gzip nor JSON") {
		t.Errorf("errors --all: %q", out)
	}
}

func TestGenerateUsage(t *testing.T) {
	for _, args := range [][]string{{"--accounts", "0"}, {"--users", "1"}, {"--days", "400"}, {"--events", "0"}, {"--end", "2026-13-01"}} {
		_, errs, code := run(t, append([]string{"generate", "--out", t.TempDir()}, args...)...)
		if code != ExitUsage {
			t.Errorf("generate %v: exit %d (%s)", args, code, errs)
		}
	}
	out, errs, code := run(t, "generate", "--out", t.TempDir(), "--events", "3000", "--end", "2026-11-24", "--days", "3")
	// 3000 drawn, and the 12 scripted calls of the queue, topic, function
	// and table roles.
	if code != ExitOK || !strings.Contains(out, "wrote 3012 events") || !strings.Contains(out, "dormant_user:") || !strings.Contains(out, "sqs_queue_role:") {
		t.Errorf("generate: exit %d: %s %s", code, out, errs)
	}
}

func TestProgressBar(t *testing.T) {
	var b strings.Builder
	bar := &progressBar{w: &b}
	start := time.Now().Add(-10 * time.Second)
	bar.update(extract.Progress{Listed: 110, AlreadyRead: 10, Done: 25, Events: 25000, Uncompressed: 50 << 20, Started: start})
	line := b.String()
	for _, want := range []string{"objects 25/100", "events 25000", "50.0 MiB", "5.0 MiB/s", "ETA 30s"} {
		if !strings.Contains(line, want) {
			t.Errorf("progress line %q lacks %q", line, want)
		}
	}
	// Updates closer together than a fifth of a second are not drawn.
	bar.update(extract.Progress{Listed: 110, Done: 26, Started: start})
	if b.String() != line {
		t.Errorf("redrew at once: %q", b.String())
	}
	bar.finish()
	if !strings.HasSuffix(b.String(), "\r\x1b[K") {
		t.Errorf("finish did not clear the line: %q", b.String())
	}
}
