package discover

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/iam"
)

// Policies discover could not parse are stored with what was wrong, and
// come back in the inventory where they apply: the key's policy on the key,
// the SCP and RCP on the account. A later discovery without them forgets
// them.
func TestUnreadablePoliciesAreStoredWithTheirErrors(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	dir := t.TempDir()
	scp, rcp := filepath.Join(dir, "guardrails-scp.json"), filepath.Join(dir, "perimeter-rcp.json")
	for path, doc := range map[string]string{
		scp: `{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": 42, "Resource": "*"}]}`,
		rcp: `{"Version": "2012-10-17", "Statement": [{"Effect": "Dny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}`,
	} {
		if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	files := fixtureFiles()
	files.SCPs = map[string]string{scp: ""}
	files.RCPs = map[string]string{rcp: "644160558196"}
	found, err := FromFiles(files)
	if err != nil {
		t.Fatal(err)
	}
	if err := Store(ctx, db, found); err != nil {
		t.Fatal(err)
	}
	inv, err := Load(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	scps, rcps := inv.UnreadableSCPs["644160558196"], inv.UnreadableRCPs["644160558196"]
	if len(scps) != 1 || scps[0].Policy != scp || scps[0].Via != "service control policy of account 644160558196" || scps[0].Error != "Statement[0].Action: expected a string or a list of strings" {
		t.Errorf("unreadable SCPs %+v", scps)
	}
	if len(rcps) != 1 || rcps[0].Policy != rcp || !strings.Contains(rcps[0].Error, `"Dny" is neither Allow nor Deny`) {
		t.Errorf("unreadable RCPs %+v", rcps)
	}
	for _, r := range inv.Resources {
		if (r.UnreadablePolicy != nil) != (r.ARN == keyBroken) {
			t.Errorf("%s: unreadable policy %+v", r.ARN, r.UnreadablePolicy)
		}
		if r.ARN == keyBroken && (r.UnreadablePolicy.Policy != keyBroken+" key policy" || !strings.Contains(r.UnreadablePolicy.Error, "Statement[0].Action[1]")) {
			t.Errorf("key policy %+v", r.UnreadablePolicy)
		}
	}
	// The SCP caps every principal of the account: all are N/A.
	unreadable, err := db.PrincipalsWithUnreadablePolicies(ctx)
	if err != nil || len(unreadable) != 6 {
		t.Errorf("principals with unreadable policies: %d, %v; want the 6 of the account", len(unreadable), err)
	}

	ds, _, err := iam.Simulate(iam.DefaultCatalog(), inv, "arn:aws:iam::644160558196:user/kms-admin", []string{"kms:Decrypt"}, keyBroken)
	if err != nil {
		t.Fatal(err)
	}
	if ds[0].Decision != iam.Unknown || len(ds[0].UnreadablePolicies) != 3 {
		t.Errorf("kms-admin on the key with a broken policy, under a broken SCP and RCP: %s, %+v", ds[0].Decision, ds[0].UnreadablePolicies)
	}

	// Discovered again with readable policies only: nothing unreadable left.
	found, err = FromFiles(Files{AuthzDetails: files.AuthzDetails})
	if err != nil {
		t.Fatal(err)
	}
	if err := Store(ctx, db, found); err != nil {
		t.Fatal(err)
	}
	if inv, err = Load(ctx, db); err != nil {
		t.Fatal(err)
	}
	if len(inv.UnreadableSCPs)+len(inv.UnreadableRCPs) != 0 {
		t.Errorf("after rediscovery: SCPs %v, RCPs %v", inv.UnreadableSCPs, inv.UnreadableRCPs)
	}
	if unreadable, err = db.PrincipalsWithUnreadablePolicies(ctx); err != nil || len(unreadable) != 0 {
		t.Errorf("after rediscovery: %d principals with unreadable policies, %v", len(unreadable), err)
	}
}
