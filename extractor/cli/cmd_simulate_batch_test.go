package cli

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/iam"
)

// Account 333344445555 of conditions-authz-details.json: ops reads the
// ledger bucket from the office network, writes it when tagged team=finance,
// and manages the aliases app-*; auditor reads the bucket.
const (
	opsUser     = "arn:aws:iam::333344445555:user/ops"
	auditorRole = "arn:aws:iam::333344445555:role/auditor"
	ledgerKey   = "arn:aws:s3:::ledger/2026/q1.csv"
	appAlias    = "arn:aws:kms:eu-west-1:333344445555:alias/app-orders"
)

func discoveredWithConditions(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "activity.db")
	if _, errs, code := run(t, "--db", db, "discover", "--authz-details", "testdata/conditions-authz-details.json", "--resource", "333344445555:ledger"); code != ExitOK {
		t.Fatalf("discover: exit %d: %s", code, errs)
	}
	return db
}

func decisionOf(t *testing.T, out string) iam.Decision {
	t.Helper()
	var ds []iam.Decision
	if err := json.Unmarshal([]byte(out), &ds); err != nil || len(ds) != 1 {
		t.Fatalf("%d decisions in %q: %v", len(ds), out, err)
	}
	return ds[0]
}

// --context evaluates conditions against the values given; a key not given
// leaves the decision conditional.
func TestSimulateWithContext(t *testing.T) {
	db := discoveredWithConditions(t)
	ask := func(action string, context ...string) iam.Decision {
		t.Helper()
		args := []string{"--db", db, "simulate", "--json", "--principal", opsUser, "--action", action, "--resource", ledgerKey}
		for _, c := range context {
			args = append(args, "--context", c)
		}
		out, errs, code := run(t, args...)
		if code != ExitOK {
			t.Fatalf("simulate %s %v: exit %d: %s", action, context, code, errs)
		}
		return decisionOf(t, out)
	}
	for _, c := range []struct {
		action      string
		context     []string
		decision    string
		conditional bool
	}{
		{"s3:GetObject", nil, iam.Allowed, true},
		{"s3:GetObject", []string{"aws:SourceIp=10.20.3.4"}, iam.Allowed, false},
		{"s3:GetObject", []string{"aws:SourceIp=192.0.2.1"}, iam.ImplicitDeny, false},
		{"s3:GetObject", []string{"aws:PrincipalTag/team=finance"}, iam.Allowed, true},
		{"s3:PutObject", []string{"aws:PrincipalTag/team=finance", "aws:SourceIp=192.0.2.1"}, iam.Allowed, false},
		{"s3:PutObject", []string{"aws:principaltag/team=legal"}, iam.ImplicitDeny, false},
	} {
		d := ask(c.action, c.context...)
		if d.Decision != c.decision || d.Conditional != c.conditional {
			t.Errorf("%s with %q: %s conditional %v (%s), want %s conditional %v", c.action, c.context, d.Decision, d.Conditional, d.Reason, c.decision, c.conditional)
		}
	}
	for _, bad := range []string{"aws:SourceIp", "=x", "SourceIp=1.2.3.4"} {
		_, errs, code := run(t, "--db", db, "simulate", "--principal", opsUser, "--action", "s3:GetObject", "--resource", ledgerKey, "--context", bad)
		if code != ExitUsage || !strings.Contains(errs, "KEY=VALUE") {
			t.Errorf("--context %q: exit %d: %s", bad, code, errs)
		}
	}
}

// An alias is the resource of the alias actions: it needs no discovered
// alias, and the policy's alias pattern decides.
func TestSimulateAliasActionsOnTheAlias(t *testing.T) {
	db := discoveredWithConditions(t)
	for alias, want := range map[string]string{appAlias: iam.Allowed, "arn:aws:kms:eu-west-1:333344445555:alias/billing": iam.ImplicitDeny} {
		out, errs, code := run(t, "--db", db, "simulate", "--json", "--principal", opsUser, "--action", "kms:CreateAlias", "--resource", alias)
		if code != ExitOK {
			t.Fatalf("simulate kms:CreateAlias on %s: exit %d: %s", alias, code, errs)
		}
		if d := decisionOf(t, out); d.Decision != want || d.Resource != alias {
			t.Errorf("kms:CreateAlias on %s: %+v, want %s", alias, d, want)
		}
	}
	// Other actions stand for the key, which this discovery does not know.
	_, errs, code := run(t, "--db", db, "simulate", "--principal", opsUser, "--action", "kms:Decrypt", "--resource", appAlias)
	if code != ExitFailure || !strings.Contains(errs, "aliases are known after discover") || !strings.Contains(errs, "kms:Decrypt") {
		t.Errorf("kms:Decrypt on an unknown alias: exit %d: %s", code, errs)
	}
}

// --input answers one question a line as JSON Lines, with the fields of
// --json, in order; comments and blank lines are skipped.
func TestSimulateBatch(t *testing.T) {
	db := discoveredWithConditions(t)
	questions := filepath.Join(t.TempDir(), "questions.txt")
	text := "# who may read the ledger\n" +
		opsUser + " s3:GetObject " + ledgerKey + "\n\n" +
		auditorRole + "\ts3:ListBucket\tarn:aws:s3:::ledger\n" +
		"   " + opsUser + "  s3:DeleteObject   " + ledgerKey + "  \n" +
		opsUser + " kms:CreateAlias " + appAlias + "\n" +
		auditorRole + " s3:Fly " + ledgerKey + "\n"
	if err := os.WriteFile(questions, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	want := []struct{ principal, action, decision string }{
		{opsUser, "s3:GetObject", iam.Allowed},
		{auditorRole, "s3:ListBucket", iam.Allowed},
		{opsUser, "s3:DeleteObject", iam.ImplicitDeny},
		{opsUser, "kms:CreateAlias", iam.Allowed},
		{auditorRole, "s3:Fly", iam.UnknownAction},
	}
	for _, withContext := range []bool{false, true} {
		args := []string{"--db", db, "simulate", "--input", questions}
		if withContext {
			args = append(args, "--context", "aws:SourceIp=10.20.0.9")
		}
		out, errs, code := run(t, args...)
		if code != ExitOK {
			t.Fatalf("simulate --input: exit %d: %s", code, errs)
		}
		var got []iam.Decision
		sc := bufio.NewScanner(strings.NewReader(out))
		for sc.Scan() {
			var d iam.Decision
			if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
				t.Fatalf("line %q is not a decision: %v", sc.Text(), err)
			}
			got = append(got, d)
		}
		if len(got) != len(want) {
			t.Fatalf("%d answers, want %d:\n%s", len(got), len(want), out)
		}
		for i, w := range want {
			if got[i].Principal != w.principal || got[i].Action != w.action || got[i].Decision != w.decision {
				t.Errorf("answer %d: %+v, want %+v", i, got[i], w)
			}
		}
		if got[0].Conditional == withContext {
			t.Errorf("context given %v, yet the office read is conditional %v", withContext, got[0].Conditional)
		}
		// The same answer as a single simulate --json.
		single, _, _ := run(t, "--db", db, "simulate", "--json", "--principal", auditorRole, "--action", "s3:ListBucket", "--resource", "arn:aws:s3:::ledger")
		if d := decisionOf(t, single); d.Reason != got[1].Reason || len(d.Statements) != len(got[1].Statements) || d.Statements[0] != got[1].Statements[0] {
			t.Errorf("batch %+v differs from single %+v", got[1], d)
		}
	}

	// A malformed line stops the run before any answer, naming the line.
	bad := filepath.Join(t.TempDir(), "bad.txt")
	if err := os.WriteFile(bad, []byte(opsUser+" s3:GetObject "+ledgerKey+"\n# fine\n"+opsUser+" s3:GetObject\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errs, code := run(t, "--db", db, "simulate", "--input", bad)
	if code != ExitUsage || out != "" || !strings.Contains(errs, "bad.txt:3: 2 fields, want 3") {
		t.Errorf("malformed line: exit %d, stdout %q, stderr %s", code, out, errs)
	}
	if err := os.WriteFile(bad, []byte(opsUser+" s3:Get* "+ledgerKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := run(t, "--db", db, "simulate", "--input", bad); code != ExitUsage || !strings.Contains(errs, "bad.txt:1: action \"s3:Get*\"") {
		t.Errorf("wildcard action: exit %d: %s", code, errs)
	}
	if err := os.WriteFile(bad, []byte(opsUser+" s3:GetObject "+ledgerKey+"\n"+"arn:aws:iam::333344445555:user/nobody s3:GetObject "+ledgerKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, errs, code := run(t, "--db", db, "simulate", "--input", bad); code != ExitFailure || strings.Count(out, "\n") != 1 ||
		!strings.Contains(errs, "bad.txt:2: principal arn:aws:iam::333344445555:user/nobody is not among the discovered") {
		t.Errorf("unknown principal: exit %d, stdout %q, stderr %s", code, out, errs)
	}
	if _, errs, code := run(t, "--db", db, "simulate", "--input", questions, "--principal", opsUser); code != ExitUsage || !strings.Contains(errs, "leave out --principal") {
		t.Errorf("--input with --principal: exit %d: %s", code, errs)
	}
	if _, errs, code := run(t, "--db", db, "simulate", "--input", filepath.Join(t.TempDir(), "none.txt")); code != ExitUsage || !strings.Contains(errs, "none.txt") {
		t.Errorf("missing file: exit %d: %s", code, errs)
	}
}

// A batch with an unknown decision finishes with exit status 3, as a single
// simulate does, after answering every question.
func TestSimulateBatchUnknownDecision(t *testing.T) {
	db := discoveredWithUnreadablePolicies(t)
	questions := filepath.Join(t.TempDir(), "q.txt")
	text := userARN + "auditor s3:GetObject " + invictusBucket + "\n" + userARN + "benjamin s3:GetBucketAcl " + invictusBucket + "\n"
	if err := os.WriteFile(questions, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errs, code := run(t, "--db", db, "simulate", "--input", questions)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != ExitSkipped || len(lines) != 2 || !strings.Contains(errs, "1 of 2 decisions are unknown") {
		t.Fatalf("exit %d, %d lines, stderr %s", code, len(lines), errs)
	}
	var first, second iam.Decision
	if json.Unmarshal([]byte(lines[0]), &first) != nil || json.Unmarshal([]byte(lines[1]), &second) != nil ||
		first.Decision != iam.Unknown || len(first.UnreadablePolicies) != 1 || second.Decision != iam.Allowed {
		t.Errorf("answers %s", out)
	}
}
