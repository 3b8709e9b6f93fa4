package score_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/generate"
)

// Account 333333333333 of testdata/services, by hand, for the 30-day window
// ending 2026-11-25 (from 2026-10-26):
//
//   - user ops may iam:ListUsers, iam:ListRoles, iam:CreateAccessKey,
//     sts:GetCallerIdentity and ec2:DescribeInstances on "*". In the window
//     it used iam:ListUsers (11-20 10:00) and sts:GetCallerIdentity (11-21
//     12:00); iam:ListRoles was refused (not a use); iam:CreateAccessKey was
//     last used on 10-01, before the window. Services: ec2 1 granted, none
//     used; iam 3 granted, ListUsers used; sts 1 granted, used.
//     service_ops = 1 of 3 services unused = 33.3; permission_ops = 3 of 5
//     actions unused = 60.0. Nothing is granted on a bucket, key or secret:
//     ops is null (nothing_granted). Findings: unused_permission in ec2
//     (DescribeInstances, never used) and in iam (CreateAccessKey, last used
//     10-01, and ListRoles).
//   - role batch, created 2026-01-05, may s3:ListAllMyBuckets; its last
//     call was on 09-01: dormant, an unused_role finding whose last use is
//     09-01, and no unused_permission besides. service_ops 100, permission_ops 100.
//   - role fresh, created 11-20 inside the window, did nothing: not
//     dormant, and no finding, having not had the whole window.
func TestServicesAndFindings(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "activity.db")
	dir := "testdata/services"
	runCLI(t, ctx, []string{"--db", db, "discover", "--authz-details", filepath.Join(dir, "authz-details-333333333333.json")})
	// Extract back to September, so that uses before the window are known.
	runCLI(t, ctx, []string{"--db", db, "extract", "--source", filepath.Join(dir, "trail"), "--as-of", scenarioAsOf, "--window", "120d"})
	out, _ := runCLI(t, ctx, []string{"--db", db, "report", "--format", "json", "--as-of", scenarioAsOf, "--window", "30d"})

	type service struct {
		Service     string   `json:"service"`
		Granted     int      `json:"granted"`
		UsedActions []string `json:"used_actions"`
		LastUsedAt  *string  `json:"last_used_at"`
	}
	type finding struct {
		Type           string            `json:"type"`
		Principal      string            `json:"principal"`
		AccountID      string            `json:"account_id"`
		ID             *string           `json:"id"`
		Service        *string           `json:"service"`
		Actions        []string          `json:"actions"`
		ActionLastUsed map[string]string `json:"action_last_used"`
		LastUsedAt     *string           `json:"last_used_at"`
		UnusedDays     int               `json:"unused_days"`
		WindowStart    string            `json:"window_start"`
		AsOf           string            `json:"as_of"`
	}
	var rep struct {
		Principals []struct {
			ARN           string    `json:"arn"`
			OPS           *float64  `json:"ops"`
			NAReason      *string   `json:"na_reason"`
			Dormant       bool      `json:"dormant"`
			Services      []service `json:"services"`
			ServiceOPS    *float64  `json:"service_ops"`
			PermissionOPS *float64  `json:"permission_ops"`
		} `json:"principals"`
		Findings []finding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	str := func(s string) *string { return &s }
	num := func(v float64) *float64 { return &v }
	want := map[string]struct {
		services            []service
		serviceOPS, permOPS *float64
		dormant             bool
	}{
		"arn:aws:iam::333333333333:user/ops": {services: []service{
			{"ec2", 1, []string{}, nil},
			{"iam", 3, []string{"iam:ListUsers"}, str("2026-11-20T10:00:00Z")},
			{"sts", 1, []string{"sts:GetCallerIdentity"}, str("2026-11-21T12:00:00Z")},
		}, serviceOPS: num(33.3), permOPS: num(60)},
		"arn:aws:iam::333333333333:role/batch": {services: []service{
			{"s3", 1, []string{}, str("2026-09-01T00:00:05Z")},
		}, serviceOPS: num(100), permOPS: num(100), dormant: true},
		"arn:aws:iam::333333333333:role/fresh": {services: []service{
			{"sts", 1, []string{}, nil},
		}, serviceOPS: num(100), permOPS: num(100)},
	}
	seen := 0
	for _, p := range rep.Principals {
		w, ok := want[p.ARN]
		if !ok {
			continue
		}
		seen++
		if !reflect.DeepEqual(p.Services, w.services) {
			t.Errorf("%s services = %+v, want %+v", p.ARN, p.Services, w.services)
		}
		if !reflect.DeepEqual(p.ServiceOPS, w.serviceOPS) || !reflect.DeepEqual(p.PermissionOPS, w.permOPS) {
			t.Errorf("%s service_ops %v permission_ops %v, want %v %v", p.ARN, deref(p.ServiceOPS), deref(p.PermissionOPS), *w.serviceOPS, *w.permOPS)
		}
		if p.Dormant != w.dormant {
			t.Errorf("%s dormant = %v, want %v", p.ARN, p.Dormant, w.dormant)
		}
		if p.OPS != nil || p.NAReason == nil || *p.NAReason != "nothing_granted" {
			t.Errorf("%s ops = %v (%v), want null for nothing_granted", p.ARN, deref(p.OPS), p.NAReason)
		}
	}
	if seen != len(want) {
		t.Fatalf("%d of the %d principals reported:\n%s", seen, len(want), out)
	}
	window := func(f finding) finding {
		f.WindowStart, f.AsOf = "2026-10-26T00:00:00Z", scenarioAsOf
		f.AccountID = "333333333333"
		return f
	}
	wantFindings := []finding{
		window(finding{Type: "unused_role", Principal: "arn:aws:iam::333333333333:role/batch", Actions: []string{}, ActionLastUsed: map[string]string{},
			LastUsedAt: str("2026-09-01T00:00:05Z"), UnusedDays: 84}),
		window(finding{Type: "unused_permission", Principal: "arn:aws:iam::333333333333:user/ops", Service: str("ec2"),
			Actions: []string{"ec2:DescribeInstances"}, ActionLastUsed: map[string]string{}, UnusedDays: 30}),
		window(finding{Type: "unused_permission", Principal: "arn:aws:iam::333333333333:user/ops", Service: str("iam"),
			Actions: []string{"iam:CreateAccessKey", "iam:ListRoles"}, ActionLastUsed: map[string]string{"iam:CreateAccessKey": "2026-10-01T09:00:00Z"},
			LastUsedAt: str("2026-11-20T10:00:00Z"), UnusedDays: 54}),
	}
	if !reflect.DeepEqual(rep.Findings, wantFindings) {
		got, _ := json.MarshalIndent(rep.Findings, "", " ")
		t.Errorf("findings =\n%s", got)
	}

	table, _ := runCLI(t, ctx, []string{"--db", db, "report", "--as-of", scenarioAsOf, "--window", "30d"})
	for _, line := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^UNUSED SERVICES`),
		regexp.MustCompile(`(?m)^arn:aws:iam::333333333333:user/ops +iam_user +333333333333 +33\.3 +60\.0 +1/3 +ec2$`),
		regexp.MustCompile(`(?m)^FINDINGS \(3:`),
		regexp.MustCompile(`(?m)^unused_role +arn:aws:iam::333333333333:role/batch +333333333333 +- +2026-09-01T00:00:05Z +84 *$`),
		regexp.MustCompile(`(?m)^unused_permission +arn:aws:iam::333333333333:user/ops +333333333333 +iam +2026-11-20T10:00:00Z +54 +iam:CreateAccessKey, iam:ListRoles$`),
	} {
		if !line.MatchString(table) {
			t.Errorf("the table has no line matching %s:\n%s", line, table)
		}
	}
	page, _ := runCLI(t, ctx, []string{"--db", db, "report", "--format", "html", "--as-of", scenarioAsOf, "--window", "30d"})
	for _, want := range []string{`<h2>Unused services</h2>`, `<h2>Findings</h2>`, `<code>unused_role</code>`, `iam:CreateAccessKey, iam:ListRoles`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

func deref[T any](v *T) any {
	if v == nil {
		return nil
	}
	return *v
}

// A generated organization shows one finding of each type: its role nobody
// assumes, and the unused permissions of the user that may do anything to
// its bucket and only reads it.
func TestGeneratedOrganizationFindings(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	m, err := generate.Run(ctx, generate.Options{Out: dir, Accounts: 2, Users: 8, Days: 40, Events: 3000, Seed: 3,
		End: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "activity.db")
	args := []string{"--db", db, "discover"}
	authz, _ := filepath.Glob(filepath.Join(dir, m.AuthzFolder, "*.json"))
	for _, f := range authz {
		args = append(args, "--authz-details", f)
	}
	reports, _ := filepath.Glob(filepath.Join(dir, m.CredentialsFolder, "*.csv"))
	for _, f := range reports {
		args = append(args, "--credential-report", f)
	}
	runCLI(t, ctx, args)
	runCLI(t, ctx, []string{"--db", db, "extract", "--source", filepath.Join(dir, m.TrailFolder), "--as-of", scenarioAsOf, "--window", "45d"})
	out, _ := runCLI(t, ctx, []string{"--db", db, "report", "--format", "json", "--as-of", scenarioAsOf, "--window", "30d"})
	var rep struct {
		Findings []struct {
			Type      string   `json:"type"`
			Principal string   `json:"principal"`
			Service   *string  `json:"service"`
			Actions   []string `json:"actions"`
			ID        *string  `json:"id"`
			LastUsed  *string  `json:"last_used_at"`
			Created   *string  `json:"created_at"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	var role, s3 bool
	credentials := map[string][]string{}
	for _, f := range rep.Findings {
		if f.Type == "unused_access_key" || f.Type == "unused_password" {
			credentials[f.Type] = append(credentials[f.Type], f.Principal)
		}
		switch {
		case f.Type == "unused_access_key":
			// The demo user's second key: in the report's second slot,
			// created with the account and never used.
			if f.ID == nil || *f.ID != "access_key_2" || f.LastUsed != nil || f.Created == nil {
				t.Errorf("unused_access_key of %s: id %v, last used %v, created %v", f.Principal, deref(f.ID), deref(f.LastUsed), deref(f.Created))
			}
		case f.Type == "unused_password":
			// Last used 20 days before the events began (2026-10-16).
			if f.LastUsed == nil || *f.LastUsed != "2026-09-26T00:00:00Z" {
				t.Errorf("unused_password of %s: last used %v", f.Principal, deref(f.LastUsed))
			}
		case f.Type == "unused_role" && f.Principal == m.Demo["unused_role"]:
			role = true
		case f.Type == "unused_permission" && f.Principal == m.Demo["unused_permission_user"] && f.Service != nil && *f.Service == "s3":
			s3 = true
			// It reads its bucket: those actions are used.
			if slices.Contains(f.Actions, "s3:GetObject") || slices.Contains(f.Actions, "s3:ListBucket") || !slices.Contains(f.Actions, "s3:PutObject") {
				t.Errorf("unused s3 actions of %s: %v", f.Principal, f.Actions)
			}
		case f.Type == "unused_role" && strings.HasSuffix(f.Principal, ":role/app-deployer"):
			t.Errorf("the role in use is found unused: %s", f.Principal)
		}
	}
	// One finding of each: the users that act used their key and, if they
	// have one, their password in the window.
	if got := credentials["unused_access_key"]; len(got) != 1 || got[0] != m.Demo["unused_access_key_user"] {
		t.Errorf("unused_access_key findings of %v, want one of %s", got, m.Demo["unused_access_key_user"])
	}
	if got := credentials["unused_password"]; len(got) != 1 || got[0] != m.Demo["unused_password_user"] {
		t.Errorf("unused_password findings of %v, want one of %s", got, m.Demo["unused_password_user"])
	}
	if !role || !s3 {
		t.Errorf("unused_role of %s found: %v; unused_permission in s3 of %s found: %v\n%s", m.Demo["unused_role"], role,
			m.Demo["unused_permission_user"], s3, out)
	}
}
