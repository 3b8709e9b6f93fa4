package iam

import (
	"strings"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// A small account, 333344445555, for the evaluation rules the documentation
// states: a user, a role, and a bucket whose policy each test sets.
const (
	acct      = "333344445555"
	maya      = "arn:aws:iam::" + acct + ":user/maya"
	deployer  = "arn:aws:iam::" + acct + ":role/deployer"
	ledger    = "arn:aws:s3:::ledger"
	ledgerKey = "arn:aws:s3:::ledger/"
)

func mustPolicy(t *testing.T, name, doc string) *Policy {
	t.Helper()
	p, err := ParsePolicy(name, []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// stmt wraps statements into a policy document.
func stmt(statements ...string) string {
	return `{"Version": "2012-10-17", "Statement": [` + strings.Join(statements, ",") + `]}`
}

type world struct {
	user, role      []*Policy
	boundary        *Policy // the role's
	bucketPolicy    *Policy
	rcps            []*Policy
	userBoundaryToo bool
}

func (w world) inventory() *Inventory {
	role := PrincipalInfo{ARN: deployer, Kind: activity.KindIAMRole, AccountID: acct, Name: "deployer", Policies: w.role, Boundary: w.boundary}
	user := PrincipalInfo{ARN: maya, Kind: activity.KindIAMUser, AccountID: acct, Name: "maya", Policies: w.user}
	if w.userBoundaryToo {
		user.Boundary = w.boundary
	}
	inv := &Inventory{
		Principals: []PrincipalInfo{user, role},
		Resources:  []ResourceInfo{{ARN: ledger, Kind: activity.KindS3Bucket, AccountID: acct, Name: "ledger", Policy: w.bucketPolicy}},
	}
	if len(w.rcps) > 0 {
		inv.RCPs = map[string][][]*Policy{acct: {w.rcps}}
	}
	return inv
}

func simulateOne(t *testing.T, inv *Inventory, principal, action, resource string, opts Options) (Decision, []string) {
	t.Helper()
	ds, notes, err := SimulateWith(DefaultCatalog(), inv, principal, []string{action}, resource, opts)
	if err != nil {
		t.Fatal(err)
	}
	return ds[0], notes
}

func wantDecision(t *testing.T, d Decision, decision string, conditional bool) {
	t.Helper()
	if d.Decision != decision || d.Conditional != conditional {
		t.Errorf("%s %s on %s: %s conditional %v (%s), want %s conditional %v", d.Principal, d.Action, d.Resource, d.Decision, d.Conditional, d.Reason, decision, conditional)
	}
}

// ${*}, ${?} and ${$} are the characters themselves, not wildcards.
func TestEscapedCharactersMatchThemselves(t *testing.T) {
	pol := mustPolicy(t, "escapes", stmt(`{"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::ledger/drafts/${*}", "arn:aws:s3:::ledger/q${?}", "arn:aws:s3:::ledger/cost${$}"]}`))
	inv := world{user: []*Policy{pol}}.inventory()
	for key, want := range map[string]string{
		"drafts/*": Allowed, "drafts/jan.csv": ImplicitDeny,
		"q?": Allowed, "q1": ImplicitDeny,
		"cost$": Allowed,
	} {
		d, _ := simulateOne(t, inv, maya, "s3:GetObject", ledgerKey+key, Options{})
		wantDecision(t, d, want, false)
	}
	// The bucket stands for its objects: the literal key is one of them.
	d, _ := simulateOne(t, inv, maya, "s3:GetObject", ledger, Options{})
	wantDecision(t, d, Allowed, false)
	// The grants agree: maya reaches the bucket's objects.
	e, err := NewEngine(DefaultCatalog(), inv)
	if err != nil {
		t.Fatal(err)
	}
	granted := false
	if err := e.Grants(t.Context(), func(g Grant) error {
		granted = granted || (g.Principal == 0 && contains(g.Actions, "s3:GetObject") && !contains(g.Conditional, "s3:GetObject"))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !granted {
		t.Error("grants: maya lacks s3:GetObject on ledger without condition")
	}
}

// ${aws:username} does not exist for a role session: the entry matches
// nothing, and the role gets only what other entries give.
func TestUserNameOfARoleMatchesNothing(t *testing.T) {
	home := mustPolicy(t, "home", stmt(`{"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::ledger/home/${aws:username}/*"]}`))
	inv := world{user: []*Policy{home}, role: []*Policy{home}}.inventory()
	d, _ := simulateOne(t, inv, deployer, "s3:GetObject", ledgerKey+"home/deployer/a.txt", Options{})
	wantDecision(t, d, ImplicitDeny, false)
	d, _ = simulateOne(t, inv, deployer, "s3:GetObject", ledger, Options{})
	wantDecision(t, d, ImplicitDeny, false)
	d, _ = simulateOne(t, inv, maya, "s3:GetObject", ledgerKey+"home/maya/a.txt", Options{})
	wantDecision(t, d, Allowed, false)

	// With a default value, the role gets the default.
	shared := mustPolicy(t, "shared", stmt(`{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::ledger/home/${aws:username, 'shared'}/*"}`))
	inv = world{role: []*Policy{shared}}.inventory()
	d, _ = simulateOne(t, inv, deployer, "s3:GetObject", ledgerKey+"home/shared/a.txt", Options{})
	wantDecision(t, d, Allowed, false)

	// A Deny whose only entry cannot match denies nothing.
	deny := mustPolicy(t, "deny-home", stmt(`{"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::ledger/home/${aws:username}/*"}`))
	all := mustPolicy(t, "all", stmt(`{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}`))
	inv = world{role: []*Policy{deny, all}}.inventory()
	d, _ = simulateOne(t, inv, deployer, "s3:GetObject", ledgerKey+"home/deployer/a.txt", Options{})
	wantDecision(t, d, Allowed, false)
}

// A statement is conditional only when no entry without an unresolved
// variable matches.
func TestResolvedEntryMatchesWithoutCondition(t *testing.T) {
	pol := mustPolicy(t, "mixed", stmt(`{"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::ledger/public/*", "arn:aws:s3:::ledger/teams/${aws:PrincipalTag/team}/*"]}`))
	inv := world{role: []*Policy{pol}}.inventory()
	d, _ := simulateOne(t, inv, deployer, "s3:GetObject", ledgerKey+"public/index.html", Options{})
	wantDecision(t, d, Allowed, false)
	d, _ = simulateOne(t, inv, deployer, "s3:GetObject", ledgerKey+"teams/red/plan.txt", Options{})
	wantDecision(t, d, Allowed, true)
	d, _ = simulateOne(t, inv, deployer, "s3:GetObject", ledger, Options{})
	wantDecision(t, d, Allowed, false)

	// The request context resolves the variable.
	red := Options{Context: map[string][]string{"aws:PrincipalTag/team": {"red"}}}
	d, _ = simulateOne(t, inv, deployer, "s3:GetObject", ledgerKey+"teams/red/plan.txt", red)
	wantDecision(t, d, Allowed, false)
	d, _ = simulateOne(t, inv, deployer, "s3:GetObject", ledgerKey+"teams/blue/plan.txt", red)
	wantDecision(t, d, ImplicitDeny, false)
}

// A permissions boundary limits what a resource policy grants to the role's
// ARN, not what it grants to the session: "*" or the session's ARN.
func TestBoundaryAndResourcePolicyPrincipals(t *testing.T) {
	boundary := mustPolicy(t, "arn:aws:iam::"+acct+":policy/OnlyLogs", stmt(`{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}`))
	grant := func(principal string) *Policy {
		return mustPolicy(t, ledger+" bucket policy", stmt(`{"Sid": "Read", "Effect": "Allow", "Principal": `+principal+`, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::ledger/*"}`))
	}
	cases := []struct {
		name, principal string
		decision        string
		conditional     bool
	}{
		{"role ARN", `{"AWS": "` + deployer + `"}`, ImplicitDeny, false},
		{"everyone", `"*"`, Allowed, false},
		{"everyone as AWS", `{"AWS": "*"}`, Allowed, false},
		{"a session of the role", `{"AWS": "arn:aws:sts::` + acct + `:assumed-role/deployer/ci"}`, Allowed, true},
		{"a session of another role", `{"AWS": "arn:aws:sts::` + acct + `:assumed-role/other/ci"}`, ImplicitDeny, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inv := world{boundary: boundary, bucketPolicy: grant(c.principal)}.inventory()
			d, _ := simulateOne(t, inv, deployer, "s3:GetObject", ledger, Options{})
			wantDecision(t, d, c.decision, c.conditional)
			if c.decision == ImplicitDeny && c.name == "role ARN" && !strings.Contains(d.Reason, "permissions boundary") {
				t.Errorf("reason %q does not name the boundary", d.Reason)
			}
			// The grants agree with simulate.
			e, err := NewEngine(DefaultCatalog(), inv)
			if err != nil {
				t.Fatal(err)
			}
			got := false
			if err := e.Grants(t.Context(), func(g Grant) error {
				got = got || (g.Principal == 1 && contains(g.Actions, "s3:GetObject"))
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if got != (c.decision == Allowed) {
				t.Errorf("grants give s3:GetObject: %v", got)
			}
		})
	}
}

// A Deny with NotPrincipal naming a user but not its account denies the
// user, as AWS documents; the reason says why.
func TestNotPrincipalWithoutAccountDenies(t *testing.T) {
	read := mustPolicy(t, "read", stmt(`{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}`))
	for _, c := range []struct {
		name, listed, decision, reason string
	}{
		{"user only", `"` + maya + `"`, ExplicitDeny, "not its account " + acct},
		{"user and account", `["` + maya + `", "arn:aws:iam::` + acct + `:root"]`, Allowed, "allowed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			bp := mustPolicy(t, ledger+" bucket policy", stmt(`{"Sid": "OnlyMaya", "Effect": "Deny", "NotPrincipal": {"AWS": `+c.listed+`}, "Action": "s3:*", "Resource": "arn:aws:s3:::ledger/*"}`))
			inv := world{user: []*Policy{read}, bucketPolicy: bp}.inventory()
			d, _ := simulateOne(t, inv, maya, "s3:GetObject", ledgerKey+"a", Options{})
			wantDecision(t, d, c.decision, false)
			if !strings.Contains(d.Reason, c.reason) {
				t.Errorf("reason %q lacks %q", d.Reason, c.reason)
			}
		})
	}
	// With a permissions boundary, listing the account does not help.
	bp := mustPolicy(t, ledger+" bucket policy", stmt(`{"Sid": "OnlyMaya", "Effect": "Deny", "NotPrincipal": {"AWS": ["`+maya+`", "`+acct+`"]}, "Action": "s3:*", "Resource": "arn:aws:s3:::ledger/*"}`))
	boundary := mustPolicy(t, "b", stmt(`{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}`))
	inv := world{user: []*Policy{read}, bucketPolicy: bp, boundary: boundary, userBoundaryToo: true}.inventory()
	d, _ := simulateOne(t, inv, maya, "s3:GetObject", ledgerKey+"a", Options{})
	wantDecision(t, d, ExplicitDeny, false)
	if !strings.Contains(d.Reason, "permissions boundary") {
		t.Errorf("reason %q does not say the boundary makes NotPrincipal deny", d.Reason)
	}
}

// ARNs match case-sensitively (an upper-case prefix matches nothing, with a
// note), and * works inside any part of an ARN, the resource type included.
func TestARNMatchingRules(t *testing.T) {
	upper := mustPolicy(t, "upper", stmt(`{"Sid": "Shouting", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "ARN:AWS:S3:::ledger/*"}`))
	inv := world{user: []*Policy{upper}}.inventory()
	d, notes := simulateOne(t, inv, maya, "s3:GetObject", ledgerKey+"a", Options{})
	wantDecision(t, d, ImplicitDeny, false)
	if !strings.Contains(strings.Join(notes, "\n"), `upper statement "Shouting": ARN:AWS:S3:::ledger/* matches nothing: ARNs are case-sensitive`) {
		t.Errorf("notes %q do not name the upper-case ARN", notes)
	}

	typed := mustPolicy(t, "typed", stmt(`{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::`+acct+`:u*/maya"}`))
	inv = world{user: []*Policy{typed}}.inventory()
	d, _ = simulateOne(t, inv, maya, "iam:GetUser", maya, Options{})
	wantDecision(t, d, Allowed, false)
	d, _ = simulateOne(t, inv, maya, "iam:GetUser", "arn:aws:iam::"+acct+":user/other", Options{})
	wantDecision(t, d, ImplicitDeny, false)
}

// AWS refuses RCPs with NotAction or Action "*" (but for its own
// RCPFullAWSAccess): such a statement is reported and ignored.
func TestUnsupportedRCPStatementsAreIgnored(t *testing.T) {
	read := mustPolicy(t, "read", stmt(`{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}`))
	full := mustPolicy(t, "RCPFullAWSAccess", stmt(`{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}`))
	starDeny := mustPolicy(t, "deny-everything", stmt(`{"Sid": "All", "Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}`))
	notAction := mustPolicy(t, "deny-but-list", stmt(`{"Effect": "Deny", "Principal": "*", "NotAction": "s3:ListBucket", "Resource": "*"}`))
	for _, c := range []struct {
		rcp  *Policy
		note string
	}{
		{starDeny, `resource control policy deny-everything statement "All": its Action is "*"`},
		{notAction, `resource control policy deny-but-list statement #0: it uses NotAction`},
	} {
		inv := world{user: []*Policy{read}, rcps: []*Policy{full, c.rcp}}.inventory()
		d, notes := simulateOne(t, inv, maya, "s3:GetObject", ledger, Options{})
		wantDecision(t, d, Allowed, false)
		if !strings.Contains(strings.Join(notes, "\n"), c.note) {
			t.Errorf("notes %q lack %q", notes, c.note)
		}
	}
	// A supported RCP still denies, and RCPFullAWSAccess is no note.
	supported := mustPolicy(t, "no-gets", stmt(`{"Effect": "Deny", "Principal": "*", "Action": "s3:Get*", "Resource": "*"}`))
	inv := world{user: []*Policy{read}, rcps: []*Policy{full, supported}}.inventory()
	d, notes := simulateOne(t, inv, maya, "s3:GetObject", ledger, Options{})
	wantDecision(t, d, ExplicitDeny, false)
	if strings.Contains(strings.Join(notes, "\n"), "RCP") {
		t.Errorf("notes %q about a supported RCP", notes)
	}
}

// With a request context, conditions are evaluated; a key the context does
// not give leaves the statement conditional.
func TestContextEvaluatesConditions(t *testing.T) {
	pol := mustPolicy(t, "office", stmt(
		`{"Sid": "FromOffice", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}, "Bool": {"aws:SecureTransport": "true"}}}`,
		`{"Sid": "NoOldTLS", "Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}}}`))
	inv := world{user: []*Policy{pol}}.inventory()
	ctx := func(kv ...string) Options {
		m := map[string][]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = append(m[kv[i]], kv[i+1])
		}
		return Options{Context: m}
	}
	for _, c := range []struct {
		name        string
		opts        Options
		decision    string
		conditional bool
	}{
		{"no context", Options{}, Allowed, true},
		{"all keys hold", ctx("aws:SourceIp", "203.0.113.9", "aws:SecureTransport", "true", "s3:TlsVersion", "1.3"), Allowed, false},
		{"keys in another case", ctx("AWS:SOURCEIP", "203.0.113.9", "aws:securetransport", "true", "S3:TLSVERSION", "1.3"), Allowed, false},
		{"address outside", ctx("aws:SourceIp", "198.51.100.1", "aws:SecureTransport", "true", "s3:TlsVersion", "1.3"), ImplicitDeny, false},
		{"old TLS", ctx("aws:SourceIp", "203.0.113.9", "aws:SecureTransport", "true", "s3:TlsVersion", "1.0"), ExplicitDeny, false},
		{"TLS version not given", ctx("aws:SourceIp", "203.0.113.9", "aws:SecureTransport", "true"), Allowed, true},
		{"transport not given", ctx("aws:SourceIp", "203.0.113.9", "s3:TlsVersion", "1.3"), Allowed, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, _ := simulateOne(t, inv, maya, "s3:GetObject", ledger, c.opts)
			wantDecision(t, d, c.decision, c.conditional)
			if c.conditional && c.opts.Context != nil && !strings.Contains(d.Reason, "does not give") {
				t.Errorf("reason %q does not say a key is missing", d.Reason)
			}
		})
	}
}

func TestConditionOperators(t *testing.T) {
	ctx := map[string][]string{
		"aws:principaltag/team": {"red"},
		"aws:tagkeys":           {"env", "owner"},
		"aws:sourcearn":         {"arn:aws:sns:eu-west-1:" + acct + ":alerts"},
		"aws:currenttime":       {"2026-06-01T12:00:00Z"},
		"s3:prefix":             {"home/red/"},
	}
	for _, c := range []struct {
		op, key string
		values  []string
		want    condResult
	}{
		{"StringEquals", "aws:PrincipalTag/team", []string{"red", "blue"}, condTrue},
		{"StringEquals", "aws:PrincipalTag/team", []string{"Red"}, condFalse},
		{"StringEqualsIgnoreCase", "aws:PrincipalTag/team", []string{"RED"}, condTrue},
		{"StringNotEquals", "aws:PrincipalTag/team", []string{"blue"}, condTrue},
		{"StringLike", "s3:prefix", []string{"home/${aws:PrincipalTag/team}/*"}, condTrue},
		{"StringLike", "s3:prefix", []string{"home/${*}"}, condFalse},
		{"StringNotLike", "s3:prefix", []string{"home/*"}, condFalse},
		{"ForAllValues:StringEquals", "aws:TagKeys", []string{"env", "owner", "cost"}, condTrue},
		{"ForAllValues:StringEquals", "aws:TagKeys", []string{"env"}, condFalse},
		{"ForAnyValue:StringEquals", "aws:TagKeys", []string{"owner"}, condTrue},
		{"ArnLike", "aws:SourceArn", []string{"arn:aws:sns:*:" + acct + ":*"}, condTrue},
		{"ArnNotLike", "aws:SourceArn", []string{"arn:aws:sqs:*:*:*"}, condTrue},
		{"DateLessThan", "aws:CurrentTime", []string{"2027-01-01T00:00:00Z"}, condTrue},
		{"DateGreaterThan", "aws:CurrentTime", []string{"2027-01-01"}, condFalse},
		{"StringEqualsIfExists", "aws:PrincipalTag/team", []string{"red"}, condTrue},
		{"Null", "aws:PrincipalTag/team", []string{"true"}, condFalse},
		{"Null", "aws:PrincipalTag/team", []string{"false"}, condTrue},
		{"StringEquals", "aws:PrincipalTag/project", []string{"x"}, condUnknown},
		{"StringLike", "s3:prefix", []string{"${aws:username}/*"}, condUnknown},
		{"NoSuchOperator", "s3:prefix", []string{"x"}, condUnknown},
		{"NumericLessThan", "s3:prefix", []string{"3"}, condUnknown},
	} {
		got := evalCondition(map[string]map[string][]string{c.op: {c.key: c.values}}, ctx)
		if got != c.want {
			t.Errorf("%s %s %q: %d, want %d", c.op, c.key, c.values, got, c.want)
		}
	}
	// A failing test decides even beside an unknown one.
	block := map[string]map[string][]string{"StringEquals": {"aws:PrincipalTag/team": {"blue"}, "aws:PrincipalTag/project": {"x"}}}
	if got := evalCondition(block, ctx); got != condFalse {
		t.Errorf("block with a failing and an unknown test: %d", got)
	}
}

// A KMS alias is the resource of the alias actions: the policy's alias
// pattern decides, and no key policy rule applies.
func TestAliasIsTheResourceOfAliasActions(t *testing.T) {
	pol := mustPolicy(t, "aliases", stmt(`{"Effect": "Allow", "Action": ["kms:CreateAlias", "kms:DeleteAlias"], "Resource": "arn:aws:kms:eu-west-1:`+acct+`:alias/app-*"}`))
	inv := world{user: []*Policy{pol}}.inventory()
	for alias, want := range map[string]string{"alias/app-orders": Allowed, "alias/billing": ImplicitDeny} {
		d, notes := simulateOne(t, inv, maya, "kms:CreateAlias", "arn:aws:kms:eu-west-1:"+acct+":"+alias, Options{})
		wantDecision(t, d, want, false)
		if len(notes) != 0 {
			t.Errorf("%s: notes %q; an alias has no policy to be unknown", alias, notes)
		}
	}
}
