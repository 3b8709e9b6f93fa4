package testenv

import (
	"os"
	"testing"
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
	addr, _, err := startMotoServer(python)
	if err != nil {
		t.Fatal(err)
	}
	return &Moto{Endpoint: "http://" + addr}
}
