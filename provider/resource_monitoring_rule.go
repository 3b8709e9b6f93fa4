package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

var (
	_ resource.Resource                   = (*monitoringRuleResource)(nil)
	_ resource.ResourceWithConfigure      = (*monitoringRuleResource)(nil)
	_ resource.ResourceWithImportState    = (*monitoringRuleResource)(nil)
	_ resource.ResourceWithValidateConfig = (*monitoringRuleResource)(nil)
)

// NewMonitoringRuleResource is the activity_monitoring_rule resource.
func NewMonitoringRuleResource() resource.Resource { return &monitoringRuleResource{} }

type monitoringRuleResource struct {
	data *providerData
}

type monitoringRuleModel struct {
	ID             types.String  `tfsdk:"id"`
	Name           types.String  `tfsdk:"name"`
	Description    types.String  `tfsdk:"description"`
	MaxOPS         types.Float64 `tfsdk:"max_ops"`
	MaxResourceOPS types.Float64 `tfsdk:"max_resource_ops"`
	NoDormant      types.Bool    `tfsdk:"no_dormant"`
	MaxUnusedRole  types.Int64   `tfsdk:"max_unused_role_days"`
	MaxUnusedKey   types.Int64   `tfsdk:"max_unused_access_key_days"`
	Accounts       types.Set     `tfsdk:"accounts"`
	Kinds          types.Set     `tfsdk:"kinds"`
	ResourceKinds  types.Set     `tfsdk:"resource_kinds"`
}

func (r *monitoringRuleResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_monitoring_rule"
}

func (r *monitoringRuleResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A saved constraint on the scores, such as \"no IAM user above 80 on any KMS key\" or \"no " +
			"dormant principal in production\". `activity-extractor score` and `activity-extractor rules check` evaluate " +
			"every rule and exit with status 4 when one is violated, so a pipeline can gate on it without Terraform.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The rule's name.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "A unique name for the rule, shown with each violation. Changing it replaces the rule.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 128)},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "What the rule is for, in words: at most 1,024 characters.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Validators:          []validator.String{stringvalidator.LengthAtMost(activity.MaxMessage)},
			},
			"max_ops": schema.Float64Attribute{
				MarkdownDescription: "The highest OPS allowed (0 to 100). Without `resource_kinds` it bounds each principal's " +
					"OPS; with them, each principal's OPS on every resource of those kinds. A null OPS (not monitored) " +
					"never violates it.",
				Optional:   true,
				Validators: []validator.Float64{float64validator.Between(0, 100)},
			},
			"max_resource_ops": schema.Float64Attribute{
				MarkdownDescription: "The highest `resource_ops` allowed (0 to 100): the share of the resources a principal " +
					"is granted something on and did not use at all. A null score never violates it.",
				Optional:   true,
				Validators: []validator.Float64{float64validator.Between(0, 100)},
			},
			"no_dormant": schema.BoolAttribute{
				MarkdownDescription: "Whether any dormant principal in scope violates the rule. Defaults to false.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
			},
			"max_unused_role_days": schema.Int64Attribute{
				MarkdownDescription: "The most whole days an IAM role in scope may go unused up to the window's end (0 to 3,650): " +
					"since its last activity, or, when none was seen, since the start of the window or its creation, whichever " +
					"is later. Roles of accounts not monitored and service-linked roles never violate it. Beside a 30-day " +
					"window, `max_unused_role_days = 30` matches the `unused_role` findings of `activity_monitoring_unused_access`.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(0, 3650)},
			},
			"max_unused_access_key_days": schema.Int64Attribute{
				MarkdownDescription: "The most whole days an active access key of an IAM user in scope may go unused up to the " +
					"window's end (0 to 3,650): since its last use (in the logs, or in AWS's own record from the credential report), " +
					"or, when never used, since its creation. Keys come from `activity-extractor discover` (AWS, or " +
					"`--credential-report`). For example `max_unused_access_key_days = 90`: no access key unused for 90 days.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(0, 3650)},
			},
			"accounts": schema.SetAttribute{
				MarkdownDescription: "Limit the rule to principals of these AWS accounts. All accounts when unset.",
				ElementType:         types.StringType,
				Optional:            true,
				Validators:          []validator.Set{setvalidator.ValueStringsAre(accountIDValidator())},
			},
			"kinds": schema.SetAttribute{
				MarkdownDescription: "Limit the rule to principals of these kinds (" + codeList(activity.ScoredKinds, "") + "). All kinds when unset.",
				ElementType:         types.StringType,
				Optional:            true,
				Validators:          []validator.Set{setvalidator.ValueStringsAre(stringvalidator.OneOf(activity.ScoredKinds...))},
			},
			"resource_kinds": schema.SetAttribute{
				MarkdownDescription: "Limit the rule to grants on these resource kinds (" + codeList(activity.ResourceKindNames(), "") +
					"); `max_ops` then bounds each resource's score. All kinds when unset.",
				ElementType: types.StringType,
				Optional:    true,
				Validators: []validator.Set{setvalidator.ValueStringsAre(
					stringvalidator.OneOf(activity.ResourceKindNames()...))},
			},
		},
	}
}

func (r *monitoringRuleResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (r *monitoringRuleResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m monitoringRuleModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || m.MaxOPS.IsUnknown() || m.MaxResourceOPS.IsUnknown() || m.NoDormant.IsUnknown() || m.MaxUnusedRole.IsUnknown() ||
		m.MaxUnusedKey.IsUnknown() {
		return
	}
	if m.MaxOPS.IsNull() && m.MaxResourceOPS.IsNull() && !m.NoDormant.ValueBool() && m.MaxUnusedRole.IsNull() && m.MaxUnusedKey.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("max_ops"), "Rule Without a Constraint",
			"The rule constrains nothing. Set max_ops to bound OPS, max_resource_ops to bound resource OPS, "+
				"no_dormant = true to forbid dormant principals, max_unused_role_days to bound how long a role goes unused, "+
				"max_unused_access_key_days to bound how long an access key goes unused, or several of them.")
	}
}

func (m monitoringRuleModel) toStore(ctx context.Context, diags *diag.Diagnostics) store.Rule {
	rule := store.Rule{Name: m.Name.ValueString(), Description: m.Description.ValueString(), NoDormant: m.NoDormant.ValueBool()}
	if !m.MaxUnusedRole.IsNull() {
		v := m.MaxUnusedRole.ValueInt64()
		rule.MaxUnusedRoleDays = &v
	}
	if !m.MaxUnusedKey.IsNull() {
		v := m.MaxUnusedKey.ValueInt64()
		rule.MaxUnusedAccessKeyDays = &v
	}
	for _, b := range []struct {
		value types.Float64
		into  **float64
	}{{m.MaxOPS, &rule.MaxOPS}, {m.MaxResourceOPS, &rule.MaxResourceOPS}} {
		if !b.value.IsNull() {
			v := b.value.ValueFloat64()
			*b.into = &v
		}
	}
	for _, s := range []struct {
		set  types.Set
		into *[]string
	}{{m.Accounts, &rule.Accounts}, {m.Kinds, &rule.Kinds}, {m.ResourceKinds, &rule.ResourceKinds}} {
		if !s.set.IsNull() {
			diags.Append(s.set.ElementsAs(ctx, s.into, false)...)
		}
	}
	return rule
}

func (m *monitoringRuleModel) fromStore(rule store.Rule) {
	m.ID, m.Name, m.Description = types.StringValue(rule.Name), types.StringValue(rule.Name), types.StringValue(rule.Description)
	m.MaxOPS, m.MaxResourceOPS = floatValue(rule.MaxOPS), floatValue(rule.MaxResourceOPS)
	m.NoDormant = types.BoolValue(rule.NoDormant)
	m.MaxUnusedRole = types.Int64Null()
	if rule.MaxUnusedRoleDays != nil {
		m.MaxUnusedRole = types.Int64Value(*rule.MaxUnusedRoleDays)
	}
	m.MaxUnusedKey = types.Int64Null()
	if rule.MaxUnusedAccessKeyDays != nil {
		m.MaxUnusedKey = types.Int64Value(*rule.MaxUnusedAccessKeyDays)
	}
	m.Accounts, m.Kinds, m.ResourceKinds = stringSet(rule.Accounts), stringSet(rule.Kinds), stringSet(rule.ResourceKinds)
}

// stringSet is null for an empty list, as an unset optional set reads back.
func stringSet(values []string) types.Set {
	if len(values) == 0 {
		return types.SetNull(types.StringType)
	}
	set, _ := types.SetValueFrom(context.Background(), types.StringType, values)
	return set
}

func (r *monitoringRuleResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m monitoringRuleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	rule := m.toStore(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	db, ok := openWritableStore(ctx, r.data, &resp.Diagnostics)
	if !ok {
		return
	}
	defer db.Close()
	err := db.CreateRule(ctx, rule)
	if errors.Is(err, store.ErrExists) {
		resp.Diagnostics.AddAttributeError(path.Root("name"), "Rule Already Exists",
			fmt.Sprintf("The database %s already has a rule named %q. Choose another name, or import it: "+
				"terraform import <resource address> %s", db.Path(), rule.Name, rule.Name))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot Save Rule", fmt.Sprintf("Writing rule %q to %s failed.\n\nError: %v", rule.Name, db.Path(), err))
		return
	}
	m.ID = m.Name
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *monitoringRuleResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m monitoringRuleModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	db, ok := openStoreDiag(ctx, r.data, &resp.Diagnostics)
	if !ok {
		return
	}
	defer db.Close()
	rule, err := db.Rule(ctx, m.Name.ValueString())
	if errors.Is(err, store.ErrNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot Read Rule", fmt.Sprintf("Reading rule %q from %s failed.\n\nError: %v", m.Name.ValueString(), db.Path(), err))
		return
	}
	m.fromStore(rule)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *monitoringRuleResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m monitoringRuleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	rule := m.toStore(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	db, ok := openWritableStore(ctx, r.data, &resp.Diagnostics)
	if !ok {
		return
	}
	defer db.Close()
	if err := db.UpdateRule(ctx, rule); err != nil {
		resp.Diagnostics.AddError("Cannot Update Rule", fmt.Sprintf("Updating rule %q in %s failed. If it was deleted outside "+
			"Terraform, run terraform apply again to recreate it.\n\nError: %v", rule.Name, db.Path(), err))
		return
	}
	m.ID = m.Name
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *monitoringRuleResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m monitoringRuleModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	db, ok := openWritableStore(ctx, r.data, &resp.Diagnostics)
	if !ok {
		return
	}
	defer db.Close()
	if err := db.DeleteRule(ctx, m.Name.ValueString()); err != nil {
		resp.Diagnostics.AddError("Cannot Delete Rule", fmt.Sprintf("Deleting rule %q from %s failed.\n\nError: %v", m.Name.ValueString(), db.Path(), err))
	}
}

func (r *monitoringRuleResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
}
