package score_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// Two people sign in through Okta and share the role admin: Alice uses it,
// Bob never does. Scored as a role, admin looks well used; scored as people,
// Bob is dormant. Dave may assume a role of an account whose logs are not
// extracted: not monitored.

const peopleAccount = "333333333333"

var peopleAuthz = `{"UserDetailList": [], "GroupDetailList": [], "Policies": [], "RoleDetailList": [{
  "Path": "/", "RoleName": "admin", "RoleId": "AROAADMIN000000000001",
  "Arn": "arn:aws:iam::333333333333:role/admin", "CreateDate": "2024-01-01T00:00:00Z",
  "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::333333333333:saml-provider/Okta"}, "Action": "sts:AssumeRoleWithSAML"}]},
  "InstanceProfileList": [], "AttachedManagedPolicies": [], "Tags": [],
  "RolePolicyList": [{"PolicyName": "apps", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
     "Resource": ["arn:aws:s3:::app-data", "arn:aws:s3:::app-data/*", "arn:aws:s3:::app-logs", "arn:aws:s3:::app-logs/*"]}]}}]
}]}`

var peopleOkta = `{
  "org_url": "https://example.okta.com", "app_id": "0oaAWS",
  "users": [
    {"id": "00u1", "status": "ACTIVE", "profile": {"login": "alice@example.com"}},
    {"id": "00u2", "status": "ACTIVE", "profile": {"login": "bob@example.com"}},
    {"id": "00u4", "status": "ACTIVE", "profile": {"login": "dave@example.com"}}],
  "app_users": [
    {"id": "00u4", "scope": "USER", "profile": {"samlRoles": ["arn:aws:iam::444444444444:saml-provider/Okta,arn:aws:iam::444444444444:role/viewer"]}}],
  "app_groups": [{"id": "00gA", "priority": 0, "profile": {"samlRoles": ["admin"]}}],
  "groups": [{"id": "00gA", "profile": {"name": "aws-admins"}}],
  "group_members": {"00gA": ["00u1", "00u2"]}
}`

func samlSignIn(id, at, login, session string) map[string]any {
	return map[string]any{
		"eventVersion": "1.08", "eventID": id, "eventTime": at, "eventSource": "sts.amazonaws.com", "eventName": "AssumeRoleWithSAML",
		"awsRegion": "us-east-1", "recipientAccountId": peopleAccount, "eventType": "AwsApiCall",
		"userIdentity": map[string]any{"type": "SAMLUser", "principalId": "Okta:" + login, "userName": login,
			"identityProvider": "arn:aws:iam::333333333333:saml-provider/Okta"},
		"requestParameters": map[string]any{"roleArn": "arn:aws:iam::333333333333:role/admin",
			"principalArn": "arn:aws:iam::333333333333:saml-provider/Okta", "durationSeconds": 3600},
		"responseElements": map[string]any{"subject": login, "subjectType": "persistent",
			"assumedRoleUser": map[string]any{"assumedRoleId": "AROAADMIN000000000001:" + session,
				"arn": "arn:aws:sts::333333333333:assumed-role/admin/" + session}},
	}
}

func sessionCall(id, at, session, name, bucket string) map[string]any {
	return map[string]any{
		"eventVersion": "1.09", "eventID": id, "eventTime": at, "eventSource": "s3.amazonaws.com", "eventName": name,
		"awsRegion": "us-east-1", "recipientAccountId": peopleAccount, "eventType": "AwsApiCall",
		"userIdentity": map[string]any{"type": "AssumedRole", "principalId": "AROAADMIN000000000001:" + session,
			"arn": "arn:aws:sts::333333333333:assumed-role/admin/" + session, "accountId": peopleAccount,
			"sessionContext": map[string]any{"sessionIssuer": map[string]any{"type": "Role", "principalId": "AROAADMIN000000000001",
				"arn": "arn:aws:iam::333333333333:role/admin", "accountId": peopleAccount, "userName": "admin"}}},
		"requestParameters": map[string]any{"bucketName": bucket, "key": "k"},
		"resources":         []map[string]any{{"type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::" + bucket, "accountId": peopleAccount}},
	}
}

func writeDelivery(t *testing.T, dir, day, name string, records ...map[string]any) {
	t.Helper()
	p := filepath.Join(dir, "AWSLogs", peopleAccount, "CloudTrail", "us-east-1", "2026", "11", day, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	if err := json.NewEncoder(zw).Encode(map[string]any{"Records": records}); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestPeopleSharingARole(t *testing.T) {
	ctx := context.Background()
	tmp := t.TempDir()
	db := filepath.Join(tmp, "activity.db")
	trail := filepath.Join(tmp, "trail")
	files := map[string]string{"authz.json": peopleAuthz, "okta.json": peopleOkta}
	for n, c := range files {
		if err := os.WriteFile(filepath.Join(tmp, n), []byte(c), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// Alice's calls come in objects listed before her sign-in, and one is
	// delivered twice; her Okta session is named "alice", not her login, so
	// only the sign-in tells whose it is.
	calls := []map[string]any{
		sessionCall("11111111-0000-4000-8000-000000000001", "2026-11-20T09:05:00Z", "alice", "GetObject", "app-data"),
		sessionCall("11111111-0000-4000-8000-000000000002", "2026-11-20T09:06:00Z", "alice", "ListObjects", "app-data"),
		sessionCall("11111111-0000-4000-8000-000000000003", "2026-11-20T09:07:00Z", "alice", "PutObject", "app-logs"),
	}
	writeDelivery(t, trail, "20", "333333333333_CloudTrail_us-east-1_20261120T0905Z_a.json.gz", calls...)
	writeDelivery(t, trail, "20", "333333333333_CloudTrail_us-east-1_20261120T0905Z_b.json.gz", calls...)
	writeDelivery(t, trail, "20", "333333333333_CloudTrail_us-east-1_20261120T0910Z_c.json.gz",
		sessionCall("11111111-0000-4000-8000-000000000004", "2026-11-20T09:10:00Z", "botocore-session-1763629800", "GetObject", "app-data"))
	writeDelivery(t, trail, "20", "333333333333_CloudTrail_us-east-1_20261120T0915Z_d.json.gz",
		samlSignIn("11111111-0000-4000-8000-000000000005", "2026-11-20T09:00:00Z", "alice@example.com", "alice"))

	runCLI(t, ctx, []string{"--db", db, "discover", "--authz-details", filepath.Join(tmp, "authz.json"),
		"--resource", peopleAccount + ":app-data", "--resource", peopleAccount + ":app-logs"})
	for range 2 {
		// A re-run reads nothing new and changes nothing.
		runCLI(t, ctx, []string{"--db", db, "extract", "--source", trail, "--as-of", scenarioAsOf, "--window", "30d"})
	}

	// Before Okta's assignments are loaded, Alice holds the role she was
	// seen using, and Bob is unknown: the role's score hides him.
	runCLI(t, ctx, []string{"--db", db, "score", "--as-of", scenarioAsOf, "--window", "30d"})
	var before reportJSON
	if err := json.Unmarshal([]byte(scenarioReport(t, db)), &before); err != nil {
		t.Fatal(err)
	}
	for _, p := range before.Principals {
		switch p.ARN {
		case "okta:alice@example.com":
			if p.ResourceOPS == nil || *p.ResourceOPS != 0 || p.OPS == nil || *p.OPS != 50 {
				t.Errorf("alice before the Okta load: %s", show(p.Kind, p.Monitored, p.ResourceOPS, p.OPS, p.Dormant, p.LastActivityAt))
			}
		case "okta:bob@example.com":
			t.Error("bob is known before the Okta load")
		}
	}

	out, _ := runCLI(t, ctx, []string{"--db", db, "people", "--okta-export", filepath.Join(tmp, "okta.json")})
	if out != "okta: 3 people, 2 roles, 3 assignments\n" {
		t.Errorf("people: %q", out)
	}
	runCLI(t, ctx, []string{"--db", db, "score", "--as-of", scenarioAsOf, "--window", "30d"})
	var rep reportJSON
	if err := json.Unmarshal([]byte(scenarioReport(t, db)), &rep); err != nil {
		t.Fatal(err)
	}
	byARN := map[string]principalJSON{}
	for _, p := range rep.Principals {
		byARN[p.ARN] = p
	}
	num := func(v float64) *float64 { return &v }
	str := func(s string) *string { return &s }
	type want struct {
		kind             string
		monitored        bool
		resourceOPS, ops *float64
		dormant          bool
		last             *string
	}
	for arn, w := range map[string]want{
		// admin holds 2 buckets × 3 actions and used 3 of the 6; its last
		// activity is the tool-made session's, credited to the role only.
		"arn:aws:iam::333333333333:role/admin": {activity.KindIAMRole, true, num(0), num(50), false, str("2026-11-20T09:10:00Z")},
		// Alice: GetObject and ListBucket on app-data, PutObject on app-logs.
		"okta:alice@example.com": {activity.KindOktaIdentity, true, num(0), num(50), false, str("2026-11-20T09:07:00Z")},
		// Bob may do all of it and did nothing.
		"okta:bob@example.com": {activity.KindOktaIdentity, true, num(100), num(100), true, nil},
		// Dave's role is in an account whose logs were not read.
		"okta:dave@example.com": {activity.KindOktaIdentity, false, nil, nil, false, nil},
	} {
		p, ok := byARN[arn]
		if !ok {
			t.Errorf("%s is not in the report", arn)
			continue
		}
		got := want{p.Kind, p.Monitored, p.ResourceOPS, p.OPS, p.Dormant, p.LastActivityAt}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("%s: got %s, want %s", arn, show(got.kind, got.monitored, got.resourceOPS, got.ops, got.dormant, got.last),
				show(w.kind, w.monitored, w.resourceOPS, w.ops, w.dormant, w.last))
		}
	}
	used := map[string][]string{}
	for _, r := range byARN["okta:alice@example.com"].Resources {
		used[r.ARN] = r.UsedActions
	}
	if !reflect.DeepEqual(used, map[string][]string{"arn:aws:s3:::app-data": {"s3:GetObject", "s3:ListBucket"}, "arn:aws:s3:::app-logs": {"s3:PutObject"}}) {
		t.Errorf("alice used %v", used)
	}
	if n := rep.Coverage.UnattributedSessions; n != 1 {
		t.Errorf("unattributed sessions = %d, want 1 (the botocore session)", n)
	}

	// As of a moment inside Alice's session, only the calls up to it
	// count, and her last activity is her latest call up to it, to the
	// second (a call at as_of itself included).
	for _, c := range []struct {
		asOf     string
		wantUsed []string
		last     string
	}{
		{"2026-11-20T09:06:30Z", []string{"s3:GetObject", "s3:ListBucket"}, "2026-11-20T09:06:00Z"},
		{"2026-11-20T09:06:00Z", []string{"s3:GetObject", "s3:ListBucket"}, "2026-11-20T09:06:00Z"},
		{"2026-11-20T09:05:59Z", []string{"s3:GetObject"}, "2026-11-20T09:05:00Z"},
		{"2026-11-20T09:04:00Z", nil, "2026-11-20T09:00:00Z"},
	} {
		out, _ := runCLI(t, ctx, []string{"--db", db, "report", "--format", "json", "--as-of", c.asOf, "--window", "1d", "--stored=false"})
		var r reportJSON
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		for _, p := range r.Principals {
			if p.ARN != "okta:alice@example.com" {
				continue
			}
			var used []string
			for _, res := range p.Resources {
				used = append(used, res.UsedActions...)
			}
			if !p.Monitored || p.Dormant || !reflect.DeepEqual(p.LastActivityAt, &c.last) || !reflect.DeepEqual(used, c.wantUsed) {
				t.Errorf("as of %s: alice %s, used %v", c.asOf, show(p.Kind, p.Monitored, p.ResourceOPS, p.OPS, p.Dormant, p.LastActivityAt), used)
			}
		}
	}

	// The data sources find people by login.
	s, err := store.OpenReadOnly(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p, err := s.FindPrincipal(ctx, "bob@example.com")
	if err != nil || p.ARN != "okta:bob@example.com" {
		t.Errorf("FindPrincipal(bob@example.com) = %+v, %v", p, err)
	}
}

func show(kind string, monitored bool, resourceOPS, ops *float64, dormant bool, last *string) string {
	f := func(v *float64) string {
		if v == nil {
			return "null"
		}
		return fmt.Sprint(*v)
	}
	l := "null"
	if last != nil {
		l = *last
	}
	return fmt.Sprintf("{%s monitored=%v resource_ops=%s ops=%s dormant=%v last=%s}", kind, monitored, f(resourceOPS), f(ops), dormant, l)
}

// The AWS documentation's AssumeRoleWithSAML example, and a later call of
// the session it issued, read from separate objects: the call is credited
// to the person who signed in.
func TestSAMLDocExampleAttributed(t *testing.T) {
	ctx := context.Background()
	tmp := t.TempDir()
	db := filepath.Join(tmp, "activity.db")
	trail := filepath.Join(tmp, "trail")
	var signIn map[string]any
	b, err := os.ReadFile(filepath.Join("..", "internal", "cloudtrail", "testdata", "awsdocs", "iam-user-guide.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		var r map[string]any
		if json.Unmarshal(line, &r) == nil && r["eventName"] == "AssumeRoleWithSAML" {
			signIn = r
		}
	}
	if signIn == nil {
		t.Fatal("no AssumeRoleWithSAML example in iam-user-guide.jsonl")
	}
	call := map[string]any{
		"eventVersion": "1.08", "eventID": "22222222-0000-4000-8000-000000000001", "eventTime": "2019-11-01T19:20:00Z",
		"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": "us-east-2", "recipientAccountId": "444455556666",
		"userIdentity": map[string]any{"type": "AssumedRole", "principalId": "AROAD35QRSTUVWEXAMPLE:MyAssignedRoleSessionName",
			"arn": "arn:aws:sts::444455556666:assumed-role/SAMLTestRoleShibboleth/MyAssignedRoleSessionName", "accountId": "444455556666",
			"sessionContext": map[string]any{"sourceIdentity": "MySAMLUser", "sessionIssuer": map[string]any{"type": "Role",
				"arn": "arn:aws:iam::444455556666:role/SAMLTestRoleShibboleth", "accountId": "444455556666", "userName": "SAMLTestRoleShibboleth"}}},
		"requestParameters": map[string]any{"bucketName": "reports", "key": "q3.csv"},
	}
	// Three days later, without a new sign-in, the session's name is used
	// again: not by a session the sign-in issued, which lasts 12 hours at most.
	later := map[string]any{}
	for k, v := range call {
		later[k] = v
	}
	later["eventID"], later["eventTime"] = "22222222-0000-4000-8000-000000000002", "2019-11-04T08:00:00Z"
	dir := filepath.Join(trail, "AWSLogs", "444455556666", "CloudTrail", "us-east-2", "2019", "11", "01")
	for name, rec := range map[string]map[string]any{"444455556666_CloudTrail_us-east-2_20191101T1920Z_a.json.gz": call,
		"444455556666_CloudTrail_us-east-2_20191101T1915Z_b.json.gz": signIn, "444455556666_CloudTrail_us-east-2_20191104T0800Z_c.json.gz": later} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		if err := json.NewEncoder(zw).Encode(map[string]any{"Records": []any{rec}}); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	asOf := "2019-11-05T00:00:00Z"
	runCLI(t, ctx, []string{"--db", db, "extract", "--source", trail, "--as-of", asOf, "--window", "7d"})
	out, _ := runCLI(t, ctx, []string{"--db", db, "report", "--format", "json", "--as-of", asOf, "--window", "7d"})
	var rep reportJSON
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	var person *principalJSON
	for i, p := range rep.Principals {
		if p.ARN == "saml:Shibboleth:MySAMLUser" {
			person = &rep.Principals[i]
		}
	}
	if person == nil || person.Kind != activity.KindFederatedUser || !person.Monitored || person.Dormant ||
		person.LastActivityAt == nil || *person.LastActivityAt != "2019-11-01T19:20:00Z" {
		t.Fatalf("the person who signed in: %+v", person)
	}
	for _, p := range rep.Principals {
		if p.ARN == "arn:aws:iam::444455556666:role/SAMLTestRoleShibboleth" && (p.LastActivityAt == nil || *p.LastActivityAt != "2019-11-04T08:00:00Z") {
			t.Errorf("the role: %+v", p)
		}
	}
	if rep.Coverage.UnattributedSessions != 0 {
		t.Errorf("unattributed sessions = %d", rep.Coverage.UnattributedSessions)
	}
}

// IAM Identity Center: the permission set Admin is the role
// AWSReservedSSO_Admin_* of the account; Identity Center names its sessions
// after the user. Kim uses it, Lee (through a group) never does.
func TestIdentityCenterUsersSharingAPermissionSet(t *testing.T) {
	ctx := context.Background()
	tmp := t.TempDir()
	db := filepath.Join(tmp, "activity.db")
	trail := filepath.Join(tmp, "trail")
	const role = "arn:aws:iam::333333333333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef"
	authz := strings.NewReplacer(`"Path": "/", "RoleName": "admin"`, `"Path": "/aws-reserved/sso.amazonaws.com/", "RoleName": "AWSReservedSSO_Admin_0123456789abcdef"`,
		"arn:aws:iam::333333333333:role/admin", role).Replace(peopleAuthz)
	sso := `{"Users": [{"UserId": "u-1", "UserName": "kim"}, {"UserId": "u-2", "UserName": "lee"}],
	  "Groups": [{"GroupId": "g-1", "DisplayName": "admins"}],
	  "GroupMemberships": [{"GroupId": "g-1", "MemberId": {"UserId": "u-2"}}],
	  "PermissionSets": [{"PermissionSetArn": "arn:aws:sso:::permissionSet/ssoins-1/ps-1", "Name": "Admin"}],
	  "AccountAssignments": [
	    {"AccountId": "333333333333", "PermissionSetArn": "arn:aws:sso:::permissionSet/ssoins-1/ps-1", "PrincipalType": "USER", "PrincipalId": "u-1"},
	    {"AccountId": "333333333333", "PermissionSetArn": "arn:aws:sso:::permissionSet/ssoins-1/ps-1", "PrincipalType": "GROUP", "PrincipalId": "g-1"}]}`
	for n, c := range map[string]string{"authz.json": authz, "sso.json": sso} {
		if err := os.WriteFile(filepath.Join(tmp, n), []byte(c), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	call := sessionCall("33333333-0000-4000-8000-000000000001", "2026-11-21T10:00:00Z", "kim", "GetObject", "app-data")
	ui := call["userIdentity"].(map[string]any)
	ui["arn"] = "arn:aws:sts::333333333333:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/kim"
	ui["sessionContext"].(map[string]any)["sessionIssuer"] = map[string]any{"type": "Role", "arn": role,
		"accountId": peopleAccount, "userName": "AWSReservedSSO_Admin_0123456789abcdef"}
	writeDelivery(t, trail, "21", "333333333333_CloudTrail_us-east-1_20261121T1000Z_a.json.gz", call)

	runCLI(t, ctx, []string{"--db", db, "discover", "--authz-details", filepath.Join(tmp, "authz.json"),
		"--resource", peopleAccount + ":app-data", "--resource", peopleAccount + ":app-logs"})
	runCLI(t, ctx, []string{"--db", db, "extract", "--source", trail, "--as-of", scenarioAsOf, "--window", "30d"})
	out, _ := runCLI(t, ctx, []string{"--db", db, "people", "--sso-assignments", filepath.Join(tmp, "sso.json")})
	if out != "sso: 2 people, 1 roles, 2 assignments\n" {
		t.Errorf("people: %q", out)
	}
	runCLI(t, ctx, []string{"--db", db, "score", "--as-of", scenarioAsOf, "--window", "30d"})
	var rep reportJSON
	if err := json.Unmarshal([]byte(scenarioReport(t, db)), &rep); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range rep.Principals {
		if p.Kind == activity.KindSSOUser {
			got[p.ARN] = show(p.Kind, p.Monitored, p.ResourceOPS, p.OPS, p.Dormant, p.LastActivityAt)
		}
	}
	f := func(v float64) *float64 { return &v }
	last := "2026-11-21T10:00:00Z"
	want := map[string]string{
		// One of two buckets, one of six actions used.
		"sso:kim": show(activity.KindSSOUser, true, f(50), f(83.3), false, &last),
		"sso:lee": show(activity.KindSSOUser, true, f(100), f(100), true, nil),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Identity Center users:\n got %v\nwant %v", got, want)
	}
}

// The generated organization: each account's federated role is assigned
// through Okta to the person who uses it and to a colleague who never signs
// in. The role and its user look alike; the colleague is dormant.
func TestGeneratedPeopleSharingARole(t *testing.T) {
	ctx := context.Background()
	gen := generated(t)
	db := filepath.Join(t.TempDir(), "activity.db")
	runCLI(t, ctx, []string{"--db", db, "extract", "--source", filepath.Join(gen, "trail"), "--as-of", scenarioAsOf})
	runCLI(t, ctx, append([]string{"--db", db, "discover"}, authzArgs(t, gen)...))
	runCLI(t, ctx, []string{"--db", db, "people", "--okta-export", filepath.Join(gen, "okta-export.json")})
	var m struct {
		Demo map[string]string `json:"demo"`
	}
	b, err := os.ReadFile(filepath.Join(gen, "manifest.json"))
	if err != nil || json.Unmarshal(b, &m) != nil {
		t.Fatalf("manifest: %v", err)
	}
	var rep reportJSON
	if err := json.Unmarshal([]byte(scenarioReport(t, db, "--stored=false")), &rep); err != nil {
		t.Fatal(err)
	}
	byARN := map[string]principalJSON{}
	for _, p := range rep.Principals {
		byARN[p.ARN] = p
	}
	active, idle := byARN["okta:"+m.Demo["active_person"]], byARN["okta:"+m.Demo["dormant_person"]]
	role := byARN["arn:aws:iam::"+active.AccountID+":role/federated/OktaDataAnalysts"]
	if role.ARN == "" || !role.Monitored || role.Dormant || role.ResourceOPS == nil {
		t.Fatalf("the shared role: %+v", role)
	}
	if !active.Monitored || active.Dormant || active.ResourceOPS == nil || *active.ResourceOPS != *role.ResourceOPS || *active.OPS != *role.OPS {
		t.Errorf("the person using the role: %s; the role: %s", show(active.Kind, active.Monitored, active.ResourceOPS, active.OPS, active.Dormant, active.LastActivityAt),
			show(role.Kind, role.Monitored, role.ResourceOPS, role.OPS, role.Dormant, role.LastActivityAt))
	}
	if idle.Kind != activity.KindOktaIdentity || !idle.Monitored || !idle.Dormant || idle.ResourceOPS == nil || *idle.ResourceOPS != 100 || idle.LastActivityAt != nil {
		t.Errorf("the colleague who never signs in: %s", show(idle.Kind, idle.Monitored, idle.ResourceOPS, idle.OPS, idle.Dormant, idle.LastActivityAt))
	}
}
