package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/cli"
)

// scoredFixture is a store filled the way users fill theirs: a generated
// organization trail extracted, its authorization details discovered, and
// the window scored, all through activity-extractor.
type scoredFixture struct {
	dir             string
	dbPath          string
	overProvisioned string
	dormant         string
	unmonitored     string
	activePerson    string     // an Okta login that uses its federated role
	dormantPerson   string     // an Okta login that may assume the same role and never does
	report          reportJSON // `report --format json --stored` of the same store
}

type reportJSON struct {
	Principals []struct {
		ARN         string   `json:"arn"`
		Kind        string   `json:"kind"`
		AccountID   string   `json:"account_id"`
		Monitored   bool     `json:"monitored"`
		OPS         *float64 `json:"ops"`
		ResourceOPS *float64 `json:"resource_ops"`
		NAReason    *string  `json:"na_reason"`
		Dormant     bool     `json:"dormant"`
		Denied      []struct {
			Action    string  `json:"action"`
			Resource  *string `json:"resource"`
			ErrorCode string  `json:"error_code"`
			Count     int64   `json:"count"`
			LastAt    string  `json:"last_at"`
		} `json:"denied"`
		Resources []struct {
			ARN string `json:"arn"`
		} `json:"resources"`
	} `json:"principals"`
	KMSKeys []struct {
		ARN            string  `json:"arn"`
		LastActivityAt *string `json:"last_activity_at"`
		LastViewedAt   *string `json:"last_viewed_at"`
	} `json:"kms_keys"`
}

var (
	fixtureOnce sync.Once
	fixture     *scoredFixture
	fixtureErr  string
)

const fixtureAsOf = "2026-11-25T00:00:00Z"

func runExtractor(args ...string) ([]byte, error) {
	var out, errs bytes.Buffer
	err := cli.Run(context.Background(), args, cli.Streams{Out: &out, Err: &errs}, "test")
	if err != nil && cli.ExitCode(err) != cli.ExitViolation {
		return nil, &extractorError{args: args, err: err, stderr: errs.String()}
	}
	return out.Bytes(), nil
}

type extractorError struct {
	args   []string
	err    error
	stderr string
}

func (e *extractorError) Error() string { return e.err.Error() + ": " + e.stderr }

// scoredStore builds the fixture once per test binary; data sources only
// read it.
func scoredStore(t *testing.T) *scoredFixture {
	t.Helper()
	fixtureOnce.Do(func() {
		dir, err := os.MkdirTemp("", "activity-provider-fixture-")
		if err != nil {
			fixtureErr = err.Error()
			return
		}
		f, err := buildFixture(dir)
		if err != nil {
			fixtureErr = err.Error()
			return
		}
		fixture = f
	})
	if fixture == nil {
		t.Fatalf("building the scored store: %s", fixtureErr)
	}
	return fixture
}

func buildFixture(dir string) (*scoredFixture, error) {
	gen := filepath.Join(dir, "org")
	db := filepath.Join(dir, "activity.db")
	if _, err := runExtractor("generate", "--out", gen, "--seed", "7", "--end", "2026-11-24", "--events", "20000"); err != nil {
		return nil, err
	}
	var manifest struct {
		Accounts []struct {
			Resources []string `json:"resources"`
		} `json:"accounts"`
		Demo struct {
			Over        string `json:"over_provisioned_user"`
			Dormant     string `json:"dormant_user"`
			Unmonitored string `json:"unmonitored_user"`
			Active      string `json:"active_person"`
			Idle        string `json:"dormant_person"`
		} `json:"demo"`
	}
	raw, err := os.ReadFile(filepath.Join(gen, "manifest.json"))
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &manifest); err != nil {
		return nil, err
	}
	if _, err := runExtractor("--db", db, "extract", "--source", filepath.Join(gen, "trail"), "--as-of", fixtureAsOf); err != nil {
		return nil, err
	}
	args := []string{"--db", db, "discover"}
	authz, _ := filepath.Glob(filepath.Join(gen, "authz", "*.json"))
	for _, a := range authz {
		args = append(args, "--authz-details", a)
	}
	for _, acct := range manifest.Accounts {
		for _, r := range acct.Resources {
			args = append(args, "--resource", r)
		}
	}
	if _, err := runExtractor(args...); err != nil {
		return nil, err
	}
	if _, err := runExtractor("--db", db, "people", "--okta-export", filepath.Join(gen, "okta-export.json")); err != nil {
		return nil, err
	}
	if _, err := runExtractor("--db", db, "score", "--as-of", fixtureAsOf); err != nil {
		return nil, err
	}
	out, err := runExtractor("--db", db, "report", "--stored", "--format", "json")
	if err != nil {
		return nil, err
	}
	f := &scoredFixture{dir: dir, dbPath: db, overProvisioned: manifest.Demo.Over, dormant: manifest.Demo.Dormant, unmonitored: manifest.Demo.Unmonitored,
		activePerson: manifest.Demo.Active, dormantPerson: manifest.Demo.Idle}
	return f, json.Unmarshal(out, &f.report)
}
