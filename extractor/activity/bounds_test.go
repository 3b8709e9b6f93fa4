package activity

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCut(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    string
		limit int
		want  string
	}{
		{"short enough", "AccessDenied", 256, "AccessDenied"},
		{"exactly the limit", strings.Repeat("a", 40), 40, strings.Repeat("a", 40)},
		{"one byte over", strings.Repeat("a", 41), 40, strings.Repeat("a", 23) + "…[cut 18 bytes]"},
		// "é" is two bytes: a cut at byte 23 would split it, so it moves
		// back to the character's start.
		{"between characters", strings.Repeat("é", 30), 40, strings.Repeat("é", 11) + "…[cut 38 bytes]"},
		{"a million bytes", strings.Repeat("x", 1_000_000), 64, strings.Repeat("x", 40) + "…[cut 999,960 bytes]"},
		{"limit smaller than the marker", "abcdefghij", 4, "abcd"},
		{"limit smaller than the marker, between characters", "ééé", 3, "é"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Cut(tc.in, tc.limit)
			if got != tc.want {
				t.Errorf("Cut(%d bytes, %d) = %q, want %q", len(tc.in), tc.limit, got, tc.want)
			}
			if len(got) > tc.limit {
				t.Errorf("Cut returned %d bytes, more than the limit %d", len(got), tc.limit)
			}
			if !utf8.ValidString(got) {
				t.Errorf("Cut returned invalid UTF-8: %q", got)
			}
		})
	}
}

// TestCutEveryLength cuts values of mixed one- to four-byte characters at
// every limit: the result always fits, is valid UTF-8, starts with the
// value's beginning, and says how much was cut.
func TestCutEveryLength(t *testing.T) {
	s := strings.Repeat("a€😀ß", 20)
	for limit := 0; limit <= len(s)+1; limit++ {
		got := Cut(s, limit)
		if len(got) > limit || !utf8.ValidString(got) {
			t.Fatalf("Cut(%d) = %q: %d bytes, valid UTF-8 %v", limit, got, len(got), utf8.ValidString(got))
		}
		kept, marker, found := strings.Cut(got, "…[cut ")
		if limit >= len(s) {
			if got != s {
				t.Fatalf("Cut(%d) changed a value that fits", limit)
			}
			continue
		}
		if !strings.HasPrefix(s, kept) {
			t.Fatalf("Cut(%d) = %q does not keep the value's beginning", limit, got)
		}
		if found && marker != Thousands(int64(len(s)-len(kept)))+" bytes]" {
			t.Fatalf("Cut(%d) = %q: the marker does not count the %d bytes cut", limit, got, len(s)-len(kept))
		}
	}
}

func TestTooLong(t *testing.T) {
	if err := TooLong("userIdentity.arn", "an ARN", strings.Repeat("a", MaxARN), MaxARN); err != nil {
		t.Errorf("an ARN of exactly %d bytes was refused: %v", MaxARN, err)
	}
	err := TooLong("userIdentity.arn", "an ARN", strings.Repeat("a", 1_000_000), MaxARN)
	var tl *TooLongError
	if !errors.As(err, &tl) || tl.Len != 1_000_000 || tl.Max != MaxARN {
		t.Fatalf("TooLong = %v, want a TooLongError of 1,000,000 bytes over %d", err, MaxARN)
	}
	want := "userIdentity.arn is 1,000,000 bytes long, and an ARN has at most 2,048"
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("message %q does not start with %q", err, want)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 999936: "999,936", 1234567: "1,234,567", -1000: "-1,000"} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
