package extract_test

import (
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/testenv"
)

// snapshot renders every fact the extractor keeps, so two databases can be
// compared whatever order rows were written in.
func snapshot(t *testing.T, db *store.DB) string {
	t.Helper()
	return testenv.Facts(t, db.SQL())
}
