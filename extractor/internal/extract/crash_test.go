package extract_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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
// again, then left to finish: the facts equal those of a clean run.
func TestKilledRunsLoseNothingAndCountNothingTwice(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the extractor 25 times")
	}
	dir := copies(t, 4)
	clean := openDB(t)
	run(t, clean, cloudtrail.Folder{Dir: dir})
	want := snapshot(t, clean)

	dbPath := filepath.Join(t.TempDir(), "activity.db")
	args := strings.Join([]string{"--db", dbPath, "extract", "--source", dir, "--as-of", "2023-07-11T00:00:00Z", "--workers", "2"}, "\n")
	rng := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	interrupted := 0
	for i := range 25 {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+args)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		delay := time.Duration(5+rng.IntN(150)) * time.Millisecond
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			t.Logf("run %d finished before its kill at %s: %v", i, delay, err)
		case <-time.After(delay):
			_ = cmd.Process.Kill()
			<-done //nolint:errcheck // killed: Wait reports it, as expected
			interrupted++
		}
	}
	t.Logf("%d of 25 runs killed", interrupted)
	db, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ledger int
	if err := db.SQL().QueryRow(`SELECT count(*) FROM extract_ledger`).Scan(&ledger); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d of 220 objects committed before the last run", ledger)
	sum := run(t, db, cloudtrail.Folder{Dir: dir})
	if sum.Listed != 220 || sum.AlreadyRead+sum.Done != 220 {
		t.Errorf("final run %+v: every object should be read exactly once overall", sum)
	}
	if got := snapshot(t, db); got != want {
		t.Errorf("facts after killed runs:\n%s\nwant\n%s", got, want)
	}
}

// Ctrl-C stops the run cleanly: exit status 130, the run recorded as
// interrupted, and what was committed kept and not read again.
func TestInterruptKeepsCommittedWork(t *testing.T) {
	dir := copies(t, 4)
	dbPath := filepath.Join(t.TempDir(), "activity.db")
	args := strings.Join([]string{"--db", dbPath, "--log-level", "debug", "extract", "--source", dir, "--as-of", "2023-07-11T00:00:00Z", "--workers", "1"}, "\n")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+args)
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
	db, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	last, err := db.LastExtractRun(context.Background())
	if err != nil || last.Status != store.RunInterrupted || last.Objects == 0 || last.Objects >= 220 {
		t.Fatalf("run = %+v, %v; want an interrupted run that committed some objects", last, err)
	}
	sum := run(t, db, cloudtrail.Folder{Dir: dir})
	if sum.AlreadyRead != last.Objects || sum.Done != 220-last.Objects {
		t.Errorf("resumed run %+v after %d committed objects", sum, last.Objects)
	}
}
