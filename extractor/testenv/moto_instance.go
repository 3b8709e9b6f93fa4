package testenv

import (
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// StartMotoInstance starts a moto server of the test's own, apart from the
// one StartMoto shares, for a test that changes server-wide settings (such
// as IAM enforcement) or needs two AWS endpoints. It is stopped by Run.
func StartMotoInstance(t testing.TB) *Moto {
	t.Helper()
	motoOnce.Do(func() { motoSrv, motoErr = startMoto() })
	if motoSrv == nil {
		unavailable(t, "moto AWS emulator unavailable: %s; install it with: pip install 'moto[server]'", motoErr)
	}
	python := os.Getenv("ACTIVITY_MOTO_PYTHON")
	if python == "" {
		python = "python3"
	}
	addr, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(addr)
	logFile := filepath.Join(os.TempDir(), "activity-moto-"+port+".log")
	if _, err := start(python, []string{"-m", "moto.server", "-H", host, "-p", port}, nil, logFile); err != nil {
		t.Fatal(err)
	}
	if err := waitListening(addr, 30*time.Second); err != nil {
		t.Fatalf("%v (log: %s)", err, logFile)
	}
	return &Moto{Endpoint: "http://" + addr}
}
