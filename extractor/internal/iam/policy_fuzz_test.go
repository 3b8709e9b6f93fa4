package iam

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/testenv"
)

// FuzzParsePolicy: no panic, an error names the policy it is about, and a
// parsed policy printed back as JSON parses to the same statements.
// Seeds: the policies in testdata and AWS managed policies (the shared
// data's first 200, or the committed subset).
func FuzzParsePolicy(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*.json")
	files = append(files, "testdata/fixture-vault-bucket-policy.json")
	shared, _ := testenv.SharedData(f, filepath.Join("testdata", "shared"))
	managed, _ := filepath.Glob(filepath.Join(shared, "iam/managed-policies/*.json"))
	if len(managed) > 200 {
		managed = managed[:200]
	}
	files = append(files, managed...)
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		// The shared managed policies wrap the document in a description.
		var wrapped struct{ Document json.RawMessage }
		if json.Unmarshal(data, &wrapped) == nil && len(wrapped.Document) > 0 {
			data = wrapped.Document
		}
		f.Add(data)
	}
	f.Add([]byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"s3:*","NotResource":["arn:aws:s3:::b/*"],"Principal":{"AWS":"*"},"Condition":{"StringEquals":{"aws:username":"${aws:username}"}}}}`))
	f.Add([]byte(`%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D`))
	f.Add([]byte(`{"Statement":[{"Effect":"Deny","Action":[],"Resource":[]},{"Effect":"Allow","Action":"*","Principal":{"AWS":["*","111122223333"],"Service":[]},"Condition":{"NumericLessThan":{"k":[1,true,"x"]},"Null":{}}}]}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		const name = "fuzzed-policy"
		p, err := ParsePolicy(name, doc)
		if err != nil {
			if !strings.Contains(err.Error(), name) {
				t.Fatalf("error %q does not name the policy", err)
			}
			return
		}
		for i := range p.Statements {
			_ = p.Statements[i].Ref(p)
		}
		printed := printPolicy(t, p)
		again, err := ParsePolicy(name, printed)
		if err != nil {
			t.Fatalf("%s printed back as %s, which does not parse: %v", doc, printed, err)
		}
		if again.Version != p.Version || again.ID != p.ID || !reflect.DeepEqual(again.Statements, p.Statements) {
			t.Fatalf("%s printed back as %s, which parses to other statements:\n got %+v\nwant %+v", doc, printed, again.Statements, p.Statements)
		}
		if _, err := ParseResourcePolicy(name, doc); err != nil && !strings.Contains(err.Error(), name) {
			t.Fatalf("error %q does not name the policy", err)
		}
	})
}

// printPolicy writes a parsed policy as a JSON policy document: every list
// as a list, the Principal as an object unless it is "*" alone, and
// condition values as strings, which is how the parser keeps them.
func printPolicy(t *testing.T, p *Policy) []byte {
	t.Helper()
	type object = map[string]any
	statements := make([]object, 0, len(p.Statements))
	for _, s := range p.Statements {
		st := object{"Effect": s.Effect}
		if s.Sid != "" {
			st["Sid"] = s.Sid
		}
		if s.NotAction {
			st["NotAction"] = s.Actions
		} else {
			st["Action"] = s.Actions
		}
		switch {
		case s.NotResource:
			st["NotResource"] = s.Resources
		case s.Resources != nil:
			st["Resource"] = s.Resources
		}
		if pr := s.Principal; pr != nil {
			var v any
			if pr.Any && pr.AWS == nil && pr.Service == nil && pr.Federated == nil && pr.CanonicalUser == nil {
				v = "*"
			} else {
				o := object{}
				aws := pr.AWS
				if pr.Any {
					aws = append([]string{"*"}, aws...)
				}
				for k, list := range map[string][]string{"AWS": aws, "Service": pr.Service, "Federated": pr.Federated, "CanonicalUser": pr.CanonicalUser} {
					if list != nil {
						o[k] = list
					}
				}
				v = o
			}
			if s.NotPrincipal {
				st["NotPrincipal"] = v
			} else {
				st["Principal"] = v
			}
		}
		if s.Condition != nil {
			st["Condition"] = s.Condition
		}
		statements = append(statements, st)
	}
	doc := object{"Statement": statements}
	if p.Version != "" {
		doc["Version"] = p.Version
	}
	if p.ID != "" {
		doc["Id"] = p.ID
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
