package score

import (
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// scoreCredentials finds an IAM user's unused credentials, as Access
// Analyzer's UnusedIAMUserAccessKey and UnusedIAMUserPassword: an active
// access key, or an enabled console password, that existed for the whole
// window (created, or last set, before it starts) and was not used in it,
// by the logs read or by AWS's own record. The user's account must be
// monitored: without its logs, a use in the window could go unseen.
func scoreCredentials(f principalFacts, ps *activity.PrincipalScore, windowStart time.Time) {
	if f.principal.Kind != activity.KindIAMUser {
		return
	}
	ps.Credentials = f.credentials
	if !f.monitored || f.naReason == activity.NANotEnabled {
		return
	}
	for _, c := range f.credentials {
		if !c.Enabled || c.UsedInWindow {
			continue
		}
		created := c.CreatedAt
		if created == nil && !f.principal.CreatedAt.IsZero() {
			created = &f.principal.CreatedAt
		}
		if created != nil && created.After(windowStart) {
			// Not there the whole window: it had no chance to be used.
			continue
		}
		fd := activity.Finding{Type: activity.FindingUnusedAccessKey, Principal: ps.Principal, AccessKey: c.Name,
			LastUsedAt: c.LastUsedAt, CreatedAt: c.CreatedAt}
		if c.Name == activity.CredentialConsole {
			fd.Type, fd.AccessKey = activity.FindingUnusedPassword, ""
		}
		ps.Findings = append(ps.Findings, fd)
	}
}
