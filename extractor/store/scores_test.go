package store

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

func f64(v float64) *float64 { return &v }

func TestScoresRoundTripAndFilters(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	db.Now = func() time.Time { return time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC) }
	id := func(p activity.Principal) activity.Principal {
		var err error
		p.ID, err = UpsertPrincipal(ctx, db.SQL(), p)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	res := func(r activity.Resource) activity.Resource {
		var err error
		r.ID, err = UpsertResource(ctx, db.SQL(), r)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	alice := id(activity.Principal{ARN: "arn:aws:iam::111111111111:user/alice", Kind: activity.KindIAMUser, AccountID: "111111111111", Name: "alice"})
	bob := id(activity.Principal{ARN: "arn:aws:iam::111111111111:user/bob", Kind: activity.KindIAMUser, AccountID: "111111111111", Name: "bob"})
	carol := id(activity.Principal{ARN: "arn:aws:iam::222222222222:user/carol", Kind: activity.KindIAMUser, AccountID: "222222222222", Name: "carol"})
	bucket := res(activity.Resource{ARN: "arn:aws:s3:::data", Kind: activity.KindS3Bucket, Name: "data"})
	key := res(activity.Resource{ARN: "arn:aws:kms:us-east-1:111111111111:key/k1", Kind: activity.KindKMSKey, AccountID: "111111111111", Region: "us-east-1", Name: "k1"})
	asOf := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	seen := asOf.Add(-2 * time.Hour)
	sc := &activity.Scores{
		Run: activity.ScoreRun{Window: activity.Window{AsOf: asOf, Days: 30}, Coverage: activity.Coverage{MonitoredAccounts: []string{"111111111111"}, UnattributedSessions: 2}},
		Principals: []activity.PrincipalScore{
			{Principal: alice, Monitored: true, ResourceOPS: f64(0), OPS: f64(75), LastActivityAt: &seen, Resources: []activity.ResourceScore{
				{Resource: bucket, OPS: f64(75), GrantedActions: []string{"s3:DeleteObject", "s3:GetObject", "s3:ListBucket", "s3:PutObject"},
					UsedActions: []string{"s3:GetObject"}, LastUsedAt: &seen},
			}, Denied: []activity.Denied{
				{Action: "s3:PutBucketPolicy", Resource: &bucket, ErrorCode: "AccessDenied", Count: 4, LastAt: seen},
				{Action: "iam:ListUsers", ErrorCode: "AccessDenied", Count: 1, LastAt: seen.Add(-time.Hour)},
			}},
			{Principal: bob, Monitored: true, ResourceOPS: f64(100), OPS: f64(100), Dormant: true, Notes: []string{"no S3 data events"},
				Resources: []activity.ResourceScore{{Resource: key, OPS: f64(100), GrantedActions: []string{"kms:Decrypt"}, ConditionalActions: []string{"kms:Decrypt"}}}},
			{Principal: carol, Monitored: false, NAReason: activity.NANoLogs},
		},
		KMSKeys: []activity.KeyActivity{{Resource: key, LastActivityAt: &seen}},
	}
	runID, err := db.SaveScores(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ScoreRunFor(ctx, 7, time.Time{}); !errors.Is(err, ErrNoScores) {
		t.Errorf("7-day window: err = %v, want ErrNoScores", err)
	}
	run, err := db.ScoreRunFor(ctx, 30, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if run.ID != runID || !run.AsOf.Equal(asOf) || run.Coverage.UnattributedSessions != 2 || run.Start() != asOf.AddDate(0, 0, -30) {
		t.Errorf("run = %+v", run)
	}
	all, err := db.LoadScores(ctx, run, ScoreFilter{})
	if err != nil {
		t.Fatal(err)
	}
	order := []string{}
	for _, p := range all.Principals {
		order = append(order, p.Name)
	}
	if got := join(order); got != "bob,alice,carol" {
		t.Errorf("order %s, want dormant first, then OPS high to low, unscored last", got)
	}
	a := all.Principals[1]
	if *a.OPS != 75 || len(a.Resources) != 1 || len(a.Resources[0].GrantedActions) != 4 || a.Resources[0].UsedActions[0] != "s3:GetObject" ||
		!a.LastActivityAt.Equal(seen) || a.Dormant {
		t.Errorf("alice = %+v", a)
	}
	if len(a.Denied) != 2 || a.Denied[0].Action != "s3:PutBucketPolicy" || a.Denied[0].Resource == nil || a.Denied[0].Resource.ARN != bucket.ARN ||
		a.Denied[0].Count != 4 || !a.Denied[0].LastAt.Equal(seen) || a.Denied[1].Resource != nil || a.Denied[1].ErrorCode != "AccessDenied" {
		t.Errorf("alice's denied attempts = %+v", a.Denied)
	}
	c := all.Principals[2]
	if len(c.Denied) != 0 {
		t.Errorf("carol's denied attempts = %+v, want none", c.Denied)
	}
	if c.Monitored || c.ResourceOPS != nil || c.LastActivityAt != nil || len(c.Resources) != 0 {
		t.Errorf("carol = %+v", c)
	}
	if b := all.Principals[0]; b.Notes[0] != "no S3 data events" || b.Resources[0].ConditionalActions[0] != "kms:Decrypt" {
		t.Errorf("bob = %+v", b)
	}
	if len(all.KMSKeys) != 1 || all.KMSKeys[0].LastViewedAt != nil || !all.KMSKeys[0].LastActivityAt.Equal(seen) {
		t.Errorf("keys = %+v", all.KMSKeys)
	}

	for name, c := range map[string]struct {
		f    ScoreFilter
		want string
	}{
		"one principal":  {ScoreFilter{PrincipalARN: alice.ARN}, "alice"},
		"account":        {ScoreFilter{Accounts: []string{"222222222222"}}, "carol"},
		"min ops":        {ScoreFilter{MinOPS: f64(80)}, "bob"},
		"max ops":        {ScoreFilter{MaxOPS: f64(80)}, "alice"},
		"resource ops":   {ScoreFilter{MinResourceOPS: f64(0), MaxResourceOPS: f64(50)}, "alice"},
		"N/A reason":     {ScoreFilter{NAReasons: []string{activity.NANoLogs}}, "carol"},
		"inactive since": {ScoreFilter{LastActivityBefore: seen}, "bob,carol"},
		"on one key":     {ScoreFilter{Resource: key.ARN}, "bob"},
		"dormant only":   {ScoreFilter{DormantOnly: true}, "bob"},
		"resource kind":  {ScoreFilter{ResourceKinds: []string{activity.KindS3Bucket}}, "alice"},
		"kind, no match": {ScoreFilter{Kinds: []string{activity.KindIAMRole}}, ""},
	} {
		ps, err := db.PrincipalScores(ctx, runID, c.f)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, p := range ps {
			names = append(names, p.Name)
		}
		if got := join(names); got != c.want {
			t.Errorf("%s: %s, want %s", name, got, c.want)
		}
		// The same filter on scores held in memory selects the same, in
		// the same order, with the same resources.
		all, err := db.PrincipalScores(ctx, runID, ScoreFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if selected := c.f.Select(all); !reflect.DeepEqual(selected, nonNilScores(ps)) {
			t.Errorf("%s: in memory %v, stored %v", name, selected, ps)
		}
	}
}

func join(s []string) string { return strings.Join(s, ",") }

// nonNilScores is nil for an empty list, as Select returns one.
func nonNilScores(ps []activity.PrincipalScore) []activity.PrincipalScore {
	if len(ps) == 0 {
		return nil
	}
	return ps
}
