package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// ReadOnly makes files and folders read-only for this process until the
// test ends, as a read-only mount or another user's file would be. Root
// ignores permission bits, so as root it sets the immutable attribute
// (chattr +i), which binds root too.
func ReadOnly(t testing.TB, paths ...string) {
	t.Helper()
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if os.Geteuid() == 0 {
			if out, err := exec.Command("chattr", "+i", p).CombinedOutput(); err != nil {
				unavailable(t, "cannot make %s read-only for root: chattr +i: %v: %s", p, err, out)
				return
			}
			t.Cleanup(func() { _ = exec.Command("chattr", "-i", p).Run() })
			continue
		}
		mode := fi.Mode().Perm()
		if err := os.Chmod(p, mode&^0o222); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.Chmod(p, mode) })
	}
}
