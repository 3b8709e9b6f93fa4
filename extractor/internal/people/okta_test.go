package people

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// oktaServer serves Okta's documented response shapes: JSON arrays, pages
// linked by Link rel="next" headers with an after cursor, X-Rate-Limit-*
// headers on every answer, and one 429 (errorCode E0000047) before the
// second page of a group's members.
type oktaServer struct {
	*httptest.Server
	mu       sync.Mutex
	now      time.Time
	throttle bool
	auth     []string
	paths    []string
}

const (
	aliceJSON = `{"id":"00u1alice","status":"ACTIVE","profile":{"login":"alice@example.com","email":"alice@example.com"}}`
	bobJSON   = `{"id":"00u2bob","status":"ACTIVE","profile":{"login":"bob@example.com","email":"bob@example.com"}}`
	carolJSON = `{"id":"00u3carol","status":"DEPROVISIONED","profile":{"login":"carol@example.com","email":"carol@example.com"}}`
)

func newOktaServer(t *testing.T, now time.Time) *oktaServer {
	s := &oktaServer{now: now, throttle: true}
	pages := map[string][]string{
		"/api/v1/apps/0oaAWS/users": {`[{"id":"00u1alice","scope":"USER","status":"PROVISIONED","credentials":{"userName":"alice@example.com"},
			"profile":{"samlRoles":["arn:aws:iam::111111111111:saml-provider/Okta,arn:aws:iam::111111111111:role/admin"]},
			"_links":{"user":{"href":"https://example.okta.com/api/v1/users/00u1alice"}},"_embedded":{"user":` + aliceJSON + `}},
			{"id":"00u3carol","scope":"USER","status":"PROVISIONED","credentials":{"userName":"carol@example.com"},"profile":{"samlRoles":["admin"]},
			"_embedded":{"user":` + carolJSON + `}}]`,
			`[{"id":"00u2bob","scope":"GROUP","status":"PROVISIONED","credentials":{"userName":"bob@example.com"},"profile":{"samlRoles":["admin"]},
			"_embedded":{"user":` + bobJSON + `}}]`},
		"/api/v1/apps/0oaAWS/groups": {`[{"id":"00gADMINS","priority":0,"profile":{"samlRoles":["admin","readonly"]},
			"_embedded":{"group":{"id":"00gADMINS","profile":{"name":"aws-admins","description":"AWS admins"}}}}]`},
		"/api/v1/groups/00gADMINS/users": {"[" + aliceJSON + "]", "[" + bobJSON + "]"},
	}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.auth = append(s.auth, r.Header.Get("Authorization"))
		s.paths = append(s.paths, r.URL.RequestURI())
		reset := strconv.FormatInt(s.now.Add(30*time.Second).Unix(), 10)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Rate-Limit-Limit", "600")
		w.Header().Set("X-Rate-Limit-Reset", reset)
		page, _ := strconv.Atoi(r.URL.Query().Get("after"))
		if r.URL.Path == "/api/v1/groups/00gADMINS/users" && page == 1 && s.throttle {
			s.throttle = false
			w.Header().Set("X-Rate-Limit-Remaining", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests.","errorLink":"E0000047","errorId":"oae1","errorCauses":[]}`)
			return
		}
		ps, ok := pages[r.URL.Path]
		if !ok || page >= len(ps) {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"errorCode":"E0000007","errorSummary":"Not found: Resource not found","errorCauses":[]}`)
			return
		}
		w.Header().Set("X-Rate-Limit-Remaining", "599")
		q := r.URL.Query()
		q.Del("after")
		self := s.URL + r.URL.Path + "?" + q.Encode()
		w.Header().Add("Link", "<"+self+">; rel=\"self\"")
		if page+1 < len(ps) {
			w.Header().Add("Link", "<"+self+"&after="+strconv.Itoa(page+1)+">; rel=\"next\"")
		}
		fmt.Fprint(w, ps[page])
	}))
	t.Cleanup(s.Close)
	return s
}

func testClient(t *testing.T, s *oktaServer, env map[string]string) (*OktaClient, *[]time.Duration) {
	t.Helper()
	c, err := NewOktaClient(s.URL, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	var slept []time.Duration
	c.Now = func() time.Time { return s.now }
	c.Sleep = func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }
	return c, &slept
}

func TestOktaClientFetch(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	s := newOktaServer(t, now)
	c, slept := testClient(t, s, map[string]string{EnvOktaToken: "tok-123"})
	x, err := c.Fetch(context.Background(), "0oaAWS")
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Users) != 3 || len(x.AppUsers) != 3 || len(x.AppGroups) != 1 || !reflect.DeepEqual(x.GroupMembers["00gADMINS"], []string{"00u1alice", "00u2bob"}) {
		t.Fatalf("fetched %d users, %d app users, %d app groups, members %v", len(x.Users), len(x.AppUsers), len(x.AppGroups), x.GroupMembers)
	}
	// One 429, retried once after the reset the headers announced (30 s,
	// plus a second for clock skew).
	if !reflect.DeepEqual(*slept, []time.Duration{31 * time.Second}) || c.Throttled != 1 {
		t.Errorf("waits %v, throttled %d", *slept, c.Throttled)
	}
	wantPaths := []string{"/api/v1/apps/0oaAWS/users?limit=500&expand=user", "/api/v1/apps/0oaAWS/users?expand=user&limit=500&after=1",
		"/api/v1/apps/0oaAWS/groups?limit=200&expand=group",
		"/api/v1/groups/00gADMINS/users?limit=200", "/api/v1/groups/00gADMINS/users?limit=200&after=1", "/api/v1/groups/00gADMINS/users?limit=200&after=1"}
	if !reflect.DeepEqual(s.paths, wantPaths) || c.Requests != len(wantPaths) {
		t.Errorf("requests %d:\n%s", c.Requests, strings.Join(s.paths, "\n"))
	}
	for _, a := range s.auth {
		if a != "SSWS tok-123" {
			t.Fatalf("Authorization %q", a)
		}
	}
	got := OktaAssignments(x)
	want := []Assignment{
		{Login: "alice@example.com", Role: "admin", Via: "group:aws-admins"},
		{Login: "alice@example.com", Role: "arn:aws:iam::111111111111:saml-provider/Okta,arn:aws:iam::111111111111:role/admin", Via: "user"},
		{Login: "alice@example.com", Role: "readonly", Via: "group:aws-admins"},
		{Login: "bob@example.com", Role: "admin", Via: "group:aws-admins"},
		{Login: "bob@example.com", Role: "readonly", Via: "group:aws-admins"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("assignments (carol is deprovisioned, bob's GROUP-scoped app user counts through the group):\n got %+v\nwant %+v", got, want)
	}

	// The export file holds the same and gives the same assignments.
	path := filepath.Join(t.TempDir(), "okta.json")
	if err := WriteOktaExport(path, x); err != nil {
		t.Fatal(err)
	}
	back, err := ReadOktaExport(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(OktaAssignments(back), want) || back.OrgURL != s.URL || back.AppID != "0oaAWS" {
		t.Errorf("from the export file: %+v", OktaAssignments(back))
	}
}

func TestOktaClientRateLimit(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	var calls int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.Header().Set("X-Rate-Limit-Reset", strconv.FormatInt(now.Add(10*time.Second).Unix(), 10))
		switch {
		case r.URL.Query().Get("after") == "":
			// The last request of the window: the client waits before the next.
			w.Header().Set("X-Rate-Limit-Remaining", "0")
			w.Header().Set("Link", "<http://"+r.Host+"/api/v1/users?after=2>; rel=\"next\"")
			fmt.Fprint(w, "["+aliceJSON+"]")
		default:
			w.Header().Set("X-Rate-Limit-Remaining", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests."}`)
		}
	}))
	defer srv.Close()
	s := &oktaServer{Server: srv, now: now}
	c, slept := testClient(t, s, map[string]string{EnvOktaToken: "t"})
	c.MaxRetries = 2
	var users []OktaUser
	err := list(context.Background(), c, "/api/v1/users", &users)
	if err == nil || !strings.Contains(err.Error(), "still rate limited (HTTP 429) after 2 retries") {
		t.Fatalf("err = %v", err)
	}
	// A wait after the answer that used the window up, then one per retry:
	// the retries are bounded.
	if calls != 4 || len(*slept) != 3 || (*slept)[0] != 11*time.Second {
		t.Errorf("calls %d, waits %v", calls, *slept)
	}
	if strings.Contains(err.Error(), "after=") {
		t.Errorf("error shows the query: %v", err)
	}
}

func TestOktaClientCredentials(t *testing.T) {
	if _, err := NewOktaClient("https://example.okta.com", func(string) string { return "" }); err == nil ||
		!strings.Contains(err.Error(), "OKTA_API_TOKEN") {
		t.Errorf("no credentials: %v", err)
	}
	for _, org := range []string{"example.okta.com", "http://example.okta.com"} {
		if _, err := NewOktaClient(org, func(string) string { return "x" }); err == nil {
			t.Errorf("org URL %q was accepted", org)
		}
	}
}

func TestOktaNextPageOffOrg(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", `<https://elsewhere.example.net/api/v1/users?after=x>; rel="next"`)
		fmt.Fprint(w, "[]")
	}))
	defer srv.Close()
	c, _ := testClient(t, &oktaServer{Server: srv, now: time.Now()}, map[string]string{EnvOktaToken: "t"})
	var users []OktaUser
	if err := list(context.Background(), c, "/api/v1/users", &users); err == nil || !strings.Contains(err.Error(), "not on the org") {
		t.Errorf("a next link to another host was followed: %v", err)
	}
}

// An API service app gets its access token with a client assertion signed
// by its private key (private_key_jwt) and sends it as a Bearer token.
func TestOktaClientOAuth(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	var tokens int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/oauth2/v1/token":
			tokens++
			if err := r.ParseForm(); err != nil || r.Form.Get("grant_type") != "client_credentials" ||
				r.Form.Get("scope") != "okta.users.read okta.groups.read okta.apps.read" {
				http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
				return
			}
			parts := strings.Split(r.Form.Get("client_assertion"), ".")
			sig, _ := base64.RawURLEncoding.DecodeString(parts[len(parts)-1])
			sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
			claims, _ := base64.RawURLEncoding.DecodeString(parts[1])
			var c struct{ Iss, Sub, Aud string }
			_ = json.Unmarshal(claims, &c)
			if rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, sum[:], sig) != nil || c.Iss != "0oaSERVICE" || c.Sub != "0oaSERVICE" ||
				c.Aud != "http://"+r.Host+"/oauth2/v1/token" {
				http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
				return
			}
			fmt.Fprint(w, `{"token_type":"Bearer","expires_in":3600,"access_token":"at-1","scope":"okta.users.read okta.groups.read okta.apps.read"}`)
		default:
			if r.Header.Get("Authorization") != "Bearer at-1" {
				w.WriteHeader(http.StatusUnauthorized)
				fmt.Fprint(w, `{"errorCode":"E0000011","errorSummary":"Invalid token provided"}`)
				return
			}
			fmt.Fprint(w, "["+aliceJSON+"]")
		}
	}))
	defer srv.Close()
	c, _ := testClient(t, &oktaServer{Server: srv, now: time.Now()}, map[string]string{EnvOktaClientID: "0oaSERVICE", EnvOktaPrivateKey: keyPEM})
	for range 2 {
		var users []OktaUser
		if err := list(context.Background(), c, "/api/v1/users", &users); err != nil || len(users) != 1 {
			t.Fatalf("users %v: %v", users, err)
		}
	}
	if tokens != 1 {
		t.Errorf("%d token requests, want 1 (the token is reused until it expires)", tokens)
	}
}
