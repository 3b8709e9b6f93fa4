package score

import (
	"testing"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

var (
	asOf        = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	windowStart = asOf.AddDate(0, 0, -30)
	bucketA     = activity.Resource{ID: 1, ARN: "arn:aws:s3:::a", Kind: activity.KindS3Bucket, Name: "a"}
	bucketB     = activity.Resource{ID: 2, ARN: "arn:aws:s3:::b", Kind: activity.KindS3Bucket, Name: "b"}
	keyK        = activity.Resource{ID: 3, ARN: "arn:aws:kms:us-east-1:111111111111:key/k", Kind: activity.KindKMSKey, Name: "k"}
)

func at(days int) time.Time { return asOf.AddDate(0, 0, -days) }

func TestScorePrincipalDefinitions(t *testing.T) {
	last := at(2)
	f := principalFacts{
		principal: activity.Principal{ID: 9, ARN: "arn:aws:iam::111111111111:user/alice", Kind: activity.KindIAMUser},
		grants: []activity.Grant{
			{Resource: bucketA, Actions: []string{"s3:DeleteObject", "s3:GetObject", "s3:ListBucket", "s3:PutObject"}},
			{Resource: bucketB, Actions: []string{"s3:GetObject", "s3:ListBucket"}},
			{Resource: keyK, Actions: []string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"}, Conditional: []string{"kms:Decrypt"}},
		},
		uses: []activity.WindowUse{
			{ResourceID: 1, Action: "s3:GetObject", LastUsedAt: at(3)},
			{ResourceID: 1, Action: "s3:GetObject", LastUsedAt: last},
			{ResourceID: 1, Action: "s3:ListBucket", LastUsedAt: at(10)},
			{ResourceID: 3, Action: "kms:Decrypt", LastUsedAt: at(20)},
			// A use of an action not granted on the resource is not "used granted access".
			{ResourceID: 2, Action: "s3:PutObject", LastUsedAt: at(1)},
		},
		lastActivityAt: &last, activeInWindow: true, monitored: true,
	}
	ps := scorePrincipal(f, windowStart)
	// Resources: a used, b unused (its only use was not granted), k used → 1 of 3 unused.
	if ps.ResourceOPS == nil || *ps.ResourceOPS != 33.3 {
		t.Errorf("resource_ops = %v, want 33.3", ps.ResourceOPS)
	}
	// Actions: a 2 of 4 unused, b 2 of 2, k 2 of 3 → 6 of 9.
	if ps.OPS == nil || *ps.OPS != 66.7 {
		t.Errorf("ops = %v, want 66.7", ps.OPS)
	}
	if ps.Dormant {
		t.Error("active principal marked dormant")
	}
	want := map[string]float64{"arn:aws:s3:::a": 50, "arn:aws:s3:::b": 100, keyK.ARN: 66.7}
	for _, r := range ps.Resources {
		if r.OPS == nil || *r.OPS != want[r.ARN] {
			t.Errorf("%s: ops %v, want %v", r.ARN, r.OPS, want[r.ARN])
		}
	}
	byARN := map[string]activity.ResourceScore{}
	for _, r := range ps.Resources {
		byARN[r.ARN] = r
	}
	if a := byARN["arn:aws:s3:::a"]; a.LastUsedAt == nil || !a.LastUsedAt.Equal(last) || len(a.UsedActions) != 2 {
		t.Errorf("bucket a = %+v", a)
	}
	if b := byARN["arn:aws:s3:::b"]; b.LastUsedAt != nil || len(b.UsedActions) != 0 {
		t.Errorf("bucket b = %+v", b)
	}
}

func TestDormancy(t *testing.T) {
	base := principalFacts{
		principal: activity.Principal{ID: 1, ARN: "arn:aws:iam::111111111111:user/bob", Kind: activity.KindIAMUser, CreatedAt: at(400)},
		grants:    []activity.Grant{{Resource: bucketA, Actions: []string{"s3:GetObject"}}},
		monitored: true,
	}
	if ps := scorePrincipal(base, windowStart); !ps.Dormant || *ps.ResourceOPS != 100 || *ps.OPS != 100 {
		t.Errorf("idle user: %+v", ps)
	}
	created := base
	created.principal.CreatedAt = at(5)
	if ps := scorePrincipal(created, windowStart); ps.Dormant {
		t.Error("a user created inside the window is dormant")
	}
	unmonitored := base
	unmonitored.monitored = false
	if ps := scorePrincipal(unmonitored, windowStart); ps.Dormant || ps.ResourceOPS != nil || ps.OPS != nil || ps.Resources[0].OPS != nil {
		t.Errorf("unmonitored: %+v", ps)
	}
	deniedOnly := base
	deniedOnly.activeInWindow = true // a denied call is activity, not use
	if ps := scorePrincipal(deniedOnly, windowStart); ps.Dormant || *ps.ResourceOPS != 100 {
		t.Errorf("denied-only user: %+v", ps)
	}
	nothing := base
	nothing.grants = nil
	if ps := scorePrincipal(nothing, windowStart); ps.ResourceOPS != nil || !ps.Dormant {
		t.Errorf("no grants: ops %v dormant %v; want null OPS and dormant", ps.ResourceOPS, ps.Dormant)
	}
}

// The root user gets last activity, dormancy and its denied attempts, never
// a score, whatever grants name it and whatever it used.
func TestRootUserIsNeverScored(t *testing.T) {
	last := at(3)
	denied := []activity.Denied{{Action: "kms:ScheduleKeyDeletion", Resource: &keyK, ErrorCode: "AccessDeniedException", Count: 2, LastAt: last}}
	root := principalFacts{
		principal: activity.Principal{ID: 4, ARN: "arn:aws:iam::111111111111:root", Kind: activity.KindRoot, AccountID: "111111111111"},
		grants:    []activity.Grant{{Resource: bucketA, Actions: []string{"s3:GetObject", "s3:PutObject"}}},
		uses:      []activity.WindowUse{{ResourceID: 1, Action: "s3:GetObject", LastUsedAt: last}},
		denied:    denied,
		monitored: true, lastActivityAt: &last, activeInWindow: true,
	}
	ps := scorePrincipal(root, windowStart)
	if ps.OPS != nil || ps.ResourceOPS != nil || ps.NAReason != activity.NARootUser || len(ps.Resources) != 0 || ps.Dormant ||
		!ps.LastActivityAt.Equal(last) || len(ps.Denied) != 1 || ps.Denied[0].Count != 2 {
		t.Errorf("root that acted: %+v", ps)
	}
	if !activity.RootUsed(ps, activity.Window{AsOf: asOf, Days: 30}) {
		t.Error("root that acted in the window is not a finding")
	}
	idle := root
	idle.activeInWindow, idle.lastActivityAt = false, ptr(at(45))
	ps = scorePrincipal(idle, windowStart)
	if !ps.Dormant || ps.OPS != nil || ps.NAReason != activity.NARootUser {
		t.Errorf("root that did nothing in the window: %+v", ps)
	}
	if activity.RootUsed(ps, activity.Window{AsOf: asOf, Days: 30}) {
		t.Error("root that last acted before the window is a finding")
	}
	unmonitored := root
	unmonitored.monitored = false
	if ps := scorePrincipal(unmonitored, windowStart); ps.NAReason != activity.NARootUser || ps.Dormant {
		t.Errorf("root of an account not monitored: %+v", ps)
	}
}

func ptr[T any](v T) *T { return &v }
