package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/score"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// scoreReader is what the data sources read: the stored scores and what
// names them. The store satisfies it; nothing else of the store is theirs.
type scoreReader interface {
	score.Facts
	Path() string
	Close() error
	FindPrincipal(ctx context.Context, ref string) (activity.Principal, error)
	FindKey(ctx context.Context, ref string) (activity.Resource, error)
	ScoreRunFor(ctx context.Context, days int, asOf time.Time) (activity.ScoreRun, error)
	PrincipalScores(ctx context.Context, runID int64, f store.ScoreFilter) ([]activity.PrincipalScore, error)
	KeyActivityOf(ctx context.Context, runID int64, key activity.Resource) (activity.KeyActivity, error)
}

var _ scoreReader = (*store.DB)(nil)

// openScoreReader opens the configured database for a data source.
func openScoreReader(ctx context.Context, data *providerData, diags *diag.Diagnostics) (scoreReader, bool) {
	return openStoreDiag(ctx, data, diags)
}

// openStoreDiag opens the configured database for reading (a read-only file
// or folder included) and turns a failure into a diagnostic that says what
// to check.
func openStoreDiag(ctx context.Context, data *providerData, diags *diag.Diagnostics) (*store.DB, bool) {
	return openDiag(ctx, data, false, diags)
}

func openDiag(ctx context.Context, data *providerData, write bool, diags *diag.Diagnostics) (*store.DB, bool) {
	if data == nil {
		diags.AddError("Provider Not Configured", "The provider was not configured before it was used. This is a bug in the provider; please report it.")
		return nil, false
	}
	db, err := data.openStore(ctx, write)
	if errors.Is(err, store.ErrForeignDatabase) {
		diags.AddError("Not an Activity Database",
			fmt.Sprintf("The provider's database setting (or the %s environment variable) names a file that another program owns; "+
				"the provider left it unchanged. Give the path of the database activity-extractor writes, or a new path.\n\nError: %v", DatabaseEnv, err))
		return nil, false
	}
	if err != nil && data.readOnly {
		diags.AddError("Cannot Open Database Snapshot",
			fmt.Sprintf("The provider could not open the snapshot fetched from %s.\n\nError: %v", data.database, err))
		return nil, false
	}
	if err != nil {
		diags.AddError("Cannot Open Database",
			fmt.Sprintf("The provider could not open the SQLite database %q. Check the provider's database setting (or the %s "+
				"environment variable), that its folder exists, and that it is writable.\n\nError: %v", data.databasePath, DatabaseEnv, err))
		return nil, false
	}
	return db, true
}

// configuredData takes the provider data handed to a resource or data source.
func configuredData(v any, diags *diag.Diagnostics) *providerData {
	if v == nil {
		return nil
	}
	data, ok := v.(*providerData)
	if !ok {
		diags.AddError("Unexpected Provider Data",
			fmt.Sprintf("Expected provider data of type *providerData, got %T. This is a bug in the provider; please report it.", v))
	}
	return data
}

// openWritableStore opens the database for a resource's change, refusing a
// read-only snapshot.
func openWritableStore(ctx context.Context, data *providerData, diags *diag.Diagnostics) (*store.DB, bool) {
	if data != nil && data.readOnly {
		diags.AddError("Database Is a Read-Only Snapshot",
			fmt.Sprintf("The provider's database is the snapshot %s, which can be read but not changed. Manage "+
				"integrations and rules in a configuration whose database is the local file that activity-extractor "+
				"uses, then publish it again.", data.database))
		return nil, false
	}
	return openDiag(ctx, data, true, diags)
}
