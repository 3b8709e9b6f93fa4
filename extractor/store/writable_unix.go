//go:build unix

package store

import "golang.org/x/sys/unix"

// writable tells whether this process may write the file, without opening
// it: closing another descriptor of a database file would drop the locks
// SQLite holds on it in this process.
func writable(path string) bool {
	return unix.Access(path, unix.W_OK) == nil
}
