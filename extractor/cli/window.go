package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// windowOptions are the --window and --as-of flags of extract, score, report
// and rules check.
type windowOptions struct {
	window string
	asOf   string
}

func (o *windowOptions) addFlags(cmd *cobra.Command, what string) {
	cmd.Flags().StringVar(&o.window, "window", activity.FormatWindowDays(activity.DefaultWindowDays),
		fmt.Sprintf("%s: %s to %s", what, activity.FormatWindowDays(activity.MinWindowDays), activity.FormatWindowDays(activity.MaxWindowDays)))
	cmd.Flags().StringVar(&o.asOf, "as-of", "", "end of the window, RFC 3339, any second: times are exact to it (default now)")
}

// parse reads the window the flags name, ending now by the command's clock
// when --as-of is not given.
func (o windowOptions) parse(now func() time.Time) (activity.Window, error) {
	days, err := activity.ParseWindowDays(o.window)
	if err != nil {
		return activity.Window{}, usagef("--window: %v", err)
	}
	asOf, err := activity.ParseAsOf(o.asOf, now)
	if err != nil {
		return activity.Window{}, usagef("--as-of: %v", err)
	}
	w, err := activity.NewWindow(asOf, days)
	if err != nil {
		return activity.Window{}, usagef("--as-of: %v", err)
	}
	return w, nil
}

// afterNow says, for a window that ends after now by the command's clock,
// that no logs can exist for its end: what the command printed is
// incomplete, which the exit status of skipped inputs tells a scheduler.
func afterNow(w activity.Window, now func() time.Time) error {
	if !w.AsOf.After(now()) {
		return nil
	}
	return fmt.Errorf("--as-of %s is after now: no logs can exist for the rest of the window, so scores and activity are incomplete: %w",
		w.AsOf.Format(time.RFC3339), ErrSkippedInputs)
}
