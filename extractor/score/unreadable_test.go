package score_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/cli"
)

// A principal one of whose policies cannot be read holds access nobody
// knows: its OPS is N/A with policy_unreadable, and the other principals of
// its account are scored as before.
func TestUnreadablePolicyMakesOPSUnknown(t *testing.T) {
	ctx := context.Background()
	gen := generated(t)
	files, err := filepath.Glob(filepath.Join(gen, "authz", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no authorization details: %v", err)
	}
	raw, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	users, _ := doc["UserDetailList"].([]any)
	if len(users) < 2 {
		t.Fatalf("%s has %d users, want 2 or more", files[0], len(users))
	}
	broken := users[0].(map[string]any)
	broken["UserPolicyList"] = append(asList(broken["UserPolicyList"]), map[string]any{
		"PolicyName":     "typo",
		"PolicyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allw", "Action": "s3:GetObject", "Resource": "*"}}},
	})
	if raw, err = json.Marshal(doc); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(files[0], raw, 0o600); err != nil {
		t.Fatal(err)
	}

	db := filepath.Join(t.TempDir(), "activity.db")
	runCLI(t, ctx, []string{"--db", db, "extract", "--source", filepath.Join(gen, "trail"), "--as-of", scenarioAsOf})
	// The unreadable policy is an input skipped: discover says so.
	runCLI(t, ctx, append([]string{"--db", db, "discover"}, authzArgs(t, gen)...), cli.ExitSkipped)
	out, _ := runCLI(t, ctx, []string{"--db", db, "report", "--format", "json", "--as-of", scenarioAsOf})
	var report struct {
		Principals []struct {
			ARN      string   `json:"arn"`
			OPS      *float64 `json:"ops"`
			NAReason *string  `json:"na_reason"`
		} `json:"principals"`
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatal(err)
	}
	brokenARN := broken["Arn"].(string)
	found, othersScored := false, 0
	for _, p := range report.Principals {
		switch {
		case p.ARN == brokenARN:
			found = true
			if p.OPS != nil || p.NAReason == nil || *p.NAReason != activity.NAPolicyUnreadable {
				t.Errorf("%s: ops %v, na_reason %v; want null for %s", p.ARN, p.OPS, p.NAReason, activity.NAPolicyUnreadable)
			}
		case p.NAReason != nil && *p.NAReason == activity.NAPolicyUnreadable:
			t.Errorf("%s: policy_unreadable, but its policies were all readable", p.ARN)
		case p.OPS != nil:
			othersScored++
		}
	}
	if !found || othersScored == 0 {
		t.Errorf("the principal with the unreadable policy found: %v; others scored: %d", found, othersScored)
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
