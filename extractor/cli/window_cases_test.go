package cli

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity/windowcases"
)

// The --window and --as-of flags read every case of the shared table as the
// model does: the same window, or a usage error naming the flag refused.
func TestWindowFlagsReadTheWindowCases(t *testing.T) {
	cases, err := windowcases.Load(filepath.Join("..", "activity", "testdata", "windows.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			now := func() time.Time { return time.Time{} }
			if c.Now != nil {
				now = func() time.Time { return *c.Now }
			}
			w, err := windowOptions{window: c.Days, asOf: c.AsOf}.parse(now)
			if !c.Valid {
				var ue usageError
				flag := map[string]string{"days": "--window", "as_of": "--as-of"}[c.Rejected]
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), flag) || !strings.Contains(err.Error(), c.Error) {
					t.Fatalf("window %q as of %q: %v; want a usage error about %s saying %q", c.Days, c.AsOf, err, flag, c.Error)
				}
				return
			}
			if err != nil {
				t.Fatalf("window %q as of %q: %v", c.Days, c.AsOf, err)
			}
			if !w.AsOf.Equal(c.AsOfUTC) || !w.Start().Equal(c.Start) {
				t.Errorf("window %q as of %q = %s, starting %s; want %s starting %s", c.Days, c.AsOf, w, w.Start(), c.AsOfUTC, c.Start)
			}
		})
	}
}
