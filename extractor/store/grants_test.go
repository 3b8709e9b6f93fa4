package store

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

func TestGrantsRoundTripWithSharedActionSets(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	err := db.ReplaceEntitlements(ctx, AccountEntitlements{
		AccountID: "111111111111",
		Policies:  []PolicyRecord{{Name: "arn:aws:iam::111111111111:policy/p", Kind: PolicyManaged, Document: `{"Statement":[]}`}},
		Principals: []DiscoveredPrincipal{
			{Principal: activity.Principal{ARN: "arn:aws:iam::111111111111:user/a", Kind: activity.KindIAMUser, AccountID: "111111111111", Name: "a", CreatedAt: time.Unix(1700000000, 0).UTC()},
				Policies: []string{"arn:aws:iam::111111111111:policy/p"}},
			{Principal: activity.Principal{ARN: "arn:aws:iam::111111111111:role/r", Kind: activity.KindIAMRole, AccountID: "111111111111", Name: "r"},
				Boundary: "arn:aws:iam::111111111111:policy/p"},
		},
		Resources: []DiscoveredResource{
			{Resource: activity.Resource{ARN: "arn:aws:s3:::b", Kind: activity.KindS3Bucket, AccountID: "111111111111", Name: "b"}, PolicyState: ResourcePolicyNone},
			{Resource: activity.Resource{ARN: "arn:aws:secretsmanager:us-east-1:111111111111:secret:s-AbCdEf", Kind: activity.KindSecret, AccountID: "111111111111", Region: "us-east-1", Name: "s"}, PolicyState: ResourcePolicyUnknown},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	read := []string{"s3:GetObject", "s3:ListBucket"}
	err = db.ReplaceGrants(ctx, func(s GrantSink) error {
		for _, p := range []string{"arn:aws:iam::111111111111:user/a", "arn:aws:iam::111111111111:role/r"} {
			if err := s.Put(ctx, p, "arn:aws:s3:::b", read, read[:1]); err != nil {
				return err
			}
		}
		return s.Put(ctx, "arn:aws:iam::111111111111:user/a", "arn:aws:s3:::unknown", read, nil)
	})
	if err == nil {
		t.Fatal("a grant on an unrecorded resource was accepted")
	}
	err = db.ReplaceGrants(ctx, func(s GrantSink) error {
		for _, p := range []string{"arn:aws:iam::111111111111:user/a", "arn:aws:iam::111111111111:role/r"} {
			if err := s.Put(ctx, p, "arn:aws:s3:::b", read, read[:1]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var sets int
	if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM grant_action_sets`).Scan(&sets); err != nil || sets != 2 {
		t.Fatalf("%d action sets (%v), want 2 shared by both grants", sets, err)
	}
	a, err := db.PrincipalByARN(ctx, "arn:aws:iam::111111111111:user/a")
	if err != nil || a.CreatedAt.Unix() != 1700000000 {
		t.Fatalf("principal %+v, %v", a, err)
	}
	got, err := db.GrantsOf(ctx, a.ID)
	if err != nil || len(got) != 1 || got[0].Resource.Name != "b" || !reflect.DeepEqual(got[0].Actions, read) || !reflect.DeepEqual(got[0].Conditional, read[:1]) {
		t.Fatalf("grants %+v, %v", got, err)
	}
	ents, err := db.Entitlements(ctx)
	if err != nil || len(ents) != 1 || len(ents[0].Principals) != 2 || ents[0].Principals[0].Boundary != "arn:aws:iam::111111111111:policy/p" ||
		ents[0].Resources[1].PolicyState != ResourcePolicyUnknown {
		t.Fatalf("entitlements %+v, %v", ents, err)
	}
}

// BenchmarkReplaceGrants writes 5,000 principals' grants on 340 resources
// each (1.7 million rows, the size the evaluation benchmark produces).
// Run: go test ./extractor/store -run '^$' -bench ReplaceGrants -benchtime 1x
func BenchmarkReplaceGrants(b *testing.B) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	const principals, resources, perPrincipal = 5000, 20000, 340
	e := AccountEntitlements{AccountID: "111111111111"}
	for i := range principals {
		e.Principals = append(e.Principals, DiscoveredPrincipal{Principal: activity.Principal{ARN: fmt.Sprintf("arn:aws:iam::111111111111:user/u%d", i), Kind: activity.KindIAMUser, AccountID: "111111111111", Name: fmt.Sprint(i)}})
	}
	for i := range resources {
		e.Resources = append(e.Resources, DiscoveredResource{Resource: activity.Resource{ARN: fmt.Sprintf("arn:aws:s3:::b%d", i), Kind: activity.KindS3Bucket, AccountID: "111111111111", Name: fmt.Sprint(i)}, PolicyState: ResourcePolicyNone})
	}
	if err := db.ReplaceEntitlements(ctx, e); err != nil {
		b.Fatal(err)
	}
	sets := [][]string{{"s3:GetObject"}, {"s3:GetObject", "s3:ListBucket"}, {"s3:GetObject", "s3:ListBucket", "s3:PutObject"}}
	for b.Loop() {
		start := time.Now()
		err := db.ReplaceGrants(ctx, func(s GrantSink) error {
			for i := range principals {
				for k := range perPrincipal {
					if err := s.Put(ctx, e.Principals[i].Principal.ARN, e.Resources[(i*7+k)%resources].Resource.ARN, sets[k%3], nil); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.Logf("%d grants written in %s (%.0f rows/s)", principals*perPrincipal, time.Since(start).Round(time.Millisecond),
			float64(principals*perPrincipal)/time.Since(start).Seconds())
	}
}
