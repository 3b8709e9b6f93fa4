package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

var (
	_ datasource.DataSource              = (*monitoringPrincipalsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*monitoringPrincipalsDataSource)(nil)
)

// NewMonitoringPrincipalsDataSource is the activity_monitoring_principals data source.
func NewMonitoringPrincipalsDataSource() datasource.DataSource {
	return &monitoringPrincipalsDataSource{}
}

type monitoringPrincipalsDataSource struct {
	data *providerData
}

type monitoringPrincipalsModel struct {
	Accounts           types.List    `tfsdk:"accounts"`
	Kinds              types.List    `tfsdk:"kinds"`
	ResourceKinds      types.List    `tfsdk:"resource_kinds"`
	MinOPS             types.Float64 `tfsdk:"min_ops"`
	MaxOPS             types.Float64 `tfsdk:"max_ops"`
	MinResourceOPS     types.Float64 `tfsdk:"min_resource_ops"`
	MaxResourceOPS     types.Float64 `tfsdk:"max_resource_ops"`
	NAReasons          types.List    `tfsdk:"na_reasons"`
	DormantOnly        types.Bool    `tfsdk:"dormant_only"`
	WindowDays         types.Int64   `tfsdk:"window_days"`
	AsOf               types.String  `tfsdk:"as_of"`
	Computed           types.Bool    `tfsdk:"computed"`
	LastActivityBefore types.String  `tfsdk:"last_activity_before"`
	Resource           types.String  `tfsdk:"resource"`
	ARNs               types.List    `tfsdk:"arns"`
	Principals         types.List    `tfsdk:"principals"`
}

var principalAttrTypes = map[string]attr.Type{
	"arn":              types.StringType,
	"kind":             types.StringType,
	"account_id":       types.StringType,
	"name":             types.StringType,
	"monitored":        types.BoolType,
	"ops":              types.Float64Type,
	"resource_ops":     types.Float64Type,
	"na_reason":        types.StringType,
	"dormant":          types.BoolType,
	"last_activity_at": types.StringType,
	"observed_since":   types.StringType,
	"resources":        types.ListType{ElemType: types.ObjectType{AttrTypes: resourceScoreAttrTypes}},
}

func (d *monitoringPrincipalsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_monitoring_principals"
}

func (d *monitoringPrincipalsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The activity dashboard as a query: the scored principals that match the filters, dormant " +
			"first, then from the most over-provisioned down, with their scores. Feed it to `check` blocks, " +
			"preconditions or `for_each`.",
		Attributes: map[string]schema.Attribute{
			"accounts": schema.ListAttribute{
				MarkdownDescription: "Only principals of these AWS accounts.",
				ElementType:         types.StringType, Optional: true,
				Validators: []validator.List{listvalidator.ValueStringsAre(accountIDValidator())},
			},
			"kinds": schema.ListAttribute{
				MarkdownDescription: "Only principals of these kinds: " + codeList(activity.ReportedKinds, "") + ". When unset, the " +
					"scored kinds, " + codeList(activity.ScoredKinds, "") + ": the account root users (`root`), which have no score " +
					"and should stay dormant, are listed only when asked for, to gate on their use.",
				ElementType: types.StringType, Optional: true,
				Validators: []validator.List{listvalidator.ValueStringsAre(stringvalidator.OneOf(activity.ReportedKinds...))},
			},
			"resource_kinds": schema.ListAttribute{
				MarkdownDescription: "Only principals granted something on these resource kinds (" + codeList(activity.ResourceKindNames(), "") +
					"); their `resources` then list only those kinds.",
				ElementType: types.StringType, Optional: true,
				Validators: []validator.List{listvalidator.ValueStringsAre(stringvalidator.OneOf(activity.ResourceKindNames()...))},
			},
			"min_ops":          scoreBound("Only principals whose `ops` is at least this"),
			"max_ops":          scoreBound("Only principals whose `ops` is at most this"),
			"min_resource_ops": scoreBound("Only principals whose `resource_ops` is at least this"),
			"max_resource_ops": scoreBound("Only principals whose `resource_ops` is at most this"),
			"na_reasons": schema.ListAttribute{
				MarkdownDescription: "Only principals whose `ops` is null for one of these reasons (" + codeList(activity.NAReasons, "") + ").",
				ElementType:         types.StringType, Optional: true,
				Validators: []validator.List{listvalidator.ValueStringsAre(stringvalidator.OneOf(activity.NAReasons...))},
			},
			"dormant_only": schema.BoolAttribute{
				MarkdownDescription: "Only dormant principals.",
				Optional:            true,
			},
			"window_days": schema.Int64Attribute{
				MarkdownDescription: "The window, in days, whose scores to read. Defaults to the provider's `window_days`.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.Int64{windowDaysValidator},
			},
			"as_of":    asOfSchema(),
			"computed": computedSchema(),
			"last_activity_before": schema.StringAttribute{
				MarkdownDescription: "Only principals last active before this time (RFC 3339), or never.",
				Optional:            true,
				Validators:          []validator.String{asOfValidator{}},
			},
			"resource": schema.StringAttribute{
				MarkdownDescription: "Only principals granted something on the resource with this ARN (a bucket, key or " +
					"secret), each with its `resources` holding that one alone: who holds access to it, and how much of " +
					"it they use.",
				Optional: true,
			},
			"arns": schema.ListAttribute{
				MarkdownDescription: "The ARNs of the matching principals, in the same order as `principals`.",
				ElementType:         types.StringType, Computed: true,
			},
			"principals": schema.ListNestedAttribute{
				MarkdownDescription: "The matching principals, dormant first, then by `ops` from high to low (null last), then by ARN.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"arn":              schema.StringAttribute{MarkdownDescription: "The principal's canonical ARN.", Computed: true},
					"kind":             schema.StringAttribute{MarkdownDescription: "The principal's kind.", Computed: true},
					"account_id":       schema.StringAttribute{MarkdownDescription: "The principal's AWS account.", Computed: true},
					"name":             schema.StringAttribute{MarkdownDescription: "The principal's name.", Computed: true},
					"monitored":        schema.BoolAttribute{MarkdownDescription: monitoredDescription, Computed: true},
					"ops":              schema.Float64Attribute{MarkdownDescription: opsDescription, Computed: true},
					"resource_ops":     schema.Float64Attribute{MarkdownDescription: resourceOPSDescription, Computed: true},
					"na_reason":        schema.StringAttribute{MarkdownDescription: naReasonDescription, Computed: true},
					"dormant":          schema.BoolAttribute{MarkdownDescription: dormantDescription, Computed: true},
					"last_activity_at": schema.StringAttribute{MarkdownDescription: lastActivityDescription, Computed: true},
					"observed_since":   schema.StringAttribute{MarkdownDescription: observedSinceDescription, Computed: true},
					"resources":        resourceScoresSchema(),
				}},
			},
		},
	}
}

func (d *monitoringPrincipalsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (d *monitoringPrincipalsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m monitoringPrincipalsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || d.data == nil {
		return
	}
	f := store.ScoreFilter{DormantOnly: m.DormantOnly.ValueBool()}
	for _, l := range []struct {
		list types.List
		into *[]string
	}{{m.Accounts, &f.Accounts}, {m.Kinds, &f.Kinds}, {m.ResourceKinds, &f.ResourceKinds}, {m.NAReasons, &f.NAReasons}} {
		if !l.list.IsNull() {
			resp.Diagnostics.Append(l.list.ElementsAs(ctx, l.into, false)...)
		}
	}
	for _, b := range []struct {
		value types.Float64
		into  **float64
	}{{m.MinOPS, &f.MinOPS}, {m.MaxOPS, &f.MaxOPS}, {m.MinResourceOPS, &f.MinResourceOPS}, {m.MaxResourceOPS, &f.MaxResourceOPS}} {
		if !b.value.IsNull() && !b.value.IsUnknown() {
			v := b.value.ValueFloat64()
			*b.into = &v
		}
	}
	if v := m.LastActivityBefore.ValueString(); v != "" {
		t, err := activity.ParseAsOf(v, time.Now)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("last_activity_before"), "Invalid last_activity_before", err.Error())
		}
		f.LastActivityBefore = t
	}
	f.Resource = m.Resource.ValueString()
	if len(f.Kinds) == 0 {
		f.Kinds = activity.ScoredKinds
	}
	if resp.Diagnostics.HasError() {
		return
	}
	db, ok := openScoreReader(ctx, d.data, &resp.Diagnostics)
	if !ok {
		return
	}
	defer db.Close()
	window := windowOf(m.WindowDays, d.data)
	ws, ok := readWindowScores(ctx, db, window, m.AsOf, nil, &resp.Diagnostics)
	if !ok {
		return
	}
	run := ws.run
	scores, err := ws.principals(ctx, db, f)
	if err != nil {
		resp.Diagnostics.AddError("Cannot Read Scores", fmt.Sprintf("Reading scores from %s failed.\n\nError: %v", db.Path(), err))
		return
	}
	arns := make([]string, 0, len(scores))
	elems := make([]attr.Value, 0, len(scores))
	for _, ps := range scores {
		arns = append(arns, ps.ARN)
		obj, diags := types.ObjectValue(principalAttrTypes, map[string]attr.Value{
			"arn": types.StringValue(ps.ARN), "kind": types.StringValue(ps.Kind), "account_id": types.StringValue(ps.AccountID),
			"name": types.StringValue(ps.Name), "monitored": types.BoolValue(ps.Monitored),
			"ops": floatValue(ps.OPS), "resource_ops": floatValue(ps.ResourceOPS), "na_reason": naReasonValue(ps),
			"dormant":          types.BoolValue(ps.Dormant),
			"last_activity_at": timeValue(ps.LastActivityAt), "observed_since": timeValue(ps.ObservedSince),
			"resources": resourceScoresValue(ps.Resources, &resp.Diagnostics),
		})
		resp.Diagnostics.Append(diags...)
		elems = append(elems, obj)
	}
	list, diags := types.ListValue(types.ObjectType{AttrTypes: principalAttrTypes}, elems)
	resp.Diagnostics.Append(diags...)
	m.Principals, m.ARNs = list, stringList(arns)
	m.WindowDays, m.AsOf, m.Computed = types.Int64Value(window), timeValue(&run.AsOf), types.BoolValue(ws.computed != nil)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// scoreBound is an optional bound on a score, 0 to 100.
func scoreBound(what string) schema.Float64Attribute {
	return schema.Float64Attribute{
		MarkdownDescription: what + " (0 to 100). Principals with a null score never match.",
		Optional:            true,
		Validators:          []validator.Float64{float64validator.Between(0, 100)},
	}
}
