package cli

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// Without a source flag, people reads the Okta org and app of the
// integrations, with the token of the environment, which it neither logs
// nor stores.
func TestPeopleFromIntegrationSettings(t *testing.T) {
	const token = "00secret-token-value"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "SSWS "+token {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"errorCode":"E0000011","errorSummary":"Invalid token provided"}`)
			return
		}
		w.Header().Set("X-Rate-Limit-Remaining", "99")
		switch r.URL.Path {
		case "/api/v1/apps/0oaAWS/users":
			fmt.Fprint(w, `[{"id":"00u1","scope":"USER","profile":{"samlRoles":["admin"]},
				"_embedded":{"user":{"id":"00u1","status":"ACTIVE","profile":{"login":"alice@example.com"}}}}]`)
		case "/api/v1/apps/0oaAWS/groups":
			fmt.Fprint(w, `[]`)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()
	t.Setenv("OKTA_API_TOKEN", token)
	t.Setenv("OKTA_ORG_URL", "")
	t.Setenv("OKTA_APP_ID", "")
	db := filepath.Join(t.TempDir(), "a.db")
	s, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	err = s.CreateIntegration(context.Background(), activity.Integration{AccountID: "111111111111", Trail: "main", Region: "us-east-1",
		OktaOrgURL: srv.URL + "/", OktaAppID: "0oaAWS"})
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, code := run(t, "--db", db, "--log-level", "debug", "people", "--list")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	// The bare role name is a role of the integration's account.
	if !strings.Contains(out, "okta: 1 people, 1 roles, 1 assignments") ||
		!strings.Contains(out, "okta:alice@example.com  arn:aws:iam::111111111111:role/admin  okta    user") {
		t.Errorf("stdout:\n%s", out)
	}
	b, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte(token)) || strings.Contains(out+errOut, token) {
		t.Error("the Okta token was stored or printed")
	}

	if err := os.Unsetenv("OKTA_API_TOKEN"); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := run(t, "--db", db, "people"); code != ExitFailure || !strings.Contains(errOut, "OKTA_API_TOKEN") {
		t.Errorf("without credentials: exit %d, %s", code, errOut)
	}
	if _, _, code := run(t, "--db", db, "people", "--okta-org", srv.URL); code != ExitUsage {
		t.Errorf("--okta-org without --okta-app: exit %d", code)
	}
}
