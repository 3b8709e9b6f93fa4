package iam

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// AuthorizationDetails is the answer of IAM's GetAccountAuthorizationDetails,
// as `aws iam get-account-authorization-details` prints it.
type AuthorizationDetails struct {
	UserDetailList  []UserDetail          `json:"UserDetailList"`
	GroupDetailList []GroupDetail         `json:"GroupDetailList"`
	RoleDetailList  []RoleDetail          `json:"RoleDetailList"`
	Policies        []ManagedPolicyDetail `json:"Policies"`
}

// UserDetail is one IAM user.
type UserDetail struct {
	Path                    string              `json:"Path"`
	UserName                string              `json:"UserName"`
	Arn                     string              `json:"Arn"`
	CreateDate              Timestamp           `json:"CreateDate"`
	GroupList               []string            `json:"GroupList"`
	UserPolicyList          []InlinePolicy      `json:"UserPolicyList"`
	AttachedManagedPolicies []AttachedPolicy    `json:"AttachedManagedPolicies"`
	PermissionsBoundary     *PermissionBoundary `json:"PermissionsBoundary"`
}

// GroupDetail is one IAM group.
type GroupDetail struct {
	GroupName               string           `json:"GroupName"`
	Arn                     string           `json:"Arn"`
	GroupPolicyList         []InlinePolicy   `json:"GroupPolicyList"`
	AttachedManagedPolicies []AttachedPolicy `json:"AttachedManagedPolicies"`
}

// RoleDetail is one IAM role.
type RoleDetail struct {
	Path                    string              `json:"Path"`
	RoleName                string              `json:"RoleName"`
	Arn                     string              `json:"Arn"`
	CreateDate              Timestamp           `json:"CreateDate"`
	RolePolicyList          []InlinePolicy      `json:"RolePolicyList"`
	AttachedManagedPolicies []AttachedPolicy    `json:"AttachedManagedPolicies"`
	PermissionsBoundary     *PermissionBoundary `json:"PermissionsBoundary"`
}

// InlinePolicy is a policy embedded in a user, group or role. The document
// is an object in the CLI's output, a URL-encoded string in the API's.
type InlinePolicy struct {
	PolicyName     string          `json:"PolicyName"`
	PolicyDocument json.RawMessage `json:"PolicyDocument"`
}

// AttachedPolicy names an attached managed policy.
type AttachedPolicy struct {
	PolicyName string `json:"PolicyName"`
	PolicyArn  string `json:"PolicyArn"`
}

// PermissionBoundary names the managed policy set as a boundary.
type PermissionBoundary struct {
	PermissionsBoundaryArn string `json:"PermissionsBoundaryArn"`
}

// ManagedPolicyDetail is a managed policy with its versions.
type ManagedPolicyDetail struct {
	PolicyName        string          `json:"PolicyName"`
	Arn               string          `json:"Arn"`
	DefaultVersionId  string          `json:"DefaultVersionId"`
	PolicyVersionList []PolicyVersion `json:"PolicyVersionList"`
}

// PolicyVersion is one version of a managed policy.
type PolicyVersion struct {
	Document         json.RawMessage `json:"Document"`
	VersionId        string          `json:"VersionId"`
	IsDefaultVersion bool            `json:"IsDefaultVersion"`
}

// Timestamp reads the date formats found in authorization details: RFC 3339
// from the CLI and the API, and "2006-01-02 15:04:05+00:00" from tools that
// print Python datetimes.
type Timestamp struct{ time.Time }

// UnmarshalJSON accepts the layouts above, and null.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	var s string
	if string(b) == "null" {
		return nil
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05.999999Z07:00", "2006-01-02T15:04:05"} {
		if v, err := time.Parse(layout, s); err == nil {
			t.Time = v.UTC()
			return nil
		}
	}
	return fmt.Errorf("unrecognised date %q", s)
}

// ReadAuthorizationDetails decodes one authorization-details document.
func ReadAuthorizationDetails(r io.Reader) (*AuthorizationDetails, error) {
	var d AuthorizationDetails
	dec := json.NewDecoder(r)
	if err := dec.Decode(&d); err != nil {
		return nil, err
	}
	if d.UserDetailList == nil && d.RoleDetailList == nil && d.GroupDetailList == nil && d.Policies == nil {
		return nil, fmt.Errorf("no UserDetailList, GroupDetailList, RoleDetailList or Policies: not the output of get-account-authorization-details")
	}
	return &d, nil
}

// Accounts lists the accounts the users, groups and roles belong to, read
// from their ARNs (a file normally holds one). It fails on an ARN that is not
// an IAM ARN.
func (d *AuthorizationDetails) Accounts() ([]string, error) {
	seen := map[string]bool{}
	var out []string
	check := func(arn string) error {
		account, err := accountOfIAMARN(arn)
		if err == nil && !seen[account] {
			seen[account] = true
			out = append(out, account)
		}
		return err
	}
	for _, u := range d.UserDetailList {
		if err := check(u.Arn); err != nil {
			return nil, err
		}
	}
	for _, g := range d.GroupDetailList {
		if err := check(g.Arn); err != nil {
			return nil, err
		}
	}
	for _, r := range d.RoleDetailList {
		if err := check(r.Arn); err != nil {
			return nil, err
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no user, group or role to read an account id from")
	}
	sort.Strings(out)
	return out, nil
}

func accountOfIAMARN(arn string) (string, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || len(parts[4]) != 12 || strings.Trim(parts[4], "0123456789") != "" {
		return "", fmt.Errorf("%q is not an IAM ARN with an account id", arn)
	}
	return parts[4], nil
}

// Identities turns authorization details into principals with their
// policies. A policy that cannot be parsed is reported in errs, left out,
// and named in the Unreadable list of every principal it applies to; the
// rest goes on. Managed policies are parsed once and shared.
func (d *AuthorizationDetails) Identities() (principals []PrincipalInfo, errs []error) {
	managed := map[string]*Policy{}
	unreadable := map[string]string{} // managed policy ARN → what is wrong with its document
	for _, mp := range d.Policies {
		if mp.Arn == "" {
			// Some deprecated AWS managed policies are listed without an
			// ARN: nothing can attach them by ARN, and they cannot be
			// stored under one.
			errs = append(errs, &ParseError{Policy: mp.PolicyName, Err: fmt.Errorf("managed policy without an Arn in the authorization details: left out")})
			continue
		}
		var doc json.RawMessage
		for _, v := range mp.PolicyVersionList {
			if v.IsDefaultVersion || (doc == nil && v.VersionId == mp.DefaultVersionId) {
				doc = v.Document
			}
		}
		if doc == nil {
			err := &ParseError{Policy: mp.Arn, Err: fmt.Errorf("no default version in PolicyVersionList")}
			errs = append(errs, err)
			unreadable[mp.Arn] = err.Detail()
			continue
		}
		p, err := ParsePolicy(mp.Arn, doc)
		if err != nil {
			errs = append(errs, err)
			unreadable[mp.Arn] = ErrorDetail(err)
			continue
		}
		managed[mp.Arn] = p
	}
	const notInDetails = "its document is not in the authorization details (include AWS managed policies in the output)"
	missing := map[string]bool{}
	// managedPolicy finds an attached managed policy, or says why it cannot.
	managedPolicy := func(arn, attachedAs string) (*Policy, string) {
		if p := managed[arn]; p != nil {
			return p, ""
		}
		if why, ok := unreadable[arn]; ok {
			return nil, why
		}
		if !missing[arn] {
			missing[arn] = true
			errs = append(errs, &ParseError{Policy: arn, Err: fmt.Errorf("%s, but %s", attachedAs, notInDetails)})
		}
		return nil, notInDetails
	}
	// attached and inline add the policies they can read to into, and those
	// they cannot to lost, applying via via.
	attached := func(owner string, list []AttachedPolicy, via string, into []*Policy, lost []activity.UnreadablePolicy) ([]*Policy, []activity.UnreadablePolicy) {
		for _, a := range list {
			if a.PolicyArn == "" {
				// Deprecated AWS managed policies may be attached without
				// an ARN: what they allow is not known.
				name := a.PolicyName + " (attached without an ARN)"
				why := "attached without a PolicyArn, so its document cannot be found"
				errs = append(errs, &ParseError{Policy: name, Err: fmt.Errorf("%s (attached to %s)", why, owner)})
				lost = append(lost, activity.UnreadablePolicy{Policy: name, Via: via, Error: why})
				continue
			}
			p, why := managedPolicy(a.PolicyArn, "attached")
			if p == nil {
				lost = append(lost, activity.UnreadablePolicy{Policy: a.PolicyArn, Via: via, Error: why})
				continue
			}
			into = append(into, p)
		}
		return into, lost
	}
	inline := func(owner string, list []InlinePolicy, via string, into []*Policy, lost []activity.UnreadablePolicy) ([]*Policy, []activity.UnreadablePolicy) {
		for _, ip := range list {
			name := owner + " inline " + ip.PolicyName
			p, err := ParsePolicy(name, ip.PolicyDocument)
			if err != nil {
				errs = append(errs, err)
				lost = append(lost, activity.UnreadablePolicy{Policy: name, Via: via, Error: ErrorDetail(err)})
				continue
			}
			into = append(into, p)
		}
		return into, lost
	}
	groups := map[string][]*Policy{}
	groupsLost := map[string][]activity.UnreadablePolicy{}
	for _, g := range d.GroupDetailList {
		via := "group " + g.Arn
		pols, lost := inline(g.Arn, g.GroupPolicyList, via, nil, nil)
		groups[g.GroupName], groupsLost[g.GroupName] = attached(g.Arn, g.AttachedManagedPolicies, via, pols, lost)
	}
	// boundary finds the permissions boundary; one whose document cannot be
	// read makes the principal's access unknown, since ignoring it could
	// report too much and denying everything too little.
	boundary := func(b *PermissionBoundary, p *PrincipalInfo) {
		if b == nil || b.PermissionsBoundaryArn == "" {
			return
		}
		pol, why := managedPolicy(b.PermissionsBoundaryArn, "permissions boundary of "+p.ARN)
		if pol == nil {
			p.Unreadable = append(p.Unreadable, activity.UnreadablePolicy{Policy: b.PermissionsBoundaryArn, Via: "permissions boundary", Error: why})
			return
		}
		p.Boundary = pol
	}
	for _, u := range d.UserDetailList {
		account, err := accountOfIAMARN(u.Arn)
		if err != nil {
			errs = append(errs, fmt.Errorf("user %q: %w", u.UserName, err))
			continue
		}
		p := PrincipalInfo{ARN: u.Arn, Kind: activity.KindIAMUser, AccountID: account, Name: u.UserName, CreatedAt: u.CreateDate.Time}
		p.Policies, p.Unreadable = inline(u.Arn, u.UserPolicyList, "user", p.Policies, nil)
		p.Policies, p.Unreadable = attached(u.Arn, u.AttachedManagedPolicies, "user", p.Policies, p.Unreadable)
		for _, g := range u.GroupList {
			p.Policies = append(p.Policies, groups[g]...)
			p.Unreadable = append(p.Unreadable, groupsLost[g]...)
		}
		boundary(u.PermissionsBoundary, &p)
		principals = append(principals, p)
	}
	for _, r := range d.RoleDetailList {
		account, err := accountOfIAMARN(r.Arn)
		if err != nil {
			errs = append(errs, fmt.Errorf("role %q: %w", r.RoleName, err))
			continue
		}
		p := PrincipalInfo{ARN: r.Arn, Kind: activity.KindIAMRole, AccountID: account, Name: r.RoleName, CreatedAt: r.CreateDate.Time}
		p.Policies, p.Unreadable = inline(r.Arn, r.RolePolicyList, "role", p.Policies, nil)
		p.Policies, p.Unreadable = attached(r.Arn, r.AttachedManagedPolicies, "role", p.Policies, p.Unreadable)
		boundary(r.PermissionsBoundary, &p)
		principals = append(principals, p)
	}
	return principals, errs
}
