package store

import (
	"context"
	"reflect"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// A database written when discovery kept only the names of the policies it
// could not read keeps them, now as objects without an error; principals
// whose policies were all read stay so.
func TestMigrationKeepsUnreadablePolicyNames(t *testing.T) {
	ctx := context.Background()
	path, conn := databaseAt(t, 55)
	for arn, unreadable := range map[string]string{
		"arn:aws:iam::111111111111:user/ana": `["arn:aws:iam::111111111111:policy/Broken","arn:aws:iam::111111111111:user/ana inline typo"]`,
		"arn:aws:iam::111111111111:user/ben": `[]`,
	} {
		id, err := UpsertPrincipal(ctx, conn, activity.Principal{ARN: arn, Kind: activity.KindIAMUser, AccountID: "111111111111", Name: arn[len(arn)-3:]})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(`INSERT INTO discovered_principals (principal_id, account_id, unreadable_policies) VALUES (?, '111111111111', ?)`, id, unreadable); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close()

	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	all, err := db.Entitlements(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || len(all[0].Principals) != 2 {
		t.Fatalf("entitlements %+v", all)
	}
	want := []activity.UnreadablePolicy{{Policy: "arn:aws:iam::111111111111:policy/Broken"}, {Policy: "arn:aws:iam::111111111111:user/ana inline typo"}}
	if got := all[0].Principals[0].Unreadable; !reflect.DeepEqual(got, want) {
		t.Errorf("ana's unreadable policies %+v, want %+v", got, want)
	}
	if got := all[0].Principals[1].Unreadable; len(got) != 0 {
		t.Errorf("ben's unreadable policies %+v, want none", got)
	}
	ids, err := db.PrincipalsWithUnreadablePolicies(ctx)
	if err != nil || len(ids) != 1 || !ids[all[0].Principals[0].Principal.ID] {
		t.Errorf("principals with unreadable policies %v, %v; want ana's id only", ids, err)
	}
}
