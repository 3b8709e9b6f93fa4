package reliability

import (
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/testenv"
)

// The real trail and the authorization details with unreadable policies the
// CLI's tests use (see their NOTICE files).
const (
	invictusTrail  = "../cloudtrail/testdata/invictus"
	invictusAsOf   = "2023-07-11T00:00:00Z"
	invictusBucket = "arn:aws:s3:::invictus-aws-2022-10-27-e0xdv"
	unreadableAuth = "../../cli/testdata/unreadable-authz-details.json"
	auditorARN     = "arn:aws:iam::123837392027:user/auditor"
)

// mistake is one row of the "mistakes" table: a mistaken or hostile input,
// the exit status and message it must get, and what must stay as it was.
type mistake struct {
	name string
	// run prepares the case and runs activity-extractor; it returns the
	// exit status, what was printed, and whether what must hold held:
	// nothing written where it should not be, nothing counted twice, a
	// partial summary (nil when the case has no such check).
	run  func(t *testing.T) (status int, output string, held *bool)
	want int
	says string
}

// TestReliabilityMistakes runs every mistake of the table in the README's
// reliability section as a user would make it, in a process of its own.
func TestReliabilityMistakes(t *testing.T) {
	c := begin(t, "mistakes")
	cases := []mistake{
		{"mistyped --db", mistypedDB, 2, "no such database"},
		{"another program's database", foreignDB, 2, "another program"},
		{"read-only database", readOnlyDB, 0, ""},
		{"names of 1,000,000 characters", hugeNames, 3, "userIdentity.arn is 1,000,"},
		{"unparseable policy", unparseablePolicy, 3, `"Allw" is neither Allow nor Deny`},
		{"--min-ops NaN", args("report", "--min-ops", "NaN"), 2, "from 0 to 100"},
		{"--resource not an ARN", args("simulate", "--principal", auditorARN, "--action", "s3:GetObject", "--resource", "not-an-arn"), 2, "ARN"},
		{"--as-of year 1", args("report", "--as-of", "0001-01-01T00:00:00Z"), 2, "before CloudTrail existed"},
		{"--as-of in the future", futureAsOf, 3, "after now"},
		{"extract of an empty folder", emptySource, 3, "no CloudTrail object found"},
		{"object neither gzip nor JSON", notGzip, 3, "neither gzip nor JSON"},
		{"two extracts at once", twoExtracts, 0, "waiting for it to finish"},
		{"SIGINT with --json", interrupted(syscall.SIGINT), 130, `"interrupted": true`},
		{"SIGTERM with --json", interrupted(syscall.SIGTERM), 130, `"interrupted": true`},
	}
	for _, m := range cases {
		t.Run(m.name, func(t *testing.T) {
			c.inputs++
			c.runs++
			status, output, held := m.run(t)
			says := m.says == "" || strings.Contains(output, m.says)
			kept := "-"
			if held != nil {
				kept = map[bool]string{true: "yes", false: "NO"}[*held]
			}
			if status != m.want || !says || held != nil && !*held {
				t.Errorf("exit status %d (want %d), says %q: %v, nothing written where it should not be: %s\n%s", status, m.want, m.says, says, kept, lastLines(output, 12))
			}
			result := "pass"
			if t.Failed() {
				result = "fail"
			}
			fmt.Printf("MISTAKE\t%s\t%d\t%d\t%v\t%s\t%s\n", m.name, status, m.want, says, kept, result)
		})
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func hashFile(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// extracted is a database holding the invictus trail, scored.
func extracted(t *testing.T) string {
	t.Helper()
	db := dbIn(t)
	mustRun(t, nil, extractArgs(db, invictusTrail, invictusAsOf)...)
	mustRun(t, nil, "--db", db, "score", "--as-of", invictusAsOf)
	return db
}

// args runs a command on a database holding the invictus trail, which must
// stay as it was.
func args(cmd ...string) func(t *testing.T) (int, string, *bool) {
	return func(t *testing.T) (int, string, *bool) {
		db := extracted(t)
		before := hashFile(t, db)
		out, errOut, status := cliRun(t, nil, append([]string{"--db", db}, cmd...)...)
		same := hashFile(t, db) == before
		return status, out + errOut, &same
	}
}

func mistypedDB(t *testing.T) (int, string, *bool) {
	db := filepath.Join(t.TempDir(), "actvity.db")
	_, errOut, status := cliRun(t, nil, "--db", db, "rules", "check")
	_, err := os.Stat(db)
	created := err == nil
	notCreated := !created
	return status, errOut, &notCreated
}

func foreignDB(t *testing.T) (int, string, *bool) {
	db := filepath.Join(t.TempDir(), "app.db")
	raw, err := sql.Open("sqlite3", "file:"+db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`CREATE TABLE orders (id INTEGER PRIMARY KEY); INSERT INTO orders DEFAULT VALUES`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	before := hashFile(t, db)
	_, errOut, status := cliRun(t, nil, extractArgs(db, invictusTrail, invictusAsOf)...)
	same := hashFile(t, db) == before
	return status, errOut, &same
}

func readOnlyDB(t *testing.T) (int, string, *bool) {
	db := extracted(t)
	before := hashFile(t, db)
	testenv.ReadOnly(t, db, store.LockPath(db), filepath.Dir(db))
	var output string
	status := 0
	for _, cmd := range [][]string{{"report", "--stored", "--as-of", invictusAsOf}, {"integrations", "list"}, {"report", "--format", "json", "--as-of", invictusAsOf}} {
		out, errOut, s := cliRun(t, nil, append([]string{"--db", db}, cmd...)...)
		output += out + errOut
		if s != 0 {
			status = s
		}
	}
	same := hashFile(t, db) == before
	return status, output, &same
}

// hugeNames is the invictus trail plus an object whose records carry names
// of a million characters: the records are skipped and named, the real
// ones counted, and the database does not grow by the junk.
func hugeNames(t *testing.T) (int, string, *bool) {
	dir := t.TempDir()
	big := strings.Repeat("x", 1_000_000)
	record := func(arn string) map[string]any {
		return map[string]any{
			"eventVersion": "1.08", "eventTime": "2023-07-10T12:00:00Z", "eventSource": "s3.amazonaws.com",
			"eventName": "GetObject", "awsRegion": "us-east-1", "eventID": fmt.Sprintf("%x", sha256.Sum256([]byte(arn)))[:32],
			"recipientAccountId": "123837392027",
			"userIdentity":       map[string]any{"type": "IAMUser", "arn": arn, "accountId": "123837392027", "userName": "u"},
			"requestParameters":  map[string]any{"bucketName": "b", "key": "k"},
		}
	}
	writeGzipJSON(t, filepath.Join(dir, "123837392027_CloudTrail_us-east-1_20230710T1200Z_huge.json.gz"),
		map[string]any{"Records": []any{record("arn:aws:iam::123837392027:user/" + big), record("arn:aws:iam::123837392027:user/real")}})
	db := dbIn(t)
	_, errOut, status := cliRun(t, nil, extractArgs(db, dir, invictusAsOf)...)
	// The same object without the junk record, for the size it must have.
	realDir := t.TempDir()
	writeGzipJSON(t, filepath.Join(realDir, "123837392027_CloudTrail_us-east-1_20230710T1200Z_real.json.gz"),
		map[string]any{"Records": []any{record("arn:aws:iam::123837392027:user/real")}})
	realDB := dbIn(t)
	mustRun(t, nil, extractArgs(realDB, realDir, invictusAsOf)...)
	grew := fileSize(t, db) - fileSize(t, realDB)
	small := grew < 64<<10
	if !small {
		t.Errorf("the junk record grew the database by %d bytes", grew)
	}
	return status, errOut, &small
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func writeGzipJSON(t *testing.T, path string, v any) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	if err := json.NewEncoder(zw).Encode(v); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// unparseablePolicy: discover notes the policy, and simulate answers
// unknown, naming it, without writing to the database.
func unparseablePolicy(t *testing.T) (int, string, *bool) {
	db := dbIn(t)
	mustRun(t, nil, extractArgs(db, invictusTrail, invictusAsOf)...)
	if _, errOut, status := cliRun(t, nil, "--db", db, "discover", "--authz-details", unreadableAuth); status != 3 {
		t.Fatalf("discover: exit %d\n%s", status, errOut)
	}
	before := hashFile(t, db)
	out, errOut, status := cliRun(t, nil, "--db", db, "simulate", "--principal", auditorARN, "--action", "s3:GetObject", "--resource", invictusBucket)
	if !strings.Contains(out, "unknown") {
		t.Errorf("simulate did not answer unknown:\n%s", out)
	}
	same := hashFile(t, db) == before
	return status, out + errOut, &same
}

// futureAsOf: score does its work (the scores are stored) and warns that no
// logs can exist after now.
func futureAsOf(t *testing.T) (int, string, *bool) {
	out, errOut, status := cliRun(t, nil, "--db", extracted(t), "score", "--as-of", "2099-01-01T00:00:00Z")
	return status, out + errOut, nil
}

func emptySource(t *testing.T) (int, string, *bool) {
	_, errOut, status := cliRun(t, nil, extractArgs(dbIn(t), t.TempDir(), invictusAsOf)...)
	return status, errOut, nil
}

func notGzip(t *testing.T) (int, string, *bool) {
	dir := t.TempDir()
	junk := make([]byte, 4096)
	for i := range junk {
		junk[i] = byte(i*7 + 3)
	}
	if err := os.WriteFile(filepath.Join(dir, "123837392027_CloudTrail_us-east-1_20230710T1200Z_junk.json.gz"), junk, 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, status := cliRun(t, nil, extractArgs(dbIn(t), dir, invictusAsOf)...)
	return status, out + errOut, nil
}

// twoExtracts: the second waits for the first; between them every object is
// read once and no event counted twice.
func twoExtracts(t *testing.T) (int, string, *bool) {
	tr := generate(t, 20000, 5)
	db := dbIn(t)
	a := startChild(t, nil, extractArgs(db, tr.source(), tr.asOf, "--json")...)
	b := startChild(t, nil, extractArgs(db, tr.source(), tr.asOf, "--json")...)
	status, output, read, dup := 0, "", 0, 0
	for _, ch := range []*child{a, b} {
		if s := ch.wait(); s != 0 {
			status = s
		}
		output += ch.stderr.String()
		var sum struct {
			Read       int `json:"objects_read"`
			Duplicates int `json:"duplicate_events"`
		}
		if err := json.Unmarshal(ch.stdout.Bytes(), &sum); err != nil {
			t.Fatalf("summary %q: %v", ch.stdout.String(), err)
		}
		read, dup = read+sum.Read, dup+sum.Duplicates
	}
	clean := cleanRun(t, tr)
	lost, twice := compareCounts(clean.counts, counts(t, db))
	ok := read == tr.files && lost == 0 && twice == 0
	if !ok {
		t.Errorf("%d objects read of %d, %d events lost, %d counted twice, %d duplicates reported", read, tr.files, lost, twice, dup)
	}
	return status, output, &ok
}

// interrupted sends sig to an extract --json once it has committed objects:
// it prints its summary, says it was interrupted, and exits 130.
func interrupted(sig syscall.Signal) func(t *testing.T) (int, string, *bool) {
	return func(t *testing.T) (int, string, *bool) {
		tr := generate(t, 60000, 10)
		ch := &child{}
		cmd := startChildPiped(t, ch, extractArgs(dbIn(t), tr.source(), tr.asOf, "--json", "--workers", "1")...)
		sc := bufio.NewScanner(cmd)
		for sc.Scan() && !strings.Contains(sc.Text(), "committed") {
		}
		if err := ch.cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		go io.Copy(io.Discard, cmd) //nolint:errcheck // drains the log until the child exits
		status := ch.wait()
		var sum struct {
			Read int `json:"objects_read"`
		}
		err := json.Unmarshal(ch.stdout.Bytes(), &sum)
		partial := err == nil && sum.Read > 0 && sum.Read < tr.files
		if !partial {
			t.Errorf("summary %q (%v): want some of the %d objects read", ch.stdout.String(), err, tr.files)
		}
		return status, ch.stdout.String(), &partial
	}
}

// startChildPiped starts activity-extractor with debug logging and returns
// its standard error as a stream, to act on what it logs.
func startChildPiped(t *testing.T, c *child, args ...string) io.Reader {
	t.Helper()
	c.cmd = newChildCmd(nil, append([]string{"--log-level", "debug"}, args...))
	c.cmd.Stdout = &c.stdout
	r, err := c.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return r
}
