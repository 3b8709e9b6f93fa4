package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// simulateReaderPolicy gives the policy document to a role of a throw-away
// account, discovers it, and asks activity-extractor simulate for each
// (action, resource): what the policy really allows, evaluated by the
// product's own engine.
func simulateReaderPolicy(dir, policy string, cases map[[2]string]string) error {
	var doc any
	if err := json.Unmarshal([]byte(policy), &doc); err != nil {
		return err
	}
	role := "arn:aws:iam::123456789012:role/activity-reader"
	authz := map[string]any{
		"UserDetailList": []any{}, "GroupDetailList": []any{}, "Policies": []any{},
		"RoleDetailList": []any{map[string]any{
			"Path": "/", "RoleName": "activity-reader", "RoleId": "AROAEXAMPLEREADER0001", "Arn": role,
			"CreateDate": "2026-01-01T00:00:00Z", "AssumeRolePolicyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{}},
			"InstanceProfileList": []any{}, "AttachedManagedPolicies": []any{},
			"RolePolicyList": []any{map[string]any{"PolicyName": "activity-reader", "PolicyDocument": doc}},
		}},
	}
	raw, err := json.Marshal(authz)
	if err != nil {
		return err
	}
	file := filepath.Join(dir, "authz.json")
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		return err
	}
	db := filepath.Join(dir, "simulate.db")
	if _, err := runExtractor("--db", db, "discover", "--authz-details", file,
		"--resource", "123456789012:org-logs", "--resource", "123456789012:other-bucket"); err != nil {
		return err
	}
	for c, want := range cases {
		out, err := runExtractor("--db", db, "simulate", "--principal", role, "--action", c[0], "--resource", c[1], "--json")
		if err != nil {
			return err
		}
		var decisions []struct {
			Decision string `json:"decision"`
		}
		if err := json.Unmarshal(out, &decisions); err != nil || len(decisions) != 1 {
			return fmt.Errorf("simulate %s on %s: %v: %s", c[0], c[1], err, out)
		}
		if decisions[0].Decision != want {
			return fmt.Errorf("simulate %s on %s: %s, want %s", c[0], c[1], decisions[0].Decision, want)
		}
	}
	return nil
}
