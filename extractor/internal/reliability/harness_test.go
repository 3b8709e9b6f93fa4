package reliability

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/cli"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/testenv"
)

// childEnv makes the test binary run activity-extractor with the arguments
// it holds (one per line), so tests can kill it, run two at once, and read
// its output like a user's.
const childEnv = "ACTIVITY_RELIABILITY_CHILD_ARGS"

func TestMain(m *testing.M) {
	if args := os.Getenv(childEnv); args != "" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		err := cli.Run(ctx, strings.Split(args, "\n"), cli.Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}, "test")
		os.Exit(cli.ExitCode(err))
	}
	os.Exit(testenv.Run(m))
}

// full says whether the release sizes were asked for.
func full() bool { return os.Getenv("RELIABILITY_FULL") == "1" }

// size picks the short or the release size.
func size(short, release int) int {
	if full() {
		return release
	}
	return short
}

// tally is what one case reports in the table.
type tally struct {
	name                              string
	inputs, faults, runs, lost, twice int
}

// begin skips the test outside `make reliability` and prints its line of the
// table when it ends, pass or fail.
func begin(t *testing.T, name string) *tally {
	t.Helper()
	if os.Getenv("ACTIVITY_RELIABILITY") != "1" {
		t.Skip("run by make reliability (ACTIVITY_RELIABILITY=1)")
	}
	c := &tally{name: name}
	t.Cleanup(func() {
		result := "pass"
		if t.Failed() {
			result = "fail"
		}
		if t.Skipped() {
			result = "skip"
		}
		fmt.Printf("RELIABILITY case=%s inputs=%d faults=%d runs=%d lost=%d twice=%d result=%s\n",
			c.name, c.inputs, c.faults, c.runs, c.lost, c.twice, result)
	})
	return c
}

// child is one activity-extractor process.
type child struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
}

func startChild(t *testing.T, env []string, args ...string) *child {
	t.Helper()
	c := &child{cmd: newChildCmd(env, args)}
	c.cmd.Stdout, c.cmd.Stderr = &c.stdout, &c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return c
}

// newChildCmd is the command that runs activity-extractor with args.
func newChildCmd(env, args []string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), env...), childEnv+"="+strings.Join(args, "\n"))
	return cmd
}

// wait returns the exit status.
func (c *child) wait() int {
	err := c.cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// cliRun runs activity-extractor to its end.
func cliRun(t *testing.T, env []string, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	c := startChild(t, env, args...)
	status = c.wait()
	return c.stdout.String(), c.stderr.String(), status
}

// mustRun runs activity-extractor and fails the test unless it succeeds.
func mustRun(t *testing.T, env []string, args ...string) string {
	t.Helper()
	out, errOut, status := cliRun(t, env, args...)
	if status != 0 {
		t.Fatalf("activity-extractor %s: exit status %d\n%s", strings.Join(args, " "), status, errOut)
	}
	return out
}

// trail is a generated organization trail.
type trail struct {
	dir   string // holds trail/ and authz/
	asOf  string // the end of a window holding every event
	files int    // event objects
}

func (tr trail) source() string { return filepath.Join(tr.dir, "trail") }

func (tr trail) authzArgs() []string {
	files, _ := filepath.Glob(filepath.Join(tr.dir, "authz", "*.json"))
	var args []string
	for _, f := range files {
		args = append(args, "--authz-details", f)
	}
	return args
}

// generate writes a deterministic trail of about the given number of events.
func generate(t *testing.T, events, days int) trail {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "gen")
	mustRun(t, nil, "generate", "--out", dir, "--events", fmt.Sprint(events), "--days", fmt.Sprint(days),
		"--end", "2026-11-20", "--seed", "7")
	n := 0
	_ = filepath.Walk(filepath.Join(dir, "trail"), func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() && !strings.Contains(p, "Digest") {
			n++
		}
		return nil
	})
	return trail{dir: dir, asOf: "2026-11-21T00:00:00Z", files: n}
}

func dbIn(t *testing.T) string { return filepath.Join(t.TempDir(), "activity.db") }

func extractArgs(db, source, asOf string, more ...string) []string {
	return append([]string{"--db", db, "extract", "--source", source, "--as-of", asOf, "--workers", "2"}, more...)
}

// facts are the usage tables with identifiers replaced by ARNs, one row per
// line: what extraction produced, independent of the order it committed in.
func facts(t *testing.T, dbPath string) string {
	t.Helper()
	return testenv.Facts(t, openStore(t, dbPath).SQL())
}

// counts are the successful uses per principal, resource, action and day.
func counts(t *testing.T, dbPath string) map[string]int {
	t.Helper()
	db := openStore(t, dbPath)
	rows, err := db.SQL().Query(`SELECT p.arn, r.arn, u.action, u.day, u.count FROM usage_actions u
		JOIN principals p ON p.id = u.principal_id JOIN resources r ON r.id = u.resource_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var p, r, a string
		var day int64
		var n int
		if err := rows.Scan(&p, &r, &a, &day, &n); err != nil {
			t.Fatal(err)
		}
		out[p+" "+r+" "+a+" "+fmt.Sprint(day)] += n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// compareCounts tells how many events a run lost and counted twice against
// a clean run.
func compareCounts(want, got map[string]int) (lost, twice int) {
	for k, w := range want {
		if g := got[k]; g < w {
			lost += w - g
		} else {
			twice += g - w
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			twice += g
		}
	}
	return lost, twice
}

func openStore(t *testing.T, path string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// scoreReport discovers the trail's entitlements and returns the JSON report
// without the time it was computed at.
func scoreReport(t *testing.T, tr trail, dbPath string) string {
	t.Helper()
	mustRun(t, nil, append([]string{"--db", dbPath, "discover"}, tr.authzArgs()...)...)
	out := mustRun(t, nil, "--db", dbPath, "report", "--format", "json", "--as-of", tr.asOf)
	var kept []string
	for _, line := range strings.Split(out, "\n") {
		if !strings.Contains(line, `"computed_at"`) {
			kept = append(kept, line)
		}
	}
	return strings.Join(kept, "\n")
}

// baseline is what a clean run extracted, taken before anything else is
// written to its database.
type baseline struct {
	db     string
	facts  string
	counts map[string]int
}

func cleanRun(t *testing.T, tr trail) baseline {
	t.Helper()
	db := dbIn(t)
	mustRun(t, nil, extractArgs(db, tr.source(), tr.asOf)...)
	return baseline{db: db, facts: facts(t, db), counts: counts(t, db)}
}

// sameResults compares facts and scores with a clean run's, and adds to the
// lost and twice columns.
func sameResults(t *testing.T, c *tally, tr trail, clean baseline, got string) {
	t.Helper()
	sameFacts(t, c, clean, got)
	if want, have := scoreReport(t, tr, clean.db), scoreReport(t, tr, got); want != have {
		t.Errorf("score reports differ from a clean run's:\n%s", firstDifference(want, have))
	}
}

// sameFacts compares facts with a clean run's, and adds to the lost and
// twice columns.
func sameFacts(t *testing.T, c *tally, clean baseline, got string) {
	t.Helper()
	lost, twice := compareCounts(clean.counts, counts(t, got))
	c.lost += lost
	c.twice += twice
	if lost != 0 || twice != 0 {
		t.Errorf("%d events lost and %d counted twice against a clean run", lost, twice)
	}
	if have := facts(t, got); clean.facts != have {
		t.Errorf("facts differ from a clean run's:\n%s", firstDifference(clean.facts, have))
	}
}

func firstDifference(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n  want %s\n  got  %s", i+1, a, b)
		}
	}
	return "(equal)"
}

// integrity runs SQLite's own check of the file.
func integrity(t *testing.T, dbPath string) {
	t.Helper()
	var res string
	if err := openStore(t, dbPath).SQL().QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
		t.Errorf("integrity_check: %q, %v", res, err)
	}
}
