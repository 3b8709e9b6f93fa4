package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// recorder keeps what SharedData says, and ends its goroutine on Fatalf as
// a test would end.
type recorder struct {
	testing.TB
	logs, fatal string
}

func (r *recorder) Helper() {}

func (r *recorder) Logf(format string, args ...any) { r.logs += fmt.Sprintf(format, args...) + "\n" }

func (r *recorder) Fatalf(format string, args ...any) {
	r.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func sharedData(t *testing.T, subset string) (dir string, full bool, r *recorder) {
	r = &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		dir, full = SharedData(r, subset)
	}()
	<-done
	return dir, full, r
}

// module makes a module folder to run in, with or without a shared data
// folder beside it.
func module(t *testing.T, withShared bool) (root, subset string) {
	base := t.TempDir()
	root = filepath.Join(base, "project")
	subset = filepath.Join(root, "pkg", "testdata", "shared")
	for _, d := range []string{subset, filepath.Join(base, "shared", "data")} {
		if !withShared && strings.Contains(d, filepath.Join("shared", "data")) {
			continue
		}
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/project\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Join(root, "pkg"))
	return root, subset
}

func TestSharedDataFallsBackToTheSubset(t *testing.T) {
	t.Setenv(SharedDataEnv, "")
	_, subset := module(t, false)
	dir, full, r := sharedData(t, subset)
	if r.fatal != "" || dir != subset || full || !strings.Contains(r.logs, "corpus: subset") {
		t.Fatalf("got %q, full %v, log %q, fatal %q; want the subset, said in the log", dir, full, r.logs, r.fatal)
	}
}

func TestSharedDataBesideTheModuleIsFull(t *testing.T) {
	t.Setenv(SharedDataEnv, "")
	root, subset := module(t, true)
	dir, full, r := sharedData(t, subset)
	if r.fatal != "" || dir != filepath.Join(filepath.Dir(root), "shared", "data") || !full || !strings.Contains(r.logs, "corpus: full") {
		t.Fatalf("got %q, full %v, log %q, fatal %q; want ../shared/data, said in the log", dir, full, r.logs, r.fatal)
	}
}

func TestSharedDataFromTheEnvironment(t *testing.T) {
	_, subset := module(t, false)
	named := t.TempDir()
	t.Setenv(SharedDataEnv, named)
	if dir, full, r := sharedData(t, subset); r.fatal != "" || dir != named || !full {
		t.Fatalf("got %q, full %v, fatal %q; want %s", dir, full, r.fatal, named)
	}

	missing := filepath.Join(named, "absent")
	t.Setenv(SharedDataEnv, missing)
	_, _, r := sharedData(t, subset)
	if !strings.Contains(r.fatal, SharedDataEnv+"="+missing) || !strings.Contains(r.fatal, "unset it") {
		t.Fatalf("a missing %s gave %q, want a failure naming it and what to do", SharedDataEnv, r.fatal)
	}
}

func TestSharedDataWithoutSubsetFails(t *testing.T) {
	t.Setenv(SharedDataEnv, "")
	_, subset := module(t, false)
	if err := os.Remove(subset); err != nil {
		t.Fatal(err)
	}
	if _, _, r := sharedData(t, subset); !strings.Contains(r.fatal, subset) {
		t.Fatalf("a missing subset gave %q, want a failure naming it", r.fatal)
	}
}
