package provider

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

var (
	_ datasource.DataSource              = (*monitoringUnusedAccessDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*monitoringUnusedAccessDataSource)(nil)
)

// NewMonitoringUnusedAccessDataSource is the activity_monitoring_unused_access data source.
func NewMonitoringUnusedAccessDataSource() datasource.DataSource {
	return &monitoringUnusedAccessDataSource{}
}

type monitoringUnusedAccessDataSource struct {
	data *providerData
}

type monitoringUnusedAccessModel struct {
	Types         types.List   `tfsdk:"types"`
	Accounts      types.List   `tfsdk:"accounts"`
	Kinds         types.List   `tfsdk:"kinds"`
	MinUnusedDays types.Int64  `tfsdk:"min_unused_days"`
	WindowDays    types.Int64  `tfsdk:"window_days"`
	AsOf          types.String `tfsdk:"as_of"`
	Computed      types.Bool   `tfsdk:"computed"`
	Findings      types.List   `tfsdk:"findings"`
}

// findingKinds are the principal kinds findings are about, as Access
// Analyzer's unused-access analyzer has them.
var findingKinds = []string{activity.KindIAMUser, activity.KindIAMRole}

var findingAttrTypes = map[string]attr.Type{
	"type":             types.StringType,
	"principal":        types.StringType,
	"kind":             types.StringType,
	"account_id":       types.StringType,
	"service":          types.StringType,
	"actions":          types.ListType{ElemType: types.StringType},
	"action_last_used": types.MapType{ElemType: types.StringType},
	"last_used_at":     types.StringType,
	"unused_days":      types.Int64Type,
	"access_key_id":    types.StringType,
	"created_at":       types.StringType,
}

func (d *monitoringUnusedAccessDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_monitoring_unused_access"
}

func (d *monitoringUnusedAccessDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Unused access in the window, like the findings of IAM Access Analyzer's unused-access analyzer, " +
			"from the logs, policies and credentials in the database: roles that did nothing (`unused_role`, Access Analyzer's " +
			"`UnusedIAMRole`); per service, the actions an IAM user or role is granted and did not use " +
			"(`unused_permission`, Access Analyzer's `UnusedPermission`); IAM users' active access keys not used in the " +
			"window (`unused_access_key`, `UnusedIAMUserAccessKey`) and enabled console passwords without a successful " +
			"sign-in in it (`unused_password`, `UnusedIAMUserPassword`). Credentials come from `activity-extractor discover` " +
			"(the credential report) and from the logs. Gate a plan with a postcondition on `findings`.",
		Attributes: map[string]schema.Attribute{
			"types": schema.ListAttribute{
				MarkdownDescription: "Only findings of these types: " + codeList(activity.FindingTypes, "or") + ".",
				ElementType:         types.StringType, Optional: true,
				Validators: []validator.List{listvalidator.ValueStringsAre(stringvalidator.OneOf(activity.FindingTypes...))},
			},
			"accounts": schema.ListAttribute{
				MarkdownDescription: "Only findings about principals of these AWS accounts.",
				ElementType:         types.StringType, Optional: true,
				Validators: []validator.List{listvalidator.ValueStringsAre(accountIDValidator())},
			},
			"kinds": schema.ListAttribute{
				MarkdownDescription: "Only findings about principals of these kinds: " + codeList(findingKinds, "or") + ".",
				ElementType:         types.StringType, Optional: true,
				Validators: []validator.List{listvalidator.ValueStringsAre(stringvalidator.OneOf(findingKinds...))},
			},
			"min_unused_days": schema.Int64Attribute{
				MarkdownDescription: "Only findings unused for at least this many whole days up to `as_of` (see `unused_days`).",
				Optional:            true,
				Validators:          []validator.Int64{int64validator.AtLeast(0)},
			},
			"window_days": schema.Int64Attribute{
				MarkdownDescription: "The window, in days, whose findings to read. Defaults to the provider's `window_days`.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.Int64{windowDaysValidator},
			},
			"as_of":    asOfSchema(),
			"computed": computedSchema(),
			"findings": schema.ListNestedAttribute{
				MarkdownDescription: "The matching findings: unused roles first, then the others by principal ARN, service and access key.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"type":       schema.StringAttribute{MarkdownDescription: "`unused_role`, `unused_permission`, `unused_access_key` or `unused_password`.", Computed: true},
					"principal":  schema.StringAttribute{MarkdownDescription: "The ARN of the user or role.", Computed: true},
					"kind":       schema.StringAttribute{MarkdownDescription: "The principal's kind.", Computed: true},
					"account_id": schema.StringAttribute{MarkdownDescription: "The principal's AWS account.", Computed: true},
					"service": schema.StringAttribute{
						MarkdownDescription: "For `unused_permission`, the service prefix (`iam`, `s3`); null for the other types.",
						Computed:            true,
					},
					"actions": schema.ListAttribute{
						MarkdownDescription: "For `unused_permission`, the service's actions granted and not used in the window; empty otherwise.",
						ElementType:         types.StringType, Computed: true,
					},
					"action_last_used": schema.MapAttribute{
						MarkdownDescription: "Of `actions`, those used before the window, with their last use (RFC 3339).",
						ElementType:         types.StringType, Computed: true,
					},
					"last_used_at": schema.StringAttribute{
						MarkdownDescription: "The latest use up to `as_of` (RFC 3339): of the role, of any action of the service, or of the key or " +
							"password (in the logs read, or in AWS's own record); null when none was seen.",
						Computed: true,
					},
					"unused_days": schema.Int64Attribute{
						MarkdownDescription: "Whole days up to `as_of` since the role, any of the unused actions, or the credential was last used; " +
							"when never seen, since a credential's `created_at`, or else the start of the window.",
						Computed: true,
					},
					"access_key_id": schema.StringAttribute{
						MarkdownDescription: "For `unused_access_key`, the key's id (`AKIA…`), or `access_key_1` or `access_key_2` when " +
							"only a credential report named it; null for the other types.",
						Computed: true,
					},
					"created_at": schema.StringAttribute{
						MarkdownDescription: "For `unused_access_key`, when the key was created; for `unused_password`, when the " +
							"password was last set (RFC 3339); null when unknown or for the other types.",
						Computed: true,
					},
				}},
			},
		},
	}
}

func (d *monitoringUnusedAccessDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (d *monitoringUnusedAccessDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m monitoringUnusedAccessModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || d.data == nil {
		return
	}
	var kinds []string
	f := store.ScoreFilter{}
	for _, l := range []struct {
		list types.List
		into *[]string
	}{{m.Accounts, &f.Accounts}, {m.Kinds, &kinds}} {
		if !l.list.IsNull() {
			resp.Diagnostics.Append(l.list.ElementsAs(ctx, l.into, false)...)
		}
	}
	var wanted []string
	if !m.Types.IsNull() {
		resp.Diagnostics.Append(m.Types.ElementsAs(ctx, &wanted, false)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if len(kinds) == 0 {
		kinds = findingKinds
	}
	f.Kinds = kinds
	db, ok := openScoreReader(ctx, d.data, &resp.Diagnostics)
	if !ok {
		return
	}
	defer db.Close()
	window := windowOf(m.WindowDays, d.data)
	ws, ok := readWindowScores(ctx, db, window, m.AsOf, func(p activity.Principal) bool { return slices.Contains(kinds, p.Kind) }, &resp.Diagnostics)
	if !ok {
		return
	}
	scores, err := ws.principals(ctx, db, f)
	if err != nil {
		resp.Diagnostics.AddError("Cannot Read Scores", fmt.Sprintf("Reading scores from %s failed.\n\nError: %v", db.Path(), err))
		return
	}
	var found []activity.Finding
	for _, p := range scores {
		found = append(found, p.Findings...)
	}
	found = sortFindings(found)
	elems := []attr.Value{}
	for _, x := range found {
		days := x.UnusedDays(ws.run.Window)
		if len(wanted) > 0 && !slices.Contains(wanted, x.Type) || !m.MinUnusedDays.IsNull() && int64(days) < m.MinUnusedDays.ValueInt64() {
			continue
		}
		service := types.StringNull()
		if x.Service != "" {
			service = types.StringValue(x.Service)
		}
		keyID := types.StringNull()
		if x.AccessKey != "" {
			keyID = types.StringValue(x.AccessKey)
		}
		last := map[string]attr.Value{}
		for a, t := range x.ActionLastUsed {
			last[a] = timeValue(&t)
		}
		lastMap, diags := types.MapValue(types.StringType, last)
		resp.Diagnostics.Append(diags...)
		obj, diags := types.ObjectValue(findingAttrTypes, map[string]attr.Value{
			"type": types.StringValue(x.Type), "principal": types.StringValue(x.Principal.ARN), "kind": types.StringValue(x.Principal.Kind),
			"account_id": types.StringValue(x.Principal.AccountID), "service": service, "actions": stringList(nonNilStrings(x.Actions)),
			"action_last_used": lastMap, "last_used_at": timeValue(x.LastUsedAt), "unused_days": types.Int64Value(int64(days)),
			"access_key_id": keyID, "created_at": timeValue(x.CreatedAt),
		})
		resp.Diagnostics.Append(diags...)
		elems = append(elems, obj)
	}
	list, diags := types.ListValue(types.ObjectType{AttrTypes: findingAttrTypes}, elems)
	resp.Diagnostics.Append(diags...)
	m.Findings = list
	m.WindowDays, m.AsOf, m.Computed = types.Int64Value(window), timeValue(&ws.run.AsOf), types.BoolValue(ws.computed != nil)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// sortFindings orders findings as the report does: unused roles first,
// then by principal ARN, service, access key and type.
func sortFindings(fs []activity.Finding) []activity.Finding {
	rank := func(f activity.Finding) int {
		if f.Type == activity.FindingUnusedRole {
			return 0
		}
		return 1
	}
	slices.SortStableFunc(fs, func(a, b activity.Finding) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(a.Principal.ARN, b.Principal.ARN),
			cmp.Compare(a.Service, b.Service), cmp.Compare(a.AccessKey, b.AccessKey), cmp.Compare(a.Type, b.Type))
	})
	return fs
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
