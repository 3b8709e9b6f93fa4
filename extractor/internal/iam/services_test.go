package iam

import (
	"context"
	"strings"
	"testing"
)

// Action counts of the embedded catalog, counted from catalog.tsv with awk,
// independently of the parser:
//
//	awk -F'\t' '$1=="s"{svc=$2} $1=="a"{n[svc]++; if (svc=="s3" && tolower($2) ~ /^get/) g++}
//	  END{print n["iam"], n["s3"], g, n["ec2"]; for(k in n){t+=n[k]; c++}; print t, c}' catalog.tsv
const (
	catalogIAM      = 187
	catalogS3       = 168
	catalogS3Get    = 60
	catalogServices = 464
	catalogActions  = 21190
)

func servicePolicy(t *testing.T, name, doc string) *Policy {
	t.Helper()
	p, err := ParsePolicy(name, []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestServiceGrants(t *testing.T) {
	adminDoc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	for _, tc := range []struct {
		name     string
		policies []string
		boundary string
		scps     [][]string
		// want is the number of actions granted per service; services not
		// listed must have none, unless total says how many services.
		want          map[string]int
		services      int // when not 0, the number of services granted
		totalActions  int // when not 0, the number of actions granted
		deniedActions []string
	}{
		{name: "a pattern on one bucket grants the matching actions of the service",
			policies: []string{`{"Statement":{"Effect":"Allow","Action":"s3:get*","Resource":"arn:aws:s3:::logs/*"}}`},
			want:     map[string]int{"s3": catalogS3Get}},
		{name: "a deny of one action on every resource removes it",
			policies: []string{`{"Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"},
				{"Effect":"Deny","Action":"iam:CreateAccessKey","Resource":"*"}]}`},
			want: map[string]int{"iam": catalogIAM - 1}, deniedActions: []string{"iam:CreateAccessKey"}},
		{name: "a deny on some resources leaves the action granted elsewhere",
			policies: []string{`{"Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"},
				{"Effect":"Deny","Action":"iam:CreateAccessKey","Resource":"arn:aws:iam::111122223333:user/admin"}]}`},
			want: map[string]int{"iam": catalogIAM}},
		{name: "a deny under a condition may not apply",
			policies: []string{`{"Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"},
				{"Effect":"Deny","Action":"iam:*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}]}`},
			want: map[string]int{"iam": catalogIAM}},
		{name: "a deny on every ARN of the service covers every resource",
			policies: []string{`{"Statement":[{"Effect":"Allow","Action":["s3:*","iam:*"],"Resource":"*"},
				{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::*"}]}`},
			want: map[string]int{"iam": catalogIAM}},
		{name: "NotAction grants every other service",
			policies: []string{`{"Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}`},
			services: catalogServices - 1, totalActions: catalogActions - catalogIAM, deniedActions: []string{"iam:PassRole"}},
		{name: "an allow on no resource grants nothing",
			policies: []string{`{"Statement":{"Effect":"Allow","Action":"s3:*","NotResource":"*"}}`},
			want:     map[string]int{}},
		{name: "a permissions boundary caps the grants",
			policies: []string{adminDoc},
			boundary: `{"Statement":{"Effect":"Allow","Action":["s3:*","iam:Get*"],"Resource":"*"}}`,
			want:     map[string]int{"s3": catalogS3, "iam": countPrefix(t, "iam:get")}},
		{name: "an SCP level without an allow sits beside FullAWSAccess; its deny applies",
			policies: []string{`{"Statement":{"Effect":"Allow","Action":["s3:*","iam:*"],"Resource":"*"}}`},
			scps:     [][]string{{`{"Statement":{"Effect":"Deny","Action":"iam:*","Resource":"*"}}`}},
			want:     map[string]int{"s3": catalogS3}},
		{name: "an SCP level with an allow caps to it",
			policies: []string{adminDoc},
			scps:     [][]string{{`{"Statement":{"Effect":"Allow","Action":"iam:*","Resource":"*"}}`}},
			want:     map[string]int{"iam": catalogIAM}},
		{name: "an administrator is granted every action",
			policies: []string{adminDoc},
			services: catalogServices, totalActions: catalogActions},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := PrincipalInfo{ARN: "arn:aws:iam::111122223333:user/u", Kind: "iam_user", AccountID: "111122223333", Name: "u"}
			for i, d := range tc.policies {
				p.Policies = append(p.Policies, servicePolicy(t, "p"+string(rune('0'+i)), d))
			}
			if tc.boundary != "" {
				p.Boundary = servicePolicy(t, "boundary", tc.boundary)
			}
			inv := &Inventory{Principals: []PrincipalInfo{p}, SCPs: map[string][][]*Policy{}}
			for _, level := range tc.scps {
				var l []*Policy
				for _, d := range level {
					l = append(l, servicePolicy(t, "scp", d))
				}
				inv.SCPs[p.AccountID] = append(inv.SCPs[p.AccountID], l)
			}
			var got map[string][]string
			err := ServiceGrants(context.Background(), DefaultCatalog(), inv, func(_ *PrincipalInfo, by map[string][]string) error {
				got = by
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			total := 0
			for _, l := range got {
				total += len(l)
			}
			if tc.want != nil {
				for svc, n := range tc.want {
					if len(got[svc]) != n {
						t.Errorf("%s: %d actions granted, want %d", svc, len(got[svc]), n)
					}
				}
				for svc, l := range got {
					if _, ok := tc.want[svc]; !ok {
						t.Errorf("%s: %d actions granted, want none (%v)", svc, len(l), l[:min(3, len(l))])
					}
				}
			}
			if tc.services != 0 && len(got) != tc.services {
				t.Errorf("%d services granted, want %d", len(got), tc.services)
			}
			if tc.totalActions != 0 && total != tc.totalActions {
				t.Errorf("%d actions granted, want %d", total, tc.totalActions)
			}
			for _, a := range tc.deniedActions {
				for _, g := range got["iam"] {
					if g == a {
						t.Errorf("%s is granted, want it denied", a)
					}
				}
			}
		})
	}
}

// countPrefix counts the catalog's actions whose lowercase name starts
// with prefix, by scanning the catalog text rather than its index.
func countPrefix(t *testing.T, prefix string) int {
	t.Helper()
	n, svc := 0, ""
	for _, line := range splitLines(catalogData) {
		f := splitTabs(line)
		switch {
		case len(f) == 2 && f[0] == "s":
			svc = f[1]
		case len(f) == 4 && f[0] == "a" && hasPrefixFold(svc+":"+f[1], prefix):
			n++
		}
	}
	if n == 0 {
		t.Fatalf("no action starts with %s", prefix)
	}
	return n
}

func splitLines(s string) []string { return strings.Split(s, "\n") }
func splitTabs(s string) []string  { return strings.Split(s, "\t") }
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
