// Package people loads which AWS roles each person may assume, from Okta
// (its management API or an export file) and from IAM Identity Center
// (account assignments in a file), into the store, where the score step
// gives each person the union of the grants of those roles.
package people

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// OktaExport is what the extractor reads from Okta, in the shapes Okta's
// management API returns them. `activity-extractor people --okta-org ORG
// --okta-app APP --write-okta-export FILE` writes it; a script may write the
// same from the API's answers:
//
//	{
//	  "org_url": "https://example.okta.com",
//	  "app_id": "0oa1...",
//	  "users":      [ the users assigned, as GET /api/v1/users/ID returns them ],
//	  "app_users":  [ GET /api/v1/apps/APP/users items ],
//	  "app_groups": [ GET /api/v1/apps/APP/groups items ],
//	  "groups":     [ GET /api/v1/groups/GROUP items, for their names ],
//	  "group_members": { "GROUP_ID": [ "USER_ID", ... ] }
//	}
type OktaExport struct {
	OrgURL       string              `json:"org_url,omitempty"`
	AppID        string              `json:"app_id,omitempty"`
	Users        []OktaUser          `json:"users"`
	AppUsers     []OktaAppUser       `json:"app_users"`
	AppGroups    []OktaAppGroup      `json:"app_groups"`
	Groups       []OktaGroup         `json:"groups,omitempty"`
	GroupMembers map[string][]string `json:"group_members"`
}

// OktaUser is an Okta user, with the fields the extractor reads.
type OktaUser struct {
	ID      string `json:"id"`
	Status  string `json:"status,omitempty"`
	Profile struct {
		Login string `json:"login"`
		Email string `json:"email,omitempty"`
	} `json:"profile"`
}

// OktaAppProfile is the app-specific profile of an assignment: the AWS
// Account Federation app keeps the roles in samlRoles (several accounts or
// roles) or role (one).
type OktaAppProfile struct {
	SAMLRoles []string `json:"samlRoles,omitempty"`
	Role      string   `json:"role,omitempty"`
}

func (p OktaAppProfile) roles() []string {
	out := append([]string(nil), p.SAMLRoles...)
	if p.Role != "" {
		out = append(out, p.Role)
	}
	return out
}

// OktaAppUser is a user assigned to the app. Scope is USER for a direct
// assignment, GROUP when the assignment comes from a group.
type OktaAppUser struct {
	ID          string `json:"id"`
	Scope       string `json:"scope,omitempty"`
	Status      string `json:"status,omitempty"`
	Credentials struct {
		UserName string `json:"userName,omitempty"`
	} `json:"credentials"`
	Profile  OktaAppProfile `json:"profile"`
	Embedded struct {
		User OktaUser `json:"user"`
	} `json:"_embedded,omitzero"`
}

// OktaAppGroup is a group assigned to the app.
type OktaAppGroup struct {
	ID       string         `json:"id"`
	Priority int            `json:"priority,omitempty"`
	Profile  OktaAppProfile `json:"profile"`
	Embedded struct {
		Group OktaGroup `json:"group"`
	} `json:"_embedded,omitzero"`
}

// OktaGroup is an Okta group.
type OktaGroup struct {
	ID      string `json:"id"`
	Profile struct {
		Name string `json:"name"`
	} `json:"profile"`
}

// ReadOktaExport reads an export file.
func ReadOktaExport(path string) (*OktaExport, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var x OktaExport
	if err := json.Unmarshal(b, &x); err != nil {
		return nil, fmt.Errorf("%s: not an Okta export: %w", path, err)
	}
	if x.AppUsers == nil && x.AppGroups == nil {
		return nil, fmt.Errorf("%s: not an Okta export: it needs \"app_users\" or \"app_groups\"", path)
	}
	return &x, nil
}

// WriteOktaExport writes an export file, readable by the owner only.
func WriteOktaExport(path string, x *OktaExport) error {
	b, err := json.MarshalIndent(x, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o600)
}

// Assignment is one role a person may assume, as the identity provider
// names it (an IAM role ARN, "PROVIDER_ARN,ROLE_ARN", or a role name).
type Assignment struct {
	Login string
	Role  string
	Via   string
}

// OktaAssignments lists who may assume what: the app's direct user
// assignments and, for each group assigned, its members. Deprovisioned
// users hold nothing. Where the app gives a group-assigned user only the
// roles of its highest-priority group, the union overstates: every role
// of every assigned group counts.
func OktaAssignments(x *OktaExport) []Assignment {
	logins := map[string]string{}
	users := x.Users
	for _, au := range x.AppUsers {
		if au.Embedded.User.ID != "" {
			users = append(users, au.Embedded.User)
		}
	}
	for _, u := range users {
		if u.Status == "DEPROVISIONED" {
			continue
		}
		login := u.Profile.Login
		if login == "" {
			login = u.Profile.Email
		}
		if login != "" {
			logins[u.ID] = login
		}
	}
	groupNames := map[string]string{}
	for _, g := range x.Groups {
		groupNames[g.ID] = g.Profile.Name
	}
	var out []Assignment
	for _, au := range x.AppUsers {
		if au.Scope == "GROUP" {
			// Counted from the group's own assignment below.
			continue
		}
		login, ok := logins[au.ID]
		if !ok {
			continue
		}
		for _, r := range au.Profile.roles() {
			out = append(out, Assignment{Login: login, Role: r, Via: "user"})
		}
	}
	for _, ag := range x.AppGroups {
		name := groupNames[ag.ID]
		if name == "" {
			name = ag.Embedded.Group.Profile.Name
		}
		if name == "" {
			name = ag.ID
		}
		for _, uid := range x.GroupMembers[ag.ID] {
			login, ok := logins[uid]
			if !ok {
				continue
			}
			for _, r := range ag.Profile.roles() {
				out = append(out, Assignment{Login: login, Role: r, Via: "group:" + name})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Login != b.Login {
			return a.Login < b.Login
		}
		if a.Role != b.Role {
			return a.Role < b.Role
		}
		return a.Via < b.Via
	})
	return out
}

// OktaPeople lists the logins of the users the app is assigned to, so that
// those assigned no resolvable role are still known.
func OktaPeople(as []Assignment) []string {
	seen := map[string]bool{}
	var out []string
	for _, a := range as {
		if !seen[a.Login] {
			seen[a.Login] = true
			out = append(out, a.Login)
		}
	}
	return out
}

// RoleResolver turns the role names an identity provider uses into the
// IAM roles the store knows.
type RoleResolver struct {
	byARN  map[string]activity.Principal
	byName map[string][]activity.Principal
	// Accounts limits bare role names to these accounts; with exactly one,
	// a name no known role has becomes a role of that account.
	Accounts []string
}

// NewRoleResolver indexes the known roles.
func NewRoleResolver(roles []activity.Principal, accounts []string) *RoleResolver {
	r := &RoleResolver{byARN: map[string]activity.Principal{}, byName: map[string][]activity.Principal{}, Accounts: accounts}
	for _, p := range roles {
		r.byARN[p.ARN] = p
		r.byARN[withoutPath(p.ARN)] = p
		r.byName[p.Name] = append(r.byName[p.Name], p)
	}
	return r
}

// withoutPath drops an IAM role ARN's path: arn:aws:iam::1:role/a/b/R → arn:aws:iam::1:role/R.
func withoutPath(arn string) string {
	i := strings.Index(arn, ":role/")
	if i < 0 {
		return arn
	}
	return arn[:i+len(":role/")] + arn[strings.LastIndexByte(arn, '/')+1:]
}

// Resolve finds the roles a value names; none when it names no role the
// store knows and its account cannot be told.
func (r *RoleResolver) Resolve(value string) []activity.Principal {
	v := strings.TrimSpace(value)
	if strings.Contains(v, ",") {
		// The Okta app's role value pattern: "SAML_PROVIDER_ARN,ROLE_ARN".
		for _, part := range strings.Split(v, ",") {
			if strings.Contains(part, ":role/") {
				v = strings.TrimSpace(part)
			}
		}
	}
	if strings.HasPrefix(v, "arn:") {
		if !strings.Contains(v, ":role/") {
			return nil
		}
		if p, ok := r.byARN[v]; ok {
			return []activity.Principal{p}
		}
		if p, ok := r.byARN[withoutPath(v)]; ok {
			return []activity.Principal{p}
		}
		a, err := activity.ParseARN(v)
		if err != nil {
			return nil
		}
		return []activity.Principal{{ARN: v, Kind: activity.KindIAMRole, AccountID: a.AccountID, Name: v[strings.LastIndexByte(v, '/')+1:]}}
	}
	var out []activity.Principal
	for _, p := range r.byName[v] {
		if len(r.Accounts) == 0 || contains(r.Accounts, p.AccountID) {
			out = append(out, p)
		}
	}
	if len(out) == 0 && len(r.Accounts) == 1 && v != "" {
		out = append(out, activity.Principal{ARN: activity.IAMARN(r.partition(r.Accounts[0]), r.Accounts[0], "role/"+v), Kind: activity.KindIAMRole, AccountID: r.Accounts[0], Name: v})
	}
	return out
}

// partition is the partition of an account's known roles, the default one
// when none is known.
func (r *RoleResolver) partition(account string) string {
	for arn, p := range r.byARN {
		if p.AccountID == account {
			return activity.PartitionOfARN(arn)
		}
	}
	return activity.DefaultPartition
}

// ResolvePrefix finds the known roles of an account whose name starts with
// prefix (IAM Identity Center's AWSReservedSSO_NAME_ roles).
func (r *RoleResolver) ResolvePrefix(account, prefix string) []activity.Principal {
	var out []activity.Principal
	for name, ps := range r.byName {
		if !strings.HasPrefix(name, prefix) || strings.Contains(name[len(prefix):], "_") {
			// AWSReservedSSO_Read_Only_HASH is not the role of "Read".
			continue
		}
		for _, p := range ps {
			if p.AccountID == account {
				out = append(out, p)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ARN < out[j].ARN })
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
