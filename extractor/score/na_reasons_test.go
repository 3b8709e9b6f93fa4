package score_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// An organization trail of three accounts and one account outside it, with
// integrations for some: an account is monitored once an integration
// enables it and its logs were read, and every null OPS says why.
func TestNAReasonsFollowTheIntegrations(t *testing.T) {
	ctx := context.Background()
	gen := t.TempDir()
	runCLI(t, ctx, []string{"generate", "--out", gen, "--seed", "5", "--end", "2026-11-24", "--accounts", "3", "--events", "4000"})
	var manifest struct {
		Accounts []struct {
			ID      string `json:"id"`
			InTrail bool   `json:"in_trail"`
		} `json:"accounts"`
	}
	raw, err := os.ReadFile(filepath.Join(gen, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &manifest); err != nil {
		t.Fatal(err)
	}
	if len(manifest.Accounts) != 4 || !manifest.Accounts[0].InTrail || !manifest.Accounts[1].InTrail ||
		!manifest.Accounts[2].InTrail || manifest.Accounts[3].InTrail {
		t.Fatalf("the generated organization is not three accounts in the trail and one outside: %+v", manifest.Accounts)
	}
	archive, undiscovered, notEnabled, outside := manifest.Accounts[0].ID, manifest.Accounts[1].ID,
		manifest.Accounts[2].ID, manifest.Accounts[3].ID

	dbPath := filepath.Join(t.TempDir(), "activity.db")
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []activity.Integration{
		{AccountID: archive, Trail: "org-trail", Region: "us-east-1", ExtractForOrganization: true},
		{AccountID: undiscovered, Trail: "org-trail", Region: "us-east-1", SkipExtraction: true},
		{AccountID: outside, Trail: "own-trail", Region: "us-east-1", SkipExtraction: true},
	} {
		if err := db.CreateIntegration(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	runCLI(t, ctx, []string{"--db", dbPath, "extract", "--source", filepath.Join(gen, "trail"), "--as-of", scenarioAsOf})
	discover := []string{"--db", dbPath, "discover"}
	for _, a := range []string{archive, notEnabled, outside} {
		discover = append(discover, "--authz-details", filepath.Join(gen, "authz", a+".json"))
	}
	runCLI(t, ctx, discover)
	out, _ := runCLI(t, ctx, []string{"--db", dbPath, "report", "--format", "json", "--as-of", scenarioAsOf})
	var report struct {
		Principals []struct {
			ARN       string   `json:"arn"`
			Kind      string   `json:"kind"`
			AccountID string   `json:"account_id"`
			Monitored bool     `json:"monitored"`
			OPS       *float64 `json:"ops"`
			NAReason  *string  `json:"na_reason"`
		} `json:"principals"`
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		monitored bool
		reason    string
	}{
		notEnabled:   {false, activity.NANotEnabled},
		outside:      {false, activity.NANoLogs},
		undiscovered: {true, activity.NANotDiscovered},
	}
	seen := map[string]int{}
	scored := 0
	for _, p := range report.Principals {
		seen[p.AccountID]++
		reason := ""
		if p.NAReason != nil {
			reason = *p.NAReason
		}
		if (p.OPS == nil) != (p.NAReason != nil) {
			t.Errorf("%s: ops %v with na_reason %q: one of them must be null", p.ARN, p.OPS, reason)
		}
		if w, ok := want[p.AccountID]; ok && p.Kind == activity.KindRoot {
			// The root user is never scored, monitored or not.
			if p.Monitored != w.monitored || p.OPS != nil || reason != activity.NARootUser {
				t.Errorf("%s: monitored %v, ops %v, na_reason %q; want monitored %v, null, %q", p.ARN, p.Monitored, p.OPS, reason, w.monitored, activity.NARootUser)
			}
			continue
		}
		if w, ok := want[p.AccountID]; ok {
			if p.Monitored != w.monitored || p.OPS != nil || reason != w.reason {
				t.Errorf("%s: monitored %v, ops %v, na_reason %q; want monitored %v, null, %q", p.ARN, p.Monitored, p.OPS, reason, w.monitored, w.reason)
			}
			continue
		}
		if p.Kind == activity.KindRoot {
			if !p.Monitored || reason != activity.NARootUser {
				t.Errorf("%s of the enabled, discovered account: monitored %v, na_reason %q", p.ARN, p.Monitored, reason)
			}
			continue
		}
		if !p.Monitored || reason != "" && reason != activity.NANothingGranted {
			t.Errorf("%s of the enabled, discovered account: monitored %v, na_reason %q", p.ARN, p.Monitored, reason)
		}
		if p.OPS != nil {
			scored++
		}
	}
	for _, a := range []string{archive, undiscovered, notEnabled, outside} {
		if seen[a] == 0 {
			t.Errorf("no principal of account %s in the report", a)
		}
	}
	if scored == 0 {
		t.Error("no principal of the enabled, discovered account has a score")
	}
}
