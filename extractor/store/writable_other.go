//go:build !unix

package store

import "os"

// writable tells whether the file may be written, from its permission bits
// (the read-only attribute on Windows).
func writable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().Perm()&0o200 != 0
}
