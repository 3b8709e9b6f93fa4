package cli

import (
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// parseWindowDays reads --window, such as 30d, into days.
func parseWindowDays(s string) (int, error) {
	days, err := activity.ParseWindowDays(s)
	if err != nil {
		return 0, usagef("--window: %v", err)
	}
	return days, nil
}

// parseWindow reads --window, such as 30d, into a duration.
func parseWindow(s string) (time.Duration, error) {
	days, err := parseWindowDays(s)
	if err != nil {
		return 0, err
	}
	return activity.Window{Days: days}.Length(), nil
}

// parseAsOf reads --as-of, defaulting to now.
func parseAsOf(s string, now func() time.Time) (time.Time, error) {
	t, err := activity.ParseAsOf(s, now)
	if err != nil {
		return time.Time{}, usagef("--as-of: %v", err)
	}
	return t, nil
}
