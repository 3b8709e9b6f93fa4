package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

func TestUpsertPrincipalKeepsOneRowAndCompletesIt(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	arn := "arn:aws:iam::111111111111:user/ops/alice"
	id1, err := UpsertPrincipal(ctx, db.SQL(), activity.Principal{ARN: arn, Kind: activity.KindIAMUser, AccountID: "111111111111", Name: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)
	id2, err := UpsertPrincipal(ctx, db.SQL(), activity.Principal{ARN: arn, Kind: activity.KindIAMUser, AccountID: "111111111111", Name: "alice", CreatedAt: created})
	if err != nil {
		t.Fatal(err)
	}
	if id1 != id2 {
		t.Fatalf("second upsert gave id %d, first %d", id2, id1)
	}
	// A later sighting without a creation time must not erase it.
	if _, err := UpsertPrincipal(ctx, db.SQL(), activity.Principal{ARN: arn, Kind: activity.KindIAMUser, AccountID: "111111111111", Name: "alice"}); err != nil {
		t.Fatal(err)
	}
	p, err := db.PrincipalByARN(ctx, arn)
	if err != nil {
		t.Fatal(err)
	}
	if !p.CreatedAt.Equal(created) || p.ID != id1 {
		t.Errorf("principal = %+v", p)
	}
	if _, err := db.PrincipalByARN(ctx, "arn:aws:iam::111111111111:user/bob"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown principal: err = %v", err)
	}
	if _, err := UpsertPrincipal(ctx, db.SQL(), activity.Principal{ARN: "x", Kind: "robot", AccountID: "1", Name: "x"}); err == nil {
		t.Error("unknown kind accepted")
	}
}

func TestUpsertResourceFillsMissingAccount(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	r := activity.Resource{ARN: "arn:aws:s3:::logs", Kind: activity.KindS3Bucket, Name: "logs"}
	id1, err := UpsertResource(ctx, db.SQL(), r)
	if err != nil {
		t.Fatal(err)
	}
	r.AccountID = "222222222222"
	id2, err := UpsertResource(ctx, db.SQL(), r)
	if err != nil || id1 != id2 {
		t.Fatalf("ids %d %d, err %v", id1, id2, err)
	}
	r.AccountID = "333333333333" // a later, different claim does not overwrite
	if _, err := UpsertResource(ctx, db.SQL(), r); err != nil {
		t.Fatal(err)
	}
	var acct string
	if err := db.SQL().QueryRow(`SELECT account_id FROM resources WHERE id = ?`, id1).Scan(&acct); err != nil {
		t.Fatal(err)
	}
	if acct != "222222222222" {
		t.Errorf("account = %q", acct)
	}
}
