package termcell

import (
	"compress/gzip"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFitTo(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"arn:aws:iam::111122223333:role/reader", 256, "arn:aws:iam::111122223333:role/reader"},
		{"abcdef", 6, "abcdef"},
		{"abcdefg", 6, "abcde…"},
		// Characters, not bytes: six two-byte characters fit in six.
		{"éééééé", 6, "éééééé"},
		{"ééééééé", 6, "ééééé…"},
		{"😀😀😀", 2, "😀…"},
		{"ab", 1, "…"},
	} {
		if got := FitTo(tc.in, tc.n); got != tc.want {
			t.Errorf("FitTo(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestFit(t *testing.T) {
	arn := "arn:aws:iam::111122223333:user/" + strings.Repeat("€", 2000)
	got := Fit(arn)
	if n := utf8.RuneCountInString(got); n != MaxRunes || !strings.HasSuffix(got, "€…") || !strings.HasPrefix(got, "arn:aws:iam::111122223333:user/€") {
		t.Errorf("Fit of a %d-character ARN: %d characters, %q", utf8.RuneCountInString(arn), n, got)
	}
	if !utf8.ValidString(got) {
		t.Errorf("Fit cut inside a character: %q", got)
	}
}

var arnPattern = regexp.MustCompile(`arn:aws[a-z-]*:[^"\s,]*`)

// TestRealARNsFit: every ARN in the project's real CloudTrail files and
// policies, and in the shared data when present, fits a cell whole.
func TestRealARNsFit(t *testing.T) {
	dirs := []string{"../cloudtrail/testdata", "../iam/testdata", "../discover/testdata"}
	shared := os.Getenv("ACTIVITY_SHARED_DATA")
	if shared == "" {
		shared = filepath.Join("..", "..", "..", "..", "shared", "data")
	}
	if _, err := os.Stat(shared); err == nil {
		dirs = append(dirs, shared)
	} else {
		t.Logf("shared data %s absent: only the project's testdata is checked (set ACTIVITY_SHARED_DATA)", shared)
	}
	arns, longest := 0, ""
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			var data []byte
			switch {
			case strings.HasSuffix(p, ".json.gz"):
				f, err := os.Open(p)
				if err != nil {
					return err
				}
				defer f.Close() //nolint:errcheck // read only
				zr, err := gzip.NewReader(f)
				if err != nil {
					return nil // not gzip: the decoding tests cover it
				}
				if data, err = io.ReadAll(zr); err != nil {
					return nil
				}
			case strings.HasSuffix(p, ".json"), strings.HasSuffix(p, ".jsonl"):
				if data, err = os.ReadFile(p); err != nil {
					return err
				}
			default:
				return nil
			}
			for _, arn := range arnPattern.FindAllString(string(data), -1) {
				arns++
				if len(arn) > len(longest) {
					longest = arn
				}
				if Fit(arn) != arn {
					t.Errorf("%s: a real ARN of %d characters is cut: %s", p, utf8.RuneCountInString(arn), arn)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if arns < 1000 {
		t.Fatalf("only %d ARNs found: the test data is not where this test expects", arns)
	}
	t.Logf("%d ARNs, the longest of %d characters: %s", arns, len(longest), longest)
}
