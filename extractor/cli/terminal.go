package cli

import (
	"strconv"
	"strings"
	"unicode"
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
