package report

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// requireEnv makes a missing browser a failure instead of a skip: `make
// test` and CI set it, so that the suite cannot pass without rendering the
// page in a real browser.
const requireEnv = "ACTIVITY_REQUIRE_SERVERS"

// chromium finds a Chromium binary: $ACTIVITY_CHROMIUM, else chromium on
// PATH (Debian's package `chromium`).
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("ACTIVITY_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "chromium not found on PATH (install it with `apt-get install -y chromium`, or set ACTIVITY_CHROMIUM): the page is not checked in a browser"
	if os.Getenv(requireEnv) == "1" {
		t.Fatalf("%s (%s=1: required)", msg, requireEnv)
	}
	t.Skip(msg)
	return ""
}

// consoleLine matches what Chromium logs, with --enable-logging=stderr, for
// every console message of the page: script errors and refused loads alike.
var consoleLine = regexp.MustCompile(`(?m)^.*:CONSOLE[:(].*$`)

// headless runs Chromium on a local file and returns its stdout and the
// console messages it logged.
func headless(t *testing.T, bin, file string, args ...string) (string, []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	all := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0",
	}, args...)
	cmd := exec.CommandContext(ctx, bin, append(all, "file://"+file)...)
	// Chromium forks helpers: on timeout the whole group goes.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.String(), consoleLine.FindAllString(stderr.String(), -1)
}

func writePage(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBrowserSeesConsoleErrors shows that the console check below can fail:
// a page breaking its own policy gets its refusals logged.
func TestBrowserSeesConsoleErrors(t *testing.T) {
	bin := chromium(t)
	t.Parallel()
	page := writePage(t, "broken.html", `<!DOCTYPE html><html><head>`+csp+`</head><body>`+
		`<img src="data:,x" alt=""><link rel="stylesheet" href="file:///nonexistent.css"></body></html>`)
	_, console := headless(t, bin, page, "--dump-dom")
	if len(console) == 0 {
		t.Fatal("a stylesheet refused by the policy logged nothing: console messages are not captured")
	}
}

func TestBrowserRendersReport(t *testing.T) {
	bin := chromium(t)
	t.Parallel()
	page := writePage(t, "report.html", renderHTML(t, fixture()))
	dom, console := headless(t, bin, page, "--dump-dom")
	if len(console) > 0 {
		t.Errorf("console messages:\n%s", strings.Join(console, "\n"))
	}
	for _, want := range []string{
		`id="card-dormant"><span class="value">2</span>`,
		`id="card-over"><span class="value">2</span>`,
		`id="card-principals"><span class="value">7</span>`,
		`data-bucket="N/A" data-count="2"`,
		"&lt;img src=x onerror=alert(1)&gt;",
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered DOM lacks %s", want)
		}
	}
	if strings.Contains(dom, "<img") {
		t.Error("the DOM holds an <img> element: a hostile name was parsed as markup")
	}
	if n := strings.Count(dom, "<details "); n != 7 {
		t.Errorf("rendered DOM has %d drill-downs, want 7", n)
	}
	if n := strings.Count(dom, "<rect "); n < 11 {
		t.Errorf("rendered DOM has %d SVG bars, want at least 11", n)
	}
}

func TestBrowserScreenshot(t *testing.T) {
	bin := chromium(t)
	t.Parallel()
	page := writePage(t, "report.html", renderHTML(t, fixture()))
	shot := filepath.Join(t.TempDir(), "report.png")
	_, console := headless(t, bin, page, "--screenshot="+shot, "--window-size=1280,2000")
	if len(console) > 0 {
		t.Errorf("console messages:\n%s", strings.Join(console, "\n"))
	}
	png, err := os.ReadFile(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || len(png) < 10_000 {
		t.Errorf("screenshot is not a rendered page: %d bytes", len(png))
	}
	if dir := os.Getenv("ACTIVITY_REPORT_SCREENSHOT_DIR"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, "report.png"), png, 0o644); err != nil {
			t.Error(err)
		}
	}
}
