package iam

import (
	"strings"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

var broken = activity.UnreadablePolicy{Policy: "arn:aws:iam::644160558196:policy/broken", Via: "user", Error: `Statement[0].Effect: "Allw" is neither Allow nor Deny`}

func withUnreadable(inv *Inventory, principal string) {
	for i := range inv.Principals {
		if inv.Principals[i].ARN == principal {
			inv.Principals[i].Unreadable = append(inv.Principals[i].Unreadable, broken)
		}
	}
}

// Where an unreadable policy sits decides which requests it makes unknown:
// the principal's own policies and its account's SCPs for everything it
// asks, the RCPs of the resource's account and the resource's policy for
// that resource. An unconditional Deny in a readable policy still decides.
func TestSimulateUnreadablePolicies(t *testing.T) {
	const sre = "arn:aws:iam::200611803367:user/privesc-sre-user"
	for _, c := range []struct {
		name, principal, action, resource string
		breakIt                           func(*Inventory)
		want                              string
	}{
		{"identity policy", fixture + "user/bob", "s3:GetObject", "arn:aws:s3:::data",
			func(inv *Inventory) { withUnreadable(inv, fixture+"user/bob") }, Unknown},
		{"another principal's policy", fixture + "user/dave", "s3:GetObject", "arn:aws:s3:::data",
			func(inv *Inventory) { withUnreadable(inv, fixture+"user/bob") }, Allowed},
		{"identity policy, nothing readable allows", fixture + "user/bob", "kms:Decrypt", keyDelegated,
			func(inv *Inventory) { withUnreadable(inv, fixture+"user/bob") }, Unknown},
		{"SCP of the principal's account", fixture + "user/bob", "s3:GetObject", "arn:aws:s3:::data",
			func(inv *Inventory) {
				inv.UnreadableSCPs = map[string][]activity.UnreadablePolicy{"644160558196": {broken}}
			}, Unknown},
		{"SCP of the resource's account does not cap another account's principal", sre, "s3:GetObject", crossBucket,
			func(inv *Inventory) {
				inv.UnreadableSCPs = map[string][]activity.UnreadablePolicy{"644160558196": {broken}}
			}, Allowed},
		{"RCP of the resource's account", sre, "s3:GetObject", crossBucket,
			func(inv *Inventory) {
				inv.UnreadableRCPs = map[string][]activity.UnreadablePolicy{"644160558196": {broken}}
			}, Unknown},
		{"RCP of another account", fixture + "user/bob", "s3:GetObject", "arn:aws:s3:::data",
			func(inv *Inventory) {
				inv.UnreadableRCPs = map[string][]activity.UnreadablePolicy{"200611803367": {broken}}
			}, Allowed},
		{"bucket policy, object asked", fixture + "user/bob", "s3:GetObject", "arn:aws:s3:::data/2026/report.csv",
			func(inv *Inventory) { resourceNamed(inv, "arn:aws:s3:::data").UnreadablePolicy = &broken }, Unknown},
		{"another bucket's policy", fixture + "user/bob", "s3:GetObject", "arn:aws:s3:::reports",
			func(inv *Inventory) { resourceNamed(inv, "arn:aws:s3:::data").UnreadablePolicy = &broken }, Allowed},
		{"key policy", fixture + "user/kms-admin", "kms:Decrypt", keyDelegated,
			func(inv *Inventory) { resourceNamed(inv, keyDelegated).UnreadablePolicy = &broken }, Unknown},
		// A Deny cannot be lifted by another policy, readable or not.
		{"readable identity Deny", "arn:aws:iam::200611803367:user/fp2-allow-and-deny-multiple-policies-user", "s3:GetObject", crossBucket,
			func(inv *Inventory) {
				withUnreadable(inv, "arn:aws:iam::200611803367:user/fp2-allow-and-deny-multiple-policies-user")
			}, ExplicitDeny},
		{"readable bucket-policy Deny", fixture + "user/bob", "s3:GetObject", "arn:aws:s3:::vault",
			func(inv *Inventory) { withUnreadable(inv, fixture+"user/bob") }, ExplicitDeny},
		{"readable Deny of another action", fixture + "user/bob", "s3:PutObject", "arn:aws:s3:::vault",
			func(inv *Inventory) { withUnreadable(inv, fixture+"user/bob") }, ExplicitDeny},
	} {
		t.Run(c.name, func(t *testing.T) {
			inv := testInventory(t)
			c.breakIt(inv)
			ds, _, err := Simulate(DefaultCatalog(), inv, c.principal, []string{c.action}, c.resource)
			if err != nil {
				t.Fatal(err)
			}
			d := ds[0]
			if d.Decision != c.want {
				t.Fatalf("decision %s (%s), want %s", d.Decision, d.Reason, c.want)
			}
			named := strings.Contains(d.Reason, broken.String())
			listed := len(d.UnreadablePolicies) == 1 && d.UnreadablePolicies[0] == broken
			switch d.Decision {
			case Unknown:
				if !named || !listed {
					t.Errorf("reason %q, unreadable %v: the broken policy is not named with its error", d.Reason, d.UnreadablePolicies)
				}
			case ExplicitDeny:
				if !listed || len(d.Statements) == 0 || d.Statements[0].Effect != Deny {
					t.Errorf("statements %v, unreadable %v: want the Deny that decided and the policy that could not be read", d.Statements, d.UnreadablePolicies)
				}
			default:
				if len(d.UnreadablePolicies) != 0 || named {
					t.Errorf("a policy that does not apply is reported: %v, %q", d.UnreadablePolicies, d.Reason)
				}
			}
		})
	}
}

func resourceNamed(inv *Inventory, arn string) *ResourceInfo {
	for i := range inv.Resources {
		if inv.Resources[i].ARN == arn {
			return &inv.Resources[i]
		}
	}
	panic("no resource " + arn)
}

// Authorization details with a policy of each kind that cannot be read: each
// principal it applies to names it, says how it applies and what is wrong.
func TestIdentitiesNameUnreadablePolicies(t *testing.T) {
	const doc = `{
  "UserDetailList": [{"UserName": "ana", "Arn": "arn:aws:iam::123456789012:user/ana", "GroupList": ["ops"],
      "UserPolicyList": [{"PolicyName": "typo", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allw", "Action": "s3:GetObject", "Resource": "*"}]}}],
      "PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": "arn:aws:iam::123456789012:policy/Cap"}},
    {"UserName": "ben", "Arn": "arn:aws:iam::123456789012:user/ben", "GroupList": [],
      "AttachedManagedPolicies": [{"PolicyName": "Good", "PolicyArn": "arn:aws:iam::123456789012:policy/Good"}]}],
  "GroupDetailList": [{"GroupName": "ops", "Arn": "arn:aws:iam::123456789012:group/ops",
      "AttachedManagedPolicies": [{"PolicyName": "Numeric", "PolicyArn": "arn:aws:iam::123456789012:policy/Numeric"}]}],
  "RoleDetailList": [],
  "Policies": [
    {"PolicyName": "Numeric", "Arn": "arn:aws:iam::123456789012:policy/Numeric", "DefaultVersionId": "v1",
     "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": 42, "Resource": "*"}]}}]},
    {"PolicyName": "Good", "Arn": "arn:aws:iam::123456789012:policy/Good", "DefaultVersionId": "v1",
     "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}}]}]
}`
	d, err := ReadAuthorizationDetails(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	ps, errs := d.Identities()
	if len(errs) != 3 {
		t.Errorf("errors %v, want the inline policy, the managed policy and the missing boundary", errs)
	}
	want := []activity.UnreadablePolicy{
		{Policy: "arn:aws:iam::123456789012:user/ana inline typo", Via: "user", Error: `Statement[0].Effect: "Allw" is neither Allow nor Deny`},
		{Policy: "arn:aws:iam::123456789012:policy/Numeric", Via: "group arn:aws:iam::123456789012:group/ops", Error: "Statement[0].Action: expected a string or a list of strings"},
		{Policy: "arn:aws:iam::123456789012:policy/Cap", Via: "permissions boundary", Error: "its document is not in the authorization details (include AWS managed policies in the output)"},
	}
	if len(ps) != 2 || len(ps[0].Unreadable) != len(want) {
		t.Fatalf("principals %+v", ps)
	}
	for i, w := range want {
		if ps[0].Unreadable[i] != w {
			t.Errorf("unreadable[%d] = %+v, want %+v", i, ps[0].Unreadable[i], w)
		}
	}
	if ps[0].Boundary != nil || len(ps[1].Unreadable) != 0 || len(ps[1].Policies) != 1 {
		t.Errorf("ana's boundary %v; ben: unreadable %v, %d policies", ps[0].Boundary, ps[1].Unreadable, len(ps[1].Policies))
	}
}
