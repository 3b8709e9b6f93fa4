// Package testenv starts the real servers that tests of the project run
// against: the moto AWS emulator and the versitygw S3 server. A server is
// started once per test binary, on a free loopback port, and stopped by Run.
//
// When a server cannot be started, the test is skipped with a message that
// says how to install it, unless ACTIVITY_REQUIRE_SERVERS=1 (set by `make
// test` and CI), in which case it fails: a suite must not pass by skipping.
package testenv

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// RequireEnv makes a missing server a failure instead of a skip.
const RequireEnv = "ACTIVITY_REQUIRE_SERVERS"

var (
	mu      sync.Mutex
	started []*exec.Cmd
)

// Run runs the tests of a package and stops the servers they started. Use it
// from TestMain: os.Exit(testenv.Run(m)).
func Run(m *testing.M) int {
	code := m.Run()
	mu.Lock()
	defer mu.Unlock()
	for _, c := range started {
		_ = syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
		_, _ = c.Process.Wait()
	}
	started = nil
	return code
}

// unavailable skips or fails the test, as RequireEnv says.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv(RequireEnv) == "1" {
		t.Fatalf("%s (%s=1: required)", msg, RequireEnv)
	}
	t.Skip(msg)
}

// freePort asks the kernel for an unused loopback port.
func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close() //nolint:errcheck // only asked for its port
	return l.Addr().String(), nil
}

// start runs a server in its own process group, killed with the test binary.
func start(name string, args []string, env []string, logFile string) (*exec.Cmd, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if logFile != "" {
		f, err := os.Create(logFile)
		if err != nil {
			return nil, err
		}
		cmd.Stdout, cmd.Stderr = f, f
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	mu.Lock()
	started = append(started, cmd)
	mu.Unlock()
	return cmd, nil
}

// startMotoServer starts a moto server on a free port and waits until it,
// not another process, serves there: a port found free can be taken by a
// server another test binary starts at the same moment, and that server
// would then answer for ours. moto says on its log which address it bound.
func startMotoServer(python string) (addr, logFile string, err error) {
	for range 3 {
		if addr, err = freePort(); err != nil {
			return "", "", err
		}
		host, port, _ := net.SplitHostPort(addr)
		logFile = filepath.Join(os.TempDir(), "activity-moto-"+port+".log")
		cmd, err := start(python, []string{"-m", "moto.server", "-H", host, "-p", port}, nil, logFile)
		if err != nil {
			return "", "", err
		}
		exited := make(chan struct{})
		go func() {
			cmd.Wait() //nolint:errcheck // only whether it ended matters here
			close(exited)
		}()
		if err = waitLogged(logFile, "Running on http://"+addr, exited, 30*time.Second); err == nil {
			return addr, logFile, nil
		}
	}
	return "", "", fmt.Errorf("%w (log: %s)", err, logFile)
}

// waitLogged waits until the log file holds marker, failing when the
// process ends first or within passes.
func waitLogged(logFile, marker string, exited <-chan struct{}, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		if b, err := os.ReadFile(logFile); err == nil && bytes.Contains(b, []byte(marker)) {
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("the server ended before it said %q", marker)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the server did not say %q within %s", marker, within)
		}
	}
}

// waitListening waits until addr accepts connections.
func waitListening(addr string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close() //nolint:errcheck // only checked that it connects
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not listening after %s: %w", addr, within, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ModuleRoot is the directory holding go.mod, found upwards from the working
// directory of the test.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// findTool looks for a program in $envVar, the project's .bin/, then PATH.
func findTool(envVar, name string) string {
	if p := os.Getenv(envVar); p != "" {
		return p
	}
	if root, err := ModuleRoot(); err == nil {
		p := filepath.Join(root, ".bin", name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	return ""
}
