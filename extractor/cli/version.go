package cli

import (
	"fmt"
	"strings"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// versionText is what --version prints: the release, the provider released
// with it (the two are built from one tag and must read the same database),
// and the database schema version both write and read.
func versionText(version string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "activity-extractor %s\n", version)
	fmt.Fprintf(&b, "terraform-provider-activity %s (plugin protocol 6)\n", version)
	if v, err := store.LatestSchemaVersion(); err != nil {
		fmt.Fprintf(&b, "database schema: unknown (%v)\n", err)
	} else {
		fmt.Fprintf(&b, "database schema version %d\n", v)
	}
	return b.String()
}
