package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/score"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// The words of the scores, shared by every data source that shows them.
const (
	opsDescription = "The Over-Provisioned Score: the percentage (0 to 100) of the access this principal holds on S3 " +
		"buckets, KMS keys and secrets that it left unused in the window, counted over every (resource, action) pair " +
		"its policies grant. Null (N/A) when it cannot be known; `na_reason` says why. In a gate, " +
		"`coalesce(self.ops, 0) < 50` lets N/A pass on every Terraform CLI."
	resourceOPSDescription = "The percentage (0 to 100) of the resources this principal is granted something on " +
		"that it did not use at all in the window. Null when `ops` is."
	naReasonDescription = "Why `ops` is null: `root_user` (the account root user may do anything and is never scored; " +
		"its use is a finding of its own), `not_enabled` (no `activity_monitoring_integration` enables the " +
		"principal's account), `no_logs` (enabled, but no logs were read for the window), `not_discovered` (the " +
		"account's IAM was never loaded), `policy_unreadable` (a policy that applies could not be parsed) or " +
		"`nothing_granted`. Null when `ops` is known."
	monitoredDescription = "Whether an integration enables the principal's account (in a database without " +
		"integrations, any account) and its logs were extracted for the window. When false, the scores are null " +
		"(N/A), not zero: nothing is known about the principal's use."
	dormantDescription = "Whether the principal is monitored, existed for the whole window, and did nothing at all in " +
		"it, in any AWS service."
	lastActivityDescription = "The time (RFC 3339, UTC) of the principal's latest event of any kind, in any service, " +
		"denied calls included; null when none was seen."
	observedSinceDescription = "When the logs of the principal's account start inside the window: the start of the " +
		"observed part, which the scores cover (RFC 3339). Null when the logs cover the whole window."
)

// windowScores are the scores a data source reads: the stored run of the
// window and as_of, or, when none is stored, scores computed from the stored
// facts (the provider never writes results).
type windowScores struct {
	run      activity.ScoreRun
	computed *activity.Scores // nil when read from a stored run
}

// readWindowScores finds the scores of a window of days ending at asOf (the
// stored run whose window ends last when asOf is null). keep limits what is
// computed to the principals a data source shows.
func readWindowScores(ctx context.Context, db scoreReader, days int64, asOf types.String, keep func(activity.Principal) bool,
	diags *diag.Diagnostics) (windowScores, bool) {
	var at time.Time
	if !asOf.IsNull() && !asOf.IsUnknown() {
		t, err := activity.ParseAsOf(asOf.ValueString(), time.Now)
		if err != nil {
			diags.AddAttributeError(path.Root("as_of"), "Invalid as_of", err.Error())
			return windowScores{}, false
		}
		at = t
	}
	run, err := db.ScoreRunFor(ctx, int(days), at)
	if err == nil {
		return windowScores{run: run}, true
	}
	if !errors.Is(err, store.ErrNoScores) {
		diags.AddError("Cannot Read Scores", fmt.Sprintf("Reading scores from %s failed.\n\nError: %v", db.Path(), err))
		return windowScores{}, false
	}
	if at.IsZero() {
		at = time.Now().UTC().Truncate(time.Second)
	}
	w, err := activity.NewWindow(at, int(days))
	if err != nil {
		diags.AddAttributeError(path.Root("as_of"), "Invalid Window", err.Error())
		return windowScores{}, false
	}
	sc, err := score.Compute(ctx, db, w, keep)
	if err != nil {
		diags.AddError("Cannot Compute Scores",
			fmt.Sprintf("No stored run covers the %s, and computing it from the facts in %s failed.\n\nError: %v", w, db.Path(), err))
		return windowScores{}, false
	}
	return windowScores{run: sc.Run, computed: sc}, true
}

// principals are the scores of the principals f selects.
func (ws windowScores) principals(ctx context.Context, db scoreReader, f store.ScoreFilter) ([]activity.PrincipalScore, error) {
	if ws.computed != nil {
		return f.Select(ws.computed.Principals), nil
	}
	return db.PrincipalScores(ctx, ws.run.ID, f)
}

// key is the activity of one KMS key.
func (ws windowScores) key(ctx context.Context, db scoreReader, key activity.Resource) (activity.KeyActivity, error) {
	if ws.computed == nil {
		return db.KeyActivityOf(ctx, ws.run.ID, key)
	}
	for _, k := range ws.computed.KMSKeys {
		if k.ID == key.ID {
			return k, nil
		}
	}
	return activity.KeyActivity{}, fmt.Errorf("KMS key %s: %w", key.ARN, store.ErrNotFound)
}

// asOfSchema and computedSchema are the window attributes every data source
// that reads scores has.
func asOfSchema() schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: "The end of the window (RFC 3339, exact to the second). When set, the scores of the window " +
			"ending then; when not, the stored run whose window ends last (a run scored later for a past window does " +
			"not replace it). When no stored run covers the window, the scores are computed from the stored facts.",
		Optional:   true,
		Computed:   true,
		Validators: []validator.String{asOfValidator{}},
	}
}

func computedSchema() schema.BoolAttribute {
	return schema.BoolAttribute{
		MarkdownDescription: "Whether the scores were computed from the stored facts because no stored run covers the " +
			"window (true), or read from a run `activity-extractor score` stored (false).",
		Computed: true,
	}
}

func windowOf(v types.Int64, data *providerData) int64 {
	if v.IsNull() || v.IsUnknown() {
		return data.windowDays
	}
	return v.ValueInt64()
}

func timeValue(t *time.Time) types.String {
	if t == nil {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}

// naReasonValue is why a principal's ops is null, or null when it is known.
func naReasonValue(ps activity.PrincipalScore) types.String {
	switch {
	case ps.OPS != nil:
		return types.StringNull()
	case ps.NAReason != "":
		return types.StringValue(ps.NAReason)
	case !ps.Monitored:
		// A run stored before reasons were kept.
		return types.StringValue(activity.NANoLogs)
	}
	return types.StringValue(activity.NANothingGranted)
}

func floatValue(f *float64) types.Float64 {
	if f == nil {
		return types.Float64Null()
	}
	return types.Float64Value(*f)
}

func stringList(values []string) types.List {
	elems := make([]attr.Value, 0, len(values))
	for _, v := range values {
		elems = append(elems, types.StringValue(v))
	}
	return types.ListValueMust(types.StringType, elems)
}

// resourceScoreAttrTypes is the shape of one element of a `resources` list.
var resourceScoreAttrTypes = map[string]attr.Type{
	"arn":                 types.StringType,
	"kind":                types.StringType,
	"ops":                 types.Float64Type,
	"granted_actions":     types.ListType{ElemType: types.StringType},
	"used_actions":        types.ListType{ElemType: types.StringType},
	"conditional_actions": types.ListType{ElemType: types.StringType},
	"last_used_at":        types.StringType,
}

func resourceScoresSchema() schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		MarkdownDescription: "Each resource the principal is granted something on, most over-provisioned first.",
		Computed:            true,
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"arn":  schema.StringAttribute{MarkdownDescription: "The resource's ARN.", Computed: true},
			"kind": schema.StringAttribute{MarkdownDescription: codeList(activity.ResourceKindNames(), "or") + ".", Computed: true},
			"ops": schema.Float64Attribute{MarkdownDescription: "The percentage of the actions granted on this resource " +
				"that were not used in the window; null when the principal is not monitored.", Computed: true},
			"granted_actions": schema.ListAttribute{MarkdownDescription: "The actions the effective policies allow on " +
				"the resource, sorted.", ElementType: types.StringType, Computed: true},
			"used_actions": schema.ListAttribute{MarkdownDescription: "The granted actions performed successfully on " +
				"the resource in the window, sorted.", ElementType: types.StringType, Computed: true},
			"conditional_actions": schema.ListAttribute{MarkdownDescription: "The granted actions allowed only under a " +
				"`Condition`, which cannot be known in advance; they count as granted.", ElementType: types.StringType, Computed: true},
			"last_used_at": schema.StringAttribute{MarkdownDescription: "The latest successful use of a granted " +
				"action on the resource in the window (RFC 3339); null when none.", Computed: true},
		}},
	}
}

func resourceScoresValue(rs []activity.ResourceScore, diags *diag.Diagnostics) types.List {
	elems := make([]attr.Value, 0, len(rs))
	for _, r := range rs {
		obj, d := types.ObjectValue(resourceScoreAttrTypes, map[string]attr.Value{
			"arn": types.StringValue(r.ARN), "kind": types.StringValue(r.Kind), "ops": floatValue(r.OPS),
			"granted_actions": stringList(r.GrantedActions), "used_actions": stringList(r.UsedActions),
			"conditional_actions": stringList(r.ConditionalActions), "last_used_at": timeValue(r.LastUsedAt),
		})
		diags.Append(d...)
		elems = append(elems, obj)
	}
	list, d := types.ListValue(types.ObjectType{AttrTypes: resourceScoreAttrTypes}, elems)
	diags.Append(d...)
	return list
}

// deniedAttrTypes is the shape of one element of a `denied` list.
var deniedAttrTypes = map[string]attr.Type{
	"action":     types.StringType,
	"resource":   types.StringType,
	"error_code": types.StringType,
	"count":      types.Int64Type,
	"last_at":    types.StringType,
}

func deniedSchema(description string) schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		MarkdownDescription: description,
		Computed:            true,
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"action": schema.StringAttribute{MarkdownDescription: "The IAM action the call needed (`s3:PutObject`).", Computed: true},
			"resource": schema.StringAttribute{MarkdownDescription: "The ARN of the bucket, key or secret the call named; " +
				"null when it named none of them.", Computed: true},
			"error_code": schema.StringAttribute{MarkdownDescription: "The event's `errorCode` (`AccessDenied`, " +
				"`Client.UnauthorizedOperation`, `ThrottlingException`, ...).", Computed: true},
			"count": schema.Int64Attribute{MarkdownDescription: "How many such calls were made in the window, each event " +
				"counted once however often CloudTrail delivered it.", Computed: true},
			"last_at": schema.StringAttribute{MarkdownDescription: "The time of the latest of them (RFC 3339, UTC).", Computed: true},
		}},
	}
}

func deniedValue(ds []activity.Denied, diags *diag.Diagnostics) types.List {
	elems := make([]attr.Value, 0, len(ds))
	for _, d := range ds {
		resource := types.StringNull()
		if d.Resource != nil {
			resource = types.StringValue(d.Resource.ARN)
		}
		obj, di := types.ObjectValue(deniedAttrTypes, map[string]attr.Value{
			"action": types.StringValue(d.Action), "resource": resource, "error_code": types.StringValue(d.ErrorCode),
			"count": types.Int64Value(d.Count), "last_at": timeValue(&d.LastAt),
		})
		diags.Append(di...)
		elems = append(elems, obj)
	}
	list, di := types.ListValue(types.ObjectType{AttrTypes: deniedAttrTypes}, elems)
	diags.Append(di...)
	return list
}

// codeList writes names as a Markdown list in prose: "`a`, `b` or `c`", or
// "`a`, `b`, `c`" without a conjunction.
func codeList(names []string, conjunction string) string {
	var b strings.Builder
	for i, n := range names {
		switch {
		case i == 0:
		case i == len(names)-1 && conjunction != "":
			b.WriteString(" " + conjunction + " ")
		default:
			b.WriteString(", ")
		}
		b.WriteString("`" + n + "`")
	}
	return b.String()
}
