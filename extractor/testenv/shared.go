package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// SharedDataEnv names the folder of real data shared between projects
// (/work/shared/data on the development machines; see its README).
const SharedDataEnv = "ACTIVITY_SHARED_DATA"

// Unavailable skips the test with the message, or fails it when RequireEnv
// says a missing part is a failure (`make test`, CI).
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	unavailable(t, format, args...)
}

// SharedData is the folder of real data a test reads: the full shared
// corpus when $ACTIVITY_SHARED_DATA names it or ../shared/data lies beside
// the module, else subset, the package's committed copy of a few of its
// files laid out as the shared folder is. full tells which one it is, and
// the test's log says so. A test never skips for lack of the shared data: a
// fresh clone runs it on the subset. $ACTIVITY_SHARED_DATA naming a folder
// that cannot be read fails the test, in any mode: it was asked for.
func SharedData(t testing.TB, subset string) (dir string, full bool) {
	t.Helper()
	if dir := os.Getenv(SharedDataEnv); dir != "" {
		if _, err := os.ReadDir(dir); err != nil {
			t.Fatalf("%s=%s cannot be read (%v): point it at the shared data folder (see its README), or unset it to test on the committed subset %s", SharedDataEnv, dir, err, subset)
		}
		t.Logf("corpus: full, %s=%s", SharedDataEnv, dir)
		return dir, true
	}
	if root, err := ModuleRoot(); err == nil {
		dir := filepath.Join(filepath.Dir(root), "shared", "data")
		if _, err := os.ReadDir(dir); err == nil {
			t.Logf("corpus: full, %s", dir)
			return dir, true
		}
	}
	if _, err := os.ReadDir(subset); err != nil {
		t.Fatalf("the committed subset of the shared data is missing (%v): restore %s from the repository", err, subset)
	}
	t.Logf("corpus: subset, %s (set %s to the shared data folder for the full corpus)", subset, SharedDataEnv)
	return subset, false
}
