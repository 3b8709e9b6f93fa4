package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

func renderJSON(t *testing.T, s *activity.Scores) (map[string]any, string) {
	t.Helper()
	var buf bytes.Buffer
	if err := JSON(&buf, s); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, buf.String())
	}
	return doc, buf.String()
}

// kind names the JSON type of a decoded value.
func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "unknown"
}

// checkFields asserts that every contract field is present with one of the
// allowed JSON types; "timestamp" is a string in RFC 3339 UTC.
func checkFields(t *testing.T, where string, obj map[string]any, want map[string][]string) {
	t.Helper()
	for field, types := range want {
		v, ok := obj[field]
		if !ok {
			t.Errorf("%s: field %q missing", where, field)
			continue
		}
		got := kind(v)
		matched := false
		for _, ty := range types {
			switch {
			case ty == got:
				matched = true
			case ty == "timestamp" && got == "string":
				s := v.(string)
				ts, err := time.Parse(time.RFC3339, s)
				if err != nil || !strings.HasSuffix(s, "Z") || ts.Location() != time.UTC {
					t.Errorf("%s: %s = %q is not an RFC 3339 UTC timestamp", where, field, s)
				}
				matched = true
			}
		}
		if !matched {
			t.Errorf("%s: %s is %s (%v), want %v", where, field, got, v, types)
		}
	}
}

var (
	principalContract = map[string][]string{
		"arn": {"string"}, "kind": {"string"}, "account_id": {"string"}, "monitored": {"boolean"},
		"ops": {"number", "null"}, "resource_ops": {"number", "null"}, "na_reason": {"string", "null"}, "dormant": {"boolean"},
		"last_activity_at": {"timestamp", "null"}, "observed_since": {"timestamp", "null"}, "resources": {"array"},
	}
	resourceContract = map[string][]string{
		"arn": {"string"}, "kind": {"string"}, "ops": {"number", "null"},
		"granted_actions": {"array"}, "used_actions": {"array"}, "last_used_at": {"timestamp", "null"},
	}
	keyContract = map[string][]string{
		"arn": {"string"}, "last_activity_at": {"timestamp", "null"}, "last_viewed_at": {"timestamp", "null"},
	}
)

func TestJSONHasEveryContractFieldWithItsType(t *testing.T) {
	doc, _ := renderJSON(t, fixture())
	checkFields(t, "report", doc, map[string][]string{
		"as_of": {"timestamp"}, "window_days": {"number"}, "principals": {"array"}, "kms_keys": {"array"},
	})
	if doc["as_of"] != "2026-11-25T00:00:00Z" || doc["window_days"] != 30.0 {
		t.Errorf("as_of %v, window_days %v", doc["as_of"], doc["window_days"])
	}
	principals := doc["principals"].([]any)
	if len(principals) != 7 {
		t.Fatalf("%d principals, want 7", len(principals))
	}
	for _, p := range principals {
		p := p.(map[string]any)
		checkFields(t, p["arn"].(string), p, principalContract)
		for _, r := range p["resources"].([]any) {
			r := r.(map[string]any)
			checkFields(t, p["arn"].(string)+" on "+r["arn"].(string), r, resourceContract)
			for _, list := range []string{"granted_actions", "used_actions"} {
				for _, a := range r[list].([]any) {
					if kind(a) != "string" {
						t.Errorf("%s: %s holds %v", r["arn"], list, a)
					}
				}
			}
		}
	}
	keys := doc["kms_keys"].([]any)
	if len(keys) != 2 {
		t.Fatalf("%d keys, want 2", len(keys))
	}
	for _, k := range keys {
		checkFields(t, "key", k.(map[string]any), keyContract)
	}
	if v := keys[1].(map[string]any)["last_viewed_at"]; v != nil {
		t.Errorf("a key never viewed has last_viewed_at %v, want null", v)
	}
}

func principalByARN(t *testing.T, doc map[string]any, part string) map[string]any {
	t.Helper()
	for _, p := range doc["principals"].([]any) {
		if p := p.(map[string]any); strings.Contains(p["arn"].(string), part) {
			return p
		}
	}
	t.Fatalf("no principal %s", part)
	return nil
}

func TestJSONValues(t *testing.T) {
	doc, raw := renderJSON(t, fixture())

	dave := principalByARN(t, doc, dave)
	if dave["monitored"] != false || dave["ops"] != nil || dave["resource_ops"] != nil || dave["na_reason"] != "no_logs" || dave["last_activity_at"] != nil {
		t.Errorf("unmonitored principal: %v", dave)
	}
	if ops := dave["resources"].([]any)[0].(map[string]any)["ops"]; ops != nil {
		t.Errorf("resource of an unmonitored principal has ops %v, want null", ops)
	}
	if used := dave["resources"].([]any)[0].(map[string]any)["used_actions"]; used == nil || len(used.([]any)) != 0 {
		t.Errorf("used_actions of a resource never used is %v, want []", used)
	}

	erin := principalByARN(t, doc, erin)
	if r, ok := erin["resources"].([]any); !ok || len(r) != 0 {
		t.Errorf("principal without grants has resources %v, want []", erin["resources"])
	}
	if erin["ops"] != nil || erin["na_reason"] != "nothing_granted" {
		t.Errorf("principal without grants has ops %v (%v), want null for nothing_granted", erin["ops"], erin["na_reason"])
	}

	alice := principalByARN(t, doc, alice)
	if alice["ops"] != 81.5 || alice["resource_ops"] != 66.7 || alice["na_reason"] != nil {
		t.Errorf("alice: ops %v, resource_ops %v, na_reason %v; want 81.5, 66.7 and null", alice["ops"], alice["resource_ops"], alice["na_reason"])
	}
	// Given in CET: must come out in UTC.
	if alice["last_activity_at"] != "2026-11-23T00:00:00Z" {
		t.Errorf("alice: last_activity_at %v", alice["last_activity_at"])
	}
	if alice["observed_since"] != nil {
		t.Errorf("alice: observed_since %v, want null", alice["observed_since"])
	}
	bucket := alice["resources"].([]any)[0].(map[string]any)
	if got := bucket["granted_actions"].([]any); len(got) != 3 || got[0] != "s3:GetObject" {
		t.Errorf("granted_actions %v", got)
	}
	key := alice["resources"].([]any)[2].(map[string]any)
	if c := key["conditional_actions"].([]any); len(c) != 1 || c[0] != "kms:Encrypt" {
		t.Errorf("conditional_actions %v", c)
	}

	if got := principalByARN(t, doc, carol)["observed_since"]; got != "2026-11-15T00:00:00Z" {
		t.Errorf("carol: observed_since %v", got)
	}
	if got := principalByARN(t, doc, bob)["dormant"]; got != true {
		t.Errorf("bob: dormant %v", got)
	}

	// Scores carry one decimal even when whole, as the contract writes them.
	if !strings.Contains(raw, `"ops": 100.0`) || !strings.Contains(raw, `"ops": 0.0`) {
		t.Errorf("whole scores are not written with one decimal:\n%s", raw)
	}
	if strings.Contains(raw, "66.66") {
		t.Error("scores are not rounded to one decimal")
	}
}

func TestJSONEmptyRunHasEmptyListsNotNull(t *testing.T) {
	_, raw := renderJSON(t, &activity.Scores{Run: activity.ScoreRun{Window: activity.Window{AsOf: asOf, Days: 7}}})
	for _, want := range []string{`"principals": []`, `"kms_keys": []`, `"monitored_accounts": []`, `"computed_at": null`} {
		if !strings.Contains(raw, want) {
			t.Errorf("missing %s in\n%s", want, raw)
		}
	}
}

func TestJSONLeavesTheInputAlone(t *testing.T) {
	s := fixture()
	s.Run.Coverage.MissingDays = []activity.AccountDays{{AccountID: "222222222222"}}
	renderJSON(t, s)
	if s.Run.Coverage.MissingDays[0].Days != nil {
		t.Error("JSON changed the caller's coverage")
	}
}
