package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/engine"
)

// athenaName is what Glue accepts as a database or table name.
var athenaName = regexp.MustCompile(`^[a-z0-9_]{1,255}$`)

func checkAthenaOptions(opts extractOptions) error {
	s := opts.athena
	switch {
	case len(opts.sources) > 0:
		return usagef("--engine athena reads the integrations' trails; --source is for --engine local")
	case s.Workgroup == "":
		return usagef("--athena-workgroup: give the workgroup queries run in, such as primary")
	case !athenaName.MatchString(s.Database):
		return usagef("--athena-database %q: give a Glue database name of lower-case letters, digits and underscores", s.Database)
	case s.Table != "" && !athenaName.MatchString(s.Table):
		return usagef("--athena-table %q: give a table name of lower-case letters, digits and underscores", s.Table)
	case s.Output != "" && !strings.HasPrefix(s.Output, "s3://"):
		return usagef("--athena-output %q: give an s3://BUCKET/PREFIX/ location", s.Output)
	}
	return nil
}

// writeAthenaSummary prints what the Athena engine did, per integration.
func writeAthenaSummary(out io.Writer, asJSON, interrupted bool, database string, rep engine.Report) error {
	var sums []athenaSummaryJSON
	for _, s := range rep.Sources {
		sums = append(sums, toAthenaJSON(database, s))
	}
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"run_id": rep.RunID, "engine": rep.Engine, "integrations": sums, "interrupted": interrupted})
	}
	writeAthenaText(out, sums)
	return nil
}

// athenaSummaryJSON is one integration's part of the --json summary.
type athenaSummaryJSON struct {
	Integration  string  `json:"integration"`
	Table        string  `json:"table"`
	QueryID      *string `json:"query_id"`
	Days         int     `json:"days_aggregated"`
	DaysLoaded   int     `json:"days_already_loaded"`
	DaysPending  int     `json:"days_not_complete"`
	DaysLocal    int     `json:"days_read_by_local_engine"`
	Rows         int64   `json:"rows"`
	RowsSkipped  int64   `json:"rows_skipped"`
	Events       int64   `json:"events"`
	BytesScanned int64   `json:"bytes_scanned"`
	CostUSD      float64 `json:"cost_usd"`
	Seconds      float64 `json:"seconds"`
}

func toAthenaJSON(database string, s engine.SourceReport) athenaSummaryJSON {
	j := athenaSummaryJSON{Integration: s.Integration, Table: database + "." + s.Table, Days: s.Days, DaysLoaded: s.DaysCounted,
		DaysPending: s.DaysPending, DaysLocal: s.DaysLeft, Rows: s.Rows, RowsSkipped: s.RowsSkipped, Events: s.Events, BytesScanned: s.BytesScanned, CostUSD: s.CostUSD, Seconds: s.Elapsed.Seconds()}
	if s.QueryID != "" {
		j.QueryID = &s.QueryID
	}
	return j
}

func writeAthenaText(out io.Writer, sums []athenaSummaryJSON) {
	for _, s := range sums {
		fmt.Fprintf(out, "integration %s: table %s\n", s.Integration, s.Table)
		fmt.Fprintf(out, "  days:  %d aggregated, %d already loaded, %d not complete yet, %d read by the local engine\n", s.Days, s.DaysLoaded, s.DaysPending, s.DaysLocal)
		if s.QueryID != nil {
			fmt.Fprintf(out, "  query: %s, %d rows, %d events, %s scanned, $%.4f\n", *s.QueryID, s.Rows, s.Events, humanBytes(s.BytesScanned), s.CostUSD)
			if s.RowsSkipped > 0 {
				fmt.Fprintf(out, "  %d rows skipped: their events have no usable eventTime, eventSource or eventName, or name a value longer than AWS allows\n", s.RowsSkipped)
			}
		}
	}
}
