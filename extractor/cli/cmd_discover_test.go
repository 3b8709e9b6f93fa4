package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

const discoverData = "../internal/discover/testdata/"

func TestDiscoverAndSimulateFromFiles(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	out, errOut, code := run(t, "--db", db, "discover",
		"--authz-details", discoverData+"fixture-authz-details.json",
		"--bucket-policy", "vault="+discoverData+"vault-get-bucket-policy.json",
		"--key-policy", "arn:aws:kms:us-east-1:644160558196:key/11111111-1111-1111-1111-111111111111="+discoverData+"broken-key-policy.json",
		"--resource", "data", "--kms-aliases", discoverData+"list-aliases.json",
		"--resource", "arn:aws:kms:us-east-1:644160558196:key/22222222-2222-2222-2222-222222222222")
	if code != ExitSkipped {
		t.Fatalf("exit %d, want %d (a malformed key policy); stderr:\n%s", code, ExitSkipped, errOut)
	}
	if !strings.Contains(out, "account 644160558196: 6 principals, 4 resources") || !strings.Contains(out, "grants: ") {
		t.Errorf("stdout:\n%s", out)
	}
	if !strings.Contains(errOut, "Statement[0].Action[1]") || !strings.Contains(errOut, "key policy") {
		t.Errorf("stderr does not say where the key policy is broken:\n%s", errOut)
	}

	out, errOut, code = run(t, "--db", db, "simulate", "--principal", "arn:aws:iam::644160558196:user/bob",
		"--action", "s3:GetObject", "--action", "kms:Nope", "--resource", "arn:aws:s3:::vault", "--json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var ds []struct {
		Principal, Action, Resource, Decision string
		Conditional                           bool
		Statements                            []struct {
			Policy, Sid, Effect string
			Index               int
		}
	}
	if err := json.Unmarshal([]byte(out), &ds); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(ds) != 2 || ds[0].Decision != "explicit_deny" || ds[0].Statements[0].Sid != "OnlyDave" || ds[0].Statements[0].Effect != "Deny" ||
		ds[1].Decision != "unknown_action" {
		t.Errorf("decisions %+v", ds)
	}

	out, errOut, code = run(t, "--db", db, "simulate", "--principal", "arn:aws:iam::644160558196:user/kms-admin",
		"--action", "kms:Decrypt", "--resource", "arn:aws:kms:us-east-1:644160558196:alias/app")
	if code != ExitOK || !strings.Contains(out, "allowed") || !strings.Contains(errOut, "alias of arn:aws:kms:us-east-1:644160558196:key/2222") {
		t.Errorf("simulate on an alias (exit %d):\n%s%s", code, out, errOut)
	}

	out, _, code = run(t, "--db", db, "simulate", "--principal", "arn:aws:iam::644160558196:role/carol",
		"--action", "s3:PutObject", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::data")
	if code != ExitOK || !strings.Contains(out, "implicit_deny") || !strings.Contains(out, "boundary") || !strings.Contains(out, "allowed") {
		t.Errorf("table (exit %d):\n%s", code, out)
	}
}

func TestSimulateUsage(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	for _, args := range [][]string{
		{"simulate", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b"},
		{"simulate", "--principal", "arn:aws:iam::111111111111:user/a", "--resource", "arn:aws:s3:::b"},
		{"simulate", "--principal", "arn:aws:iam::111111111111:user/a", "--action", "s3:Get*", "--resource", "arn:aws:s3:::b"},
		{"discover", "--authz-details", "x.json", "--region", "us-east-1"},
		{"discover", "--bucket-policy", "no-file"},
	} {
		if _, errOut, code := run(t, append([]string{"--db", db}, args...)...); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d: %s", args, code, ExitUsage, errOut)
		}
	}
	_, errOut, code := run(t, "--db", db, "simulate", "--principal", "arn:aws:iam::111111111111:user/a", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b")
	if code != ExitFailure || !strings.Contains(errOut, "discover") {
		t.Errorf("simulate before discover: exit %d: %s", code, errOut)
	}
}
