package iam

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

const (
	keyNoDelegation = "arn:aws:kms:us-east-1:644160558196:key/11111111-1111-1111-1111-111111111111"
	keyDelegated    = "arn:aws:kms:us-east-1:644160558196:key/22222222-2222-2222-2222-222222222222"
	secretCross     = "arn:aws:secretsmanager:us-east-1:644160558196:secret:c7n-test-key-XTUSpD"
	secretPlain     = "arn:aws:secretsmanager:us-east-1:644160558196:secret:db-AbCdEf"
	crossBucket     = "arn:aws:s3:::sbx-mqrbuh-bucket-compliant"
)

func readRecorded(t *testing.T, name string) *Policy {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Data json.RawMessage `json:"data"`
	}
	if json.Unmarshal(raw, &rec) == nil && rec.Data != nil {
		raw = rec.Data
	}
	p, err := ParseResourcePolicy(filepath.Base(name), raw)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// testInventory joins the hand-written fixture account 644160558196, the
// real dump of accounts 200611803367 and 012345678901, and real resource
// policies, placed on resources of account 644160558196.
func testInventory(t *testing.T) *Inventory {
	t.Helper()
	inv := &Inventory{}
	for _, name := range []string{"fixture-authz-details.json", "cloudsplaining_examples_example.json"} {
		f, err := os.Open(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		d, err := ReadAuthorizationDetails(f)
		f.Close() //nolint:errcheck // read only
		if err != nil {
			t.Fatal(err)
		}
		ps, errs := d.Identities()
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		inv.Principals = append(inv.Principals, ps...)
	}
	bucket := func(name string, p *Policy) ResourceInfo {
		return ResourceInfo{ARN: "arn:aws:s3:::" + name, Kind: activity.KindS3Bucket, AccountID: "644160558196", Region: "us-east-1", Name: name, Policy: p}
	}
	inv.Resources = []ResourceInfo{
		bucket("reports", nil), bucket("data", nil), bucket("secret-bucket", nil),
		bucket("vault", readRecorded(t, "fixture-vault-bucket-policy.json")),
		bucket("sbx-mqrbuh-bucket-compliant", readRecorded(t, "resource-policies/test_s3_dataaccesspointaccount_cross_account__s3.GetBucketPolicy_1.json")),
		{ARN: keyNoDelegation, Kind: activity.KindKMSKey, AccountID: "644160558196", Region: "us-east-1", Name: "11111111-1111-1111-1111-111111111111",
			Policy: readRecorded(t, "resource-policies/test_kms_remove_matched__kms.GetKeyPolicy_3.json")},
		{ARN: keyDelegated, Kind: activity.KindKMSKey, AccountID: "644160558196", Region: "us-east-1", Name: "22222222-2222-2222-2222-222222222222",
			Policy: readRecorded(t, "resource-policies/test_cross_account_kms__kms.GetKeyPolicy_1.json")},
		{ARN: secretCross, Kind: activity.KindSecret, AccountID: "644160558196", Region: "us-east-1", Name: "c7n-test-key",
			Policy: readRecorded(t, "resource-policies/test_secrets_manager_cross_account__secretsmanager.GetResourcePolicy_1.json")},
		{ARN: secretPlain, Kind: activity.KindSecret, AccountID: "644160558196", Region: "us-east-1", Name: "db"},
	}
	return inv
}

const fixture = "arn:aws:iam::644160558196:"

// The expected answers below were worked out by hand from AWS's documented
// policy evaluation logic; each comment says which rule decides.
var simulateCases = []struct {
	name, principal, action, resource string
	decision                          string
	conditional                       bool
	statements                        []string // "policy#sid-or-index"
}{
	// NotAction allows everything but the listed services.
	{"NotAction allows another service", fixture + "user/people/alice", "secretsmanager:GetSecretValue", secretPlain, Allowed, false,
		[]string{fixture + "user/people/alice inline everything-but-data#NotData"}},
	{"NotAction excludes the listed service", fixture + "user/people/alice", "s3:PutObject", "arn:aws:s3:::data", ImplicitDeny, false, nil},
	// ${aws:username} resolves to the user's name: some objects of reports.
	{"policy variable resolved for a group member", fixture + "user/people/alice", "s3:GetObject", "arn:aws:s3:::reports", Allowed, false,
		[]string{fixture + "group/readers inline home-folder#Home"}},
	{"policy variable does not reach another user's folder", fixture + "user/people/alice", "s3:GetObject", "arn:aws:s3:::reports/home/bob/x.csv", ImplicitDeny, false, nil},
	// NotResource: everything in S3 but secret-bucket.
	{"NotResource covers other buckets", fixture + "user/bob", "s3:GetObject", "arn:aws:s3:::data", Allowed, false,
		[]string{fixture + "policy/s3-but-secret#AllButSecret"}},
	{"NotResource excludes its bucket", fixture + "user/bob", "s3:GetObject", "arn:aws:s3:::secret-bucket", ImplicitDeny, false, nil},
	{"NotResource excludes its objects", fixture + "user/bob", "s3:GetObject", "arn:aws:s3:::secret-bucket/a.txt", ImplicitDeny, false, nil},
	// Deny with NotPrincipal: everyone but dave (listed with his account).
	{"Deny with NotPrincipal denies the others", fixture + "user/bob", "s3:GetObject", "arn:aws:s3:::vault", ExplicitDeny, false,
		[]string{"fixture-vault-bucket-policy.json#OnlyDave"}},
	{"Deny with NotPrincipal spares the listed user", fixture + "user/dave", "s3:GetObject", "arn:aws:s3:::vault", Allowed, false,
		[]string{fixture + "policy/s3-but-secret#AllButSecret"}},
	// A boundary caps an admin role to S3 reads.
	{"boundary lets reads through", fixture + "role/carol", "s3:GetObject", "arn:aws:s3:::data", Allowed, false,
		[]string{fixture + "role/carol inline admin#0"}},
	{"boundary stops writes", fixture + "role/carol", "s3:PutObject", "arn:aws:s3:::data", ImplicitDeny, false, nil},
	{"boundary stops other services", fixture + "role/carol", "kms:Decrypt", keyDelegated, ImplicitDeny, false, nil},
	// Cross-account bucket: identity (s3:* in 200611803367) and bucket
	// policy (everyone, under a condition) must both allow.
	{"cross-account bucket allowed by both sides", "arn:aws:iam::200611803367:user/privesc-sre-user", "s3:GetObject", crossBucket, Allowed, true,
		[]string{"arn:aws:iam::200611803367:policy/privesc-sre-admin-policy#0", "test_s3_dataaccesspointaccount_cross_account__s3.GetBucketPolicy_1.json#AllowAccessPoint"}},
	{"cross-account bucket not allowed by its policy", "arn:aws:iam::200611803367:user/privesc-sre-user", "s3:PutObject", crossBucket, ImplicitDeny, false, nil},
	{"same-account bucket needs no bucket policy", fixture + "user/bob", "s3:PutObject", crossBucket, Allowed, false,
		[]string{fixture + "policy/s3-but-secret#AllButSecret"}},
	// KMS: the key policy names one user and does not delegate to the
	// account, so IAM policies do not count.
	{"key policy without delegation ignores IAM policies", fixture + "user/kms-admin", "kms:Decrypt", keyNoDelegation, ImplicitDeny, false, nil},
	{"key policy naming the user needs no IAM policy", fixture + "user/AlfredMarcGamulo", "kms:Decrypt", keyNoDelegation, Allowed, false,
		[]string{"test_kms_remove_matched__kms.GetKeyPolicy_3.json#DefaultRoot", "test_kms_remove_matched__kms.GetKeyPolicy_3.json#SpecificAllow"}},
	{"key policy delegating to the account lets IAM decide", fixture + "user/kms-admin", "kms:Decrypt", keyDelegated, Allowed, false,
		[]string{fixture + "user/kms-admin inline all-keys#0", "test_cross_account_kms__kms.GetKeyPolicy_1.json#Enable IAM User Permissions"}},
	{"key policy delegation without an IAM grant", fixture + "user/AlfredMarcGamulo", "kms:Decrypt", keyDelegated, ImplicitDeny, false, nil},
	// Cross-account key: the key policy allows everyone kms:Encrypt, and
	// the caller's own account must allow it too.
	{"cross-account key with both sides", "arn:aws:iam::012345678901:user/obama", "kms:Encrypt", keyDelegated, Allowed, false,
		[]string{"arn:aws:iam::aws:policy/AdministratorAccess#0", "test_cross_account_kms__kms.GetKeyPolicy_1.json#Enable Cross Account"}},
	{"cross-account key beyond its policy", "arn:aws:iam::012345678901:user/obama", "kms:Decrypt", keyDelegated, ImplicitDeny, false, nil},
	{"cross-account key without an identity grant", "arn:aws:iam::200611803367:user/privesc-sre-user", "kms:Encrypt", keyDelegated, ImplicitDeny, false, nil},
	// Secret shared with another account than the caller's.
	{"secret shared with another account", "arn:aws:iam::012345678901:user/obama", "secretsmanager:GetSecretValue", secretCross, ImplicitDeny, false, nil},
	// An explicit Deny in another attached policy wins over Allow *.
	{"explicit deny wins", "arn:aws:iam::200611803367:user/fp2-allow-and-deny-multiple-policies-user", "s3:GetObject", crossBucket, ExplicitDeny, false,
		[]string{"arn:aws:iam::200611803367:policy/deny-all#0"}},
	{"action names are case-insensitive", fixture + "user/bob", "S3:getobject", "arn:aws:s3:::data", Allowed, false,
		[]string{fixture + "policy/s3-but-secret#AllButSecret"}},
	{"unknown action", fixture + "user/bob", "s3:GetObjekt", "arn:aws:s3:::data", UnknownAction, false, nil},
}

func refString(r Ref) string {
	id := r.Sid
	if id == "" {
		id = string(rune('0' + r.Index))
	}
	return r.Policy + "#" + id
}

func TestSimulateRealPolicies(t *testing.T) {
	inv := testInventory(t)
	cat := DefaultCatalog()
	for _, c := range simulateCases {
		t.Run(c.name, func(t *testing.T) {
			ds, _, err := Simulate(cat, inv, c.principal, []string{c.action}, c.resource)
			if err != nil {
				t.Fatal(err)
			}
			d := ds[0]
			if d.Decision != c.decision || d.Conditional != c.conditional {
				t.Fatalf("decision %s conditional %v (%s), want %s conditional %v; statements %v", d.Decision, d.Conditional, d.Reason, c.decision, c.conditional, d.Statements)
			}
			if c.statements != nil {
				var got []string
				for _, r := range d.Statements {
					got = append(got, refString(r))
				}
				if strings.Join(got, "|") != strings.Join(c.statements, "|") {
					t.Errorf("statements %q, want %q", got, c.statements)
				}
			}
		})
	}
}

func TestSimulateExplainsBoundary(t *testing.T) {
	ds, _, err := Simulate(DefaultCatalog(), testInventory(t), fixture+"role/carol", []string{"s3:PutObject"}, "arn:aws:s3:::data")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ds[0].Reason, "boundary") {
		t.Errorf("reason %q does not name the boundary", ds[0].Reason)
	}
}

func TestResourceControlPolicyMakesGrantsConditional(t *testing.T) {
	inv := testInventory(t)
	raw, err := os.ReadFile(filepath.Join("testdata", "org", "identity_perimeter_rcp.json"))
	if err != nil {
		t.Fatal(err)
	}
	rcp, err := ParsePolicy("identity_perimeter_rcp", raw)
	if err != nil {
		t.Fatal(err)
	}
	inv.RCPs = map[string][][]*Policy{"644160558196": {{rcp}}}
	ds, _, err := Simulate(DefaultCatalog(), inv, fixture+"user/bob", []string{"s3:GetObject", "s3:PutObject"}, "arn:aws:s3:::data")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.Decision != Allowed || !d.Conditional {
			t.Errorf("%s: %s conditional %v; the RCP denies under a condition", d.Action, d.Decision, d.Conditional)
		}
	}
}

// TestGrantsAgreeWithSimulate checks the bulk evaluation against the
// one-pair explanation for every principal, resource and grantable action.
func TestGrantsAgreeWithSimulate(t *testing.T) {
	inv := testInventory(t)
	cat := DefaultCatalog()
	e, err := NewEngine(cat, inv)
	if err != nil {
		t.Fatal(err)
	}
	type key struct{ p, r int }
	grants := map[key]Grant{}
	if err := e.Grants(context.Background(), func(g Grant) error { grants[key{g.Principal, g.Resource}] = g; return nil }); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for pi, p := range inv.Principals {
		if !strings.HasPrefix(p.ARN, fixture) && !strings.HasSuffix(p.ARN, "privesc-sre-user") && !strings.HasSuffix(p.ARN, "obama") {
			continue
		}
		for ri, r := range inv.Resources {
			actions := e.u.names
			var want []string
			for i, a := range actions {
				if e.u.kind[r.Kind].has(i) {
					want = append(want, a)
				}
			}
			ds, _, err := Simulate(cat, inv, p.ARN, want, r.ARN)
			if err != nil {
				t.Fatal(err)
			}
			g := grants[key{pi, ri}]
			granted := map[string]bool{}
			for _, a := range g.Actions {
				granted[a] = true
			}
			cond := map[string]bool{}
			for _, a := range g.Conditional {
				cond[a] = true
			}
			for _, d := range ds {
				if (d.Decision == Allowed) != granted[d.Action] || d.Conditional != cond[d.Action] {
					t.Errorf("%s %s %s: simulate %s/%v, grants %v/%v", p.ARN, d.Action, r.ARN, d.Decision, d.Conditional, granted[d.Action], cond[d.Action])
				}
				checked++
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d decisions compared", checked)
	}
	bob := grants[key{3, 1}]
	if len(bob.Actions) == 0 || len(bob.Conditional) != 0 {
		t.Errorf("bob on data: %d actions, %d conditional", len(bob.Actions), len(bob.Conditional))
	}
	if _, ok := grants[key{3, 2}]; ok {
		t.Errorf("bob holds a grant on secret-bucket")
	}
}

// TestGrantsAgreeWithSimulateOnSyntheticOrganization cross-checks the
// indexed bulk evaluation (prefix lookups, cached statements, global
// statements, policy variables, resource policies across two accounts)
// against the one-pair evaluation on every pair of a small organization.
func TestGrantsAgreeWithSimulateOnSyntheticOrganization(t *testing.T) {
	inv := syntheticInventory(30, 120)
	cat := DefaultCatalog()
	e, err := NewEngine(cat, inv)
	if err != nil {
		t.Fatal(err)
	}
	type key struct{ p, r int }
	grants := map[key]Grant{}
	if err := e.Grants(context.Background(), func(g Grant) error { grants[key{g.Principal, g.Resource}] = g; return nil }); err != nil {
		t.Fatal(err)
	}
	allowed := 0
	for pi, p := range inv.Principals {
		for ri, r := range inv.Resources {
			var actions []string
			for i, a := range e.u.names {
				if e.u.kind[r.Kind].has(i) {
					actions = append(actions, a)
				}
			}
			ds, _, err := Simulate(cat, inv, p.ARN, actions, r.ARN)
			if err != nil {
				t.Fatal(err)
			}
			g := grants[key{pi, ri}]
			for _, d := range ds {
				if (d.Decision == Allowed) != contains(g.Actions, d.Action) || d.Conditional != contains(g.Conditional, d.Action) {
					t.Fatalf("%s %s %s: simulate %s conditional %v; grants %v conditional %v",
						p.ARN, d.Action, r.ARN, d.Decision, d.Conditional, contains(g.Actions, d.Action), contains(g.Conditional, d.Action))
				}
				if d.Decision == Allowed {
					allowed++
				}
			}
		}
	}
	t.Logf("%d granted pairs, %d allowed decisions compared", len(grants), allowed)
	if allowed < 1000 || len(grants) < 100 {
		t.Fatalf("too few grants to compare: %d pairs, %d allowed decisions", len(grants), allowed)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestServiceControlPoliciesCapTheAccount(t *testing.T) {
	inv := testInventory(t)
	guard, err := ParsePolicy("deny-writes", []byte(`{"Statement":[{"Sid":"NoPuts","Effect":"Deny","Action":"s3:PutObject","Resource":"*"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	readsOnly, err := ParsePolicy("reads-only", []byte(`{"Statement":[{"Effect":"Allow","Action":["s3:Get*","sts:*"],"Resource":"*"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		levels   [][]*Policy
		action   string
		decision string
		reason   string
	}{
		// A deny-only level stands beside FullAWSAccess: it removes puts only.
		{[][]*Policy{{guard}}, "s3:PutObject", ExplicitDeny, "Deny"},
		{[][]*Policy{{guard}}, "s3:GetObject", Allowed, ""},
		// Every level must allow: the OU level allows reads only.
		{[][]*Policy{{guard}, {readsOnly}}, "s3:DeleteObject", ImplicitDeny, "service control policies"},
		{[][]*Policy{{guard}, {readsOnly}}, "s3:GetObject", Allowed, ""},
	}
	for _, c := range cases {
		inv.SCPs = map[string][][]*Policy{"644160558196": c.levels}
		ds, _, err := Simulate(DefaultCatalog(), inv, fixture+"user/bob", []string{c.action}, "arn:aws:s3:::data")
		if err != nil {
			t.Fatal(err)
		}
		if ds[0].Decision != c.decision || !strings.Contains(ds[0].Reason, c.reason) {
			t.Errorf("%d levels, %s: %s (%s), want %s", len(c.levels), c.action, ds[0].Decision, ds[0].Reason, c.decision)
		}
	}
	// The SCPs of one account do not reach another's principals.
	ds, _, err := Simulate(DefaultCatalog(), inv, "arn:aws:iam::200611803367:user/privesc-sre-user", []string{"s3:DeleteObject"}, crossBucket)
	if err != nil {
		t.Fatal(err)
	}
	if ds[0].Decision == ExplicitDeny {
		t.Errorf("an SCP of 644160558196 decided for a principal of 200611803367")
	}
}

func TestUnknownActionsInPoliciesAreReported(t *testing.T) {
	pol, err := ParsePolicy("typo", []byte(`{"Statement":[{"Sid":"T","Effect":"Allow","Action":["s3:GetObjekt","s3:ListBucket"],"Resource":"*"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	inv := &Inventory{
		Principals: []PrincipalInfo{{ARN: "arn:aws:iam::111111111111:user/u", Kind: activity.KindIAMUser, AccountID: "111111111111", Name: "u", Policies: []*Policy{pol}}},
		Resources:  []ResourceInfo{{ARN: "arn:aws:s3:::b", Kind: activity.KindS3Bucket, AccountID: "111111111111", Name: "b"}},
	}
	e, err := NewEngine(DefaultCatalog(), inv)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := e.Grants(context.Background(), func(g Grant) error { got = g.Actions; return nil }); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != "s3:ListBucket" {
		t.Errorf("granted %v", got)
	}
	notes := e.Notes()
	if len(notes) != 1 || !strings.Contains(notes[0], `typo statement "T": s3:GetObjekt is not in the action catalog`) {
		t.Errorf("notes %q", notes)
	}
}
