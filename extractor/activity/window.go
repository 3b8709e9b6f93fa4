package activity

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Window bounds, in days.
const (
	DefaultWindowDays = 30
	MinWindowDays     = 1
	MaxWindowDays     = 365
)

// secondsPerDay is the length of a UTC day: the product's days are UTC
// days, which have no daylight saving time and, in Unix time, no leap
// seconds.
const secondsPerDay = 24 * 60 * 60

// Window is the activity-monitoring time range [AsOf - Days, AsOf]: what a
// score covers. AsOf may fall inside a day; every bound is exact to the
// second.
type Window struct {
	AsOf time.Time
	Days int
}

// NewWindow is the window of days days ending at asOf, checked.
func NewWindow(asOf time.Time, days int) (Window, error) {
	w := Window{AsOf: asOf.UTC(), Days: days}
	return w, w.Validate()
}

// Validate explains what is wrong with the window, or returns nil.
func (w Window) Validate() error {
	if err := CheckWindowDays(w.Days); err != nil {
		return err
	}
	if w.AsOf.Year() < 2013 {
		// CloudTrail's record format 1.0 dates from 2013: nothing before
		// can be in a trail.
		return fmt.Errorf("as_of %s is before CloudTrail existed: give a time such as 2026-11-25T00:00:00Z", w.AsOf.Format(time.RFC3339))
	}
	return nil
}

// CheckWindowDays explains why days is not a window length, or returns nil.
func CheckWindowDays(days int) error {
	if days < MinWindowDays || days > MaxWindowDays {
		return fmt.Errorf("a window is %d to %d days, not %d", MinWindowDays, MaxWindowDays, days)
	}
	return nil
}

// ParseWindowDays reads a window length written as days, such as "30d".
func ParseWindowDays(s string) (int, error) {
	digits, ok := strings.CutSuffix(s, "d")
	n, err := strconv.Atoi(digits)
	if err != nil || !ok || strings.Trim(digits, "0123456789") != "" || n < MinWindowDays || n > MaxWindowDays {
		return 0, fmt.Errorf("%q is not a window: give a number of days from %dd to %dd, such as %dd", s, MinWindowDays, MaxWindowDays, DefaultWindowDays)
	}
	return n, nil
}

// FormatWindowDays writes a window length as ParseWindowDays reads it.
func FormatWindowDays(days int) string { return strconv.Itoa(days) + "d" }

// ParseAsOf reads the end of a window, an RFC 3339 time; empty means now,
// to the second.
func ParseAsOf(s string, now func() time.Time) (time.Time, error) {
	if s == "" {
		return now().UTC().Truncate(time.Second), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time: give one such as 2026-11-25T00:00:00Z", s)
	}
	// Times are kept to the second: a fraction would put the window's
	// start between the seconds events are stamped with.
	return t.UTC().Truncate(time.Second), nil
}

// Length is the window's duration.
func (w Window) Length() time.Duration { return time.Duration(w.Days) * secondsPerDay * time.Second }

// Start is the first instant of the window.
func (w Window) Start() time.Time { return w.AsOf.Add(-w.Length()) }

// Contains tells whether t is inside the window, both ends included.
func (w Window) Contains(t time.Time) bool { return !t.Before(w.Start()) && !t.After(w.AsOf) }

// FirstDay and LastDay are the days (see Day) the window touches, its end
// included: where its facts may be kept.
func (w Window) FirstDay() int64 { return Day(w.Start()) }
func (w Window) LastDay() int64  { return Day(w.AsOf) }

// LoggedDays are the first and last days holding some second of the window
// before its end: the days whose logs the window needs. A window ending at
// midnight does not need the day that starts then.
func (w Window) LoggedDays() (first, last int64) {
	return Day(w.Start()), Day(w.AsOf.Add(-time.Second))
}

// String is "30d to 2026-11-25T00:00:00Z".
func (w Window) String() string {
	return FormatWindowDays(w.Days) + " to " + w.AsOf.UTC().Format(time.RFC3339)
}

// Day is the UTC day of t, counted in days since 1970-01-01: how facts are
// kept per day.
func Day(t time.Time) int64 { return DayOfUnix(t.Unix()) }

// DayOfUnix is the day of a Unix time in seconds.
func DayOfUnix(sec int64) int64 {
	d := sec / secondsPerDay
	if sec < 0 && sec%secondsPerDay != 0 {
		d--
	}
	return d
}

// DayStart is the first instant of a day.
func DayStart(day int64) time.Time { return time.Unix(day*secondsPerDay, 0).UTC() }
