package testenv

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// MotoAccountID is the account every moto resource belongs to.
const MotoAccountID = "123456789012"

// Moto is a running moto server.
type Moto struct {
	Endpoint string // http://127.0.0.1:PORT
}

var (
	motoOnce sync.Once
	motoSrv  *Moto
	motoErr  string
)

// StartMoto returns the moto server of this test binary, starting it on first
// use, with its state reset. Set ACTIVITY_MOTO_PYTHON to the Python that has
// moto installed when it is not the first python3 on PATH.
func StartMoto(t testing.TB) *Moto {
	t.Helper()
	motoOnce.Do(func() { motoSrv, motoErr = startMoto() })
	if motoSrv == nil {
		unavailable(t, "moto AWS emulator unavailable: %s; install it with: pip install 'moto[server]'", motoErr)
	}
	motoSrv.Reset(t)
	return motoSrv
}

func startMoto() (*Moto, string) {
	python := os.Getenv("ACTIVITY_MOTO_PYTHON")
	if python == "" {
		python = "python3"
	}
	if out, err := exec.Command(python, "-c", "import moto.server").CombinedOutput(); err != nil {
		return nil, python + " cannot import moto.server: " + string(bytes.TrimSpace(out))
	}
	addr, _, err := startMotoServer(python)
	if err != nil {
		return nil, err.Error()
	}
	return &Moto{Endpoint: "http://" + addr}, ""
}

// Reset clears every resource moto holds.
func (m *Moto) Reset(t testing.TB) {
	t.Helper()
	resp, err := http.Post(m.Endpoint+"/moto-api/reset", "application/json", nil)
	if err != nil {
		t.Fatalf("reset moto: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("reset moto: %s", resp.Status)
	}
}

// Env points the AWS SDK's default chain of the current process (and of
// anything it starts, such as a Terraform CLI and its provider) at moto, for
// the duration of the test.
func (m *Moto) Env(t *testing.T, region string) {
	t.Setenv("AWS_ENDPOINT_URL", m.Endpoint)
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_REGION", region)
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

// Config is an SDK configuration that talks to moto, for building fixtures
// through the real API.
func (m *Moto) Config(t testing.TB, region string) aws.Config {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion(region),
		config.WithBaseEndpoint(m.Endpoint),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("testing", "testing", "")),
	)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}
