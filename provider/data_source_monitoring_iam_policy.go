package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/awsapi"
)

var (
	_ datasource.DataSource                     = (*monitoringIAMPolicyDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig   = (*monitoringIAMPolicyDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*monitoringIAMPolicyDataSource)(nil)
)

// NewMonitoringIAMPolicyDataSource is the activity_monitoring_iam_policy data source.
func NewMonitoringIAMPolicyDataSource() datasource.DataSource {
	return &monitoringIAMPolicyDataSource{}
}

type monitoringIAMPolicyDataSource struct{}

// athenaPolicyModel is the athena attribute: where `extract --engine
// athena` runs its queries.
type athenaPolicyModel struct {
	Region         types.String `tfsdk:"region"`
	AccountID      types.String `tfsdk:"account_id"`
	Workgroup      types.String `tfsdk:"workgroup"`
	Database       types.String `tfsdk:"database"`
	Table          types.String `tfsdk:"table"`
	OutputLocation types.String `tfsdk:"output_location"`
}

type monitoringIAMPolicyModel struct {
	S3Bucket       types.String `tfsdk:"s3_bucket"`
	S3KeyPrefix    types.String `tfsdk:"s3_key_prefix"`
	OrganizationID types.String `tfsdk:"organization_id"`
	AccountIDs     types.Set    `tfsdk:"account_ids"`
	KMSKeyARN      types.String `tfsdk:"kms_key_arn"`
	Partition      types.String `tfsdk:"partition"`
	Athena         types.Object `tfsdk:"athena"`
	LogPrefixes    types.List   `tfsdk:"log_prefixes"`
	JSON           types.String `tfsdk:"json"`
}

func (d *monitoringIAMPolicyDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_monitoring_iam_policy"
}

func (d *monitoringIAMPolicyDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The least-privilege IAM policy that `activity-extractor` needs to read one trail's logs: " +
			"`cloudtrail:GetTrail` and `cloudtrail:GetEventSelectors` (where the logs are, and whether they hold S3 data events), `s3:ListBucket` on the trail's bucket limited to the log prefix (for an organization trail, also the folder names right under `AWSLogs/`, which tell the organization id), `s3:GetObject` on the " +
			"log objects of the organization (organization trail) or of the listed accounts (account trails) and nothing " +
			"else in the bucket, and `kms:Decrypt` on the trail's key when the logs are SSE-KMS encrypted. The same inputs " +
			"always give the same JSON, ready for `aws_iam_policy`. With `athena` set, it adds what extraction through Amazon Athena " +
			"needs. It reads nothing and needs no credentials. Every statement id starts with `CloudTrail`: " +
			"`CloudTrailDescribeTrail` describes the trail; `CloudTrailS3ListLogs`, `CloudTrailS3ListLogFolders` (organization " +
			"trails), `CloudTrailS3ReadLogs` and `CloudTrailS3DecryptLogs` (SSE-KMS) read its logs; Athena's start with `CloudTrailAthena`.",
		Attributes: map[string]schema.Attribute{
			"s3_bucket": schema.StringAttribute{
				MarkdownDescription: "The bucket the trail delivers its logs to (an integration's `s3_bucket` when `verify` is true).",
				Required:            true,
			},
			"s3_key_prefix": schema.StringAttribute{
				MarkdownDescription: "The trail's key prefix, without leading or trailing `/`. Omit it, or leave it empty, when the trail has none.",
				Optional:            true,
			},
			"organization_id": schema.StringAttribute{
				MarkdownDescription: "For an organization trail: the organization id (`o-...`). Its logs lie under " +
					"`[PREFIX/]AWSLogs/ORG_ID/`. Exactly one of `organization_id` and `account_ids` is set.",
				Optional: true,
			},
			"account_ids": schema.SetAttribute{
				MarkdownDescription: "For account trails: the accounts whose logs are read, under `[PREFIX/]AWSLogs/ACCOUNT/` each.",
				ElementType:         types.StringType,
				Optional:            true,
				Validators:          []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(accountIDValidator())},
			},
			"kms_key_arn": schema.StringAttribute{
				MarkdownDescription: "The ARN of the KMS key that encrypts the log objects, when the trail uses SSE-KMS " +
					"(an integration's `kms_key_id`). Adds `kms:Decrypt` on that key only.",
				Optional: true,
			},
			"partition": schema.StringAttribute{
				MarkdownDescription: "The AWS partition of the ARNs, such as `aws-us-gov` or `aws-cn`. Defaults to `aws`.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf("aws", "aws-cn", "aws-us-gov", "aws-eusc", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f")},
			},
			"athena": schema.SingleNestedAttribute{
				MarkdownDescription: "Set when the logs are extracted with `activity-extractor extract --engine athena`. Adds, in statements whose ids start with `CloudTrailAthena`, " +
					"`athena:StartQueryExecution`, `athena:GetQueryExecution`, `athena:GetQueryResults` and `athena:StopQueryExecution` on the workgroup; " +
					"`glue:GetDatabase`, `glue:GetTable`, `glue:CreateTable` and `glue:UpdateTable` on the catalog, the database and the CloudTrail table; " +
					"`s3:GetBucketLocation` on the trail's and the results' buckets; and `s3:ListBucket`, `s3:GetObject`, `s3:PutObject` and " +
					"`s3:AbortMultipartUpload` under the output location. Athena reads the log objects with these same credentials, " +
					"through the reader statements above.",
				Optional: true,
				Attributes: map[string]schema.Attribute{
					"region": schema.StringAttribute{
						MarkdownDescription: "The region of the Athena workgroup and Glue catalog, usually the trail bucket's region.",
						Required:            true,
					},
					"account_id": schema.StringAttribute{
						MarkdownDescription: "The account of the Athena workgroup and Glue catalog.",
						Required:            true,
						Validators:          []validator.String{accountIDValidator()},
					},
					"workgroup": schema.StringAttribute{
						MarkdownDescription: "The workgroup queries run in (`--athena-workgroup`), such as `primary`.",
						Required:            true,
					},
					"database": schema.StringAttribute{
						MarkdownDescription: "The Glue database holding the CloudTrail table (`--athena-database`).",
						Required:            true,
					},
					"table": schema.StringAttribute{
						MarkdownDescription: "The CloudTrail table (`--athena-table`). Omit it to allow the default names, `activity_cloudtrail_ACCOUNT`.",
						Optional:            true,
					},
					"output_location": schema.StringAttribute{
						MarkdownDescription: "The `s3://BUCKET/PREFIX/` where Athena writes query results (`--athena-output`).",
						Required:            true,
					},
				},
			},
			"log_prefixes": schema.ListAttribute{
				MarkdownDescription: "The key prefixes the policy lets the extractor list and read, sorted.",
				ElementType:         types.StringType,
				Computed:            true,
			},
			"json": schema.StringAttribute{
				MarkdownDescription: "The policy document, as JSON.",
				Computed:            true,
			},
		},
	}
}

func (m monitoringIAMPolicyModel) access(ctx context.Context) (awsapi.TrailAccess, bool) {
	if m.S3Bucket.IsUnknown() || m.S3KeyPrefix.IsUnknown() || m.OrganizationID.IsUnknown() || m.AccountIDs.IsUnknown() ||
		m.KMSKeyARN.IsUnknown() || m.Partition.IsUnknown() || m.Athena.IsUnknown() {
		return awsapi.TrailAccess{}, false
	}
	a := awsapi.TrailAccess{
		Partition: m.Partition.ValueString(), S3Bucket: m.S3Bucket.ValueString(), S3KeyPrefix: m.S3KeyPrefix.ValueString(),
		OrganizationID: m.OrganizationID.ValueString(), KMSKeyARN: m.KMSKeyARN.ValueString(),
	}
	for _, e := range m.AccountIDs.Elements() {
		s, ok := e.(types.String)
		if !ok || s.IsUnknown() {
			return awsapi.TrailAccess{}, false
		}
		a.AccountIDs = append(a.AccountIDs, s.ValueString())
	}
	if !m.Athena.IsNull() {
		var am athenaPolicyModel
		if diags := m.Athena.As(ctx, &am, basetypes.ObjectAsOptions{}); diags.HasError() {
			return awsapi.TrailAccess{}, false
		}
		for _, v := range []types.String{am.Region, am.AccountID, am.Workgroup, am.Database, am.Table, am.OutputLocation} {
			if v.IsUnknown() {
				return awsapi.TrailAccess{}, false
			}
		}
		a.Athena = &awsapi.AthenaAccess{Region: am.Region.ValueString(), AccountID: am.AccountID.ValueString(), Workgroup: am.Workgroup.ValueString(),
			Database: am.Database.ValueString(), Table: am.Table.ValueString(), OutputLocation: am.OutputLocation.ValueString()}
	}
	return a, true
}

func (d *monitoringIAMPolicyDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("organization_id"), path.MatchRoot("account_ids")),
	}
}

func (d *monitoringIAMPolicyDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var m monitoringIAMPolicyModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Which of organization_id and account_ids is set is the ExactlyOneOf
	// validator's to report; the rest of the location is checked here.
	if a, known := m.access(ctx); known && (a.OrganizationID == "") != (len(a.AccountIDs) == 0) {
		if err := a.Check(); err != nil {
			resp.Diagnostics.AddError("Invalid Trail Location", fmt.Sprintf("The policy cannot be built: %v.", err))
		}
	}
}

func (d *monitoringIAMPolicyDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m monitoringIAMPolicyModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	a, _ := m.access(ctx)
	doc, err := awsapi.ReaderPolicy(a)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Trail Location", fmt.Sprintf("The policy cannot be built: %v.", err))
		return
	}
	prefixes, diags := types.ListValueFrom(ctx, types.StringType, a.LogPrefixes())
	resp.Diagnostics.Append(diags...)
	m.LogPrefixes = prefixes
	m.JSON = types.StringValue(string(doc))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
