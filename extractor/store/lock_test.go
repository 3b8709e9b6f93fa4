package store

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A second extract lock waits for the first, is told who holds it, and
// gets it as soon as the first lets go; a cancelled wait gives up.
func TestExtractLockWaitsForTheHolder(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "activity.db")
	release, err := LockExtract(ctx, path, "first run", nil)
	if err != nil {
		t.Fatal(err)
	}

	cctx, cancel := context.WithTimeout(ctx, 3*lockPoll)
	defer cancel()
	var told string
	if _, err := LockExtract(cctx, path, "impatient run", func(h string) { told = h }); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a cancelled wait returned %v", err)
	}
	if told != "first run" {
		t.Errorf("the waiting run was told %q, want the holder", told)
	}

	got := make(chan error, 1)
	waited := make(chan string, 1)
	go func() {
		r, err := LockExtract(ctx, path, "second run", func(h string) { waited <- h })
		if err == nil {
			r()
		}
		got <- err
	}()
	select {
	case h := <-waited:
		if !strings.Contains(h, "first run") {
			t.Errorf("told %q", h)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the second run was not told it waits")
	}
	select {
	case err := <-got:
		t.Fatalf("the second run got the lock while the first held it (%v)", err)
	case <-time.After(2 * lockPoll):
	}
	release()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the second run did not get the lock after the first let go")
	}
}
