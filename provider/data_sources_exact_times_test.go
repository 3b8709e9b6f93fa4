package provider

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// trailRecord is what the test reads of a record.
type trailRecord struct {
	EventTime    string
	ErrorCode    string
	UserIdentity struct{ ARN string }
	Resources    []struct{ ARN string }
}

// eventTimes lists the distinct times of the records of the trail's files
// that keep accepts, in order.
func eventTimes(t *testing.T, trail string, keep func(trailRecord) bool) []time.Time {
	t.Helper()
	seen := map[time.Time]bool{}
	err := filepath.WalkDir(trail, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json.gz") || strings.Contains(p, "CloudTrail-Digest") {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close() //nolint:errcheck // read only
		zr, err := gzip.NewReader(f)
		if err != nil {
			return err
		}
		var doc struct{ Records []trailRecord }
		if err := json.NewDecoder(zr).Decode(&doc); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		for _, r := range doc.Records {
			if keep(r) {
				at, err := time.Parse(time.RFC3339, r.EventTime)
				if err != nil {
					return fmt.Errorf("%s: %w", p, err)
				}
				seen[at] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []time.Time
	for at := range seen {
		out = append(out, at)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

// insideADay picks, in the middle of times, an event followed on the same
// day by the next one at least two seconds later: an as_of a second after
// it falls between the two.
func insideADay(t *testing.T, times []time.Time) (event time.Time, asOf string) {
	t.Helper()
	for i := len(times) / 2; i+1 < len(times); i++ {
		a, b := times[i], times[i+1]
		if a.Truncate(24*time.Hour).Equal(b.Truncate(24*time.Hour)) && b.Sub(a) >= 2*time.Second && a.Hour() > 0 {
			return a, a.Add(time.Second).Format(time.RFC3339)
		}
	}
	t.Fatalf("no two events of a day far enough apart among %d", len(times))
	return time.Time{}, ""
}

// An as_of inside a day, between two events of a user, or of uses of a KMS
// key: the data sources give the earlier event's second, computed from the
// stored facts, as the trail's files say.
func TestAccMonitoringOPS_lastActivityExactInsideADay(t *testing.T) {
	f := scoredStore(t)
	if len(f.report.KMSKeys) == 0 {
		t.Fatal("the report lists no KMS key")
	}
	key := f.report.KMSKeys[0].ARN
	trail := filepath.Join(f.dir, "org", "trail")
	before, asOf := insideADay(t, eventTimes(t, trail, func(r trailRecord) bool { return r.UserIdentity.ARN == f.overProvisioned }))
	keyUse, keyAsOf := insideADay(t, eventTimes(t, trail, func(r trailRecord) bool {
		for _, res := range r.Resources {
			if res.ARN == key {
				return r.ErrorCode == ""
			}
		}
		return false
	}))
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(f.dbPath) + fmt.Sprintf(`data "activity_monitoring_ops" "mid_day" {
  principal = %q
  as_of     = %q
}
data "activity_monitoring_kms_key" "mid_day" {
  key   = %q
  as_of = %q
}`, f.overProvisioned, asOf, key, keyAsOf),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.activity_monitoring_ops.mid_day", tfjsonpath.New("computed"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue("data.activity_monitoring_ops.mid_day", tfjsonpath.New("last_activity_at"), knownvalue.StringExact(before.Format(time.RFC3339))),
				statecheck.ExpectKnownValue("data.activity_monitoring_kms_key.mid_day", tfjsonpath.New("last_activity_at"), knownvalue.StringExact(keyUse.Format(time.RFC3339))),
			},
		}},
	})
}
