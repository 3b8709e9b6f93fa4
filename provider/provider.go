// Package provider is the Terraform provider "activity": resources declare
// which AWS accounts to monitor, data sources read the scores the extractor
// computed. It reaches the extractor only through the store's API.
package provider

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/awsapi"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/snapshot"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// DatabaseEnv names the environment variable that sets the database when the
// provider configuration does not.
const DatabaseEnv = "ACTIVITY_DATABASE"

var _ provider.Provider = (*activityProvider)(nil)

// New returns a constructor of the provider for the given version.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &activityProvider{version: version} }
}

type activityProvider struct {
	version string
}

type providerModel struct {
	Database   types.String `tfsdk:"database"`
	WindowDays types.Int64  `tfsdk:"window_days"`
}

// providerData is what resources and data sources receive from Configure.
type providerData struct {
	databasePath string // a local file; for an s3:// database, the fetched copy
	database     string // as configured, for messages
	readOnly     bool   // a snapshot fetched from S3
	windowDays   int64
}

// openStore opens the configured database for one operation. Each operation
// opens and closes it, so no connection outlives a Terraform command and the
// extractor can work on the same file in between. A read opens an existing
// file as it can, read-only files and folders included; a change, or a read
// before the file exists, opens it for writing and creates it.
func (d *providerData) openStore(ctx context.Context, write bool) (*store.DB, error) {
	if d.readOnly {
		return store.OpenReadOnly(ctx, d.databasePath)
	}
	if !write {
		if _, err := os.Stat(d.databasePath); err == nil {
			return store.OpenExisting(ctx, d.databasePath)
		}
	}
	return store.Open(ctx, d.databasePath)
}

func (p *activityProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "activity"
	resp.Version = p.version
}

func (p *activityProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The activity provider declares which AWS accounts are monitored for unused access and " +
			"reads the scores that `activity-extractor` computes from their CloudTrail logs. Both share one SQLite database.",
		Attributes: map[string]schema.Attribute{
			"database": schema.StringAttribute{
				MarkdownDescription: "Path of the SQLite database shared with `activity-extractor`. It is created, readable " +
					"by its owner only, when it does not exist. Or the `s3://BUCKET/KEY` URL of a snapshot that " +
					"`activity-extractor publish` uploaded: it is downloaded once per version (through the default AWS " +
					"credential chain) and read only, so data sources work while resources cannot be changed. Defaults to " +
					"the `" + DatabaseEnv + "` environment variable, then to `" + store.DefaultPath + "` in the working directory.",
				Optional: true,
			},
			"window_days": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("Default activity window, in days, for data sources that do not set their own: "+
					"access counts as used when it was used in the last `window_days` days. From %d to %d; defaults to %d.",
					activity.MinWindowDays, activity.MaxWindowDays, activity.DefaultWindowDays),
				Optional:   true,
				Validators: []validator.Int64{windowDaysValidator},
			},
		},
	}
}

func (p *activityProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	data := &providerData{databasePath: store.DefaultPath, windowDays: activity.DefaultWindowDays}
	if v := os.Getenv(DatabaseEnv); v != "" {
		data.databasePath = v
	}
	if !cfg.Database.IsNull() && !cfg.Database.IsUnknown() {
		data.databasePath = cfg.Database.ValueString()
	}
	if !cfg.WindowDays.IsNull() && !cfg.WindowDays.IsUnknown() {
		data.windowDays = cfg.WindowDays.ValueInt64()
	}
	if strings.TrimSpace(data.databasePath) == "" {
		resp.Diagnostics.AddAttributeError(path.Root("database"), "Empty Database Path",
			"The database path is empty. Set database to the path of the SQLite file shared with activity-extractor, "+
				"or to the s3:// URL of a snapshot it published.")
		return
	}
	data.database = data.databasePath
	if strings.HasPrefix(data.databasePath, "s3://") {
		local, err := fetchSnapshot(ctx, data.databasePath)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("database"), "Cannot Fetch Database Snapshot",
				fmt.Sprintf("The provider could not download the snapshot %s. Check that activity-extractor publish "+
					"wrote it, and that the AWS credentials available to Terraform may call s3:GetObject on it.\n\nError: %v",
					data.databasePath, err))
			return
		}
		data.databasePath, data.readOnly = local, true
	}
	resp.ResourceData = data
	resp.DataSourceData = data
}

// fetchSnapshot downloads an s3:// snapshot into the user's cache, once per
// version of the object.
func fetchSnapshot(ctx context.Context, url string) (string, error) {
	dir, err := snapshot.CacheDir()
	if err != nil {
		return "", err
	}
	cfg, err := awsapi.Config(ctx, "", "")
	if err != nil {
		return "", err
	}
	return snapshot.Fetch(ctx, awsapi.NewS3Client(cfg), url, dir)
}

func (p *activityProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewMonitoringIntegrationResource,
		NewMonitoringRuleResource,
	}
}

func (p *activityProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewMonitoringIAMPolicyDataSource,
		NewMonitoringOPSDataSource,
		NewMonitoringPrincipalsDataSource,
		NewMonitoringKMSKeyDataSource,
		NewMonitoringUnusedAccessDataSource,
	}
}
