package store

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// LockPath is the file that marks a database as being extracted into. It
// sits beside the database, holds who has the lock, and stays after the run;
// the lock itself is the operating system's, so a process that dies, even
// killed, lets go of it at once.
func LockPath(dbPath string) string { return dbPath + ".lock" }

// lockPoll is how often a waiting run tries the lock again.
const lockPoll = 200 * time.Millisecond

// LockExtract takes the database's extract lock, so two extract runs never
// read the same objects at once: a second run waits for the first. waiting
// is called once, with what the lock file says about the holder, when the
// lock is taken already. It returns when the lock is held or ctx ends;
// release lets it go.
func LockExtract(ctx context.Context, dbPath, holder string, waiting func(holder string)) (release func(), err error) {
	f, err := os.OpenFile(LockPath(dbPath), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: open the extract lock: %w", err)
	}
	told := false
	for {
		ok, err := tryLock(f)
		if err != nil {
			_ = f.Close()
			return nil, fmt.Errorf("store: take the extract lock %s: %w", f.Name(), err)
		}
		if ok {
			break
		}
		if !told && waiting != nil {
			waiting(readHolder(f))
			told = true
		}
		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, ctx.Err()
		case <-time.After(lockPoll):
		}
	}
	// Say who holds it, for the message of the next run that waits.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(holder+"\n"), 0)
	}
	return func() {
		_ = f.Truncate(0)
		_ = unlock(f)
		_ = f.Close()
	}, nil
}

func readHolder(f *os.File) string {
	b, err := io.ReadAll(io.NewSectionReader(f, 0, 4096))
	if err != nil || len(strings.TrimSpace(string(b))) == 0 {
		return "another process"
	}
	return strings.TrimSpace(string(b))
}
