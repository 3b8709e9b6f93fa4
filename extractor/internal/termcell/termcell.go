// Package termcell fits values into the cells of the tables commands print
// on a terminal. JSON output is never cut: it is for machines, and the
// store already bounds what it keeps.
package termcell

import "unicode/utf8"

// MaxRunes is the widest cell a table shows, in characters. Real ARNs fit
// whole: the longest in the real CloudTrail files and policies the tests
// read has 203 characters (TestRealARNsFit). A wider value (an ARN may
// have 2,048 characters) would push every other column off the screen.
const MaxRunes = 256

// MaxLineRunes bounds a line of prose between rows (a note, a caveat, a
// reason), in characters.
const MaxLineRunes = 1024

// Fit shortens s to at most MaxRunes characters, the last of them "…" when
// it was cut.
func Fit(s string) string { return FitTo(s, MaxRunes) }

// FitTo shortens s to at most n characters (n >= 1), the last of them "…"
// when it was cut.
func FitTo(s string, n int) string {
	if len(s) <= n || utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for i < len(s) && count < n-1 {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		count++
	}
	return s[:i] + "…"
}
