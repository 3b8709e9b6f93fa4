package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

func openUsageDB(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "activity.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func secretFacts(location, arn, name string, id byte, at int64) *ObjectFacts {
	return &ObjectFacts{
		Location: location, ETag: "e", Events: 1,
		Facts: activity.Facts{
			Principals: []activity.Principal{{ARN: "arn:aws:iam::111111111111:user/alice", Kind: activity.KindIAMUser, AccountID: "111111111111", Name: "alice"}},
			Resources:  []activity.Resource{{ARN: arn, Kind: activity.KindSecret, AccountID: "111111111111", Region: "eu-west-1", Name: name}},
		},
		Uses: []activity.UseFact{{EventID: [16]byte{id}, Principal: 0, Resource: 0, Action: "secretsmanager:GetSecretValue", At: at}},
	}
}

// Events name a secret by name, partial ARN and full ARN: one secret, whose
// row takes the full ARN as soon as one is seen, whatever the order.
func TestSecretNamedEveryWayIsOneResource(t *testing.T) {
	const base = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:prod/db"
	db := openUsageDB(t)
	ctx := context.Background()
	w := db.NewUsageWriter(1)
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC).Unix()
	for i, f := range []*ObjectFacts{
		secretFacts("a", base, "prod/db", 1, at),
		secretFacts("b", base+"-AbC123", "prod/db", 2, at+60),
		secretFacts("c", base, "prod/db", 3, at+120),
	} {
		if _, err := w.Commit(ctx, []*ObjectFacts{f}); err != nil {
			t.Fatalf("object %d: %v", i, err)
		}
	}
	uses, err := db.ActionUses(ctx, time.Unix(at, 0), time.Unix(at, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(uses) != 1 || uses[0].ResourceARN != base+"-AbC123" || uses[0].Count != 3 {
		t.Errorf("uses = %+v, want 3 uses of %s-AbC123", uses, base)
	}
	var n int
	if err := db.SQL().QueryRow(`SELECT count(*) FROM resources`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d resource rows, want 1", n)
	}
}

// An event delivered twice, in one object or in two, is counted once.
func TestRepeatedEventsCountOnce(t *testing.T) {
	db := openUsageDB(t)
	ctx := context.Background()
	w := db.NewUsageWriter(1)
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC).Unix()
	f := secretFacts("a", "arn:aws:secretsmanager:eu-west-1:111111111111:secret:x", "x", 1, at)
	second := f.Uses[0]
	second.EventID = [16]byte{2}
	f.Uses = append(f.Uses, second, f.Uses[0]) // event 1, event 2, event 1 again
	c, err := w.Commit(ctx, []*ObjectFacts{f})
	if err != nil {
		t.Fatal(err)
	}
	if c.Uses != 2 || c.Duplicates != 1 {
		t.Errorf("first delivery: %+v, want 2 uses and 1 duplicate", c)
	}
	again := *f
	again.Location = "b"
	c, err = w.Commit(ctx, []*ObjectFacts{&again})
	if err != nil {
		t.Fatal(err)
	}
	if c.Uses != 0 || c.Duplicates != 3 {
		t.Errorf("second delivery: %+v, want nothing counted", c)
	}
	uses, _ := db.ActionUses(ctx, time.Unix(at, 0), time.Unix(at, 0))
	if len(uses) != 1 || uses[0].Count != 2 {
		t.Errorf("uses = %+v, want a count of 2", uses)
	}
}

// A commit that fails half-way leaves nothing behind, not even the rows of
// the objects before the failing one, and the writer does not remember the
// ids it made.
func TestFailedCommitLeavesNothing(t *testing.T) {
	db := openUsageDB(t)
	ctx := context.Background()
	w := db.NewUsageWriter(1)
	good := secretFacts("a", "arn:aws:secretsmanager:eu-west-1:111111111111:secret:x", "x", 1, 1e9)
	bad := secretFacts("b", "arn:aws:secretsmanager:eu-west-1:111111111111:secret:y", "y", 2, 1e9)
	bad.Principals[0] = activity.Principal{ARN: "arn:aws:iam::111111111111:user/bob", Kind: "no such kind", AccountID: "111111111111", Name: "bob"}
	if _, err := w.Commit(ctx, []*ObjectFacts{good, bad}); err == nil {
		t.Fatal("commit of a principal of an unknown kind succeeded")
	}
	if len(w.principals) != 0 || len(w.resources) != 0 {
		t.Errorf("writer remembers ids of a rolled-back commit")
	}
	var n int
	if err := db.SQL().QueryRow(`SELECT (SELECT count(*) FROM extract_ledger) + (SELECT count(*) FROM principals) +
		(SELECT count(*) FROM resources) + (SELECT count(*) FROM dedup_events) + (SELECT count(*) FROM dedup_scopes) + (SELECT count(*) FROM usage_actions)`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d rows left by a failed commit", n)
	}
	if _, err := w.Commit(ctx, []*ObjectFacts{good}); err != nil {
		t.Fatalf("the good object alone: %v", err)
	}
	uses, _ := db.ActionUses(ctx, time.Unix(1e9, 0), time.Unix(1e9, 0))
	if len(uses) != 1 || uses[0].Count != 1 {
		t.Errorf("uses after the retry = %+v", uses)
	}
}
