package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

var (
	_ datasource.DataSource              = (*monitoringOPSDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*monitoringOPSDataSource)(nil)
)

// NewMonitoringOPSDataSource is the activity_monitoring_ops data source.
func NewMonitoringOPSDataSource() datasource.DataSource { return &monitoringOPSDataSource{} }

type monitoringOPSDataSource struct {
	data *providerData
}

type monitoringOPSModel struct {
	Principal      types.String  `tfsdk:"principal"`
	Resource       types.String  `tfsdk:"resource"`
	WindowDays     types.Int64   `tfsdk:"window_days"`
	ARN            types.String  `tfsdk:"arn"`
	Kind           types.String  `tfsdk:"kind"`
	AccountID      types.String  `tfsdk:"account_id"`
	AsOf           types.String  `tfsdk:"as_of"`
	Computed       types.Bool    `tfsdk:"computed"`
	OPS            types.Float64 `tfsdk:"ops"`
	ResourceOPS    types.Float64 `tfsdk:"resource_ops"`
	NAReason       types.String  `tfsdk:"na_reason"`
	Monitored      types.Bool    `tfsdk:"monitored"`
	Dormant        types.Bool    `tfsdk:"dormant"`
	LastActivityAt types.String  `tfsdk:"last_activity_at"`
	ObservedSince  types.String  `tfsdk:"observed_since"`
	Notes          types.List    `tfsdk:"notes"`
	Resources      types.List    `tfsdk:"resources"`
	Denied         types.List    `tfsdk:"denied"`
}

func (d *monitoringOPSDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_monitoring_ops"
}

func (d *monitoringOPSDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The Over-Provisioned Score (OPS) of one principal, as `activity-extractor score` last " +
			"computed it for the window: how much of the access its policies grant on S3 buckets, KMS keys and " +
			"Secrets Manager secrets it left unused, whether it is dormant, and when it last acted. Use it in a " +
			"`postcondition` or a `check` block to stop a deployment when access has grown stale.",
		Attributes: map[string]schema.Attribute{
			"principal": schema.StringAttribute{
				MarkdownDescription: "The principal: an IAM user's or role's ARN, or the login of a person federated " +
					"from Okta or IAM Identity Center (`alice@example.com`). A principal the database does not know is an error.",
				Required: true,
			},
			"resource": schema.StringAttribute{
				MarkdownDescription: "Restrict the scores to one resource: its ARN. `ops` is then the share of the actions " +
					"granted on it left unused, `resource_ops` 100 when it was not used at all and 0 when it was, and " +
					"`resources` holds it alone (empty, with `na_reason` `nothing_granted`, when nothing is granted on it).",
				Optional: true,
			},
			"window_days": schema.Int64Attribute{
				MarkdownDescription: "The window, in days, whose scores to read. Defaults to the provider's `window_days`.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.Int64{windowDaysValidator},
			},
			"arn":              schema.StringAttribute{MarkdownDescription: "The principal's canonical ARN.", Computed: true},
			"kind":             schema.StringAttribute{MarkdownDescription: codeList(activity.ReportedKinds, "or") + ".", Computed: true},
			"account_id":       schema.StringAttribute{MarkdownDescription: "The principal's AWS account.", Computed: true},
			"as_of":            asOfSchema(),
			"computed":         computedSchema(),
			"ops":              schema.Float64Attribute{MarkdownDescription: opsDescription, Computed: true},
			"resource_ops":     schema.Float64Attribute{MarkdownDescription: resourceOPSDescription, Computed: true},
			"na_reason":        schema.StringAttribute{MarkdownDescription: naReasonDescription, Computed: true},
			"monitored":        schema.BoolAttribute{MarkdownDescription: monitoredDescription, Computed: true},
			"dormant":          schema.BoolAttribute{MarkdownDescription: dormantDescription, Computed: true},
			"last_activity_at": schema.StringAttribute{MarkdownDescription: lastActivityDescription, Computed: true},
			"observed_since":   schema.StringAttribute{MarkdownDescription: observedSinceDescription, Computed: true},
			"notes": schema.ListAttribute{MarkdownDescription: "Caveats about what the scores could not see, such as " +
				"missing days of logs or S3 data events that the trail does not log.", ElementType: types.StringType, Computed: true},
			"resources": resourceScoresSchema(),
			"denied": deniedSchema("The principal's calls that were refused or failed in the window (an `errorCode` in " +
				"the event), per action, resource and error code, the most frequent first: signals, never use. With " +
				"`resource`, only the calls on it."),
		},
	}
}

func (d *monitoringOPSDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (d *monitoringOPSDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m monitoringOPSModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || d.data == nil {
		return
	}
	db, ok := openScoreReader(ctx, d.data, &resp.Diagnostics)
	if !ok {
		return
	}
	defer db.Close()
	window := windowOf(m.WindowDays, d.data)
	ref := m.Principal.ValueString()
	p, err := db.FindPrincipal(ctx, ref)
	if errors.Is(err, store.ErrNotFound) {
		resp.Diagnostics.AddAttributeError(path.Root("principal"), "Unknown Principal",
			fmt.Sprintf("The database %s knows no principal %q. Give an IAM user's or role's ARN exactly as IAM shows it "+
				"(with its path), or a federated person's login, and check that discover and extract ran for its account.", db.Path(), ref))
		return
	}
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("principal"), "Cannot Find Principal", err.Error())
		return
	}
	ws, ok := readWindowScores(ctx, db, window, m.AsOf, func(c activity.Principal) bool { return c.ARN == p.ARN }, &resp.Diagnostics)
	if !ok {
		return
	}
	run := ws.run
	scores, err := ws.principals(ctx, db, store.ScoreFilter{PrincipalARN: p.ARN})
	if err != nil {
		resp.Diagnostics.AddError("Cannot Read Scores", fmt.Sprintf("Reading the scores of %s failed.\n\nError: %v", p.ARN, err))
		return
	}
	if len(scores) == 0 {
		resp.Diagnostics.AddAttributeError(path.Root("principal"), "Principal Not Scored",
			fmt.Sprintf("%s (%s) is in the database but not in the scores of the %d-day window ending at %s. AWS "+
				"services acting for a caller are never scored; otherwise run activity-extractor score --window %dd "+
				"--as-of %s again, or leave as_of unset to compute the window from the stored facts.",
				p.ARN, p.Kind, window, run.AsOf.Format(time.RFC3339), window, run.AsOf.Format(time.RFC3339)))
		return
	}
	ps := scores[0]
	m.ARN, m.Kind, m.AccountID = types.StringValue(ps.ARN), types.StringValue(ps.Kind), types.StringValue(ps.AccountID)
	m.WindowDays = types.Int64Value(window)
	m.AsOf, m.Computed = timeValue(&run.AsOf), types.BoolValue(ws.computed != nil)
	m.OPS, m.ResourceOPS, m.NAReason = floatValue(ps.OPS), floatValue(ps.ResourceOPS), naReasonValue(ps)
	m.Monitored, m.Dormant = types.BoolValue(ps.Monitored), types.BoolValue(ps.Dormant)
	m.LastActivityAt, m.ObservedSince = timeValue(ps.LastActivityAt), timeValue(ps.ObservedSince)
	m.Notes = stringList(ps.Notes)
	resources := ps.Resources
	if r := m.Resource.ValueString(); r != "" {
		resources = nil
		m.OPS, m.ResourceOPS = types.Float64Null(), types.Float64Null()
		for _, rs := range ps.Resources {
			if rs.ARN == r {
				resources = append(resources, rs)
				m.OPS = floatValue(rs.OPS)
				if rs.OPS != nil {
					m.ResourceOPS = types.Float64Value(0)
					if len(rs.UsedActions) == 0 {
						m.ResourceOPS = types.Float64Value(100)
					}
				}
			}
		}
		if len(resources) == 0 && m.NAReason.IsNull() {
			m.NAReason = types.StringValue(activity.NANothingGranted)
		}
		if len(resources) == 0 {
			resp.Diagnostics.AddAttributeWarning(path.Root("resource"), "Nothing Granted on the Resource",
				fmt.Sprintf("%s is granted nothing on %s, so it has no score there: ops and resource_ops are null.", ps.ARN, r))
		}
	}
	m.Resources = resourceScoresValue(resources, &resp.Diagnostics)
	denied := ps.Denied
	if r := m.Resource.ValueString(); r != "" {
		denied = nil
		for _, d := range ps.Denied {
			if d.Resource != nil && d.Resource.ARN == r {
				denied = append(denied, d)
			}
		}
	}
	m.Denied = deniedValue(denied, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
