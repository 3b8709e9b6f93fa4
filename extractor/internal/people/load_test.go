package people

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

func TestRoleResolver(t *testing.T) {
	known := []activity.Principal{
		{ARN: "arn:aws:iam::111111111111:role/teams/admin", Kind: activity.KindIAMRole, AccountID: "111111111111", Name: "admin"},
		{ARN: "arn:aws:iam::222222222222:role/admin", Kind: activity.KindIAMRole, AccountID: "222222222222", Name: "admin"},
	}
	arns := func(ps []activity.Principal) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.ARN)
		}
		return out
	}
	for _, c := range []struct {
		value    string
		accounts []string
		want     []string
	}{
		// An ARN without the path finds the role with its path.
		{"arn:aws:iam::111111111111:role/admin", nil, []string{"arn:aws:iam::111111111111:role/teams/admin"}},
		{"arn:aws:iam::111111111111:saml-provider/Okta,arn:aws:iam::111111111111:role/admin", nil, []string{"arn:aws:iam::111111111111:role/teams/admin"}},
		{"arn:aws:iam::333333333333:role/new", nil, []string{"arn:aws:iam::333333333333:role/new"}},
		{"admin", nil, []string{"arn:aws:iam::111111111111:role/teams/admin", "arn:aws:iam::222222222222:role/admin"}},
		{"admin", []string{"222222222222"}, []string{"arn:aws:iam::222222222222:role/admin"}},
		{"viewer", []string{"222222222222"}, []string{"arn:aws:iam::222222222222:role/viewer"}},
		{"viewer", nil, nil},
		{"arn:aws:iam::111111111111:saml-provider/Okta", nil, nil},
	} {
		if got := arns(NewRoleResolver(known, c.accounts).Resolve(c.value)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Resolve(%q, %v) = %v, want %v", c.value, c.accounts, got, c.want)
		}
	}
}

const ssoFile = `{
  "Users": [{"UserId": "u-kim", "UserName": "kim"}, {"UserId": "u-lee", "UserName": "lee@example.com"}],
  "Groups": [{"GroupId": "g-ops", "DisplayName": "ops"}],
  "GroupMemberships": [{"GroupId": "g-ops", "MemberId": {"UserId": "u-lee"}}, {"GroupId": "g-ops", "MemberId": {"UserId": "u-kim"}}],
  "PermissionSets": [{"PermissionSetArn": "arn:aws:sso:::permissionSet/ssoins-1/ps-admin", "Name": "Admin"},
                     {"PermissionSetArn": "arn:aws:sso:::permissionSet/ssoins-1/ps-ro", "Name": "ReadOnly"}],
  "AccountAssignments": [
    {"AccountId": "111111111111", "PermissionSetArn": "arn:aws:sso:::permissionSet/ssoins-1/ps-admin", "PrincipalType": "USER", "PrincipalId": "u-kim"},
    {"AccountId": "111111111111", "PermissionSetArn": "arn:aws:sso:::permissionSet/ssoins-1/ps-ro", "PrincipalType": "GROUP", "PrincipalId": "g-ops"},
    {"AccountId": "222222222222", "PermissionSetArn": "arn:aws:sso:::permissionSet/ssoins-1/ps-ro", "PrincipalType": "GROUP", "PrincipalId": "g-ops"}]
}`

func TestLoadSSO(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, filepath.Join(dir, "activity.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, arn := range []string{
		"arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef",
		"arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_ReadOnly_fedcba9876543210",
		// Another set's name starting the same way is not ReadOnly.
		"arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_ReadOnlyPlus_1111111111111111",
	} {
		if _, err := store.UpsertPrincipal(ctx, db.SQL(), activity.Principal{ARN: arn, Kind: activity.KindIAMRole, AccountID: "111111111111", Name: arn[len("arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/"):]}); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "sso.json")
	if err := os.WriteFile(path, []byte(ssoFile), 0o600); err != nil {
		t.Fatal(err)
	}
	x, err := ReadSSOAssignments(path)
	if err != nil {
		t.Fatal(err)
	}
	n, err := LoadSSO(ctx, db, x)
	if err != nil {
		t.Fatal(err)
	}
	// Account 222222222222 has not been discovered: its ReadOnly role is unknown.
	if n.People != 2 || n.Assignments != 3 || !reflect.DeepEqual(n.Unresolved, []string{"222222222222:ReadOnly"}) {
		t.Errorf("loaded %+v", n)
	}
	got, err := db.PersonAssignments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.PersonAssignment{
		{Person: "sso:kim", Role: "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef", Source: "sso", Via: "user"},
		{Person: "sso:kim", Role: "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_ReadOnly_fedcba9876543210", Source: "sso", Via: "group:ops"},
		{Person: "sso:lee@example.com", Role: "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_ReadOnly_fedcba9876543210", Source: "sso", Via: "group:ops"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("assignments:\n got %+v\nwant %+v", got, want)
	}
	// A second load replaces the first.
	x.AccountAssignments = x.AccountAssignments[:1]
	if _, err := LoadSSO(ctx, db, x); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.PersonAssignments(ctx); len(got) != 1 {
		t.Errorf("after a reload: %+v", got)
	}
	p, err := db.FindPrincipal(ctx, "kim")
	if err != nil || p.Kind != activity.KindSSOUser {
		t.Errorf("FindPrincipal(kim) = %+v, %v", p, err)
	}
}
