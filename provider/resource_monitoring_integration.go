package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/awsapi"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

var (
	_ resource.Resource                   = (*monitoringIntegrationResource)(nil)
	_ resource.ResourceWithConfigure      = (*monitoringIntegrationResource)(nil)
	_ resource.ResourceWithImportState    = (*monitoringIntegrationResource)(nil)
	_ resource.ResourceWithValidateConfig = (*monitoringIntegrationResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*monitoringIntegrationResource)(nil)
)

// NewMonitoringIntegrationResource is the activity_monitoring_integration resource.
func NewMonitoringIntegrationResource() resource.Resource { return &monitoringIntegrationResource{} }

type monitoringIntegrationResource struct {
	data *providerData
}

type monitoringIntegrationModel struct {
	ID                     types.String `tfsdk:"id"`
	AccountID              types.String `tfsdk:"account_id"`
	Trail                  types.String `tfsdk:"trail"`
	Region                 types.String `tfsdk:"region"`
	ExtractForOrganization types.Bool   `tfsdk:"extract_for_organization"`
	SkipExtraction         types.Bool   `tfsdk:"skip_extraction"`
	RoleARN                types.String `tfsdk:"role_arn"`
	OktaOrgURL             types.String `tfsdk:"okta_org_url"`
	OktaAppID              types.String `tfsdk:"okta_app_id"`
	Verify                 types.Bool   `tfsdk:"verify"`
	TrailARN               types.String `tfsdk:"trail_arn"`
	S3Bucket               types.String `tfsdk:"s3_bucket"`
	S3KeyPrefix            types.String `tfsdk:"s3_key_prefix"`
	IsOrganizationTrail    types.Bool   `tfsdk:"is_organization_trail"`
	KMSKeyID               types.String `tfsdk:"kms_key_id"`
}

func (r *monitoringIntegrationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_monitoring_integration"
}

func (r *monitoringIntegrationResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	verified := func(what string) string {
		return what + " Known only when `verify` is true; null otherwise."
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Enables activity monitoring for one AWS account: which CloudTrail trail holds the account's " +
			"logs, and whether this account's extraction covers the whole organization, only itself, or nothing because " +
			"another integration's extraction covers it. `activity-extractor extract` reads these settings from the database.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The account id; integrations are keyed by account.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"account_id": schema.StringAttribute{
				MarkdownDescription: "The 12-digit id of the AWS account to monitor. Changing it replaces the integration.",
				Required:            true,
				Validators:          []validator.String{accountIDValidator()},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"trail": schema.StringAttribute{
				MarkdownDescription: "The CloudTrail trail that logs the account: its name when the account owns the trail, " +
					"or its ARN for an organization trail or a trail owned by another account.",
				Required:   true,
				Validators: []validator.String{trailValidator()},
			},
			"region": schema.StringAttribute{
				MarkdownDescription: "The trail's home region, such as `us-east-1`. When `trail` is an ARN, it must name the same region.",
				Required:            true,
				Validators:          []validator.String{regionValidator()},
			},
			"extract_for_organization": schema.BoolAttribute{
				MarkdownDescription: "Whether this account holds the organization trail's logs, so that its extraction reads " +
					"the logs of every account in the organization. Requires `trail` to be the trail's ARN. Defaults to false.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"skip_extraction": schema.BoolAttribute{
				MarkdownDescription: "Whether another integration's extraction (usually the organization's log-archive account) " +
					"already covers this account, so none is run for it. Cannot be true together with " +
					"`extract_for_organization`. Defaults to false.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"role_arn": schema.StringAttribute{
				MarkdownDescription: "An IAM role that `activity-extractor` (and `verify`) assumes to read this account's trail " +
					"and logs. When unset, the default AWS credential chain is used as is.",
				Optional:   true,
				Validators: []validator.String{roleARNValidator()},
			},
			"okta_org_url": schema.StringAttribute{
				MarkdownDescription: "The Okta org people sign in to this account through, such as `https://example.okta.com`. " +
					"`activity-extractor people` reads from it which roles each Okta user may assume, so that people are scored " +
					"like IAM users. The API credentials never go here: the extractor takes them from its environment " +
					"(`OKTA_API_TOKEN`, or `OKTA_CLIENT_ID` with `OKTA_PRIVATE_KEY`).",
				Optional:   true,
				Validators: []validator.String{oktaOrgURLValidator(), stringvalidator.AlsoRequires(path.MatchRoot("okta_app_id"))},
			},
			"okta_app_id": schema.StringAttribute{
				MarkdownDescription: "The id of the Okta AWS Account Federation app whose user and group assignments grant " +
					"this account's roles. Requires `okta_org_url`.",
				Optional:   true,
				Validators: []validator.String{oktaAppIDValidator(), stringvalidator.AlsoRequires(path.MatchRoot("okta_org_url"))},
			},
			"verify": schema.BoolAttribute{
				MarkdownDescription: "Whether to call `cloudtrail:GetTrail` at plan and apply time, so that a trail that does " +
					"not exist fails the plan, and to fill the computed trail attributes. Uses the default AWS credential " +
					"chain, through `role_arn` when set. Defaults to false.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"trail_arn":             schema.StringAttribute{MarkdownDescription: verified("The trail's ARN."), Computed: true},
			"s3_bucket":             schema.StringAttribute{MarkdownDescription: verified("The S3 bucket the trail delivers its logs to."), Computed: true},
			"s3_key_prefix":         schema.StringAttribute{MarkdownDescription: verified("The key prefix of the trail's log objects; empty when it has none."), Computed: true},
			"is_organization_trail": schema.BoolAttribute{MarkdownDescription: verified("Whether the trail logs every account of the organization."), Computed: true},
			"kms_key_id":            schema.StringAttribute{MarkdownDescription: verified("The KMS key that encrypts the trail's log objects; empty when they are not SSE-KMS encrypted."), Computed: true},
		},
	}
}

func (r *monitoringIntegrationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

// describeTrail calls cloudtrail:GetTrail in the trail's region, through the
// integration's role when it has one.
func describeTrail(ctx context.Context, region, roleARN, trail string) (activity.TrailInfo, error) {
	cfg, err := awsapi.Config(ctx, region, roleARN)
	if err != nil {
		return activity.TrailInfo{}, err
	}
	return awsapi.DescribeTrail(ctx, cfg, trail)
}

// ValidateConfig checks what no single attribute's validator can: the
// attributes against each other.
func (r *monitoringIntegrationResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m monitoringIntegrationModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if m.ExtractForOrganization.ValueBool() && m.SkipExtraction.ValueBool() {
		resp.Diagnostics.AddAttributeError(path.Root("skip_extraction"), "Conflicting Extraction Modes",
			"extract_for_organization and skip_extraction are both true. Set extract_for_organization = true on the account "+
				"that holds the organization trail's logs, and skip_extraction = true on the accounts it covers, never both on one.")
	}
	if m.Trail.IsUnknown() || m.Trail.IsNull() {
		return
	}
	trail := m.Trail.ValueString()
	isARN := strings.HasPrefix(trail, "arn:")
	if m.ExtractForOrganization.ValueBool() && !isARN {
		resp.Diagnostics.AddAttributeError(path.Root("trail"), "Organization Trail Needs an ARN",
			fmt.Sprintf("extract_for_organization is true but trail is the name %q. An organization trail is owned by the "+
				"management account: give its ARN, such as \"arn:aws:cloudtrail:us-east-1:222222222222:trail/%s\".", trail, trail))
	}
	if !isARN || m.Region.IsUnknown() || m.Region.IsNull() {
		return
	}
	t, err := awsapi.ParseTrailARN(trail)
	if err == nil && t.Region != m.Region.ValueString() {
		resp.Diagnostics.AddAttributeError(path.Root("region"), "Region Does Not Match the Trail",
			fmt.Sprintf("region is %q but the trail ARN %q names region %q. A trail is read in its home region: set region = %q.",
				m.Region.ValueString(), trail, t.Region, t.Region))
	}
}

// ModifyPlan verifies the trail at plan time when asked, so that a missing
// trail fails the plan rather than the first extraction, and plans the
// computed trail attributes.
func (r *monitoringIntegrationResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	var m monitoringIntegrationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !m.AccountID.IsUnknown() {
		m.ID = m.AccountID
	}
	switch {
	case m.Verify.IsUnknown() || m.Trail.IsUnknown() || m.Region.IsUnknown() || m.RoleARN.IsUnknown():
		return // known at apply; the computed attributes stay unknown until then
	case m.Verify.ValueBool():
		info, ok := r.verify(ctx, m, &resp.Diagnostics)
		if !ok {
			return
		}
		m.setTrailInfo(info)
	default:
		m.setTrailInfo(activity.TrailInfo{})
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &m)...)
}

// verify describes the trail and checks it against the extraction mode.
func (r *monitoringIntegrationResource) verify(ctx context.Context, m monitoringIntegrationModel, diags *diag.Diagnostics) (activity.TrailInfo, bool) {
	trail, region := m.Trail.ValueString(), m.Region.ValueString()
	info, err := describeTrail(ctx, region, m.RoleARN.ValueString(), trail)
	if errors.Is(err, awsapi.ErrTrailNotFound) {
		diags.AddAttributeError(path.Root("trail"), "Trail Not Found",
			fmt.Sprintf("CloudTrail has no trail %q in region %s for the credentials in use. Check the trail's name and home "+
				"region; for an organization trail or a trail of another account, give its ARN. Set verify = false to "+
				"skip this check.\n\nError: %v", trail, region, err))
		return info, false
	}
	if err != nil {
		diags.AddAttributeError(path.Root("verify"), "Cannot Verify Trail",
			fmt.Sprintf("Calling cloudtrail:GetTrail for trail %q in region %s failed. Check the AWS credentials available "+
				"to Terraform (and role_arn, when set), or set verify = false to skip this check.\n\nError: %v", trail, region, err))
		return info, false
	}
	if m.ExtractForOrganization.ValueBool() && !info.IsOrganizationTrail {
		diags.AddAttributeError(path.Root("extract_for_organization"), "Not an Organization Trail",
			fmt.Sprintf("extract_for_organization is true, but CloudTrail says trail %q is not an organization trail, so its "+
				"bucket holds no other account's logs. Set extract_for_organization = false to extract this account only.", trail))
		return info, false
	}
	if info.IsOrganizationTrail && !m.ExtractForOrganization.ValueBool() && !m.SkipExtraction.ValueBool() {
		diags.AddAttributeWarning(path.Root("trail"), "Organization Trail Extracted for One Account",
			fmt.Sprintf("Trail %q is an organization trail, and this integration extracts account %s only. When this "+
				"account holds the organization's logs, set extract_for_organization = true; when another integration "+
				"extracts them, set skip_extraction = true.", trail, m.AccountID.ValueString()))
	}
	return info, true
}

func (m *monitoringIntegrationModel) setTrailInfo(t activity.TrailInfo) {
	if t.ARN == "" && t.S3Bucket == "" {
		m.TrailARN, m.S3Bucket, m.S3KeyPrefix, m.KMSKeyID = types.StringNull(), types.StringNull(), types.StringNull(), types.StringNull()
		m.IsOrganizationTrail = types.BoolNull()
		return
	}
	m.TrailARN, m.S3Bucket = types.StringValue(t.ARN), types.StringValue(t.S3Bucket)
	m.S3KeyPrefix, m.KMSKeyID = types.StringValue(t.S3KeyPrefix), types.StringValue(t.KMSKeyID)
	m.IsOrganizationTrail = types.BoolValue(t.IsOrganizationTrail)
}

func (m monitoringIntegrationModel) toStore() activity.Integration {
	in := activity.Integration{
		AccountID:              m.AccountID.ValueString(),
		Trail:                  m.Trail.ValueString(),
		Region:                 m.Region.ValueString(),
		ExtractForOrganization: m.ExtractForOrganization.ValueBool(),
		SkipExtraction:         m.SkipExtraction.ValueBool(),
		RoleARN:                m.RoleARN.ValueString(),
		OktaOrgURL:             m.OktaOrgURL.ValueString(),
		OktaAppID:              m.OktaAppID.ValueString(),
	}
	if m.Verify.ValueBool() && !m.TrailARN.IsNull() {
		in.TrailInfo = activity.TrailInfo{
			ARN: m.TrailARN.ValueString(), S3Bucket: m.S3Bucket.ValueString(), S3KeyPrefix: m.S3KeyPrefix.ValueString(),
			IsOrganizationTrail: m.IsOrganizationTrail.ValueBool(), KMSKeyID: m.KMSKeyID.ValueString(),
			ResolvedAt: time.Now().UTC().Truncate(time.Second),
		}
	}
	return in
}

func (r *monitoringIntegrationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m monitoringIntegrationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	db, ok := openWritableStore(ctx, r.data, &resp.Diagnostics)
	if !ok {
		return
	}
	defer db.Close()
	err := db.CreateIntegration(ctx, m.toStore())
	if errors.Is(err, store.ErrExists) {
		resp.Diagnostics.AddAttributeError(path.Root("account_id"), "Integration Already Exists",
			fmt.Sprintf("The database %s already has an integration for account %s. Import it instead of creating it: "+
				"terraform import <resource address> %s", db.Path(), m.AccountID.ValueString(), m.AccountID.ValueString()))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot Save Integration", fmt.Sprintf("Writing the integration to %s failed.\n\nError: %v", db.Path(), err))
		return
	}
	m.ID = m.AccountID
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *monitoringIntegrationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m monitoringIntegrationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	db, ok := openStoreDiag(ctx, r.data, &resp.Diagnostics)
	if !ok {
		return
	}
	defer db.Close()
	in, err := db.Integration(ctx, m.AccountID.ValueString())
	if errors.Is(err, store.ErrNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot Read Integration", fmt.Sprintf("Reading account %s from %s failed.\n\nError: %v",
			m.AccountID.ValueString(), db.Path(), err))
		return
	}
	m.ID = types.StringValue(in.AccountID)
	m.AccountID = types.StringValue(in.AccountID)
	m.Trail = types.StringValue(in.Trail)
	m.Region = types.StringValue(in.Region)
	m.ExtractForOrganization = types.BoolValue(in.ExtractForOrganization)
	m.SkipExtraction = types.BoolValue(in.SkipExtraction)
	m.RoleARN = types.StringNull()
	if in.RoleARN != "" {
		m.RoleARN = types.StringValue(in.RoleARN)
	}
	m.OktaOrgURL, m.OktaAppID = stringOrNull(in.OktaOrgURL), stringOrNull(in.OktaAppID)
	if m.Verify.IsNull() { // imported
		m.Verify = types.BoolValue(false)
	}
	if m.Verify.ValueBool() && !in.TrailInfo.ResolvedAt.IsZero() {
		m.setTrailInfo(in.TrailInfo)
	} else {
		m.setTrailInfo(activity.TrailInfo{})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *monitoringIntegrationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m monitoringIntegrationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	db, ok := openWritableStore(ctx, r.data, &resp.Diagnostics)
	if !ok {
		return
	}
	defer db.Close()
	if err := db.UpdateIntegration(ctx, m.toStore()); err != nil {
		resp.Diagnostics.AddError("Cannot Update Integration", fmt.Sprintf("Updating account %s in %s failed. If the "+
			"integration was deleted outside Terraform, run terraform apply again to recreate it.\n\nError: %v",
			m.AccountID.ValueString(), db.Path(), err))
		return
	}
	m.ID = m.AccountID
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *monitoringIntegrationResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m monitoringIntegrationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	db, ok := openWritableStore(ctx, r.data, &resp.Diagnostics)
	if !ok {
		return
	}
	defer db.Close()
	if err := db.DeleteIntegration(ctx, m.AccountID.ValueString()); err != nil {
		resp.Diagnostics.AddError("Cannot Delete Integration", fmt.Sprintf("Deleting account %s from %s failed.\n\nError: %v",
			m.AccountID.ValueString(), db.Path(), err))
	}
}

func (r *monitoringIntegrationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !activity.IsAccountID(req.ID) {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("%q is not an AWS account id. Import an integration by its 12-digit account id, such as "+
				"terraform import activity_monitoring_integration.prod 111111111111.", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("account_id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
}

func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}
