package iam

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func TestParsePolicyForms(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":{"Sid":"One","Effect":"Allow","Principal":{"AWS":["111111111111","arn:aws:iam::222222222222:root","*"],"Service":"s3.amazonaws.com","Federated":"cognito-identity.amazonaws.com"},"NotAction":"s3:Delete*","NotResource":["arn:aws:s3:::b"],"Condition":{"NumericLessThan":{"s3:max-keys":10},"Bool":{"aws:SecureTransport":[true]}}}}`
	p, err := ParsePolicy("p", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	st := p.Statements[0]
	want := Statement{Index: 0, Sid: "One", Effect: Allow, Actions: []string{"s3:Delete*"}, NotAction: true,
		Resources: []string{"arn:aws:s3:::b"}, NotResource: true,
		Principal: &Principal{Any: true, AWS: []string{"111111111111", "arn:aws:iam::222222222222:root"},
			Service: []string{"s3.amazonaws.com"}, Federated: []string{"cognito-identity.amazonaws.com"}},
		Condition: map[string]map[string][]string{"NumericLessThan": {"s3:max-keys": {"10"}}, "Bool": {"aws:SecureTransport": {"true"}}}}
	if !reflect.DeepEqual(st, want) {
		t.Fatalf("got  %+v\nwant %+v", st, want)
	}
	encoded := "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Deny%22%2C%22Principal%22%3A%22%2A%22%2C%22Action%22%3A%22kms%3A%2A%22%7D%5D%7D"
	for _, form := range []string{encoded, `"{\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"kms:*\"}]}"`} {
		p, err := ParsePolicy("q", []byte(form))
		if err != nil {
			t.Fatalf("%s: %v", form, err)
		}
		if s := p.Statements[0]; s.Effect != Deny || !s.Principal.Any || s.Actions[0] != "kms:*" {
			t.Errorf("%s: %+v", form, s)
		}
	}
}

func TestParsePolicyErrorsNameThePlace(t *testing.T) {
	cases := []struct{ doc, path string }{
		{`{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Effect":"Allow","Action":7}]}`, "Statement[1].Action"},
		{`{"Statement":[{"Effect":"Maybe","Action":"s3:GetObject"}]}`, "Statement[0].Effect"},
		{`{"Statement":[{"Effect":"Allow","Action":["s3:GetObject","GetObject"]}]}`, "Statement[0].Action[1]"},
		{`{"Statement":[{"Effect":"Allow","Action":"s3:*","Principal":"someone"}]}`, "Statement[0].Principal"},
		{`{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::b",{"x":1}]}]}`, "Statement[0].Resource[1]"},
		{`{"Statement":[{"Effect":"Allow","Action":"s3:*","Condition":["x"]}]}`, "Statement[0].Condition"},
		{`{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","NotResource":"*"}]}`, "Statement[0].NotResource"},
		{`{"Statement":[{"Effect":"Allow","Action":"s3:*","Resorce":"*"}]}`, "Statement[0].Resorce"},
		{`{"Version":"2012-10-17"}`, ""},
		{`[1,2]`, ""},
	}
	for _, c := range cases {
		_, err := ParsePolicy("team-policy", []byte(c.doc))
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%s: error %v is not a ParseError", c.doc, err)
			continue
		}
		if pe.Policy != "team-policy" || pe.Path != c.path || !strings.Contains(err.Error(), `"team-policy"`) {
			t.Errorf("%s: got policy %q path %q (%v), want path %q", c.doc, pe.Policy, pe.Path, err, c.path)
		}
	}
}

// canonical rewrites a policy document the way the model holds it (lists
// everywhere, Statement always a list) so that a parse can be compared with
// its source for loss.
func canonical(t *testing.T, raw []byte) any {
	var v map[string]any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	list := func(x any) any {
		if s, ok := x.(string); ok {
			return []any{s}
		}
		return x
	}
	sts, ok := v["Statement"].([]any)
	if !ok {
		sts = []any{v["Statement"]}
	}
	for _, s := range sts {
		m := s.(map[string]any)
		if m["Sid"] == "" {
			delete(m, "Sid") // an empty Sid says nothing
		}
		for _, k := range []string{"Action", "NotAction", "Resource", "NotResource"} {
			if x, ok := m[k]; ok {
				m[k] = list(x)
			}
		}
		for _, k := range []string{"Principal", "NotPrincipal"} {
			if x, ok := m[k]; ok {
				if x, ok := x.(string); ok {
					m[k] = map[string]any{"AWS": []any{x}}
					continue
				}
				pm := x.(map[string]any)
				for pk, pv := range pm {
					pm[pk] = sortedAny(list(pv).([]any))
				}
			}
		}
		if c, ok := m["Condition"].(map[string]any); ok {
			for _, keys := range c {
				km := keys.(map[string]any)
				for k, val := range km {
					vals, ok := val.([]any)
					if !ok {
						vals = []any{val}
					}
					out := []any{}
					for _, x := range vals {
						b, _ := json.Marshal(x)
						if s, ok := x.(string); ok {
							out = append(out, s)
						} else {
							out = append(out, string(b))
						}
					}
					km[k] = out
				}
			}
		}
	}
	v["Statement"] = sts
	return v
}

func sortedAny(l []any) []any {
	out := append([]any{}, l...)
	sort.Slice(out, func(i, j int) bool { return fmt.Sprint(out[i]) < fmt.Sprint(out[j]) })
	return out
}

// model renders a parsed policy in the canonical shape.
func model(p *Policy) any {
	sts := []any{}
	strs := func(l []string) []any {
		out := []any{}
		for _, s := range l {
			out = append(out, s)
		}
		return out
	}
	for _, s := range p.Statements {
		m := map[string]any{"Effect": string(s.Effect)}
		if s.Sid != "" {
			m["Sid"] = s.Sid
		}
		k := map[bool]string{false: "Action", true: "NotAction"}[s.NotAction]
		m[k] = strs(s.Actions)
		if len(s.Resources) > 0 {
			m[map[bool]string{false: "Resource", true: "NotResource"}[s.NotResource]] = strs(s.Resources)
		}
		if s.Principal != nil {
			pm := map[string]any{}
			aws := strs(s.Principal.AWS)
			if s.Principal.Any {
				aws = append([]any{"*"}, aws...)
			}
			for name, l := range map[string][]any{"AWS": aws, "Service": strs(s.Principal.Service), "Federated": strs(s.Principal.Federated), "CanonicalUser": strs(s.Principal.CanonicalUser)} {
				if len(l) > 0 {
					pm[name] = sortedAny(l)
				}
			}
			m[map[bool]string{false: "Principal", true: "NotPrincipal"}[s.NotPrincipal]] = pm
		}
		if s.Condition != nil {
			c := map[string]any{}
			for op, keys := range s.Condition {
				km := map[string]any{}
				for key, vals := range keys {
					km[key] = strs(vals)
				}
				c[op] = km
			}
			m["Condition"] = c
		}
		sts = append(sts, m)
	}
	out := map[string]any{"Statement": sts}
	if p.Version != "" {
		out["Version"] = p.Version
	}
	if p.ID != "" {
		out["Id"] = p.ID
	}
	return out
}

func sameAsSource(t *testing.T, p *Policy) {
	t.Helper()
	// Principal lists are compared sorted: the model keeps "*" apart.
	gb, _ := json.Marshal(model(p))
	wb, _ := json.Marshal(canonical(t, []byte(p.Document)))
	if !bytes.Equal(gb, wb) {
		t.Errorf("%s: parsed policy differs from its source\n got %s\nwant %s", p.Name, gb, wb)
	}
}

func TestRealResourcePoliciesParseWithoutLoss(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "resource-policies", "*.json"))
	shared, _ := filepath.Glob(filepath.Join(sharedDataOrEmpty(), "resource-policies", "cloud-custodian", "*.json"))
	files = append(files, shared...)
	n := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var rec struct {
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(raw, &rec); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var probe struct{ Policy, ResourcePolicy *string }
		if json.Unmarshal(rec.Data, &probe) != nil || (probe.Policy == nil && probe.ResourcePolicy == nil) {
			continue // a recorded error answer (no policy), or another API
		}
		p, err := ParseResourcePolicy(filepath.Base(f), rec.Data)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		sameAsSource(t, p)
		n++
	}
	if n < 5 {
		t.Fatalf("only %d resource policies read", n)
	}
	t.Logf("%d real resource policies parsed without loss", n)
}

func TestRealAuthorizationDetailsParseWithoutLoss(t *testing.T) {
	for _, name := range []string{"cloudsplaining_examples_example.json", "cloudsplaining_test_example-authz-details.json", "fixture-authz-details.json"} {
		f, err := os.Open(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		d, err := ReadAuthorizationDetails(f)
		f.Close() //nolint:errcheck // read only
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ps, errs := d.Identities()
		for _, err := range errs {
			t.Errorf("%s: %v", name, err)
		}
		if len(ps) != len(d.UserDetailList)+len(d.RoleDetailList) {
			t.Errorf("%s: %d principals from %d users and %d roles", name, len(ps), len(d.UserDetailList), len(d.RoleDetailList))
		}
		seen := map[*Policy]bool{}
		for _, p := range ps {
			if p.CreatedAt.IsZero() {
				t.Errorf("%s: %s has no creation time", name, p.ARN)
			}
			for _, pol := range p.Policies {
				if !seen[pol] {
					seen[pol] = true
					sameAsSource(t, pol)
				}
			}
		}
		t.Logf("%s: %d principals, %d distinct policies", name, len(ps), len(seen))
	}
}

func TestOrganizationPoliciesParse(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "org", "*.json"))
	for _, pattern := range []string{"*_control_policies/*.json", "*_control_policies/*/*.json"} {
		shared, _ := filepath.Glob(filepath.Join(sharedDataOrEmpty(), "resource-policies", "data-perimeter-examples", pattern))
		files = append(files, shared...)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		p, err := ParsePolicy(filepath.Base(f), raw)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		sameAsSource(t, p)
	}
}
