package iam

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParsePolicy: no panic, and an error names the policy it is about.
// Seeds: the policies in testdata and, when the shared data is there, AWS
// managed policies.
func FuzzParsePolicy(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*.json")
	files = append(files, "testdata/fixture-vault-bucket-policy.json")
	shared := os.Getenv("ACTIVITY_SHARED_DATA")
	if shared == "" {
		shared = "../../../../shared/data"
	}
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
		if _, err := ParseResourcePolicy(name, doc); err != nil && !strings.Contains(err.Error(), name) {
			t.Fatalf("error %q does not name the policy", err)
		}
	})
}
