package iam

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/testenv"
)

// sharedData is the folder of large real corpora the project tests against:
// $ACTIVITY_SHARED_DATA or ../shared/data beside the module (full), else the
// few files committed in testdata/shared (see testdata/NOTICE.md).
func sharedData(t testing.TB) (dir string, full bool) {
	t.Helper()
	return testenv.SharedData(t, filepath.Join("testdata", "shared"))
}

// sharedDataOrEmpty is where the shared data would be, for tests that add
// its files to their own when present.
func sharedDataOrEmpty() string {
	if dir := os.Getenv(testenv.SharedDataEnv); dir != "" {
		return dir
	}
	return filepath.Join("..", "..", "..", "..", "shared", "data")
}
