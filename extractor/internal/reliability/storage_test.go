package reliability

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/testenv"
)

// uploadTrail puts the generated trail into a bucket of the S3 server, in
// its layout, as CloudTrail delivers it.
func uploadTrail(t *testing.T, srv *testenv.S3Server, tr trail, bucket string) {
	t.Helper()
	ctx := context.Background()
	client := srv.Client(t)
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	root := tr.source()
	err := filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		key, _ := filepath.Rel(root, p)
		_, err = client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(filepath.ToSlash(key)),
			Body: bytes.NewReader(data), ContentEncoding: aws.String("gzip")})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func s3Env(srv *testenv.S3Server, endpoint string) []string {
	return []string{
		"AWS_ENDPOINT_URL=" + endpoint, "AWS_ENDPOINT_URL_S3=" + endpoint, "AWS_S3_USE_PATH_STYLE=true",
		"AWS_ACCESS_KEY_ID=" + srv.AccessKey, "AWS_SECRET_ACCESS_KEY=" + srv.SecretKey, "AWS_SESSION_TOKEN=",
		"AWS_REGION=" + srv.Region, "AWS_PROFILE=", "AWS_CONFIG_FILE=" + os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull, "AWS_EC2_METADATA_DISABLED=true",
	}
}

// Case 2: an S3 proxy injects 503 SlowDown, connection resets, truncated
// bodies and slow responses on a share of requests. Each run completes, or
// stops with a clear error and the next one resumes; in the end the results
// are those of a clean run, and no object was recorded as bad input because
// of a fault.
func TestReliabilityStorageFaults(t *testing.T) {
	c := begin(t, "s3-faults")
	srv := testenv.StartS3(t)
	tr := generate(t, size(8000, 100000), size(6, 20))
	clean := cleanRun(t, tr)
	uploadTrail(t, srv, tr, "trail-logs")

	shares := []float64{0.2}
	if full() {
		shares = []float64{0.1, 0.3, 0.5}
	}
	for i, share := range shares {
		proxy := startFaultyS3(t, srv.Endpoint, uint64(11+i), share)
		env := s3Env(srv, proxy.URL)
		db := dbIn(t)
		c.inputs += tr.files
		finished := false
		for attempt := 0; attempt < 20 && !finished; attempt++ {
			began := time.Now()
			out, errOut, status := cliRun(t, env, extractArgs(db, "s3://trail-logs/", tr.asOf, "--json")...)
			t.Logf("share %.1f, run %d: exit status %d after %s", share, attempt, status, time.Since(began).Round(time.Millisecond))
			c.runs++
			switch status {
			case 0:
				finished = true
			case 1, 3:
				// A stop (1), or a run that left objects unread (3), is
				// allowed when it says why, naming the storage.
				if !strings.Contains(errOut, "s3://trail-logs") && !strings.Contains(errOut, "skipped (list them with: activity-extractor errors)") {
					t.Errorf("share %.1f, run %d stopped without naming the storage:\n%s", share, attempt, errOut)
				}
				t.Logf("share %.1f, run %d stopped: %s", share, attempt, lastLine(errOut))
			default:
				t.Errorf("share %.1f, run %d: exit status %d\nstdout: %s\nstderr: %s", share, attempt, status, out, errOut)
			}
		}
		c.faults += proxy.faults()
		t.Logf("share %.1f: %s", share, proxy.describe())
		if !finished {
			t.Fatalf("share %.1f: no run completed in 20 attempts", share)
		}
		var bad int
		// Objects that could not be fetched are listed too, but stay out of
		// the ledger and are read again; none may be skipped as bad.
		const skippedAsBad = `FROM extract_errors WHERE reason NOT LIKE 'cannot read:%'`
		if err := openStore(t, db).SQL().QueryRow(`SELECT count(*) ` + skippedAsBad).Scan(&bad); err != nil {
			t.Fatal(err)
		}
		if bad != 0 {
			rows, err := openStore(t, db).SQL().Query(`SELECT location, reason ` + skippedAsBad + ` LIMIT 5`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var loc, reason string
				if err := rows.Scan(&loc, &reason); err != nil {
					t.Fatal(err)
				}
				t.Errorf("storage fault recorded as bad input: %s: %s", loc, reason)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			rows.Close()
		}
		integrity(t, db)
		if i == 0 {
			sameResults(t, c, tr, clean, db)
		} else {
			sameFacts(t, c, clean, db)
		}
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
