package iam

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedData is the folder of large real corpora the project tests against
// when present: $ACTIVITY_SHARED_DATA, or ../shared/data beside the module.
func sharedData(t testing.TB) string {
	t.Helper()
	dir := sharedDataOrEmpty()
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared data folder %s is absent (set ACTIVITY_SHARED_DATA): %v", dir, err)
	}
	return dir
}

// sharedDataOrEmpty is where the shared data would be, for tests that add
// its files to their own when present.
func sharedDataOrEmpty() string {
	if dir := os.Getenv("ACTIVITY_SHARED_DATA"); dir != "" {
		return dir
	}
	return filepath.Join("..", "..", "..", "..", "shared", "data")
}
