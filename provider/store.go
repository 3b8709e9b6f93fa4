package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// openStoreDiag opens the configured database and turns a failure into a
// diagnostic that says what to check.
func openStoreDiag(ctx context.Context, data *providerData, diags *diag.Diagnostics) (*store.DB, bool) {
	db, err := data.openStore(ctx)
	if err != nil {
		diags.AddError("Cannot Open Database",
			fmt.Sprintf("The provider could not open the SQLite database %q. Check the provider's database setting (or the %s "+
				"environment variable), that its folder exists, and that it is writable.\n\nError: %v", data.databasePath, DatabaseEnv, err))
		return nil, false
	}
	return db, true
}
