package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/testenv"
)

// invictus is the real trail of the simulate tests (invictusLogs), whose
// 55 objects a whole extract reads.
const (
	invictus      = invictusLogs
	invictusFiles = 55
)

// syncBuffer is a buffer one goroutine writes while another reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func sum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// --db naming another program's SQLite file is a usage mistake: every
// command refuses it, says what it is, and leaves it byte for byte.
func TestAnotherProgramsDatabaseIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.db")
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO accounts (name) VALUES ('x')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before := sum(t, path)
	for _, args := range [][]string{
		{"extract", "--source", invictus, "--as-of", invictusAsOf}, {"score"}, {"report"}, {"rules", "check"},
		{"integrations", "list"}, {"errors"}, {"generate", "--out", t.TempDir()},
	} {
		_, errOut, code := run(t, append([]string{"--db", path}, args...)...)
		if args[0] == "generate" {
			continue // writes files, not the database
		}
		if code != ExitUsage || !strings.Contains(errOut, "another program") || !strings.Contains(errOut, "tables accounts") {
			t.Errorf("%v: exit %d, %q; want exit %d saying the file is another program's", args, code, errOut, ExitUsage)
		}
	}
	if sum(t, path) != before {
		t.Error("the other program's database changed")
	}
	if _, err := os.Stat(store.LockPath(path)); err == nil {
		t.Error("extract left a lock file beside a database it refused")
	}
}

// Every command that only reads works on a database whose file and folder
// are read-only, and leaves them as they were; one that would need to store
// scores says why it cannot.
func TestReadingCommandsWorkOnAReadOnlyDatabase(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "activity.db")
	if _, errOut, code := run(t, "--db", path, "extract", "--source", invictus, "--as-of", invictusAsOf); code != ExitOK {
		t.Fatalf("extract: exit %d: %s", code, errOut)
	}
	if _, errOut, code := run(t, "--db", path, "score", "--as-of", invictusAsOf); code != ExitOK {
		t.Fatalf("score: exit %d: %s", code, errOut)
	}
	before := sum(t, path)
	testenv.ReadOnly(t, path, store.LockPath(path), dir)

	for _, args := range [][]string{
		{"integrations", "list"}, {"integrations", "list", "--json"}, {"errors"}, {"rules", "list"},
		{"report", "--stored", "--as-of", invictusAsOf}, {"report", "--format", "json", "--as-of", invictusAsOf},
		{"report", "--format", "html", "--as-of", invictusAsOf}, {"rules", "check", "--as-of", invictusAsOf},
	} {
		out, errOut, code := run(t, append([]string{"--db", path}, args...)...)
		if code != ExitOK || strings.Contains(errOut, "readonly") {
			t.Errorf("%v on a read-only database: exit %d, %q", args, code, errOut)
		}
		if args[0] == "report" && !strings.Contains(strings.ReplaceAll(out, "<wbr>", ""), "user/bert-jan") {
			t.Errorf("%v printed no principal:\n%.300s", args, out)
		}
	}
	_, errOut, code := run(t, "--db", path, "rules", "check", "--window", "7d", "--as-of", invictusAsOf)
	if code == ExitOK || !strings.Contains(errOut, "is read-only and holds no scores for the window") {
		t.Errorf("report of an unscored window on a read-only database: exit %d, %q", code, errOut)
	}
	if sum(t, path) != before {
		t.Error("reading changed the database")
	}
}

// A second extract on the same database waits for the first, says so, and
// then reads only what the first left: no object is read twice.
func TestSecondExtractWaitsForTheFirst(t *testing.T) {
	path := filepath.Join(t.TempDir(), "activity.db")
	release, err := store.LockExtract(context.Background(), path, "extract (pid 1 on ci)", nil)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	errOut := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		err := Run(context.Background(), []string{"--db", path, "extract", "--source", invictus, "--as-of", invictusAsOf, "--json"},
			Streams{In: strings.NewReader(""), Out: &out, Err: errOut}, "test")
		done <- ExitCode(err)
	}()
	// It says it waits, and does not finish while the other holds the lock.
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(errOut.String(), "waiting for it to finish"); time.Sleep(20 * time.Millisecond) {
		select {
		case code := <-done:
			t.Fatalf("extract ran while another held the database: exit %d, %s", code, errOut.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("extract did not say it waits: %q", errOut.String())
		}
	}
	select {
	case code := <-done:
		t.Fatalf("extract finished while another held the database: exit %d", code)
	case <-time.After(300 * time.Millisecond):
	}
	release()
	r := struct {
		out, errOut string
		code        int
	}{code: <-done}
	r.out, r.errOut = out.String(), errOut.String()
	if r.code != ExitOK || !strings.Contains(r.errOut, "in use by another extract (pid 1 on ci)") {
		t.Fatalf("exit %d, stderr %q; want a message naming the run it waited for", r.code, r.errOut)
	}
	var s struct {
		Read        int  `json:"objects_read"`
		Interrupted bool `json:"interrupted"`
	}
	if err := json.Unmarshal([]byte(r.out), &s); err != nil || s.Read != invictusFiles || s.Interrupted {
		t.Errorf("summary %+v (%v), want all %d objects read", s, err, invictusFiles)
	}
	// The second, sequential run finds every object read.
	again, _, code := run(t, "--db", path, "extract", "--source", invictus, "--as-of", invictusAsOf, "--json")
	if err := json.Unmarshal([]byte(again), &s); err != nil || code != ExitOK || s.Read != 0 {
		t.Errorf("rerun: exit %d, summary %+v (%v), want nothing read again", code, s, err)
	}
}
