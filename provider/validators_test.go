package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
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

func TestStringValidatorsIgnoreUnknownAndNull(t *testing.T) {
	for _, v := range []types.String{types.StringUnknown(), types.StringNull()} {
		var resp validator.StringResponse
		accountIDValidator().ValidateString(context.Background(), validator.StringRequest{Path: path.Root("x"), ConfigValue: v}, &resp)
		if resp.Diagnostics.HasError() {
			t.Errorf("%v refused: %v", v, resp.Diagnostics)
		}
	}
}
