package score

import (
	"testing"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// An IAM user's credentials in a 30-day window ending 2026-11-25: only an
// enabled key or password that existed for the whole window and was not
// used in it is a finding.
func TestScoreCredentials(t *testing.T) {
	asOf := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	start := asOf.AddDate(0, 0, -30)
	old, recent, before := asOf.AddDate(-1, 0, 0), asOf.AddDate(0, 0, -5), asOf.AddDate(0, 0, -45)
	user := activity.Principal{ARN: "arn:aws:iam::111111111111:user/u", Kind: activity.KindIAMUser, AccountID: "111111111111", CreatedAt: old}
	f := principalFacts{principal: user, monitored: true, credentials: []activity.CredentialStatus{
		{Name: "AKIAUSEDBEFORE000001", Enabled: true, CreatedAt: &old, LastUsedAt: &before},
		{Name: "AKIAUSEDINWINDOW0001", Enabled: true, CreatedAt: &old, LastUsedAt: &recent, UsedInWindow: true},
		{Name: "AKIANEWANDUNUSED0001", Enabled: true, CreatedAt: &recent},
		{Name: "AKIAINACTIVE00000001", CreatedAt: &old},
		{Name: "access_key_2", Enabled: true},
		{Name: activity.CredentialConsole, Enabled: true, CreatedAt: &old},
	}}
	ps := activity.PrincipalScore{Principal: user}
	scoreCredentials(f, &ps, start)
	var got []string
	for _, fd := range ps.Findings {
		got = append(got, fd.Type+" "+fd.AccessKey)
	}
	want := []string{"unused_access_key AKIAUSEDBEFORE000001", "unused_access_key access_key_2", "unused_password "}
	if len(got) != len(want) {
		t.Fatalf("findings %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("findings %q, want %q", got, want)
		}
	}
	w := activity.Window{AsOf: asOf, Days: 30}
	// Last used 45 days before; never used, its creation unknown (the
	// user's, a year before); a password set a year before, never used.
	for i, days := range []int{45, 30, 365} {
		if d := ps.Findings[i].UnusedDays(w); d != days {
			t.Errorf("%s %s: unused for %d days, want %d", ps.Findings[i].Type, ps.Findings[i].AccessKey, d, days)
		}
	}
	if len(ps.Credentials) != 6 {
		t.Errorf("%d credentials kept on the score", len(ps.Credentials))
	}
	// Without the account's logs nothing can be said of the window.
	f.monitored = false
	ps = activity.PrincipalScore{Principal: user}
	scoreCredentials(f, &ps, start)
	if len(ps.Findings) != 0 {
		t.Errorf("unmonitored: findings %+v", ps.Findings)
	}
}
