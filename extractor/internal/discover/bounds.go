package discover

import (
	"strconv"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// boundsSource is the source of the issues bound records.
const boundsSource = "size limits"

// bound leaves out of a what is longer than AWS allows (see activity's
// bounds), each with an issue saying what and why, and keeps the rest: a
// principal or resource with an over-long ARN or name, a policy with an
// over-long name or document, a KMS alias. What referred to a policy left
// out sees it as unreadable, as when its document could not be parsed.
func bound(a *store.AccountEntitlements) {
	var issues []store.DiscoveryIssue
	report := func(err error) {
		if err != nil {
			issues = append(issues, store.DiscoveryIssue{AccountID: a.AccountID, Source: boundsSource, Message: err.Error()})
		}
	}
	first := func(errs ...error) error {
		for _, err := range errs {
			if err != nil {
				return err
			}
		}
		return nil
	}

	dropped := map[string]string{} // policy name: why it was left out
	policies := a.Policies[:0]
	for _, p := range a.Policies {
		name := "policy " + short(p.Name)
		err := first(
			activity.TooLong(name, "a policy name", p.Name, activity.MaxPolicyName),
			activity.TooLong("the document of "+name, "a policy document", p.Document, activity.MaxPolicyDocument))
		if err != nil {
			report(err)
			dropped[p.Name] = err.Error()
			continue
		}
		policies = append(policies, p)
	}
	a.Policies = policies

	principals := a.Principals[:0]
	for _, dp := range a.Principals {
		p := dp.Principal
		what := "principal " + short(p.ARN)
		err := first(
			activity.TooLong(what, "an ARN", p.ARN, activity.MaxARN),
			activity.TooLong("the name of "+what, "an IAM name", p.Name, activity.MaxIAMName),
			activity.TooLong("the account of "+what, "an account id", p.AccountID, activity.MaxAccountID))
		if err != nil {
			report(err)
			continue
		}
		kept := dp.Policies[:0]
		for _, name := range dp.Policies {
			if why, ok := dropped[name]; ok {
				dp.Unreadable = append(dp.Unreadable, activity.UnreadablePolicy{Policy: name, Via: "identity policy", Error: why})
				continue
			}
			kept = append(kept, name)
		}
		dp.Policies = kept
		if why, ok := dropped[dp.Boundary]; ok {
			// A boundary whose document is unknown caps the principal by
			// an unknown amount: its access is unknown.
			dp.Unreadable = append(dp.Unreadable, activity.UnreadablePolicy{Policy: dp.Boundary, Via: "permissions boundary", Error: why})
			dp.Boundary = ""
		}
		for i, u := range dp.Unreadable {
			dp.Unreadable[i].Policy = activity.Cut(u.Policy, activity.MaxPolicyName)
		}
		principals = append(principals, dp)
	}
	a.Principals = principals

	resources := a.Resources[:0]
	for _, dr := range a.Resources {
		r := dr.Resource
		what := "resource " + short(r.ARN)
		err := first(
			activity.TooLong(what, "an ARN", r.ARN, activity.MaxARN),
			activity.TooLong("the name of "+what, "a resource name", r.Name, activity.MaxResourceRef),
			activity.TooLong("the region of "+what, "a region", r.Region, activity.MaxRegion),
			activity.TooLong("the account of "+what, "an account id", r.AccountID, activity.MaxAccountID))
		if err != nil {
			report(err)
			continue
		}
		if why, ok := dropped[dr.Policy]; ok && dr.PolicyState == store.ResourcePolicyKnown {
			dr.PolicyState, dr.Policy, dr.PolicyError = store.ResourcePolicyUnknown, "", why
		}
		resources = append(resources, dr)
	}
	a.Resources = resources

	for _, org := range []struct {
		levels     *[][]string
		unreadable *[]activity.UnreadablePolicy
	}{{&a.SCPs, &a.UnreadableSCPs}, {&a.RCPs, &a.UnreadableRCPs}} {
		for _, level := range *org.levels {
			for _, name := range level {
				if why, ok := dropped[name]; ok {
					// Organization policies allow by level: one left out
					// would deny what it allows. Leave them all out, as
					// when they cannot be listed, and say which one is
					// unreadable: the account's access is unknown.
					*org.unreadable = append(*org.unreadable, activity.UnreadablePolicy{Policy: activity.Cut(name, activity.MaxPolicyName), Error: why})
					*org.levels = nil
				}
			}
		}
	}

	aliases := a.Aliases[:0]
	for _, al := range a.Aliases {
		what := "KMS alias " + short(al.ARN)
		err := first(
			activity.TooLong(what, "an ARN", al.ARN, activity.MaxARN),
			activity.TooLong("the name of "+what, "an alias name", al.Name, activity.MaxResourceRef),
			activity.TooLong("the key of "+what, "an ARN", al.KeyARN, activity.MaxARN),
			activity.TooLong("the region of "+what, "a region", al.Region, activity.MaxRegion))
		if err != nil {
			report(err)
			continue
		}
		aliases = append(aliases, al)
	}
	a.Aliases = aliases

	a.Issues = append(a.Issues, issues...)
	for i := range a.Issues {
		a.Issues[i].Source = activity.Cut(a.Issues[i].Source, activity.MaxLocation)
		a.Issues[i].Message = activity.Cut(a.Issues[i].Message, activity.MaxMessage)
	}
}

// short quotes the beginning of a value for a message about it.
func short(s string) string {
	const keep = 80
	if len(s) <= keep {
		return strconv.Quote(s)
	}
	return strconv.Quote(activity.Cut(s, keep))
}
