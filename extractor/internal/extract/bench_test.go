package extract_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/cloudtrail"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/engine"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/extract"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/generate"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// BenchmarkExtractFolder extracts a generated trail of 100,000 events, or
// the trail folder named by ACTIVITY_BENCH_TRAIL (made by `generate --end
// 2026-11-24`), which keeps generation out of a profile.
func BenchmarkExtractFolder(b *testing.B) {
	end := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	trail := os.Getenv("ACTIVITY_BENCH_TRAIL")
	if trail == "" {
		dir := b.TempDir()
		if _, err := generate.Run(context.Background(), generate.Options{Out: dir, Accounts: 3, Users: 10, Days: 30, Events: 100_000, Seed: 1, End: end}); err != nil {
			b.Fatal(err)
		}
		trail = filepath.Join(dir, "trail")
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		db, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "activity.db"))
		if err != nil {
			b.Fatal(err)
		}
		sum, err := engine.Extract(context.Background(), db, extract.New(extract.Options{}),
			activity.Window{AsOf: end.Add(24 * time.Hour), Days: 30}, []engine.Source{{Logs: cloudtrail.Folder{Dir: trail}}}, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(sum.Events)/sum.Elapsed.Seconds(), "events/s")
		b.ReportMetric(float64(sum.Uncompressed)/1e6/sum.Elapsed.Seconds(), "MB/s")
		db.Close()
	}
}
