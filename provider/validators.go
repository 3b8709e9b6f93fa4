package provider

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/awsapi"
)

// stringCheck adapts a function that explains what is wrong with a value
// (or returns "") into a plan-time string validator. A value longer than
// maxLen (in bytes, the bound the store keeps for it; see activity's
// bounds) is refused before check sees it, with its length rather than its
// text: check's messages quote the value.
type stringCheck struct {
	description string
	summary     string
	noun        string // what the value is, for the length message: "an ARN"
	maxLen      int
	check       func(string) string
}

var _ validator.String = stringCheck{}

func (v stringCheck) Description(context.Context) string         { return v.description }
func (v stringCheck) MarkdownDescription(context.Context) string { return v.description }

func (v stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	value := req.ConfigValue.ValueString()
	if len(value) > v.maxLen {
		resp.Diagnostics.AddAttributeError(req.Path, v.summary, fmt.Sprintf("The value is %s bytes long, and %s has at most %s. "+
			"Check that the attribute is given the value meant for it.", activity.Thousands(int64(len(value))), v.noun, activity.Thousands(int64(v.maxLen))))
		return
	}
	if msg := v.check(value); msg != "" {
		resp.Diagnostics.AddAttributeError(req.Path, v.summary, msg)
	}
}

func accountIDValidator() validator.String {
	return stringCheck{
		description: "must be a 12-digit AWS account id",
		summary:     "Invalid Account ID",
		noun:        "an account id",
		maxLen:      activity.MaxAccountID,
		check: func(s string) string {
			if activity.IsAccountID(s) {
				return ""
			}
			return fmt.Sprintf("%q is not an AWS account id. An account id is exactly 12 digits, such as \"111111111111\"; "+
				"keep leading zeros and write it as a string.", s)
		},
	}
}

func trailValidator() validator.String {
	return stringCheck{
		description: "must be a CloudTrail trail name or trail ARN",
		summary:     "Invalid Trail",
		noun:        "a trail name or ARN",
		maxLen:      activity.MaxARN,
		check: func(s string) string {
			if len(s) >= 4 && s[:4] == "arn:" {
				if _, err := awsapi.ParseTrailARN(s); err != nil {
					return err.Error() + "."
				}
				return ""
			}
			if err := awsapi.CheckTrailName(s); err != nil {
				return err.Error() + ". Give the trail's name, or its ARN " +
					"(arn:aws:cloudtrail:REGION:ACCOUNT:trail/NAME) for an organization trail or a trail of another account."
			}
			return ""
		},
	}
}

func regionValidator() validator.String {
	return stringCheck{
		description: "must be an AWS region name",
		summary:     "Invalid Region",
		noun:        "a region name",
		maxLen:      activity.MaxRegion,
		check: func(s string) string {
			if activity.IsRegion(s) {
				return ""
			}
			msg := fmt.Sprintf("%q is not an AWS region.", s)
			if hint := awsapi.SuggestRegion(s); hint != "" {
				msg += fmt.Sprintf(" Did you mean %q?", hint)
			}
			return msg + " Use the trail's home region, such as \"us-east-1\"."
		},
	}
}

func roleARNValidator() validator.String {
	return stringCheck{
		description: "must be an IAM role ARN",
		summary:     "Invalid Role ARN",
		noun:        "an ARN",
		maxLen:      activity.MaxARN,
		check: func(s string) string {
			if awsapi.IsRoleARN(s) {
				return ""
			}
			return fmt.Sprintf("%q is not an IAM role ARN. Give the ARN of the role the extractor assumes, "+
				"such as \"arn:aws:iam::111111111111:role/activity-reader\".", s)
		},
	}
}

// maxOktaOrgURL bounds okta_org_url: "https://", a host name (253
// characters at most) and a "/".
const maxOktaOrgURL = len("https://") + activity.MaxHostName + 1

func oktaOrgURLValidator() validator.String {
	return stringCheck{
		description: "must be an Okta org URL, https://ORG.okta.com",
		summary:     "Invalid Okta Org URL",
		noun:        "an Okta org URL",
		maxLen:      maxOktaOrgURL,
		check: func(s string) string {
			u, err := url.Parse(s)
			if err == nil && u.Scheme == "https" && u.Host != "" && u.User == nil && (u.Path == "" || u.Path == "/") && u.RawQuery == "" {
				return ""
			}
			return fmt.Sprintf("%q is not an Okta org URL. Give the org's base URL, such as \"https://example.okta.com\", "+
				"without a path; credentials are never part of it.", s)
		},
	}
}

var oktaAppID = regexp.MustCompile(`^[0-9A-Za-z]{1,64}$`)

func oktaAppIDValidator() validator.String {
	return stringCheck{
		description: "must be an Okta application id",
		summary:     "Invalid Okta App ID",
		noun:        "an Okta application id",
		maxLen:      64,
		check: func(s string) string {
			if oktaAppID.MatchString(s) {
				return ""
			}
			return fmt.Sprintf("%q is not an Okta application id. Give the id of the AWS Account Federation app, "+
				"such as \"0oa1b2c3d4EXAMPLE697\", as in the app's Admin Console URL.", s)
		},
	}
}

// windowDaysValidator bounds every window_days as the model bounds a window.
var windowDaysValidator validator.Int64 = int64validator.Between(activity.MinWindowDays, activity.MaxWindowDays)

// asOfValidator accepts the end of a window as the command line does.
type asOfValidator struct{}

func (asOfValidator) Description(context.Context) string {
	return "an RFC 3339 time such as 2026-11-25T00:00:00Z, after 2013"
}

func (v asOfValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (asOfValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	t, err := activity.ParseAsOf(req.ConfigValue.ValueString(), time.Now)
	if err == nil {
		err = activity.Window{AsOf: t, Days: activity.DefaultWindowDays}.Validate()
	}
	if err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid as_of", err.Error())
	}
}
