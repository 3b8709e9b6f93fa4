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
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Environment variables the Okta credentials come from. They are read when
// a client is made and are never logged or stored.
const (
	EnvOktaToken      = "OKTA_API_TOKEN"        // an API token, sent as "SSWS TOKEN"
	EnvOktaClientID   = "OKTA_CLIENT_ID"        // an API service app's client id, for OAuth 2.0 client credentials
	EnvOktaPrivateKey = "OKTA_PRIVATE_KEY"      // its private key (PEM, RSA), or:
	EnvOktaKeyFile    = "OKTA_PRIVATE_KEY_FILE" // a file holding it
	EnvOktaKeyID      = "OKTA_PRIVATE_KEY_ID"   // optional kid of the key
)

// oauthScopes are the read-only scopes the extractor asks a service app for.
const oauthScopes = "okta.users.read okta.groups.read okta.apps.read"

// OktaClient reads an Okta org's users and an AWS Account Federation app's
// assignments through Okta's management API.
type OktaClient struct {
	Org  *url.URL
	HTTP *http.Client
	// MaxRetries bounds the retries of one request answered 429; MaxWait
	// bounds each wait for a rate limit to reset.
	MaxRetries int
	MaxWait    time.Duration
	// Now and Sleep are the clock, replaceable in tests.
	Now   func() time.Time
	Sleep func(context.Context, time.Duration) error

	authorize func(context.Context) (string, error)
	// Requests counts the HTTP requests made, retries included.
	Requests int
	// Throttled counts the waits for a rate limit.
	Throttled int
}

// NewOktaClient makes a client for the org (https://ORG.okta.com) with the
// credentials of the environment: OKTA_API_TOKEN, or OKTA_CLIENT_ID with
// OKTA_PRIVATE_KEY or OKTA_PRIVATE_KEY_FILE.
func NewOktaClient(org string, getenv func(string) string) (*OktaClient, error) {
	u, err := url.Parse(strings.TrimRight(org, "/"))
	// Plain http only to this machine (a local stand-in for Okta): the
	// credentials must not cross a network in clear.
	if err != nil || u.Host == "" || !(u.Scheme == "https" || u.Scheme == "http" && isLoopback(u.Hostname())) {
		return nil, fmt.Errorf("Okta org URL %q: give it as https://ORG.okta.com", org) //nolint:staticcheck // ST1005: Okta is a name
	}
	c := &OktaClient{Org: u, HTTP: &http.Client{Timeout: time.Minute}, MaxRetries: 5, MaxWait: 2 * time.Minute,
		Now: time.Now, Sleep: sleep}
	if token := getenv(EnvOktaToken); token != "" {
		c.authorize = func(context.Context) (string, error) { return "SSWS " + token, nil }
		return c, nil
	}
	clientID := getenv(EnvOktaClientID)
	keyPEM := getenv(EnvOktaPrivateKey)
	if keyPEM == "" && getenv(EnvOktaKeyFile) != "" {
		b, err := os.ReadFile(getenv(EnvOktaKeyFile))
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", EnvOktaKeyFile, err)
		}
		keyPEM = string(b)
	}
	if clientID == "" || keyPEM == "" {
		return nil, fmt.Errorf("no Okta credentials: set %s, or %s with %s or %s", EnvOktaToken, EnvOktaClientID, EnvOktaPrivateKey, EnvOktaKeyFile)
	}
	key, err := parseRSAKey(keyPEM)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvOktaPrivateKey, err)
	}
	var token string
	var expires time.Time
	c.authorize = func(ctx context.Context) (string, error) {
		if token == "" || c.Now().After(expires.Add(-time.Minute)) {
			t, ttl, err := c.clientCredentials(ctx, clientID, getenv(EnvOktaKeyID), key)
			if err != nil {
				return "", err
			}
			token, expires = t, c.Now().Add(ttl)
		}
		return "Bearer " + token, nil
	}
	return c, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func parseRSAKey(s string) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, errors.New("not a PEM private key")
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("the private key is not an RSA key")
	}
	return rk, nil
}

// clientCredentials gets an access token for a service app with a signed
// client assertion (private_key_jwt), as Okta requires for its API scopes.
func (c *OktaClient) clientCredentials(ctx context.Context, clientID, kid string, key *rsa.PrivateKey) (string, time.Duration, error) {
	tokenURL := c.Org.String() + "/oauth2/v1/token"
	now := c.Now()
	header := map[string]string{"alg": "RS256", "typ": "JWT"}
	if kid != "" {
		header["kid"] = kid
	}
	var jti [16]byte
	if _, err := rand.Read(jti[:]); err != nil {
		return "", 0, err
	}
	claims := map[string]any{"iss": clientID, "sub": clientID, "aud": tokenURL, "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
		"jti": base64.RawURLEncoding.EncodeToString(jti[:])}
	hb, _ := json.Marshal(header)
	cb, _ := json.Marshal(claims)
	signing := base64.RawURLEncoding.EncodeToString(hb) + "." + base64.RawURLEncoding.EncodeToString(cb)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", 0, err
	}
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {oauthScopes},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {signing + "." + base64.RawURLEncoding.EncodeToString(sig)}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || out.AccessToken == "" {
		return "", 0, fmt.Errorf("Okta token request: HTTP %d %s %s", resp.StatusCode, out.Error, out.Description) //nolint:staticcheck // ST1005: Okta is a name
	}
	return out.AccessToken, time.Duration(out.ExpiresIn) * time.Second, nil
}

var nextLink = regexp.MustCompile(`<([^>]+)>\s*;\s*rel="?next"?`)

// list GETs every page of a collection, following the Link rel="next"
// headers, and appends each page's items to out (a pointer to a slice).
func list[T any](ctx context.Context, c *OktaClient, path string, out *[]T) error {
	next := c.Org.String() + path
	for next != "" {
		resp, err := c.get(ctx, next)
		if err != nil {
			return err
		}
		var page []T
		err = json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&page)
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("GET %s: %w", redactQuery(next), err)
		}
		*out = append(*out, page...)
		next = ""
		for _, l := range resp.Header.Values("Link") {
			if m := nextLink.FindStringSubmatch(l); m != nil {
				next = m[1]
			}
		}
		if next != "" {
			u, err := url.Parse(next)
			if err != nil || u.Host != c.Org.Host {
				// Credentials go to the org only.
				return fmt.Errorf("GET %s: next page %q is not on the org", path, next)
			}
		}
	}
	return nil
}

func redactQuery(s string) string {
	if i := strings.IndexByte(s, '?'); i >= 0 {
		return s[:i]
	}
	return s
}

// get makes one request, waiting first when the previous answer said the
// rate limit is used up, and retrying a 429 after the limit resets.
func (c *OktaClient) get(ctx context.Context, u string) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		auth, err := c.authorize(ctx)
		if err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", auth)
		req.Header.Set("Accept", "application/json")
		c.Requests++
		resp, err := c.HTTP.Do(req)
		if err != nil {
			return nil, fmt.Errorf("GET %s: %w", redactQuery(u), err)
		}
		wait := c.resetWait(resp.Header)
		switch {
		case resp.StatusCode == http.StatusTooManyRequests:
			resp.Body.Close()
			if attempt >= c.MaxRetries {
				return nil, fmt.Errorf("GET %s: still rate limited (HTTP 429) after %d retries", redactQuery(u), attempt)
			}
			if wait <= 0 {
				wait = time.Duration(1<<attempt) * time.Second
			}
			if err := c.wait(ctx, wait); err != nil {
				return nil, err
			}
			continue
		case resp.StatusCode != http.StatusOK:
			defer resp.Body.Close()
			var e struct {
				Code    string `json:"errorCode"`
				Summary string `json:"errorSummary"`
			}
			_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&e)
			return nil, fmt.Errorf("GET %s: HTTP %d %s %s", redactQuery(u), resp.StatusCode, e.Code, e.Summary)
		}
		if rem, err := strconv.Atoi(resp.Header.Get("X-Rate-Limit-Remaining")); err == nil && rem <= 0 && wait > 0 {
			// This answer used the last request of the window: the next
			// one would be refused, so wait for the reset first.
			if err := c.wait(ctx, wait); err != nil {
				resp.Body.Close()
				return nil, err
			}
		}
		return resp, nil
	}
}

// resetWait is how long until X-Rate-Limit-Reset (UTC epoch seconds), plus
// a second for clock skew; 0 when the header is absent.
func (c *OktaClient) resetWait(h http.Header) time.Duration {
	reset, err := strconv.ParseInt(h.Get("X-Rate-Limit-Reset"), 10, 64)
	if err != nil {
		return 0
	}
	d := time.Unix(reset, 0).Sub(c.Now()) + time.Second
	return max(d, time.Second)
}

func (c *OktaClient) wait(ctx context.Context, d time.Duration) error {
	if d > c.MaxWait {
		d = c.MaxWait
	}
	c.Throttled++
	return c.Sleep(ctx, d)
}

// Fetch reads what an export holds from the API: the app's user
// assignments (with each user embedded), its group assignments (with each
// group embedded), and the members of those groups. It reads only the users
// the app is assigned to, not the whole org.
func (c *OktaClient) Fetch(ctx context.Context, appID string) (*OktaExport, error) {
	if appID == "" {
		return nil, errors.New("no Okta app id: give the AWS Account Federation app's id")
	}
	app := "/api/v1/apps/" + url.PathEscape(appID)
	x := &OktaExport{OrgURL: c.Org.String(), AppID: appID, GroupMembers: map[string][]string{}}
	seen := map[string]bool{}
	addUser := func(u OktaUser) {
		if u.ID != "" && !seen[u.ID] {
			seen[u.ID] = true
			x.Users = append(x.Users, u)
		}
	}
	if err := list(ctx, c, app+"/users?limit=500&expand=user", &x.AppUsers); err != nil {
		return nil, err
	}
	for _, au := range x.AppUsers {
		addUser(au.Embedded.User)
	}
	if err := list(ctx, c, app+"/groups?limit=200&expand=group", &x.AppGroups); err != nil {
		return nil, err
	}
	for _, g := range x.AppGroups {
		var members []OktaUser
		if err := list(ctx, c, "/api/v1/groups/"+url.PathEscape(g.ID)+"/users?limit=200", &members); err != nil {
			return nil, err
		}
		ids := make([]string, 0, len(members))
		for _, m := range members {
			ids = append(ids, m.ID)
			addUser(m)
		}
		x.GroupMembers[g.ID] = ids
		if g.Embedded.Group.ID != "" {
			x.Groups = append(x.Groups, g.Embedded.Group)
		}
	}
	if x.Users == nil {
		x.Users = []OktaUser{}
	}
	return x, nil
}
