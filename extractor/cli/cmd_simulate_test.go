package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/iam"
)

// The authorization details of account 123837392027, whose real logs are in
// the invictus test data: benjamin's policies are all readable; auditor has
// an inline policy with Effect "Allw" beside a readable managed one; operator
// gets, through group operators, a managed policy whose Action is 42, and
// has a readable Deny of deletions.
const (
	unreadableAuthz = "testdata/unreadable-authz-details.json"
	invictusLogs    = "../internal/cloudtrail/testdata/invictus"
	invictusAsOf    = "2023-07-11T00:00:00Z"
	invictusBucket  = "arn:aws:s3:::invictus-aws-2022-10-27-e0xdv"
	userARN         = "arn:aws:iam::123837392027:user/"
	auditorInline   = userARN + "auditor inline read-logs"
	operatorManaged = "arn:aws:iam::123837392027:policy/OpsBuckets"
)

// fileDigest is the SHA-256 of the database file and of its write-ahead log,
// if any: what a read-only command must leave as it found.
func fileDigest(t *testing.T, db string) string {
	t.Helper()
	h := sha256.New()
	for _, p := range []string{db, db + "-wal"} {
		b, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func discoveredWithUnreadablePolicies(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "activity.db")
	if _, errs, code := run(t, "--db", db, "extract", "--source", invictusLogs, "--as-of", invictusAsOf); code != ExitOK {
		t.Fatalf("extract: exit %d: %s", code, errs)
	}
	_, errs, code := run(t, "--db", db, "discover", "--authz-details", unreadableAuthz)
	if code != ExitSkipped {
		t.Fatalf("discover: exit %d, want %d (the unreadable policies are inputs skipped): %s", code, ExitSkipped, errs)
	}
	for _, want := range []string{
		`"` + auditorInline + `": Statement[0].Effect: "Allw" is neither Allow nor Deny`,
		`"` + operatorManaged + `": Statement[0].Action: expected a string or a list of strings`,
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("discover stderr lacks %q:\n%s", want, errs)
		}
	}
	return db
}

func simulateJSON(t *testing.T, db, principal string, actions ...string) ([]iam.Decision, string, int) {
	t.Helper()
	args := []string{"--db", db, "simulate", "--json", "--principal", userARN + principal, "--resource", invictusBucket}
	for _, a := range actions {
		args = append(args, "--action", a)
	}
	out, errs, code := run(t, args...)
	var ds []iam.Decision
	if err := json.Unmarshal([]byte(out), &ds); err != nil || len(ds) != len(actions) {
		t.Fatalf("simulate %s %v: %d decisions in %q (%v); stderr %s", principal, actions, len(ds), out, err, errs)
	}
	return ds, errs, code
}

// A policy that cannot be parsed leaves the principal's access unknown:
// simulate answers unknown, names the policy and what is wrong with it, and
// exits 3; it writes nothing. The principal's OPS is N/A while its
// neighbour's is computed.
func TestSimulateUnreadablePolicyIsUnknown(t *testing.T) {
	db := discoveredWithUnreadablePolicies(t)
	before := fileDigest(t, db)

	// Text: the decision and the policy, how it applies and what is wrong.
	out, errs, code := run(t, "--db", db, "simulate", "--principal", userARN+"auditor", "--action", "s3:GetObject", "--resource", invictusBucket)
	if code != ExitSkipped {
		t.Errorf("simulate auditor: exit %d, want %d", code, ExitSkipped)
	}
	for _, want := range []string{"unknown", auditorInline + ` (user): Statement[0].Effect: "Allw" is neither Allow nor Deny`,
		"the readable policies allow it", `arn:aws:iam::123837392027:policy/LogsRead "ReadLogObjects" (Allow)`} {
		if !strings.Contains(out, want) {
			t.Errorf("simulate auditor: stdout lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errs, "1 of 1 decisions are unknown: "+auditorInline+" could not be read") {
		t.Errorf("simulate auditor: stderr %q does not say which policy made the decision unknown", errs)
	}

	// JSON: the same, in fields.
	ds, _, code := simulateJSON(t, db, "auditor", "s3:GetObject")
	d := ds[0]
	if code != ExitSkipped || d.Decision != iam.Unknown || len(d.UnreadablePolicies) != 1 {
		t.Fatalf("simulate --json auditor: exit %d, %+v", code, d)
	}
	if u := d.UnreadablePolicies[0]; u.Policy != auditorInline || u.Via != "user" || !strings.Contains(u.Error, `"Allw"`) {
		t.Errorf("unreadable policy %+v", u)
	}

	// Through a group, a managed policy with Action 42; the readable Deny
	// still decides what it covers.
	ds, _, code = simulateJSON(t, db, "operator", "s3:DeleteObject", "s3:ListBucket")
	if code != ExitSkipped {
		t.Errorf("simulate operator: exit %d, want %d", code, ExitSkipped)
	}
	if ds[0].Decision != iam.ExplicitDeny || len(ds[0].Statements) != 1 || ds[0].Statements[0].Sid != "NoDeletes" {
		t.Errorf("s3:DeleteObject under a readable Deny: %+v", ds[0])
	}
	if ds[1].Decision != iam.Unknown || !strings.Contains(ds[1].Reason, operatorManaged+" (group arn:aws:iam::123837392027:group/operators): Statement[0].Action") ||
		!strings.Contains(ds[1].Reason, "no readable policy allows it") {
		t.Errorf("s3:ListBucket: %+v", ds[1])
	}
	// The Deny alone: a definite answer, exit 0.
	ds, _, code = simulateJSON(t, db, "operator", "s3:DeleteObject")
	if code != ExitOK || ds[0].Decision != iam.ExplicitDeny || len(ds[0].UnreadablePolicies) != 1 {
		t.Errorf("simulate operator s3:DeleteObject: exit %d, %+v", code, ds[0])
	}

	// A principal whose policies were all read gets definite answers.
	ds, _, code = simulateJSON(t, db, "benjamin", "s3:GetBucketAcl", "s3:PutObject")
	if code != ExitOK || ds[0].Decision != iam.Allowed || ds[1].Decision != iam.ImplicitDeny || len(ds[0].UnreadablePolicies) != 0 {
		t.Errorf("simulate benjamin: exit %d, %+v", code, ds)
	}

	if after := fileDigest(t, db); after != before {
		t.Errorf("simulate changed the database")
	}

	out, errs, code = run(t, "--db", db, "report", "--format", "json", "--as-of", invictusAsOf)
	if code != ExitOK {
		t.Fatalf("report: exit %d: %s", code, errs)
	}
	var report struct {
		Principals []struct {
			ARN       string   `json:"arn"`
			OPS       *float64 `json:"ops"`
			NAReason  *string  `json:"na_reason"`
			Notes     []string `json:"notes"`
			Resources []struct {
				ARN string   `json:"arn"`
				OPS *float64 `json:"ops"`
			} `json:"resources"`
		} `json:"principals"`
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range report.Principals {
		if p.ARN == userARN+"auditor" {
			// Its grants come from the readable policies only: listed, not
			// scored, and a note says so.
			if len(p.Resources) == 0 || !strings.Contains(strings.Join(p.Notes, " "), "readable policies only") {
				t.Errorf("auditor: resources %+v, notes %q", p.Resources, p.Notes)
			}
			for _, r := range p.Resources {
				if r.OPS != nil {
					t.Errorf("auditor on %s: OPS %v from the readable policies alone", r.ARN, *r.OPS)
				}
			}
		}
		switch {
		case p.OPS != nil:
			got[p.ARN] = "scored"
		case p.NAReason != nil:
			got[p.ARN] = *p.NAReason
		}
	}
	if fileDigest(t, db) == before {
		t.Errorf("report scored and wrote, yet the digest did not change: it cannot tell a write")
	}
	for name, want := range map[string]string{"auditor": activity.NAPolicyUnreadable, "operator": activity.NAPolicyUnreadable, "benjamin": "scored"} {
		if got[userARN+name] != want {
			t.Errorf("%s: %q, want %q", name, got[userARN+name], want)
		}
	}
}
