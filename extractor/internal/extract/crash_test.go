package extract_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/cloudtrail"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

const crashChildEnv = "ACTIVITY_EXTRACT_CHILD_ARGS"

// copies writes n copies of the invictus trail into one folder: more
// objects for a kill to land among, and duplicate deliveries besides.
func copies(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := os.ReadDir(invictusDir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		sub := filepath.Join(dir, string(rune('a'+i)))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".json.gz") {
				continue
			}
			data, err := os.ReadFile(filepath.Join(invictusDir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(sub, e.Name()), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

// The extract process is killed (SIGKILL) at random points, again and
// again, then left to finish: the facts equal those of a clean run. A round
// starts from an empty database and ends when a run finishes before its
// kill; rounds repeat until enough kills landed, and some of them must have
// landed between two commits of one run: a test whose runs all finish first
// proves nothing.
func TestKilledRunsLoseNothingAndCountNothingTwice(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the extractor dozens of times")
	}
	const (
		kills   = 12  // kills that must land
		maxRuns = 200 // runs before the test gives up on landing them
	)
	dir := copies(t, 4)
	clean := openDB(t)
	began := time.Now()
	run(t, clean, cloudtrail.Folder{Dir: dir})
	took := time.Since(began)
	want := snapshot(t, clean)

	rng := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	killed, midWork, runs := 0, 0, 0
	for round := 0; killed < kills; round++ {
		dbPath := filepath.Join(t.TempDir(), "activity.db")
		args := strings.Join([]string{"--db", dbPath, "--log-level", "debug", "extract", "--source", dir,
			"--as-of", "2023-07-11T00:00:00Z", "--workers", "2"}, "\n")
		for finished := false; !finished; {
			if runs == maxRuns {
				t.Fatalf("%d kills landed in %d runs, want %d: the runs finish before their kills (a clean run took %s)", killed, runs, kills, took)
			}
			runs++
			// Anywhere from the start (exec, opening, migrating) to past
			// the clean run's length, which the child's start adds to.
			delay := time.Duration(rng.Int64N(int64(took)*3/2 + int64(30*time.Millisecond)))
			ch := startExtract(t, args)
			select {
			case err := <-ch.done:
				if err != nil {
					t.Fatalf("round %d: a run ended with %v before its kill at %s:\n%s", round, err, delay, ch.stderr())
				}
				finished = true
			case <-time.After(delay):
				_ = ch.cmd.Process.Kill()
				err := <-ch.done
				if !killedBySignal(err) {
					// It ended on its own as the kill was sent.
					if err != nil {
						t.Fatalf("round %d: a run ended with %v:\n%s", round, err, ch.stderr())
					}
					finished = true
					break
				}
				killed++
				if ch.committed() > 0 {
					midWork++
				}
			}
		}
		db, err := store.Open(context.Background(), dbPath)
		if err != nil {
			t.Fatal(err)
		}
		sum := run(t, db, cloudtrail.Folder{Dir: dir})
		if sum.Listed != 220 || sum.AlreadyRead != 220 || sum.Done != 0 {
			t.Errorf("round %d: run after the finished one %+v: every object should have been read exactly once already", round, sum)
		}
		if got := snapshot(t, db); got != want {
			t.Errorf("round %d: facts after killed runs:\n%s\nwant\n%s", round, got, want)
		}
		db.Close()
	}
	t.Logf("%d runs in all, %d killed, %d of them after a commit and before the end of their work (a clean run took %s)", runs, killed, midWork, took)
	if midWork == 0 {
		t.Errorf("none of the %d kills landed between two commits of a run: the test did not interrupt any work", killed)
	}
}

// extractChild is an extract command started in a child process.
type extractChild struct {
	cmd  *exec.Cmd
	done chan error
	mu   sync.Mutex
	log  strings.Builder
}

func startExtract(t *testing.T, args string) *extractChild {
	t.Helper()
	ch := &extractChild{cmd: exec.Command(os.Args[0], "-test.run=^$"), done: make(chan error, 1)}
	ch.cmd.Env = append(os.Environ(), crashChildEnv+"="+args)
	ch.cmd.Stderr = ch
	if err := ch.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { ch.done <- ch.cmd.Wait() }()
	return ch
}

// Write keeps what the child logs.
func (ch *extractChild) Write(p []byte) (int, error) {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	return ch.log.Write(p)
}

func (ch *extractChild) stderr() string {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	return ch.log.String()
}

// committed is the number of batches the child said it committed.
func (ch *extractChild) committed() int {
	return strings.Count(ch.stderr(), "msg=committed")
}

// killedBySignal tells whether a child ended by SIGKILL.
func killedBySignal(err error) bool {
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		return false
	}
	ws, ok := exit.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

// Ctrl-C stops the run cleanly: exit status 130, the run recorded as
// interrupted, what was committed kept and not read again, and the --json
// summary printed, saying it was interrupted.
func TestInterruptKeepsCommittedWork(t *testing.T) {
	dir := copies(t, 4)
	dbPath := filepath.Join(t.TempDir(), "activity.db")
	args := strings.Join([]string{"--db", dbPath, "--log-level", "debug", "extract", "--json", "--source", dir, "--as-of", "2023-07-11T00:00:00Z", "--workers", "1"}, "\n")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+args)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt once the first objects are committed.
	sc := bufio.NewScanner(stderr)
	for sc.Scan() && !strings.Contains(sc.Text(), "committed") {
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, stderr) //nolint:errcheck // drains the child's log until it exits
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 130 {
		t.Fatalf("interrupted run ended with %v, want exit status 130", err)
	}
	var summary struct {
		RunID       int64 `json:"run_id"`
		Listed      int64 `json:"objects_listed"`
		Read        int64 `json:"objects_read"`
		Interrupted bool  `json:"interrupted"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &summary); err != nil {
		t.Fatalf("no JSON summary after the interruption: %v\n%s", err, stdout.String())
	}
	db, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	last, err := db.LastExtractRun(context.Background())
	if err != nil || last.Status != store.RunInterrupted || last.Objects == 0 || last.Objects >= 220 {
		t.Fatalf("run = %+v, %v; want an interrupted run that committed some objects", last, err)
	}
	if !summary.Interrupted || summary.RunID != last.ID || summary.Read != last.Objects || summary.Listed < summary.Read {
		t.Errorf("summary %+v, run %+v; want the interrupted run's own counts", summary, last)
	}
	sum := run(t, db, cloudtrail.Folder{Dir: dir})
	if sum.AlreadyRead != last.Objects || sum.Done != 220-last.Objects {
		t.Errorf("resumed run %+v after %d committed objects", sum, last.Objects)
	}
}
