package cloudtrail_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/cloudtrail"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/generate"
)

// generatedObjects is the decompressed objects of a small generated trail.
func generatedObjects(b *testing.B) [][]byte {
	dir := b.TempDir()
	end := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	if _, err := generate.Run(context.Background(), generate.Options{Out: dir, Accounts: 2, Users: 10, Days: 3, Events: 20_000, Seed: 1, End: end}); err != nil {
		b.Fatal(err)
	}
	var out [][]byte
	for name, data := range corpus(b, filepath.Join(dir, "trail")) {
		if !strings.Contains(name, "CloudTrail-Digest") {
			out = append(out, data)
		}
	}
	return out
}

// BenchmarkDecodeRecords compares the scanner with the general decoder on
// generated objects.
func BenchmarkDecodeRecords(b *testing.B) {
	objects := generatedObjects(b)
	var size int64
	for _, o := range objects {
		size += int64(len(o))
	}
	b.Run("scanner", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			for _, o := range objects {
				if _, ok := cloudtrail.ScanDeliveryFile(o); !ok {
					b.Fatal("not scanned")
				}
			}
		}
	})
	b.Run("general", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			for _, o := range objects {
				if _, err := cloudtrail.DecodeGeneral(o, 0); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
