package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// BenchmarkDataSourceReads measures what one read of the Terraform data
// sources costs in the database on a large store: 10,000 principals, 50,000
// resources, 20 scored grants per principal. Each iteration is 100 reads of
// activity_monitoring_ops (principal lookup, latest run, scores with
// resources) and one of activity_monitoring_principals with a filter.
func BenchmarkDataSourceReads(b *testing.B) {
	const principals, resources, perPrincipal = 10_000, 50_000, 20
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	start := time.Now()
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	rs := make([]activity.Resource, resources)
	for i := range rs {
		rs[i] = activity.Resource{ARN: fmt.Sprintf("arn:aws:s3:::bucket-%05d", i), Kind: activity.KindS3Bucket, Name: fmt.Sprintf("bucket-%05d", i)}
		if rs[i].ID, err = UpsertResource(ctx, tx, rs[i]); err != nil {
			b.Fatal(err)
		}
	}
	ps := make([]activity.Principal, principals)
	for i := range ps {
		account := fmt.Sprintf("%012d", 100000000000+i%50)
		ps[i] = activity.Principal{ARN: fmt.Sprintf("arn:aws:iam::%s:user/user-%05d", account, i), Kind: activity.KindIAMUser, AccountID: account, Name: fmt.Sprintf("user-%05d", i)}
		if ps[i].ID, err = UpsertPrincipal(ctx, tx, ps[i]); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	w, err := db.NewScoreWriter(ctx, activity.ScoreRun{Window: activity.Window{AsOf: time.Now(), Days: 30}})
	if err != nil {
		b.Fatal(err)
	}
	granted := []string{"s3:DeleteObject", "s3:GetObject", "s3:ListBucket", "s3:PutObject"}
	for i, p := range ps {
		score := activity.PrincipalScore{Principal: p, Monitored: true, ResourceOPS: ptr(float64(i % 101)), OPS: ptr(float64(i % 97))}
		for j := 0; j < perPrincipal; j++ {
			r := rs[(i*perPrincipal+j)%resources]
			score.Resources = append(score.Resources, activity.ResourceScore{Resource: r, OPS: ptr(75), GrantedActions: granted, UsedActions: granted[1:2]})
		}
		if err := w.AddPrincipal(ctx, score); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := w.Commit(); err != nil {
		b.Fatal(err)
	}
	b.Logf("store of %d principals, %d resources, %d resource scores built in %s", principals, resources, principals*perPrincipal, time.Since(start).Round(time.Millisecond))
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		for i := 0; i < 100; i++ {
			p, err := db.FindPrincipal(ctx, ps[(n*100+i*97)%principals].ARN)
			if err != nil {
				b.Fatal(err)
			}
			run, err := db.ScoreRunFor(ctx, 30, time.Time{})
			if err != nil {
				b.Fatal(err)
			}
			got, err := db.PrincipalScores(ctx, run.ID, ScoreFilter{PrincipalARN: p.ARN})
			if err != nil || len(got) != 1 || len(got[0].Resources) != perPrincipal {
				b.Fatalf("read %d scores (%v)", len(got), err)
			}
		}
		run, _ := db.ScoreRunFor(ctx, 30, time.Time{})
		t0 := time.Now()
		got, err := db.PrincipalScores(ctx, run.ID, ScoreFilter{Accounts: []string{"100000000007"}, MinOPS: ptr(90)})
		if err != nil || len(got) == 0 {
			b.Fatalf("filtered read gave %d (%v)", len(got), err)
		}
		b.Logf("filtered: %d principals in %s", len(got), time.Since(t0))
	}
}

func ptr(v float64) *float64 { return &v }
