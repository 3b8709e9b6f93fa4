package cli

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/termcell"
)

// terminalSafe makes a value chosen by someone else (a trail name, a role
// session name) safe to print on a terminal: control characters, which could
// carry escape sequences, are shown quoted instead of interpreted.
func terminalSafe(s string) string {
	if strings.IndexFunc(s, unicode.IsControl) < 0 {
		return s
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

// cell is a value as one cell of a table: terminal-safe, and cut to
// termcell.MaxRunes characters so that one wide value cannot push the other
// columns off the screen. JSON output is never cut.
func cell(s string) string { return termcell.Fit(terminalSafe(s)) }

// sentence is text printed on a line of its own (a skipped input and its
// reason, a note): terminal-safe, and cut to termcell.MaxLineRunes
// characters.
func sentence(s string) string { return termcell.FitTo(terminalSafe(s), termcell.MaxLineRunes) }
