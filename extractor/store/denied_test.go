package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// Denied attempts inside the window, per action, resource and error code:
// a repeated delivery counts once, a secret named by its partial and by its
// full ARN is one resource, a call on none of the resource kinds has no
// resource, and what lies outside the window or succeeded is left out.
func TestDeniedInWindow(t *testing.T) {
	const partial = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:prod/db"
	db := openUsageDB(t)
	ctx := context.Background()
	w := db.NewUsageWriter(1)
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	at := func(h int) int64 { return day.Add(time.Duration(h) * time.Hour).Unix() }
	denied := func(f *ObjectFacts, code string) *ObjectFacts {
		f.Uses[0].ErrorCode = code
		return f
	}
	noResource := secretFacts("e", partial, "prod/db", 5, at(12))
	noResource.Uses[0].Resource, noResource.Uses[0].Action = -1, "iam:ListUsers"
	for i, f := range []*ObjectFacts{
		denied(secretFacts("a", partial, "prod/db", 1, at(10)), "AccessDeniedException"),
		denied(secretFacts("b", partial+"-AbC123", "prod/db", 2, at(11)), "AccessDeniedException"),
		denied(secretFacts("c", partial, "prod/db", 1, at(10)), "AccessDeniedException"), // event 1 delivered again
		denied(secretFacts("d", partial, "prod/db", 3, at(13)), "ThrottlingException"),
		denied(noResource, "AccessDenied"),
		denied(secretFacts("f", partial, "prod/db", 6, at(-40*24)), "AccessDeniedException"), // before the window
		secretFacts("g", partial, "prod/db", 7, at(14)),                                      // a success
	} {
		if _, err := w.Commit(ctx, []*ObjectFacts{f}); err != nil {
			t.Fatalf("object %d: %v", i, err)
		}
	}
	alice, err := db.PrincipalByARN(ctx, "arn:aws:iam::111111111111:user/alice")
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.DeniedInWindow(ctx, alice.ID, activity.Window{AsOf: day.AddDate(0, 0, 1), Days: 30})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"secretsmanager:GetSecretValue " + partial + "-AbC123 AccessDeniedException 2 2026-11-20T11:00:00Z",
		"secretsmanager:GetSecretValue " + partial + "-AbC123 ThrottlingException 1 2026-11-20T13:00:00Z",
		"iam:ListUsers - AccessDenied 1 2026-11-20T12:00:00Z",
	}
	if len(got) != len(want) {
		t.Fatalf("denied = %+v, want %d entries", got, len(want))
	}
	for i, d := range got {
		r := "-"
		if d.Resource != nil {
			r = d.Resource.ARN
		}
		if s := fmt.Sprintf("%s %s %s %d %s", d.Action, r, d.ErrorCode, d.Count, d.LastAt.Format(time.RFC3339)); s != want[i] {
			t.Errorf("denied[%d] = %s, want %s", i, s, want[i])
		}
	}
	before, err := db.DeniedInWindow(ctx, alice.ID, activity.Window{AsOf: day, Days: 7})
	if err != nil {
		t.Fatal(err)
	}
	if len(before) != 0 {
		t.Errorf("a window ending before the attempts has %+v", before)
	}
}
