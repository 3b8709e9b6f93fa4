// Package snapshot shares a database between machines through S3: the
// extractor publishes a consistent copy, and readers such as the Terraform
// provider on a CI runner fetch it once and reuse it while it is unchanged.
package snapshot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/awsapi"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// Published describes an uploaded snapshot.
type Published struct {
	URL  string
	ETag string
	Size int64
}

// Publish uploads a consistent copy of db to the S3 URL s3://BUCKET/KEY.
func Publish(ctx context.Context, db *store.DB, client *s3.Client, url string) (Published, error) {
	bucket, key, err := awsapi.ParseS3URL(url)
	if err != nil {
		return Published{}, err
	}
	if key == "" || strings.HasSuffix(key, "/") {
		return Published{}, fmt.Errorf("%q names no object: give s3://BUCKET/KEY, such as s3://audit/activity.db", url)
	}
	dir, err := os.MkdirTemp("", "activity-publish-")
	if err != nil {
		return Published{}, err
	}
	defer os.RemoveAll(dir)
	local := filepath.Join(dir, "snapshot.db")
	if err := db.SnapshotTo(ctx, local); err != nil {
		return Published{}, err
	}
	f, err := os.Open(local)
	if err != nil {
		return Published{}, err
	}
	defer f.Close() //nolint:errcheck // read only
	fi, err := f.Stat()
	if err != nil {
		return Published{}, err
	}
	out, err := client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: f, ContentLength: aws.Int64(fi.Size()),
		ContentType: aws.String("application/vnd.sqlite3"),
	})
	if err != nil {
		return Published{}, fmt.Errorf("upload snapshot to %s: %w", url, err)
	}
	return Published{URL: url, ETag: strings.Trim(aws.ToString(out.ETag), `"`), Size: fi.Size()}, nil
}

// Fetch returns a local copy of the snapshot at url, kept in cacheDir under
// its ETag: while the object is unchanged, later calls only ask S3 for its
// ETag and reuse the copy.
func Fetch(ctx context.Context, client *s3.Client, url, cacheDir string) (string, error) {
	bucket, key, err := awsapi.ParseS3URL(url)
	if err != nil {
		return "", err
	}
	head, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return "", fmt.Errorf("look up snapshot %s: %w", url, err)
	}
	etag := strings.Trim(aws.ToString(head.ETag), `"`)
	if err := os.MkdirAll(cacheDir, 0o700); err != nil {
		return "", err
	}
	path := cachePath(cacheDir, url, etag)
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	obj, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), IfMatch: head.ETag})
	if err != nil {
		return "", fmt.Errorf("download snapshot %s: %w", url, err)
	}
	defer obj.Body.Close()
	tmp, err := os.CreateTemp(cacheDir, ".download-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, obj.Body); err != nil {
		tmp.Close() //nolint:errcheck // the copy already failed; its error is the one returned
		return "", fmt.Errorf("download snapshot %s: %w", url, err)
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", err
	}
	return path, nil
}

// cachePath names the copy of one version of one snapshot.
func cachePath(dir, url, etag string) string {
	sum := sha256.Sum256([]byte(url))
	safe := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '_'
	}, etag)
	return filepath.Join(dir, hex.EncodeToString(sum[:8])+"-"+safe+".db")
}

// CacheDir is where fetched snapshots are kept: the user's cache folder.
func CacheDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", errors.Join(errors.New("no cache folder for snapshots; set XDG_CACHE_HOME"), err)
	}
	return filepath.Join(base, "activity-monitoring", "snapshots"), nil
}
