package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

var (
	_ datasource.DataSource              = (*monitoringKMSKeyDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*monitoringKMSKeyDataSource)(nil)
)

// NewMonitoringKMSKeyDataSource is the activity_monitoring_kms_key data source.
func NewMonitoringKMSKeyDataSource() datasource.DataSource { return &monitoringKMSKeyDataSource{} }

type monitoringKMSKeyDataSource struct {
	data *providerData
}

type monitoringKMSKeyModel struct {
	Key            types.String `tfsdk:"key"`
	WindowDays     types.Int64  `tfsdk:"window_days"`
	ARN            types.String `tfsdk:"arn"`
	AccountID      types.String `tfsdk:"account_id"`
	Region         types.String `tfsdk:"region"`
	AsOf           types.String `tfsdk:"as_of"`
	Computed       types.Bool   `tfsdk:"computed"`
	LastActivityAt types.String `tfsdk:"last_activity_at"`
	LastViewedAt   types.String `tfsdk:"last_viewed_at"`
}

func (d *monitoringKMSKeyDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_monitoring_kms_key"
}

func (d *monitoringKMSKeyDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "When a KMS key was last used, and when its key material was last used, as " +
			"of the window: a key nobody has decrypted with for months is a candidate " +
			"for scheduling deletion.",
		Attributes: map[string]schema.Attribute{
			"key": schema.StringAttribute{
				MarkdownDescription: "The key: its ARN, its id, an alias ARN, or an alias name (`alias/NAME`) that only " +
					"one known key has.",
				Required: true,
			},
			"window_days": schema.Int64Attribute{
				MarkdownDescription: "The window, in days, of the score run to read. Defaults to the provider's `window_days`.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.Int64{windowDaysValidator},
			},
			"arn":        schema.StringAttribute{MarkdownDescription: "The key's ARN.", Computed: true},
			"account_id": schema.StringAttribute{MarkdownDescription: "The key's account.", Computed: true},
			"region":     schema.StringAttribute{MarkdownDescription: "The key's region.", Computed: true},
			"as_of":      asOfSchema(),
			"computed":   computedSchema(),
			"last_activity_at": schema.StringAttribute{
				MarkdownDescription: "The latest successful use of the key of any kind (DescribeKey included), by anyone, " +
					"AWS services acting for a caller included, up to `as_of` (RFC 3339); null when none was seen.",
				Computed: true,
			},
			"last_viewed_at": schema.StringAttribute{
				MarkdownDescription: "The latest operation that consumed key material: Decrypt, Encrypt, ReEncrypt, " +
					"GenerateDataKey*, GenerateDataKeyPair*, Sign, Verify, GenerateMac, VerifyMac or DeriveSharedSecret " +
					"(RFC 3339); null when none was seen.",
				Computed: true,
			},
		},
	}
}

func (d *monitoringKMSKeyDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (d *monitoringKMSKeyDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m monitoringKMSKeyModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || d.data == nil {
		return
	}
	db, ok := openScoreReader(ctx, d.data, &resp.Diagnostics)
	if !ok {
		return
	}
	defer db.Close()
	key, err := db.FindKey(ctx, m.Key.ValueString())
	if errors.Is(err, store.ErrNotFound) {
		resp.Diagnostics.AddAttributeError(path.Root("key"), "Unknown KMS Key",
			fmt.Sprintf("The database %s knows no KMS key %q. Give the key's ARN, or an alias that discover recorded, "+
				"and check that discover or extract ran for its account.", db.Path(), m.Key.ValueString()))
		return
	}
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("key"), "Cannot Find KMS Key", err.Error())
		return
	}
	window := windowOf(m.WindowDays, d.data)
	ws, ok := readWindowScores(ctx, db, window, m.AsOf, func(activity.Principal) bool { return false }, &resp.Diagnostics)
	if !ok {
		return
	}
	k, err := ws.key(ctx, db, key)
	if errors.Is(err, store.ErrNotFound) {
		resp.Diagnostics.AddAttributeError(path.Root("key"), "KMS Key Not Scored",
			fmt.Sprintf("%s was found after the latest score run; run activity-extractor score --window %dd again.", key.ARN, window))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot Read Key Activity", err.Error())
		return
	}
	m.ARN, m.AccountID, m.Region = types.StringValue(k.ARN), types.StringValue(k.AccountID), types.StringValue(k.Region)
	m.WindowDays, m.AsOf, m.Computed = types.Int64Value(window), timeValue(&ws.run.AsOf), types.BoolValue(ws.computed != nil)
	m.LastActivityAt, m.LastViewedAt = timeValue(k.LastActivityAt), timeValue(k.LastViewedAt)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
