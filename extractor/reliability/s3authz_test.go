package reliability

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// s3Authorizer is a proxy in front of an S3 server that enforces an identity
// policy the way S3 does, for the calls the project makes: moto cannot check
// the signatures of S3 requests whose query holds encoded characters (a
// ListObjectsV2 with a prefix), so S3 is authorised here instead, answering
// a denial with AWS's message, which names the action.
type s3Authorizer struct {
	*httptest.Server
	mu         sync.Mutex
	statements []authzStatement
	user       string
	calls      map[string]int // action → requests allowed
}

type authzStatement struct {
	Sid       string
	Effect    string
	Action    []string
	Resource  []string
	Condition map[string]map[string][]string
}

func startS3Authorizer(t *testing.T, upstream, user string) *s3Authorizer {
	t.Helper()
	target, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	a := &s3Authorizer{user: user, calls: map[string]int{}}
	proxy := httputil.NewSingleHostReverseProxy(target)
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		action, resource, keys := s3Action(r)
		if !a.allowed(action, resource, keys) {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>User: %s is not authorized to perform: %s on resource: "%s" because no identity-based policy allows the %s action</Message></Error>`,
				a.user, action, resource, action)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(a.Close)
	return a
}

// grant replaces the policy statements in force.
func (a *s3Authorizer) grant(t *testing.T, statements []json.RawMessage) {
	t.Helper()
	var parsed []authzStatement
	for _, raw := range statements {
		var s authzStatement
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, s)
	}
	a.mu.Lock()
	a.statements = parsed
	a.mu.Unlock()
}

// s3Action is the IAM action, resource and condition keys of a path-style
// S3 request.
func s3Action(r *http.Request) (action, resource string, keys map[string]string) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ := strings.Cut(path, "/")
	q := r.URL.Query()
	switch {
	case bucket == "":
		return "s3:ListAllMyBuckets", "*", nil
	case key == "" && q.Has("policy"):
		return "s3:GetBucketPolicy", "arn:aws:s3:::" + bucket, nil
	case key == "" && q.Has("location"):
		return "s3:GetBucketLocation", "arn:aws:s3:::" + bucket, nil
	case key == "" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		keys = map[string]string{"s3:prefix": q.Get("prefix")}
		if q.Has("delimiter") {
			keys["s3:delimiter"] = q.Get("delimiter")
		}
		return "s3:ListBucket", "arn:aws:s3:::" + bucket, keys
	case key != "" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		return "s3:GetObject", "arn:aws:s3:::" + bucket + "/" + key, nil
	}
	return "s3:" + r.Method + "Unknown", "arn:aws:s3:::" + path, nil
}

func (a *s3Authorizer) allowed(action, resource string, keys map[string]string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	allow := false
	for _, s := range a.statements {
		if !globAny(s.Action, action, true) || !globAny(s.Resource, resource, false) {
			continue
		}
		if !conditionsHold(s.Condition, keys) {
			continue
		}
		if s.Effect == "Deny" {
			return false
		}
		allow = true
	}
	if allow {
		a.calls[action]++
	}
	return allow
}

// conditionsHold evaluates StringEquals and StringLike on the request's keys;
// any other operator, or a key the request lacks, fails the statement.
func conditionsHold(cond map[string]map[string][]string, keys map[string]string) bool {
	for op, byKey := range cond {
		for k, values := range byKey {
			v, ok := keys[k]
			switch {
			case !ok:
				return false
			case op == "StringLike" && globAny(values, v, false):
			case op == "StringEquals" && slices.Contains(values, v):
			default:
				return false
			}
		}
	}
	return true
}

func globAny(patterns []string, s string, fold bool) bool {
	for _, p := range patterns {
		re := "^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(p)) + "$"
		if fold {
			re = "(?i)" + re
		}
		if regexp.MustCompile(re).MatchString(s) {
			return true
		}
	}
	return false
}
