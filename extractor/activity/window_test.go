package activity_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity/windowcases"
)

// The table of windows every reader of a window shares.
var windowTable = filepath.Join("testdata", "windows.json")

func TestWindowCases(t *testing.T) {
	cases, err := windowcases.Load(windowTable)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			refused := func(input string, err error) {
				t.Helper()
				if c.Valid || c.Rejected != input {
					t.Fatalf("days %q, as_of %q: %s refused: %v", c.Days, c.AsOf, input, err)
				}
				if !strings.Contains(err.Error(), c.Error) {
					t.Errorf("error %q does not say %q", err, c.Error)
				}
			}
			days, err := activity.ParseWindowDays(c.Days)
			if err != nil {
				refused("days", err)
				return
			}
			if n, ok := c.WindowDays(); !ok || n != days {
				t.Errorf("ParseWindowDays(%q) = %d; the table's window_days is %d (%v)", c.Days, days, n, ok)
			}
			now := func() time.Time {
				if c.Now == nil {
					t.Fatal("ParseAsOf read the clock for an as_of that is given")
				}
				return *c.Now
			}
			asOf, err := activity.ParseAsOf(c.AsOf, now)
			if err != nil {
				refused("as_of", err)
				return
			}
			w, err := activity.NewWindow(asOf, days)
			if err != nil {
				refused("as_of", err)
				return
			}
			if !c.Valid {
				t.Fatalf("days %q, as_of %q give the window %s; want %s refused (%s)", c.Days, c.AsOf, w, c.Rejected, c.Error)
			}
			if err := w.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
			if asOf.Location() != time.UTC || w.AsOf.Location() != time.UTC {
				t.Errorf("as_of %v is not in UTC", asOf)
			}
			if !asOf.Equal(c.AsOfUTC) || !w.AsOf.Equal(c.AsOfUTC) || w.Days != days {
				t.Errorf("window %s (as_of %s), want %s to %s", w, w.AsOf.Format(time.RFC3339Nano), c.Days, c.AsOfUTC.Format(time.RFC3339))
			}
			if got, want := w.String(), activity.FormatWindowDays(days)+" to "+c.AsOfUTC.Format(time.RFC3339); got != want || activity.FormatWindowDays(days) != c.Days {
				t.Errorf("String() = %q, want %q", got, want)
			}
			if w.Length() != time.Duration(days)*24*time.Hour {
				t.Errorf("Length() = %v", w.Length())
			}
			if !w.Start().Equal(c.Start) {
				t.Errorf("Start() = %s, want %s", w.Start().Format(time.RFC3339Nano), c.Start.Format(time.RFC3339))
			}

			date := func(day int64) string { return activity.DayStart(day).Format(time.DateOnly) }
			if date(w.FirstDay()) != c.FirstDay || date(w.LastDay()) != c.LastDay {
				t.Errorf("days %s to %s, want %s to %s", date(w.FirstDay()), date(w.LastDay()), c.FirstDay, c.LastDay)
			}
			for _, at := range []time.Time{w.Start(), w.AsOf} {
				day := activity.Day(at)
				start := activity.DayStart(day)
				if start.Location() != time.UTC || at.Before(start) || !at.Before(start.Add(24*time.Hour)) || activity.DayOfUnix(at.Unix()) != day {
					t.Errorf("%s is on day %d, which starts at %s", at.Format(time.RFC3339Nano), day, start.Format(time.RFC3339))
				}
			}
			if activity.Day(w.Start()) != w.FirstDay() || activity.Day(w.AsOf) != w.LastDay() {
				t.Errorf("FirstDay %d, LastDay %d: not the days of the window's ends", w.FirstDay(), w.LastDay())
			}

			for _, at := range append([]time.Time{c.Start, c.AsOfUTC}, c.Inside...) {
				if !w.Contains(at) {
					t.Errorf("%s is not in the window %s", at.Format(time.RFC3339), w)
				}
			}
			for _, at := range append([]time.Time{c.Start.Add(-time.Second), c.AsOfUTC.Add(time.Second)}, c.Outside...) {
				if w.Contains(at) {
					t.Errorf("%s is in the window %s", at.Format(time.RFC3339), w)
				}
			}
		})
	}
}

// The table holds what its readers rely on: each bound on each side, and
// days of every kind.
func TestWindowTableCoversTheBounds(t *testing.T) {
	cases, err := windowcases.Load(windowTable)
	if err != nil {
		t.Fatal(err)
	}
	valid := map[int]bool{}
	refused := map[int]bool{}
	var now, notUTC, beforeCloudTrail bool
	for _, c := range cases {
		if n, ok := c.WindowDays(); ok {
			if c.Valid {
				valid[n] = true
			} else if c.Rejected == "days" {
				refused[n] = true
			}
		}
		now = now || c.Valid && c.AsOf == ""
		notUTC = notUTC || c.Valid && !strings.HasSuffix(c.AsOf, "Z") && c.AsOf != ""
		beforeCloudTrail = beforeCloudTrail || c.Rejected == "as_of" && strings.Contains(c.Error, "CloudTrail")
	}
	if !valid[activity.MinWindowDays] || !valid[activity.MaxWindowDays] || !valid[activity.DefaultWindowDays] ||
		!refused[activity.MinWindowDays-1] || !refused[activity.MaxWindowDays+1] || !now || !notUTC || !beforeCloudTrail {
		t.Errorf("the table lacks a bound: valid days %v, refused days %v, now %v, an offset %v, before CloudTrail %v",
			valid, refused, now, notUTC, beforeCloudTrail)
	}
}

// Days are counted from 1970-01-01 in UTC, before it too.
func TestDayNumbers(t *testing.T) {
	for _, c := range []struct {
		at  string
		day int64
	}{
		{"1970-01-01T00:00:00Z", 0},
		{"1970-01-01T23:59:59Z", 0},
		{"1970-01-02T00:00:00Z", 1},
		{"1969-12-31T23:59:59Z", -1},
		{"1969-12-31T00:00:00Z", -1},
		{"1969-12-30T23:59:59Z", -2},
		{"2026-11-25T00:00:00Z", 20782},
		{"2026-11-25T23:59:59+14:00", 20782},
		{"2026-11-24T23:00:00-12:00", 20782},
	} {
		at, err := time.Parse(time.RFC3339, c.at)
		if err != nil {
			t.Fatal(err)
		}
		if got := activity.Day(at); got != c.day || activity.DayOfUnix(at.Unix()) != c.day {
			t.Errorf("Day(%s) = %d, want %d", c.at, got, c.day)
		}
		start := activity.DayStart(c.day)
		if start.Location() != time.UTC || at.Before(start) || !at.Before(start.Add(24*time.Hour)) {
			t.Errorf("DayStart(%d) = %s, which is not the start of the day of %s", c.day, start, c.at)
		}
	}
}
