package extract_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Ctrl-C on a run with --json still prints the JSON summary, saying the run
// was interrupted and what it had committed, and exits 130.
func TestInterruptPrintsTheJSONSummary(t *testing.T) {
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
	var sum struct {
		RunID       int64 `json:"run_id"`
		Listed      int   `json:"objects_listed"`
		Read        int   `json:"objects_read"`
		Interrupted bool  `json:"interrupted"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &sum); err != nil {
		t.Fatalf("no JSON summary after the interruption: %v\n%s", err, stdout.String())
	}
	if !sum.Interrupted || sum.RunID == 0 || sum.Read == 0 || sum.Read >= 220 || sum.Listed < sum.Read {
		t.Errorf("summary %+v; want an interrupted run that read some of the 220 objects, no more than it listed", sum)
	}
}
