package reliability

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/testenv"
)

// s3Authorizer is a proxy in front of an S3 (or Lambda) server that enforces an identity
// policy the way S3 does, for the calls the project makes: moto cannot check
// the signatures of S3 requests whose query holds encoded characters (a
// ListObjectsV2 with a prefix), so S3 is authorised here instead, answering
// a denial with AWS's message, which names the action.
type s3Authorizer struct {
	*httptest.Server
	mu     sync.Mutex
	policy testenv.S3Policy
	user   string
	calls  map[string]int // action → requests allowed
}

func startS3Authorizer(t *testing.T, upstream, user string) *s3Authorizer {
	t.Helper()
	return startAuthorizer(t, upstream, user, testenv.S3Request, func(w http.ResponseWriter, user, action, resource string) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>User: %s is not authorized to perform: %s on resource: "%s" because no identity-based policy allows the %s action</Message></Error>`,
			user, action, resource, action)
	})
}

// startLambdaAuthorizer is the same for Lambda, whose requests moto's IAM
// enforcement refuses as badly signed (SignatureDoesNotMatch) even when
// they are not: it authorises the calls discovery makes and answers a
// denial as Lambda does (AccessDeniedException, naming the action).
func startLambdaAuthorizer(t *testing.T, upstream, user string) *s3Authorizer {
	t.Helper()
	return startAuthorizer(t, upstream, user, lambdaRequest, func(w http.ResponseWriter, user, action, resource string) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-Errortype", "AccessDeniedException")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `{"Type":"User","Message":"User: %s is not authorized to perform: %s on resource: %s because no identity-based policy allows the %s action"}`,
			user, action, resource, action)
	})
}

// lambdaRequest names the IAM action and resource of the Lambda requests
// discovery makes: ListFunctions and GetPolicy.
func lambdaRequest(r *http.Request) (action, resource string, keys map[string]string) {
	path := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/2015-03-31/functions"), "/")
	switch name, rest, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/"); {
	case r.Method == http.MethodGet && path == "":
		return "lambda:ListFunctions", "*", nil
	case r.Method == http.MethodGet && rest == "policy":
		return "lambda:GetPolicy", "arn:aws:lambda:us-east-1:" + testenv.MotoAccountID + ":function:" + name, nil
	}
	return "lambda:" + r.Method + "Unknown", r.URL.Path, nil
}

// startAuthorizer proxies upstream, letting through the requests the
// statements in force allow; request names a request's action, resource
// and condition keys, and deny answers a refused one.
func startAuthorizer(t *testing.T, upstream, user string, request func(*http.Request) (string, string, map[string]string),
	deny func(w http.ResponseWriter, user, action, resource string)) *s3Authorizer {
	t.Helper()
	target, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	a := &s3Authorizer{user: user, calls: map[string]int{}}
	proxy := httputil.NewSingleHostReverseProxy(target)
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		action, resource, keys := request(r)
		if !a.allowed(action, resource, keys) {
			deny(w, a.user, action, resource)
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
	var parsed testenv.S3Policy
	for _, raw := range statements {
		var s testenv.S3Statement
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, s)
	}
	a.mu.Lock()
	a.policy = parsed
	a.mu.Unlock()
}

func (a *s3Authorizer) allowed(action, resource string, keys map[string]string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	allow := a.policy.Allows(action, resource, keys)
	if allow {
		a.calls[action]++
	}
	return allow
}
