package people

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// Loaded is what a load stored, the role values it could not resolve to an
// IAM role (a role name of an account discovery has not seen, say), and why
// it left people out (a login longer than any identity provider allows).
type Loaded struct {
	store.PeopleLoad
	Unresolved []string
	Skipped    []string
}

// OktaPrincipal is the principal of an Okta user: the one extraction
// credits their SAML sign-ins and sessions to.
func OktaPrincipal(login string) activity.Principal {
	return activity.Principal{ARN: "okta:" + login, Kind: activity.KindOktaIdentity, Name: login}
}

// SSOPrincipal is the principal of an IAM Identity Center user.
func SSOPrincipal(userName string) activity.Principal {
	return activity.Principal{ARN: "sso:" + userName, Kind: activity.KindSSOUser, Name: userName}
}

// LoadOkta replaces the Okta people's roles in the store. accounts limits
// bare role names to those accounts (see RoleResolver).
func LoadOkta(ctx context.Context, db *store.DB, x *OktaExport, accounts []string) (Loaded, error) {
	known, err := db.Roles(ctx)
	if err != nil {
		return Loaded{}, err
	}
	res := NewRoleResolver(known, accounts)
	as := OktaAssignments(x)
	var rows []store.PersonRole
	unresolved := map[string]bool{}
	account := map[string]string{}
	for _, a := range as {
		roles := res.Resolve(a.Role)
		if len(roles) == 0 {
			unresolved[a.Role] = true
		}
		for _, r := range roles {
			if account[a.Login] == "" {
				account[a.Login] = r.AccountID
			}
			rows = append(rows, store.PersonRole{Person: OktaPrincipal(a.Login), Role: r, Via: a.Via})
		}
	}
	for _, login := range OktaPeople(as) {
		rows = append(rows, store.PersonRole{Person: OktaPrincipal(login)})
	}
	for i := range rows {
		// A person new to the store is shown in the account of their first role.
		rows[i].Person.AccountID = account[rows[i].Person.Name]
	}
	rows, skipped := boundRows(rows)
	n, err := db.ReplacePersonRoles(ctx, store.PeopleSourceOkta, rows)
	if err != nil {
		return Loaded{}, fmt.Errorf("store Okta assignments: %w", err)
	}
	return Loaded{PeopleLoad: n, Unresolved: keys(unresolved), Skipped: skipped}, nil
}

// LoadSSO replaces the IAM Identity Center users' roles in the store. A
// permission set becomes, in each account, the role Identity Center made
// for it (AWSReservedSSO_NAME_*), which discovery must have seen.
func LoadSSO(ctx context.Context, db *store.DB, x *SSOAssignments) (Loaded, error) {
	known, err := db.Roles(ctx)
	if err != nil {
		return Loaded{}, err
	}
	res := NewRoleResolver(known, nil)
	var rows []store.PersonRole
	unresolved := map[string]bool{}
	seen := map[string]bool{}
	for _, a := range x.Assignments() {
		roles := res.ResolvePrefix(a.AccountID, "AWSReservedSSO_"+a.PermissionSet+"_")
		if len(roles) == 0 {
			unresolved[a.AccountID+":"+a.PermissionSet] = true
		}
		person := SSOPrincipal(a.UserName)
		if !seen[a.UserName] {
			// A person new to the store is shown in the account of their
			// first assignment.
			seen[a.UserName] = true
			person.AccountID = a.AccountID
			rows = append(rows, store.PersonRole{Person: person})
		}
		for _, r := range roles {
			rows = append(rows, store.PersonRole{Person: person, Role: r, Via: a.Via})
		}
	}
	rows, skipped := boundRows(rows)
	n, err := db.ReplacePersonRoles(ctx, store.PeopleSourceSSO, rows)
	if err != nil {
		return Loaded{}, fmt.Errorf("store Identity Center assignments: %w", err)
	}
	return Loaded{PeopleLoad: n, Unresolved: keys(unresolved), Skipped: skipped}, nil
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// boundRows leaves out the people whose login or account is longer than
// AWS and identity providers allow (see activity's bounds), with one reason
// each, and cuts the group a role is held through to its bound: it only
// labels the row.
func boundRows(rows []store.PersonRole) ([]store.PersonRole, []string) {
	var skipped []string
	refused := map[string]bool{}
	kept := rows[:0]
	for _, r := range rows {
		login := r.Person.Name
		if refused[login] {
			continue
		}
		what := "person " + strconv.Quote(activity.Cut(login, 80))
		err := activity.TooLong(what, "a login", login, activity.MaxLogin)
		if err == nil {
			err = activity.TooLong("the account of "+what, "an account id", r.Person.AccountID, activity.MaxAccountID)
		}
		if err != nil {
			refused[login] = true
			skipped = append(skipped, err.Error())
			continue
		}
		r.Via = activity.Cut(r.Via, len("group:")+activity.MaxGroupName)
		kept = append(kept, r)
	}
	return kept, skipped
}
