package cloudtrail

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Object is one listed delivery object.
type Object struct {
	// Location names the object for the ledger and in messages:
	// s3://BUCKET/KEY, or a file's absolute path.
	Location string
	Key      string
	// ETag changes when the content does: S3's ETag, or for a file its size
	// and modification time.
	ETag     string
	Size     int64
	Modified time.Time
}

// Source lists and opens delivery objects.
type Source interface {
	// String names the source for people (s3://bucket/prefix, a folder).
	String() string
	// List calls fn for each event object that may hold events of [from, to].
	List(ctx context.Context, from, to time.Time, fn func(Object) error) error
	Open(ctx context.Context, o Object) (io.ReadCloser, error)
}

// Folder reads every *.json and *.json.gz event file under a directory,
// in the trail layout or not.
type Folder struct {
	Dir string
}

func (f Folder) String() string { return f.Dir }

// List walks the folder in lexical order.
func (f Folder) List(ctx context.Context, from, to time.Time, fn func(Object) error) error {
	root, err := filepath.Abs(f.Dir)
	if err != nil {
		return err
	}
	st, err := os.Stat(root)
	if err != nil {
		return fmt.Errorf("source %s: %w", f.Dir, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("source %s is not a folder", f.Dir)
	}
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("source %s: %w", f.Dir, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, root))
		if !d.Type().IsRegular() || !IsEventObject(rel) || !InWindow(rel, from, to) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return fmt.Errorf("source %s: %w", p, err)
		}
		return fn(Object{
			Location: p,
			Key:      strings.TrimPrefix(rel, "/"),
			ETag:     strconv.FormatInt(info.Size(), 10) + "-" + strconv.FormatInt(info.ModTime().UnixNano(), 10),
			Size:     info.Size(),
			Modified: info.ModTime().UTC(),
		})
	})
}

// Open opens a listed file.
func (f Folder) Open(_ context.Context, o Object) (io.ReadCloser, error) {
	return os.Open(o.Location)
}
