package rules

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

func f64(v float64) *float64 { return &v }

func i64(v int64) *int64 { return &v }

var (
	asOf            = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	fortyDaysBefore = asOf.AddDate(0, 0, -40)
	aYearBefore     = asOf.AddDate(-1, 0, 0)
	tenDaysBefore   = asOf.AddDate(0, 0, -10)
	dayBefore       = asOf.AddDate(0, 0, -1)
)

func TestEvaluate(t *testing.T) {
	key := activity.Resource{ARN: "arn:aws:kms:us-east-1:111111111111:key/k", Kind: activity.KindKMSKey}
	bucket := activity.Resource{ARN: "arn:aws:s3:::b", Kind: activity.KindS3Bucket}
	scores := []activity.PrincipalScore{
		{Principal: activity.Principal{ARN: "u1", Kind: activity.KindIAMUser}, Monitored: true, OPS: f64(90), ResourceOPS: f64(50), Dormant: true,
			Resources: []activity.ResourceScore{{Resource: key, OPS: f64(100)}, {Resource: bucket, OPS: f64(50)}}},
		// u2's access keys: one last used 40 days before as_of, one
		// created a year before and never used, one inactive; and a console
		// password never used, which no access key bound covers.
		{Principal: activity.Principal{ARN: "u2", Kind: activity.KindIAMUser}, Monitored: true, OPS: f64(80), ResourceOPS: f64(100),
			Resources: []activity.ResourceScore{{Resource: key, OPS: f64(80)}},
			Credentials: []activity.CredentialStatus{
				{Name: "AKIAOLD", Enabled: true, CreatedAt: &aYearBefore, LastUsedAt: &fortyDaysBefore},
				{Name: "AKIANEVER", Enabled: true, CreatedAt: &aYearBefore},
				{Name: "AKIAOFF", CreatedAt: &aYearBefore},
				{Name: activity.CredentialConsole, Enabled: true, CreatedAt: &aYearBefore},
			}},
		{Principal: activity.Principal{ARN: "u3", Kind: activity.KindIAMUser}, Monitored: false},
		// Roles, in the 30-day window ending 2026-11-25: last active 40
		// days before; never seen and created a year before (unused since
		// the window's start, 30 days); created 10 days before and never
		// used; service-linked and idle; active the day before.
		{Principal: activity.Principal{ARN: "arn:aws:iam::111111111111:role/old", Kind: activity.KindIAMRole}, Monitored: true,
			LastActivityAt: &fortyDaysBefore},
		{Principal: activity.Principal{ARN: "arn:aws:iam::111111111111:role/never", Kind: activity.KindIAMRole, CreatedAt: aYearBefore}, Monitored: true},
		{Principal: activity.Principal{ARN: "arn:aws:iam::111111111111:role/new", Kind: activity.KindIAMRole, CreatedAt: tenDaysBefore}, Monitored: true},
		{Principal: activity.Principal{ARN: "arn:aws:iam::111111111111:role/aws-service-role/x.amazonaws.com/AWSServiceRoleForX", Kind: activity.KindIAMRole},
			Monitored: true},
		{Principal: activity.Principal{ARN: "arn:aws:iam::111111111111:role/busy", Kind: activity.KindIAMRole}, Monitored: true, LastActivityAt: &dayBefore},
	}
	cases := []struct {
		name string
		rule store.Rule
		want []string // principal[/resource] of each violation
	}{
		{"principal OPS bound; equal is not above; null never violates", store.Rule{Name: "r", MaxOPS: f64(80)}, []string{"u1"}},
		{"resource bound on keys", store.Rule{Name: "r", MaxOPS: f64(79.9), ResourceKinds: []string{activity.KindKMSKey}},
			[]string{"u1/" + key.ARN, "u2/" + key.ARN}},
		{"no dormant", store.Rule{Name: "r", NoDormant: true}, []string{"u1"}},
		{"both", store.Rule{Name: "r", NoDormant: true, MaxOPS: f64(85)}, []string{"u1", "u1"}},
		{"nothing violates", store.Rule{Name: "r", MaxOPS: f64(100)}, nil},
		{"resource OPS bound", store.Rule{Name: "r", MaxResourceOPS: f64(60)}, []string{"u2"}},
		{"roles unused for more than 30 days", store.Rule{Name: "r", MaxUnusedRoleDays: i64(30)}, []string{"arn:aws:iam::111111111111:role/old"}},
		{"roles unused for more than 9 days", store.Rule{Name: "r", MaxUnusedRoleDays: i64(9)},
			[]string{"arn:aws:iam::111111111111:role/old", "arn:aws:iam::111111111111:role/never", "arn:aws:iam::111111111111:role/new"}},
		{"no role unused for more than 40 days", store.Rule{Name: "r", MaxUnusedRoleDays: i64(40)}, nil},
		{"access keys unused for more than 30 days", store.Rule{Name: "r", MaxUnusedAccessKeyDays: i64(30)}, []string{"u2", "u2"}},
		{"access keys unused for more than 364 days", store.Rule{Name: "r", MaxUnusedAccessKeyDays: i64(364)}, []string{"u2"}},
		{"no access key unused for more than 365 days", store.Rule{Name: "r", MaxUnusedAccessKeyDays: i64(365)}, nil},
	}
	for _, c := range cases {
		// Scope by resource kind is the store's filter; give Evaluate what it would.
		in := scores
		if len(c.rule.ResourceKinds) > 0 {
			in = nil
			for _, p := range scores {
				q := p
				q.Resources = nil
				for _, r := range p.Resources {
					if r.Kind == c.rule.ResourceKinds[0] {
						q.Resources = append(q.Resources, r)
					}
				}
				in = append(in, q)
			}
		}
		got := Evaluate(c.rule, in, activity.Window{AsOf: asOf, Days: 30})
		var keys []string
		for _, v := range got {
			k := v.PrincipalARN
			if v.ResourceARN != nil {
				k += "/" + *v.ResourceARN
			}
			keys = append(keys, k)
			if v.Reason == "" || v.Rule != "r" {
				t.Errorf("%s: violation without reason or rule: %+v", c.name, v)
			}
		}
		if len(keys) != len(c.want) {
			t.Errorf("%s: violations %v, want %v", c.name, keys, c.want)
			continue
		}
		for i := range keys {
			if keys[i] != c.want[i] {
				t.Errorf("%s: violations %v, want %v", c.name, keys, c.want)
				break
			}
		}
	}
}

// A rule without kinds bounds the scored kinds: a dormant root user is what
// an account should have, not a violation.
func TestCheckLeavesTheRootUserOut(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "activity.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ps []activity.PrincipalScore
	for _, p := range []activity.Principal{
		{ARN: "arn:aws:iam::111111111111:user/idle", Kind: activity.KindIAMUser, AccountID: "111111111111", Name: "idle"},
		{ARN: "arn:aws:iam::111111111111:root", Kind: activity.KindRoot, AccountID: "111111111111", Name: "root"},
	} {
		if p.ID, err = store.UpsertPrincipal(ctx, db.SQL(), p); err != nil {
			t.Fatal(err)
		}
		ps = append(ps, activity.PrincipalScore{Principal: p, Monitored: true, Dormant: true, NAReason: activity.NANothingGranted})
	}
	ps[1].NAReason = activity.NARootUser
	run := activity.ScoreRun{Window: activity.Window{AsOf: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), Days: 30}}
	if run.ID, err = db.SaveScores(ctx, &activity.Scores{Run: run, Principals: ps}); err != nil {
		t.Fatal(err)
	}
	for _, r := range []store.Rule{{Name: "all", NoDormant: true}, {Name: "root", NoDormant: true, Kinds: []string{activity.KindRoot}}} {
		if err := db.CreateRule(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	_, got, err := Check(ctx, db, run)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, v := range got {
		keys = append(keys, v.Rule+" "+v.PrincipalARN)
	}
	want := []string{"all arn:aws:iam::111111111111:user/idle", "root arn:aws:iam::111111111111:root"}
	if strings.Join(keys, ", ") != strings.Join(want, ", ") {
		t.Errorf("violations %v, want %v", keys, want)
	}
}
