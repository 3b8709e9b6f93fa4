// Command benchtool does the parts of the extract benchmark that need more
// than a shell: a decompress-only pass over the same files, uploads to an
// S3 server, many small objects for the re-run test, peak memory of a
// command, and the DuckDB comparison (its SQL, and the agreement of its
// counts with extract's).
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/klauspost/compress/gzip"
	"golang.org/x/sync/errgroup"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/cloudtrail"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: benchtool decompress DIR | upload DIR BUCKET | fanout FILE DIR N | rss CMD... | duckdb-sql ... TRAIL | agree DB GROUPS.csv | snapshot DB OUT.db")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "decompress":
		err = decompress(os.Args[2:])
	case "upload":
		err = upload(os.Args[2:])
	case "fanout":
		err = fanout(os.Args[2:])
	case "rss":
		err = rss(os.Args[2:])
	case "duckdb-sql":
		err = duckdbSQL(os.Args[2:])
	case "agree":
		err = agree(os.Args[2:])
	case "snapshot":
		err = snapshot(os.Args[2:])
	default:
		err = fmt.Errorf("unknown subcommand %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtool:", err)
		os.Exit(1)
	}
}

func eventFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json.gz") && !strings.Contains(p, "CloudTrail-Digest") {
			out = append(out, p)
		}
		return err
	})
	return out, err
}

// decompress gunzips every event file with as many workers as extract uses
// and prints the uncompressed bytes per second. With --stage decode it also
// reads the records as extract's decoder does, and with --stage map it also
// maps them to events: the CPU time of each stage is the difference of two
// passes.
func decompress(args []string) error {
	fl := flag.NewFlagSet("decompress", flag.ExitOnError)
	workers := fl.Int("workers", 2, "files at once")
	stage := fl.String("stage", "gunzip", "how far to go: gunzip, decode (read the records) or map (map them to events)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *stage != "gunzip" && *stage != "decode" && *stage != "map" {
		return fmt.Errorf("--stage %q: give gunzip, decode or map", *stage)
	}
	files, err := eventFiles(fl.Arg(0))
	if err != nil {
		return err
	}
	var total atomic.Int64
	start := time.Now()
	g := errgroup.Group{}
	g.SetLimit(*workers)
	for _, p := range files {
		g.Go(func() error {
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close() //nolint:errcheck // read only
			if *stage != "gunzip" {
				d, err := cloudtrail.Decoder{}.Decode(f)
				if err != nil {
					return fmt.Errorf("%s: %w", p, err)
				}
				total.Add(d.Bytes)
				if *stage == "map" {
					for i := range d.Records {
						_, _ = cloudtrail.MapRecord(&d.Records[i])
					}
				}
				return nil
			}
			zr, err := gzip.NewReader(f)
			if err != nil {
				return err
			}
			n, err := io.Copy(io.Discard, zr)
			total.Add(n)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	fmt.Printf("decompress_seconds=%.3f uncompressed_bytes=%d decompress_mb_per_s=%.1f\n", secs, total.Load(), float64(total.Load())/1e6/secs)
	return nil
}

func s3Client(ctx context.Context) (*s3.Client, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = true
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	}), nil
}

// upload copies a folder into a bucket (created if needed), keys relative
// to the folder.
func upload(args []string) error {
	dir, bucket := args[0], args[1]
	ctx := context.Background()
	client, err := s3Client(ctx)
	if err != nil {
		return err
	}
	_, _ = client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	var files []string
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		return err
	}
	g := errgroup.Group{}
	g.SetLimit(16)
	for _, p := range files {
		g.Go(func() error {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			_, err = client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(filepath.ToSlash(rel)), Body: bytes.NewReader(data)})
			return err
		})
	}
	return g.Wait()
}

// fanout writes n copies of one event file into dir in the trail layout,
// one day folder, for a re-run over many listed objects.
func fanout(args []string) error {
	data, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	var n int
	if _, err := fmt.Sscan(args[2], &n); err != nil {
		return fmt.Errorf("count %q: %w", args[2], err)
	}
	day := filepath.Join(args[1], "AWSLogs", "111111111111", "CloudTrail", "us-east-1", "2026", "11", "23")
	if err := os.MkdirAll(day, 0o755); err != nil {
		return err
	}
	for i := range n {
		name := fmt.Sprintf("111111111111_CloudTrail_us-east-1_20261123T%02d%02dZ_copy%06d.json.gz", (i/60)%24, i%60, i)
		if err := os.WriteFile(filepath.Join(day, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// rss runs a command and prints its peak resident memory and duration.
func rss(args []string) error {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	secs := time.Since(start).Seconds()
	if cmd.ProcessState == nil {
		return err
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	fmt.Printf("wall_seconds=%.3f peak_rss_mb=%.1f\n", secs, float64(ru.Maxrss)/1024)
	return err
}
