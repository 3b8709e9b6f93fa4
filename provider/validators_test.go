package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

func TestStringValidators(t *testing.T) {
	cases := []struct {
		name      string
		v         validator.String
		value     string
		wantError string // "" when the value is valid
	}{
		{"account id", accountIDValidator(), "111111111111", ""},
		{"account id too short", accountIDValidator(), "11111111111", "is not an AWS account id"},
		{"account id with leading zeros kept", accountIDValidator(), "012345678901", ""},
		{"trail name", trailValidator(), "org-trail", ""},
		{"trail ARN", trailValidator(), "arn:aws:cloudtrail:us-east-2:222222222222:trail/org-trail", ""},
		{"trail name too short", trailValidator(), "ab", "is not a trail name"},
		{"trail ARN in an unknown region", trailValidator(), "arn:aws:cloudtrail:us-mars-1:222222222222:trail/org-trail", "not an AWS region"},
		{"region", regionValidator(), "eu-north-1", ""},
		{"region misspelt", regionValidator(), "eu-nort-1", `Did you mean "eu-north-1"?`},
		{"region nonsense", regionValidator(), "moon", "is not an AWS region"},
		{"role ARN", roleARNValidator(), "arn:aws:iam::111111111111:role/path/reader", ""},
		{"role ARN of a user", roleARNValidator(), "arn:aws:iam::111111111111:user/alice", "is not an IAM role ARN"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var resp validator.StringResponse
			c.v.ValidateString(context.Background(), validator.StringRequest{
				Path: path.Root("x"), ConfigValue: types.StringValue(c.value),
			}, &resp)
			if c.wantError == "" {
				if resp.Diagnostics.HasError() {
					t.Fatalf("%q refused: %v", c.value, resp.Diagnostics)
				}
				return
			}
			if !resp.Diagnostics.HasError() {
				t.Fatalf("%q accepted", c.value)
			}
			if d := resp.Diagnostics.Errors()[0].Detail(); !strings.Contains(d, c.wantError) {
				t.Errorf("detail %q, want it to contain %q", d, c.wantError)
			}
		})
	}
}

// TestStringValidatorsRefuseOverlongValues: a value longer than the store
// keeps for the attribute is refused with its length and the bound, never
// echoed; a value of exactly the bound goes on to the attribute's own check.
func TestStringValidatorsRefuseOverlongValues(t *testing.T) {
	huge := strings.Repeat("a", 1_000_000)
	for _, c := range []struct {
		name  string
		v     validator.String
		value string
		want  string
	}{
		{"account_id", accountIDValidator(), huge, "and an account id has at most 32"},
		{"trail", trailValidator(), "arn:aws:cloudtrail:us-east-1:111111111111:trail/" + huge, "and a trail name or ARN has at most 2,048"},
		{"region", regionValidator(), huge, "and a region name has at most 32"},
		{"role_arn", roleARNValidator(), "arn:aws:iam::111111111111:role/" + huge, "and an ARN has at most 2,048"},
		{"okta_org_url", oktaOrgURLValidator(), "https://" + huge + ".okta.com", "and an Okta org URL has at most 262"},
		{"okta_app_id", oktaAppIDValidator(), huge, "and an Okta application id has at most 64"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var resp validator.StringResponse
			c.v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root(c.name), ConfigValue: types.StringValue(c.value)}, &resp)
			if resp.Diagnostics.ErrorsCount() != 1 {
				t.Fatalf("%d errors for a value of %d bytes, want 1", resp.Diagnostics.ErrorsCount(), len(c.value))
			}
			d := resp.Diagnostics.Errors()[0].Detail()
			if !strings.Contains(d, "is "+activity.Thousands(int64(len(c.value)))+" bytes long") || !strings.Contains(d, c.want) || len(d) > 300 {
				t.Errorf("detail (%d bytes) %.300q, want the length and %q", len(d), d, c.want)
			}
		})
	}
	// At its bound, a role ARN is checked as any other.
	arn := "arn:aws:iam::111111111111:role/" + strings.Repeat("r", activity.MaxARN-len("arn:aws:iam::111111111111:role/"))
	var resp validator.StringResponse
	roleARNValidator().ValidateString(context.Background(), validator.StringRequest{Path: path.Root("role_arn"), ConfigValue: types.StringValue(arn)}, &resp)
	if resp.Diagnostics.HasError() && strings.Contains(resp.Diagnostics.Errors()[0].Detail(), "bytes long") {
		t.Errorf("a role ARN of exactly %d bytes refused for its length: %v", activity.MaxARN, resp.Diagnostics)
	}
}

func TestStringValidatorsIgnoreUnknownAndNull(t *testing.T) {
	for _, v := range []types.String{types.StringUnknown(), types.StringNull()} {
		var resp validator.StringResponse
		accountIDValidator().ValidateString(context.Background(), validator.StringRequest{Path: path.Root("x"), ConfigValue: v}, &resp)
		if resp.Diagnostics.HasError() {
			t.Errorf("%v refused: %v", v, resp.Diagnostics)
		}
	}
}
