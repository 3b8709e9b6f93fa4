package people

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
)

// SSOAssignments is IAM Identity Center's view of who may use which
// permission set in which account, as the AWS CLI prints it. The file is the
// union of the top-level keys of:
//
//	aws identitystore list-users --identity-store-id ID            → "Users"
//	aws identitystore list-groups --identity-store-id ID           → "Groups"
//	aws identitystore list-group-memberships ... (each group)      → "GroupMemberships"
//	aws sso-admin describe-permission-set ... (each), as a list    → "PermissionSets"
//	aws sso-admin list-account-assignments ... (each account, set) → "AccountAssignments"
//
// for example `jq -s 'reduce .[] as $x ({}; . * $x)' users.json ... > sso.json`
// after concatenating the lists of each key.
type SSOAssignments struct {
	Users []struct {
		UserID   string `json:"UserId"`
		UserName string `json:"UserName"`
	} `json:"Users"`
	Groups []struct {
		GroupID     string `json:"GroupId"`
		DisplayName string `json:"DisplayName"`
	} `json:"Groups"`
	GroupMemberships []struct {
		GroupID  string `json:"GroupId"`
		MemberID struct {
			UserID string `json:"UserId"`
		} `json:"MemberId"`
	} `json:"GroupMemberships"`
	PermissionSets []struct {
		PermissionSetARN string `json:"PermissionSetArn"`
		Name             string `json:"Name"`
	} `json:"PermissionSets"`
	AccountAssignments []struct {
		AccountID        string `json:"AccountId"`
		PermissionSetARN string `json:"PermissionSetArn"`
		PrincipalType    string `json:"PrincipalType"`
		PrincipalID      string `json:"PrincipalId"`
	} `json:"AccountAssignments"`
}

// ReadSSOAssignments reads an Identity Center assignments file.
func ReadSSOAssignments(path string) (*SSOAssignments, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var x SSOAssignments
	if err := json.Unmarshal(b, &x); err != nil {
		return nil, fmt.Errorf("%s: not an Identity Center assignments file: %w", path, err)
	}
	if x.Users == nil || x.AccountAssignments == nil || x.PermissionSets == nil {
		return nil, fmt.Errorf("%s: not an Identity Center assignments file: it needs \"Users\", \"PermissionSets\" and \"AccountAssignments\"", path)
	}
	return &x, nil
}

// SSOAssignment is one permission set a user may use in one account.
type SSOAssignment struct {
	UserName      string
	AccountID     string
	PermissionSet string
	Via           string
}

// Assignments lists, per user, the permission sets of each account,
// directly or through their groups.
func (x *SSOAssignments) Assignments() []SSOAssignment {
	names := map[string]string{}
	for _, u := range x.Users {
		names[u.UserID] = u.UserName
	}
	sets := map[string]string{}
	for _, p := range x.PermissionSets {
		sets[p.PermissionSetARN] = p.Name
	}
	groups := map[string]string{}
	for _, g := range x.Groups {
		groups[g.GroupID] = g.DisplayName
	}
	members := map[string][]string{}
	for _, m := range x.GroupMemberships {
		members[m.GroupID] = append(members[m.GroupID], m.MemberID.UserID)
	}
	var out []SSOAssignment
	for _, a := range x.AccountAssignments {
		set := sets[a.PermissionSetARN]
		if set == "" {
			continue
		}
		switch a.PrincipalType {
		case "USER":
			if n := names[a.PrincipalID]; n != "" {
				out = append(out, SSOAssignment{UserName: n, AccountID: a.AccountID, PermissionSet: set, Via: "user"})
			}
		case "GROUP":
			g := groups[a.PrincipalID]
			if g == "" {
				g = a.PrincipalID
			}
			for _, uid := range members[a.PrincipalID] {
				if n := names[uid]; n != "" {
					out = append(out, SSOAssignment{UserName: n, AccountID: a.AccountID, PermissionSet: set, Via: "group:" + g})
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.UserName != b.UserName {
			return a.UserName < b.UserName
		}
		if a.AccountID != b.AccountID {
			return a.AccountID < b.AccountID
		}
		if a.PermissionSet != b.PermissionSet {
			return a.PermissionSet < b.PermissionSet
		}
		return a.Via < b.Via
	})
	return out
}
