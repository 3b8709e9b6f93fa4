package score_test

// End-to-end scenarios of the score step, run through the command line
// in-process: discover (authorization details), extract (CloudTrail delivery
// files), report --format json. The expected values are computed by hand
// from the definitions of SPEC section 2 and written as literals.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/cli"
)

const (
	scenarioDir  = "testdata/scenario"
	scenarioAsOf = "2026-11-25T00:00:00Z"

	keyA   = "arn:aws:kms:us-east-1:111111111111:key/0f1e2d3c-4b5a-4697-8a9b-aaaaaaaaaaaa"
	keyB   = "arn:aws:kms:us-east-1:111111111111:key/7c6b5a49-3827-4165-9b4a-bbbbbbbbbbbb"
	secret = "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db-AbCdEf"
)

// runCLI runs one command line in-process and returns its standard output;
// the exit status must be one of want (ExitOK when none is given).
func runCLI(t *testing.T, ctx context.Context, args []string, want ...int) (string, int) {
	t.Helper()
	var out, errs bytes.Buffer
	err := cli.Run(ctx, args, cli.Streams{Out: &out, Err: &errs}, "test")
	code := cli.ExitCode(err)
	if len(want) == 0 {
		want = []int{cli.ExitOK}
	}
	for _, w := range want {
		if code == w {
			return out.String(), code
		}
	}
	t.Fatalf("activity-extractor %s: exit %d (want %v): %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, err, out.String(), errs.String())
	return "", code
}

func scenarioDiscover(t *testing.T, db string) {
	t.Helper()
	runCLI(t, context.Background(), []string{"--db", db, "discover",
		"--authz-details", filepath.Join(scenarioDir, "authz-details-111111111111.json"),
		"--authz-details", filepath.Join(scenarioDir, "authz-details-222222222222.json"),
		"--resource", "111111111111:data",
		"--resource", "222222222222:archive-222",
		"--resource", keyA,
		"--resource", keyB,
		"--resource", secret,
	})
}

func scenarioExtract(t *testing.T, db string) {
	t.Helper()
	runCLI(t, context.Background(), []string{"--db", db, "extract", "--source", filepath.Join(scenarioDir, "trail"),
		"--as-of", scenarioAsOf, "--window", "30d"})
}

func scenarioReport(t *testing.T, db string, extra ...string) string {
	t.Helper()
	out, _ := runCLI(t, context.Background(), append([]string{"--db", db, "report", "--format", "json",
		"--as-of", scenarioAsOf, "--window", "30d"}, extra...))
	return out
}

// The report contract, as far as the scenario asserts it. Pointers tell null
// from a value.
type reportJSON struct {
	AsOf        string `json:"as_of"`
	WindowDays  int    `json:"window_days"`
	WindowStart string `json:"window_start"`
	Coverage    struct {
		MonitoredAccounts []string `json:"monitored_accounts"`
		MissingDays       []struct {
			AccountID string   `json:"account_id"`
			Days      []string `json:"days"`
		} `json:"missing_days"`
		DataEventsNotLogged  []string `json:"data_events_not_logged"`
		UnattributedSessions int      `json:"unattributed_sessions"`
	} `json:"coverage"`
	Summary struct {
		Principals      int `json:"principals"`
		Monitored       int `json:"monitored"`
		Dormant         int `json:"dormant"`
		OverProvisioned int `json:"over_provisioned"`
	} `json:"summary"`
	Principals []principalJSON `json:"principals"`
	KMSKeys    []keyJSON       `json:"kms_keys"`
}

type principalJSON struct {
	ARN            string         `json:"arn"`
	Kind           string         `json:"kind"`
	AccountID      string         `json:"account_id"`
	Monitored      bool           `json:"monitored"`
	ResourceOPS    *float64       `json:"resource_ops"`
	OPS            *float64       `json:"ops"`
	Dormant        bool           `json:"dormant"`
	LastActivityAt *string        `json:"last_activity_at"`
	ObservedSince  *string        `json:"observed_since"`
	Notes          []string       `json:"notes"`
	Resources      []resourceJSON `json:"resources"`
}

type resourceJSON struct {
	ARN                string   `json:"arn"`
	Kind               string   `json:"kind"`
	OPS                *float64 `json:"ops"`
	GrantedActions     []string `json:"granted_actions"`
	UsedActions        []string `json:"used_actions"`
	ConditionalActions []string `json:"conditional_actions"`
	LastUsedAt         *string  `json:"last_used_at"`
}

type keyJSON struct {
	ARN            string  `json:"arn"`
	AccountID      string  `json:"account_id"`
	Region         string  `json:"region"`
	LastActivityAt *string `json:"last_activity_at"`
	LastViewedAt   *string `json:"last_viewed_at"`
}

func num(v float64) *float64 { return &v }
func str(s string) *string   { return &s }

func fmtNum(v *float64) string {
	if v == nil {
		return "null"
	}
	return fmt.Sprintf("%.1f", *v)
}

func fmtStr(v *string) string {
	if v == nil {
		return "null"
	}
	return *v
}

// s3StarActions is the number of catalog actions that s3:* grants on one
// bucket and its objects: the S3 actions of the Service Authorization
// Reference whose resource types include bucket or object, a trailing "*"
// (required) removed, which is how extractor/iam/internal/cataloggen builds
// the catalog and how extractor/iam/engine.go (grantTypes) forms a bucket's
// actions:
//
//	jq '[.s3.privileges[] | select([.resource_types[].resource_type | rtrimstr("*")]
//	    | any(. == "bucket" or . == "object"))] | length' \
//	    shared/data/iam/service-authorization.json
//
// prints 94.
const s3StarActions = 94

type wantResource struct {
	arn, kind   string
	ops         *float64
	granted     []string // nil: only the count is checked
	nGranted    int
	used        []string
	conditional []string
	lastUsedAt  *string
}

type wantPrincipal struct {
	monitored        bool
	resourceOPS, ops *float64
	dormant          bool
	lastActivity     *string
	resources        []wantResource
}

func TestScenarioHandComputed(t *testing.T) {
	db := filepath.Join(t.TempDir(), "activity.db")
	scenarioDiscover(t, db)
	scenarioExtract(t, db)
	var got reportJSON
	if err := json.Unmarshal([]byte(scenarioReport(t, db)), &got); err != nil {
		t.Fatal(err)
	}

	// Window: [2026-10-26T00:00:00Z, 2026-11-25T00:00:00Z], 30 days.
	if got.AsOf != scenarioAsOf || got.WindowDays != 30 || got.WindowStart != "2026-10-26T00:00:00Z" {
		t.Errorf("as_of %s, window_days %d, window_start %s", got.AsOf, got.WindowDays, got.WindowStart)
	}

	user := func(account, name string) string { return "arn:aws:iam::" + account + ":user/" + name }
	want := map[string]wantPrincipal{
		// (a) s3:* on data and data/*: 94 actions granted (s3StarActions).
		// Events: GetObject 2026-11-10T08:00, ListObjects 2026-11-12T09:30
		// (action s3:ListBucket), EC2 DescribeInstances 2026-10-26T06:00 and
		// 2026-11-23T07:15 (no grant on a scored resource, activity only).
		// OPS on the bucket = 100 × (94 − 2) / 94 = 97.87 → 97.9.
		// resource_ops = 100 × 0 unused / 1 granted resource = 0.0; OPS = 97.9.
		// Last activity: the later DescribeInstances.
		user("111111111111", "alice"): {monitored: true, resourceOPS: num(0), ops: num(97.9), lastActivity: str("2026-11-23T07:15:00Z"),
			resources: []wantResource{{arn: "arn:aws:s3:::data", kind: "s3_bucket", ops: num(97.9), nGranted: s3StarActions,
				used: []string{"s3:GetObject", "s3:ListBucket"}, lastUsedAt: str("2026-11-12T09:30:00Z")}}},
		// (b) kms:Decrypt under a condition on the encryption context, and
		// kms:Encrypt, on key A; one Decrypt on 2026-11-20T10:00.
		// Granted 2 (the conditional action counts as granted), used 1:
		// OPS on the key = 100 × 1 / 2 = 50.0; resource_ops = 0 / 1 = 0.0;
		// OPS = 100 × 1 / 2 = 50.0.
		user("111111111111", "bob"): {monitored: true, resourceOPS: num(0), ops: num(50), lastActivity: str("2026-11-20T10:00:00Z"),
			resources: []wantResource{{arn: keyA, kind: "kms_key", ops: num(50), granted: []string{"kms:Decrypt", "kms:Encrypt"},
				used: []string{"kms:Decrypt"}, conditional: []string{"kms:Decrypt"}, lastUsedAt: str("2026-11-20T10:00:00Z")}}},
		// (e) created 2025-01-15, long before the window, no event at all:
		// dormant. s3:GetObject on data/*: resource_ops = 100 × 1 / 1 = 100.0,
		// OPS = 100 × 1 / 1 = 100.0.
		user("111111111111", "carol"): {monitored: true, resourceOPS: num(100), ops: num(100), dormant: true,
			resources: []wantResource{{arn: "arn:aws:s3:::data", kind: "s3_bucket", ops: num(100), granted: []string{"s3:GetObject"}}}},
		// (d) created 2026-11-20, inside the window, no event: not dormant
		// (did not exist for the whole window). s3:GetObject and s3:PutObject
		// on data/*, none used: resource_ops = 100 × 1 / 1 = 100.0, OPS =
		// 100 × 2 / 2 = 100.0.
		user("111111111111", "dave"): {monitored: true, resourceOPS: num(100), ops: num(100),
			resources: []wantResource{{arn: "arn:aws:s3:::data", kind: "s3_bucket", ops: num(100), granted: []string{"s3:GetObject", "s3:PutObject"}}}},
		// (g) GetSecretValue and DescribeSecret on prod/db-??????;
		// BatchGetSecretValue on "*" (it takes no resource type, so it is on
		// no scored resource). On 2026-11-18T14:00 a BatchGetSecretValue and
		// the GetSecretValue AWS logs for the secret it returned.
		// OPS on the secret = 100 × 1 / 2 = 50.0; resource_ops = 0 / 1 = 0.0; OPS = 50.0.
		user("111111111111", "erin"): {monitored: true, resourceOPS: num(0), ops: num(50), lastActivity: str("2026-11-18T14:00:00Z"),
			resources: []wantResource{{arn: secret, kind: "secretsmanager_secret", ops: num(50),
				granted: []string{"secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"},
				used:    []string{"secretsmanager:GetSecretValue"}, lastUsedAt: str("2026-11-18T14:00:00Z")}}},
		// (h) s3:ListBucket on data; one PutObject denied (AccessDenied) on
		// 2026-11-22T16:00. The denial is activity (last_activity_at, not
		// dormant) but not use: resource_ops = 100 × 1 / 1 = 100.0, OPS = 100.0.
		user("111111111111", "frank"): {monitored: true, resourceOPS: num(100), ops: num(100), lastActivity: str("2026-11-22T16:00:00Z"),
			resources: []wantResource{{arn: "arn:aws:s3:::data", kind: "s3_bucket", ops: num(100), granted: []string{"s3:ListBucket"}}}},
		// (f) kms:DescribeKey on key B (managed policy, default version v2;
		// v1 would grant kms:*), used once on 2026-11-21T12:00:
		// resource_ops = 0 / 1 = 0.0, OPS = 100 × 0 / 1 = 0.0.
		user("111111111111", "grace"): {monitored: true, resourceOPS: num(0), ops: num(0), lastActivity: str("2026-11-21T12:00:00Z"),
			resources: []wantResource{{arn: keyB, kind: "kms_key", ops: num(0), granted: []string{"kms:DescribeKey"},
				used: []string{"kms:DescribeKey"}, lastUsedAt: str("2026-11-21T12:00:00Z")}}},
		// (c) account 222222222222 has no logs in the trail: not monitored,
		// OPS and resource_ops null (not zero), not dormant.
		user("222222222222", "henry"): {monitored: false,
			resources: []wantResource{{arn: "arn:aws:s3:::archive-222", kind: "s3_bucket", granted: []string{"s3:GetObject", "s3:ListBucket"}}}},
	}

	seen := map[string]bool{}
	for _, p := range got.Principals {
		w, ok := want[p.ARN]
		if !ok {
			t.Errorf("unexpected principal %s", p.ARN)
			continue
		}
		seen[p.ARN] = true
		if p.Kind != "iam_user" || p.AccountID != strings.Split(p.ARN, ":")[4] {
			t.Errorf("%s: kind %q, account_id %q", p.ARN, p.Kind, p.AccountID)
		}
		if p.Monitored != w.monitored || fmtNum(p.ResourceOPS) != fmtNum(w.resourceOPS) || fmtNum(p.OPS) != fmtNum(w.ops) ||
			p.Dormant != w.dormant || fmtStr(p.LastActivityAt) != fmtStr(w.lastActivity) {
			t.Errorf("%s: monitored %v resource_ops %s ops %s dormant %v last_activity_at %s; want %v %s %s %v %s", p.ARN,
				p.Monitored, fmtNum(p.ResourceOPS), fmtNum(p.OPS), p.Dormant, fmtStr(p.LastActivityAt),
				w.monitored, fmtNum(w.resourceOPS), fmtNum(w.ops), w.dormant, fmtStr(w.lastActivity))
		}
		// Logs of account 111111111111 start on the window's first day.
		if p.ObservedSince != nil {
			t.Errorf("%s: observed_since %s, want null", p.ARN, *p.ObservedSince)
		}
		if len(p.Resources) != len(w.resources) {
			t.Errorf("%s: %d resources, want %d: %+v", p.ARN, len(p.Resources), len(w.resources), p.Resources)
			continue
		}
		for i, r := range p.Resources {
			wr := w.resources[i]
			n := wr.nGranted
			if wr.granted != nil {
				n = len(wr.granted)
				if !reflect.DeepEqual(r.GrantedActions, wr.granted) {
					t.Errorf("%s on %s: granted %v, want %v", p.ARN, r.ARN, r.GrantedActions, wr.granted)
				}
			}
			if r.ARN != wr.arn || r.Kind != wr.kind || len(r.GrantedActions) != n || fmtNum(r.OPS) != fmtNum(wr.ops) ||
				!reflect.DeepEqual(r.UsedActions, nonNil(wr.used)) || !reflect.DeepEqual(r.ConditionalActions, nonNil(wr.conditional)) ||
				fmtStr(r.LastUsedAt) != fmtStr(wr.lastUsedAt) {
				t.Errorf("%s: resource %s %s ops %s, %d granted, used %v, conditional %v, last_used_at %s;\n"+
					"want %s %s ops %s, %d granted, used %v, conditional %v, last_used_at %s", p.ARN,
					r.ARN, r.Kind, fmtNum(r.OPS), len(r.GrantedActions), r.UsedActions, r.ConditionalActions, fmtStr(r.LastUsedAt),
					wr.arn, wr.kind, fmtNum(wr.ops), n, wr.used, wr.conditional, fmtStr(wr.lastUsedAt))
			}
			for _, u := range r.UsedActions {
				if !contains(r.GrantedActions, u) {
					t.Errorf("%s on %s: used %s is not granted", p.ARN, r.ARN, u)
				}
			}
		}
		if !w.monitored && !anyContains(p.Notes, "not monitored") {
			t.Errorf("%s: notes %q do not say the principal is not monitored", p.ARN, p.Notes)
		}
		if w.monitored && !anyContains(p.Notes, "missing for 22 days") {
			t.Errorf("%s: notes %q do not mention the 22 days without logs", p.ARN, p.Notes)
		}
	}
	for arn := range want {
		if !seen[arn] {
			t.Errorf("principal %s missing from the report", arn)
		}
	}

	// (f) Key A: Decrypt by bob on 2026-11-20T10:00 is both its last
	// activity and its last use of key material. Key B: only DescribeKey on
	// 2026-11-21T12:00, which consumes no key material: last_viewed_at null.
	wantKeys := []keyJSON{
		{ARN: keyA, AccountID: "111111111111", Region: "us-east-1", LastActivityAt: str("2026-11-20T10:00:00Z"), LastViewedAt: str("2026-11-20T10:00:00Z")},
		{ARN: keyB, AccountID: "111111111111", Region: "us-east-1", LastActivityAt: str("2026-11-21T12:00:00Z"), LastViewedAt: nil},
	}
	if !reflect.DeepEqual(got.KMSKeys, wantKeys) {
		t.Errorf("kms_keys:\n%s\nwant\n%s", mustJSON(got.KMSKeys), mustJSON(wantKeys))
	}

	// Coverage: logs of 111111111111 on 8 of the window's 30 days
	// (10-26, 11-10, 11-12, 11-18, 11-20, 11-21, 11-22, 11-23): 22 days
	// missing. 222222222222 is not monitored. alice's GetObject is an S3
	// object-level event, so data events are logged.
	logged := map[string]bool{"2026-10-26": true, "2026-11-10": true, "2026-11-12": true, "2026-11-18": true,
		"2026-11-20": true, "2026-11-21": true, "2026-11-22": true, "2026-11-23": true}
	var missing []string
	for d := time.Date(2026, 10, 26, 0, 0, 0, 0, time.UTC); d.Before(time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)); d = d.AddDate(0, 0, 1) {
		if s := d.Format(time.DateOnly); !logged[s] {
			missing = append(missing, s)
		}
	}
	cov := got.Coverage
	if len(missing) != 22 || !reflect.DeepEqual(cov.MonitoredAccounts, []string{"111111111111"}) || len(cov.MissingDays) != 1 ||
		cov.MissingDays[0].AccountID != "111111111111" || !reflect.DeepEqual(cov.MissingDays[0].Days, missing) ||
		len(cov.DataEventsNotLogged) != 0 || cov.UnattributedSessions != 0 {
		t.Errorf("coverage %s; want monitored [111111111111], missing days of 111111111111 %v", mustJSON(cov), missing)
	}
	// 8 principals, 7 monitored, 1 dormant (carol); over-provisioned (OPS
	// above 50): alice (97.9, who reads the one bucket s3:* gives her),
	// carol, dave and frank (100.0 each).
	if s := got.Summary; s.Principals != 8 || s.Monitored != 7 || s.Dormant != 1 || s.OverProvisioned != 4 {
		t.Errorf("summary %+v; want 8 principals, 7 monitored, 1 dormant, 4 over-provisioned", s)
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func anyContains(list []string, s string) bool {
	for _, v := range list {
		if strings.Contains(v, s) {
			return true
		}
	}
	return false
}

func mustJSON(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

// computedAt is the one field of the report that says when the run was made
// rather than what the inputs give.
var computedAt = regexp.MustCompile(`"computed_at": (null|"[^"]*")`)

func withoutComputedAt(s string) string {
	return computedAt.ReplaceAllString(s, `"computed_at": "…"`)
}

func TestScenarioDeterministic(t *testing.T) {
	db1 := filepath.Join(t.TempDir(), "activity.db")
	scenarioDiscover(t, db1)
	scenarioExtract(t, db1)
	first := scenarioReport(t, db1, "--stored=false")
	again := scenarioReport(t, db1, "--stored=false")

	// The same inputs in another store, loaded in the other order.
	db2 := filepath.Join(t.TempDir(), "activity.db")
	scenarioExtract(t, db2)
	scenarioDiscover(t, db2)
	other := scenarioReport(t, db2, "--stored=false")

	if !computedAt.MatchString(first) {
		t.Fatalf("report has no computed_at:\n%s", first)
	}
	for name, out := range map[string]string{"scored again": again, "another store": other} {
		if withoutComputedAt(out) != withoutComputedAt(first) {
			t.Errorf("%s: report differs:\n%s\nfirst:\n%s", name, out, first)
		}
	}
}

// generated writes the synthetic organization of the demo, seed 3.
func generated(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	runCLI(t, context.Background(), []string{"generate", "--out", dir, "--seed", "3", "--end", "2026-11-24", "--events", "5000"})
	return dir
}

func authzArgs(t *testing.T, gen string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(gen, "authz", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no authorization details under %s/authz: %v", gen, err)
	}
	sort.Strings(files)
	var args []string
	for _, f := range files {
		args = append(args, "--authz-details", f)
	}
	return args
}

func TestGeneratedData(t *testing.T) {
	gen := generated(t)
	trail := filepath.Join(gen, "trail")
	discoverArgs := authzArgs(t, gen)
	extractArgs := []string{"extract", "--source", trail, "--as-of", scenarioAsOf}
	reportArgs := []string{"report", "--format", "json", "--as-of", scenarioAsOf, "--stored=false"}
	ctx := context.Background()

	// Clean run: extract, then discover (which evaluates the grants on the
	// resources the logs named), then report.
	cleanDB := filepath.Join(t.TempDir(), "activity.db")
	runCLI(t, ctx, append([]string{"--db", cleanDB}, extractArgs...))
	runCLI(t, ctx, append([]string{"--db", cleanDB, "discover"}, discoverArgs...))
	clean, _ := runCLI(t, ctx, append([]string{"--db", cleanDB}, reportArgs...))

	t.Run("contract", func(t *testing.T) { checkContract(t, clean) })

	t.Run("resumed after half the files", func(t *testing.T) {
		files := eventFiles(t, trail)
		partial := filepath.Join(t.TempDir(), "trail")
		db := filepath.Join(t.TempDir(), "activity.db")
		copyFiles(t, trail, partial, files[:len(files)/2])
		runCLI(t, ctx, []string{"--db", db, "extract", "--source", partial, "--as-of", scenarioAsOf})
		copyFiles(t, trail, partial, files)
		runCLI(t, ctx, []string{"--db", db, "extract", "--source", partial, "--as-of", scenarioAsOf})
		runCLI(t, ctx, append([]string{"--db", db, "discover"}, discoverArgs...))
		got, _ := runCLI(t, ctx, append([]string{"--db", db}, reportArgs...))
		if withoutComputedAt(got) != withoutComputedAt(clean) {
			t.Errorf("report after a resumed extraction differs from a clean run's:\n%s", firstDifference(got, clean))
		}
	})

	t.Run("resumed after cancellation", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "activity.db")
		cctx, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
		_, code := runCLI(t, cctx, append([]string{"--db", db}, extractArgs...), cli.ExitOK, cli.ExitCancelled)
		cancel()
		t.Logf("first extraction: exit %d", code)
		runCLI(t, ctx, append([]string{"--db", db}, extractArgs...))
		runCLI(t, ctx, append([]string{"--db", db, "discover"}, discoverArgs...))
		got, _ := runCLI(t, ctx, append([]string{"--db", db}, reportArgs...))
		if withoutComputedAt(got) != withoutComputedAt(clean) {
			t.Errorf("report after an interrupted extraction differs from a clean run's:\n%s", firstDifference(got, clean))
		}
	})

	// Granted actions are a function of the policies and the resources
	// (SPEC section 2), not of the order the commands ran in: the
	// authorization details name no bucket, key or secret, so the resources
	// come from the logs, and a discover run before the extract must give
	// the same grants once the extract has seen them.
	t.Run("discover before extract", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "activity.db")
		runCLI(t, ctx, append([]string{"--db", db, "discover"}, discoverArgs...))
		runCLI(t, ctx, append([]string{"--db", db}, extractArgs...))
		got, _ := runCLI(t, ctx, append([]string{"--db", db}, reportArgs...))
		if withoutComputedAt(got) != withoutComputedAt(clean) {
			t.Errorf("report when discover ran before extract differs from extract then discover:\n%s", firstDifference(got, clean))
		}
	})
}

// eventFiles lists the event objects under dir, relative and sorted.
func eventFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err == nil && strings.HasSuffix(p, ".json.gz") && !strings.Contains(rel, "CloudTrail-Digest") {
			out = append(out, rel)
		}
		return err
	})
	if err != nil || len(out) < 2 {
		t.Fatalf("event files under %s: %d, %v", dir, len(out), err)
	}
	sort.Strings(out)
	return out
}

func copyFiles(t *testing.T, from, to string, rels []string) {
	t.Helper()
	for _, rel := range rels {
		dst := filepath.Join(to, rel)
		if _, err := os.Stat(dst); err == nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join(from, rel))
		if err == nil {
			err = os.MkdirAll(filepath.Dir(dst), 0o755)
		}
		if err == nil {
			err = os.WriteFile(dst, data, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func firstDifference(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] && !computedAt.MatchString(al[i]) {
			return fmt.Sprintf("line %d: %q, clean run: %q", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("%d lines, clean run %d", len(al), len(bl))
}

// checkContract checks every field of SPEC section 3 on every principal,
// resource and KMS key: present, of the right JSON type, null only where an
// absent value is allowed.
func checkContract(t *testing.T, out string) {
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("report is not one JSON object: %v", err)
	}
	type rule struct {
		kind     string // string, number, bool, array, time
		nullable bool
	}
	check := func(where string, obj map[string]any, rules map[string]rule) {
		t.Helper()
		for field, r := range rules {
			v, ok := obj[field]
			if !ok {
				t.Errorf("%s: no %q", where, field)
				continue
			}
			if v == nil {
				if !r.nullable {
					t.Errorf("%s: %q is null", where, field)
				}
				continue
			}
			okType := false
			switch r.kind {
			case "string":
				_, okType = v.(string)
			case "time":
				s, isString := v.(string)
				ts, err := time.Parse(time.RFC3339, s)
				okType = isString && err == nil && ts.Location() == time.UTC && strings.HasSuffix(s, "Z")
			case "number":
				_, okType = v.(float64)
			case "bool":
				_, okType = v.(bool)
			case "array":
				_, okType = v.([]any)
			}
			if !okType {
				t.Errorf("%s: %q = %v (%T), want %s", where, field, v, v, r.kind)
			}
		}
	}
	check("report", doc, map[string]rule{"as_of": {kind: "time"}, "window_days": {kind: "number"},
		"principals": {kind: "array"}, "kms_keys": {kind: "array"}})
	if doc["as_of"] != scenarioAsOf || doc["window_days"] != 30.0 {
		t.Errorf("as_of %v, window_days %v", doc["as_of"], doc["window_days"])
	}
	principals, _ := doc["principals"].([]any)
	keys, _ := doc["kms_keys"].([]any)
	if len(principals) == 0 || len(keys) == 0 {
		t.Fatalf("%d principals and %d KMS keys: the generated organization has both", len(principals), len(keys))
	}
	var monitored, unmonitored, withResources int
	for i, pv := range principals {
		p, ok := pv.(map[string]any)
		if !ok {
			t.Errorf("principals[%d] is %T", i, pv)
			continue
		}
		where := fmt.Sprintf("principal %v", p["arn"])
		check(where, p, map[string]rule{
			"arn": {kind: "string"}, "kind": {kind: "string"}, "account_id": {kind: "string"}, "monitored": {kind: "bool"},
			"ops": {kind: "number", nullable: true}, "resource_ops": {kind: "number", nullable: true},
			"na_reason": {kind: "string", nullable: true}, "dormant": {kind: "bool"},
			"last_activity_at": {kind: "time", nullable: true}, "observed_since": {kind: "time", nullable: true},
			"denied": {kind: "array"}, "resources": {kind: "array"},
		})
		if !contains([]string{"iam_user", "iam_role", "okta_identity", "sso_user", "root"}, fmt.Sprint(p["kind"])) {
			t.Errorf("%s: kind %v", where, p["kind"])
		}
		if p["kind"] == "root" && (p["ops"] != nil || p["na_reason"] != "root_user" || len(p["resources"].([]any)) != 0) {
			t.Errorf("%s: the root user has ops %v, na_reason %v, %d resources; want null, root_user, none",
				where, p["ops"], p["na_reason"], len(p["resources"].([]any)))
		}
		denied, _ := p["denied"].([]any)
		for j, dv := range denied {
			d, ok := dv.(map[string]any)
			if !ok {
				t.Errorf("%s: denied[%d] is %T", where, j, dv)
				continue
			}
			check(fmt.Sprintf("%s denied[%d]", where, j), d, map[string]rule{
				"action": {kind: "string"}, "resource": {kind: "string", nullable: true}, "error_code": {kind: "string"},
				"count": {kind: "number"}, "last_at": {kind: "time"},
			})
		}
		mon := p["monitored"] == true
		resources, _ := p["resources"].([]any)
		if mon {
			monitored++
		} else {
			unmonitored++
			// Not monitored: OPS is null, not zero, and not dormant.
			if p["ops"] != nil || p["resource_ops"] != nil || p["na_reason"] == nil || p["dormant"] != false {
				t.Errorf("%s: not monitored, but ops %v, resource_ops %v, na_reason %v, dormant %v", where, p["ops"], p["resource_ops"], p["na_reason"], p["dormant"])
			}
		}
		if mon && len(resources) > 0 && (p["ops"] == nil || p["resource_ops"] == nil) {
			t.Errorf("%s: monitored with %d granted resources, but ops %v, resource_ops %v", where, len(resources), p["ops"], p["resource_ops"])
		}
		checkRange(t, where+" ops", p["ops"])
		checkRange(t, where+" resource_ops", p["resource_ops"])
		if len(resources) > 0 {
			withResources++
		}
		for j, rv := range resources {
			r, ok := rv.(map[string]any)
			if !ok {
				t.Errorf("%s: resources[%d] is %T", where, j, rv)
				continue
			}
			rwhere := fmt.Sprintf("%s resource %v", where, r["arn"])
			check(rwhere, r, map[string]rule{
				"arn": {kind: "string"}, "kind": {kind: "string"}, "ops": {kind: "number", nullable: true},
				"granted_actions": {kind: "array"}, "used_actions": {kind: "array"}, "last_used_at": {kind: "time", nullable: true},
			})
			if !contains(activity.ResourceKindNames(), fmt.Sprint(r["kind"])) {
				t.Errorf("%s: kind %v", rwhere, r["kind"])
			}
			if (r["ops"] == nil) == mon {
				t.Errorf("%s: ops %v for a principal with monitored %v", rwhere, r["ops"], mon)
			}
			checkRange(t, rwhere+" ops", r["ops"])
			granted := stringList(t, rwhere+" granted_actions", r["granted_actions"])
			used := stringList(t, rwhere+" used_actions", r["used_actions"])
			if len(granted) == 0 {
				t.Errorf("%s: no granted actions", rwhere)
			}
			for _, u := range used {
				if !contains(granted, u) {
					t.Errorf("%s: used %s is not granted", rwhere, u)
				}
			}
			if (len(used) == 0) != (r["last_used_at"] == nil) {
				t.Errorf("%s: used %v but last_used_at %v", rwhere, used, r["last_used_at"])
			}
		}
	}
	if monitored == 0 || unmonitored == 0 || withResources == 0 {
		t.Errorf("%d monitored, %d not monitored, %d with granted resources: the generated organization has each", monitored, unmonitored, withResources)
	}
	for i, kv := range keys {
		k, ok := kv.(map[string]any)
		if !ok {
			t.Errorf("kms_keys[%d] is %T", i, kv)
			continue
		}
		where := fmt.Sprintf("KMS key %v", k["arn"])
		check(where, k, map[string]rule{"arn": {kind: "string"},
			"last_activity_at": {kind: "time", nullable: true}, "last_viewed_at": {kind: "time", nullable: true}})
		if !strings.HasPrefix(fmt.Sprint(k["arn"]), "arn:aws:kms:") {
			t.Errorf("%s: not a key ARN", where)
		}
		// A use of key material is a use of the key: last viewed never
		// after last activity.
		la, _ := k["last_activity_at"].(string)
		lv, _ := k["last_viewed_at"].(string)
		if lv != "" && (la == "" || lv > la) {
			t.Errorf("%s: last_viewed_at %s after last_activity_at %q", where, lv, la)
		}
	}
}

func checkRange(t *testing.T, where string, v any) {
	t.Helper()
	if f, ok := v.(float64); ok && (f < 0 || f > 100) {
		t.Errorf("%s = %v, outside 0 to 100", where, f)
	}
}

func stringList(t *testing.T, where string, v any) []string {
	t.Helper()
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		s, ok := e.(string)
		if !ok {
			t.Errorf("%s: element %v is %T", where, e, e)
			continue
		}
		out = append(out, s)
	}
	return out
}
