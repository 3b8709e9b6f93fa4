// Package windowcases reads the table of activity-window cases,
// extractor/activity/testdata/windows.json, so that every test of something
// that reads a window (the model, the command line's --window and --as-of,
// the provider's window_days and as_of) runs the same cases. Only tests
// import it; it imports neither the project nor package testing.
package windowcases

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Case is one window as a user writes it, and what it means.
type Case struct {
	Name string `json:"name"`
	// Days is the window's length as --window takes it ("30d").
	Days string `json:"days"`
	// AsOf is the window's end as written, RFC 3339; empty means now.
	AsOf string `json:"as_of"`
	// Now is the clock's reading, for a case whose AsOf is empty.
	Now *time.Time `json:"now"`

	Valid bool `json:"valid"`

	// For a case that is not valid: the input refused, "days" or "as_of",
	// and a part of the model's message.
	Rejected string `json:"rejected"`
	Error    string `json:"error"`

	// For a valid case: the end in UTC, the first instant, the UTC dates
	// (2006-01-02) of the first and last days the window touches, and
	// instants inside and outside it besides its two ends.
	AsOfUTC  time.Time   `json:"as_of_utc"`
	Start    time.Time   `json:"start"`
	FirstDay string      `json:"first_day"`
	LastDay  string      `json:"last_day"`
	Inside   []time.Time `json:"inside"`
	Outside  []time.Time `json:"outside"`
}

// WindowDays is the length as a number of days, as the provider's
// window_days writes it, when Days is digits followed by "d".
func (c Case) WindowDays() (int, bool) {
	digits, ok := strings.CutSuffix(c.Days, "d")
	if !ok || digits == "" || strings.Trim(digits, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	return n, err == nil
}

// Load reads the table at path and checks that each case says what its
// kind of case needs.
func Load(path string) ([]Case, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var table struct {
		About []string `json:"about"`
		Cases []Case   `json:"cases"`
	}
	// A misspelt field would leave a check out unseen.
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&table); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	seen := map[string]bool{}
	for i, c := range table.Cases {
		if err := c.check(); err != nil {
			return nil, fmt.Errorf("%s: case %d (%q): %w", path, i, c.Name, err)
		}
		if seen[c.Name] {
			return nil, fmt.Errorf("%s: two cases are named %q", path, c.Name)
		}
		seen[c.Name] = true
	}
	if len(table.Cases) == 0 {
		return nil, fmt.Errorf("%s: no cases", path)
	}
	return table.Cases, nil
}

func (c Case) check() error {
	switch {
	case c.Name == "":
		return fmt.Errorf("no name")
	case c.AsOf == "" && c.Now == nil:
		return fmt.Errorf("as_of is now, and now is not given")
	case !c.Valid && c.Rejected != "days" && c.Rejected != "as_of":
		return fmt.Errorf("rejected is %q, want days or as_of", c.Rejected)
	case !c.Valid && c.Error == "":
		return fmt.Errorf("no error")
	case c.Valid && (c.Rejected != "" || c.Error != ""):
		return fmt.Errorf("a valid case with an error")
	case c.Valid && (c.AsOfUTC.IsZero() || c.Start.IsZero()):
		return fmt.Errorf("no as_of_utc or start")
	}
	if c.Valid {
		for _, d := range []string{c.FirstDay, c.LastDay} {
			if _, err := time.Parse(time.DateOnly, d); err != nil {
				return fmt.Errorf("first_day and last_day are dates: %w", err)
			}
		}
	}
	return nil
}
