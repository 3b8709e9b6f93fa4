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
	cmd.Flags().StringVar(&o.asOf, "as-of", "", "end of the window, RFC 3339 (default now)")
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
