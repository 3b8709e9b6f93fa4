package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// run runs the command line in-process and returns stdout, stderr and the
// exit status main would use.
func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errs bytes.Buffer
	err := Run(context.Background(), args, Streams{In: strings.NewReader(""), Out: &out, Err: &errs}, "test")
	return out.String(), errs.String(), ExitCode(err)
}

func TestExitCodes(t *testing.T) {
	for _, c := range []struct {
		err  error
		want int
	}{
		{nil, ExitOK},
		{errors.New("boom"), ExitFailure},
		{usagef("bad %s", "flag"), ExitUsage},
		{fmt.Errorf("3 objects: %w", ErrSkippedInputs), ExitSkipped},
		{fmt.Errorf("2 rules: %w", ErrViolations), ExitViolation},
		{fmt.Errorf("extract: %w", context.Canceled), ExitCancelled},
	} {
		if got := ExitCode(c.err); got != c.want {
			t.Errorf("ExitCode(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}

func TestUsageMistakesExitTwo(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	for _, args := range [][]string{
		{"no-such-command"},
		{"--db", db, "integrations", "list", "--no-such-flag"},
		{"--db", db, "integrations", "list", "extra-argument"},
		{"--db", db, "--log-level", "loud", "integrations", "list"},
		{"--db", db, "integrations"},
	} {
		_, errs, code := run(t, args...)
		if code != ExitUsage {
			t.Errorf("%v: exit %d, want %d (stderr %q)", args, code, ExitUsage, errs)
		}
		if !strings.Contains(errs, "--help") {
			t.Errorf("%v: stderr %q does not point to --help", args, errs)
		}
	}
}

func TestHelpForEveryCommand(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"integrations", "--help"}, {"integrations", "list", "--help"}} {
		out, _, code := run(t, args...)
		if code != ExitOK || !strings.Contains(out, "Usage:") {
			t.Errorf("%v: exit %d, output %q", args, code, out)
		}
	}
}

// Each command's constructor, new<Name>Command(*globalOptions), is in
// commandConstructors once, and help lists every one.
func TestEveryCommandListedOnce(t *testing.T) {
	constructor := regexp.MustCompile(`^new([A-Z]\w*)Command$`)
	declared := map[string]bool{}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !constructor.MatchString(fn.Name.Name) || fn.Type.Params.NumFields() != 1 {
				continue
			}
			if star, ok := fn.Type.Params.List[0].Type.(*ast.StarExpr); ok {
				if id, ok := star.X.(*ast.Ident); ok && id.Name == "globalOptions" {
					declared[strings.ToLower(constructor.FindStringSubmatch(fn.Name.Name)[1])] = true
				}
			}
		}
	}
	if len(declared) == 0 {
		t.Fatal("no command constructor found in the package's files")
	}
	var listed []string
	times := map[string]int{}
	for _, c := range commandConstructors {
		name := c(&globalOptions{}).Name()
		listed = append(listed, name)
		times[name]++
	}
	for _, name := range listed {
		if times[name] > 1 {
			t.Errorf("%s is listed %d times in commandConstructors", name, times[name])
			times[name] = 1
		}
		if !declared[name] {
			t.Errorf("%s is listed, but no new...Command(*globalOptions) declares it", name)
		}
	}
	for name := range declared {
		if times[name] == 0 {
			t.Errorf("the %s command is declared but not in commandConstructors", name)
		}
	}

	help, _, _ := run(t, "--help")
	for _, name := range listed {
		if !strings.Contains(help, "\n  "+name+" ") {
			t.Errorf("help does not list %s:\n%s", name, help)
		}
	}
}

func TestIntegrationsList(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "activity.db")

	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	out, _, code := run(t, "--db", path, "integrations", "list")
	if code != ExitOK || !strings.Contains(out, "No integrations") {
		t.Fatalf("empty database: exit %d, %q", code, out)
	}
	for _, in := range []activity.Integration{
		{AccountID: "222222222222", Trail: "arn:aws:cloudtrail:us-east-2:222222222222:trail/org", Region: "us-east-2", ExtractForOrganization: true},
		{AccountID: "111111111111", Trail: "arn:aws:cloudtrail:us-east-2:222222222222:trail/org", Region: "us-east-2", SkipExtraction: true,
			RoleARN: "arn:aws:iam::111111111111:role/reader"},
		{AccountID: "333333333333", Trail: "evil\x1b[31mred", Region: "eu-west-1"},
	} {
		if err := db.CreateIntegration(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	out, _, code = run(t, "--db", path, "integrations", "list")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[1], "111111111111  skip") || !strings.HasPrefix(lines[2], "222222222222  organization") {
		t.Errorf("table:\n%s", out)
	}
	if strings.Contains(out, "\x1b") || !strings.Contains(out, `evil\x1b[31mred`) {
		t.Errorf("a terminal escape in a trail name reached the table: %q", out)
	}

	out, _, code = run(t, "--db", path, "integrations", "list", "--json")
	if code != ExitOK {
		t.Fatalf("--json: exit %d", code)
	}
	for _, want := range []string{`"account_id": "111111111111"`, `"mode": "skip"`, `"role_arn": "arn:aws:iam::111111111111:role/reader"`,
		`"role_arn": null`, `"mode": "organization"`, `"trail_arn": null`} {
		if !strings.Contains(out, want) {
			t.Errorf("--json lacks %s:\n%s", want, out)
		}
	}
}

func TestDatabaseFromEnvironment(t *testing.T) {
	path := filepath.Join(t.TempDir(), "env.db")
	t.Setenv("ACTIVITY_DATABASE", path)
	if _, err := store.Open(context.Background(), path); err != nil {
		t.Fatal(err)
	}
	out, _, code := run(t, "integrations", "list")
	if code != ExitOK || !strings.Contains(out, path) {
		t.Errorf("exit %d, output %q; want the database from ACTIVITY_DATABASE", code, out)
	}
}

// Commands that only read what others stored refuse a database that does
// not exist, naming it and what to run, and create nothing: a mistyped
// --db must not make a gate pass on an empty store.
func TestReadingCommandsRefuseAMissingDatabase(t *testing.T) {
	for _, args := range [][]string{
		{"report"}, {"report", "--format", "json"}, {"score"}, {"rules", "check"}, {"rules", "list"},
		{"integrations", "list"}, {"errors"}, {"publish", "--to", "s3://bucket/activity.db"},
		{"simulate", "--principal", "arn:aws:iam::111111111111:user/a", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b"},
	} {
		path := filepath.Join(t.TempDir(), "typo.db")
		_, errOut, code := run(t, append([]string{"--db", path}, args...)...)
		if code != ExitUsage || !strings.Contains(errOut, path) || !strings.Contains(errOut, "no such database") {
			t.Errorf("%v on a missing database: exit %d, %q; want exit %d naming it", args, code, errOut, ExitUsage)
		}
		if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%v created %s (%v)", args, path, err)
		}
	}
}

// Values that are not values are usage errors that say what a valid one
// looks like.
func TestMistakenValuesAreUsageErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "activity.db")
	if _, err := store.Open(context.Background(), path); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"report", "--min-ops", "NaN"}, "from 0 to 100"},
		{[]string{"simulate", "--principal", "arn:aws:iam::111111111111:user/a", "--action", "s3:GetObject", "--resource", "not-an-arn"}, "arn:aws:s3:::BUCKET"},
		{[]string{"score", "--as-of", "0001-01-01T00:00:00Z"}, "before CloudTrail existed"},
	} {
		_, errOut, code := run(t, append([]string{"--db", path}, c.args...)...)
		if code != ExitUsage || !strings.Contains(errOut, c.says) {
			t.Errorf("%v: exit %d, %q; want a usage error saying %q", c.args, code, errOut, c.says)
		}
	}
}

// An extract that finds nothing to read in the folder it was given is a
// broken run: it says so and exits with the status of skipped inputs.
func TestExtractOfAnEmptyFolderIsNotASuccess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "activity.db")
	_, errOut, code := run(t, "--db", path, "extract", "--source", t.TempDir(), "--as-of", "2026-11-25T00:00:00Z")
	if code != ExitSkipped || !strings.Contains(errOut, "no CloudTrail object found") {
		t.Errorf("extract of an empty folder: exit %d, %q; want exit %d", code, errOut, ExitSkipped)
	}
}

// A window that ends after now cannot have its logs yet: the commands say
// so and exit with the status of skipped inputs, after doing their work.
func TestFutureAsOfIsIncomplete(t *testing.T) {
	path := filepath.Join(t.TempDir(), "activity.db")
	if _, err := store.Open(context.Background(), path); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"score"}, {"report", "--format", "json"}} {
		out, errOut, code := run(t, append([]string{"--db", path}, append(args, "--as-of", "2099-01-01T00:00:00Z")...)...)
		if code != ExitSkipped || !strings.Contains(errOut, "is after now") || out == "" {
			t.Errorf("%v as of 2099: exit %d, stdout %q, stderr %q; want the output and exit %d", args, code, out, errOut, ExitSkipped)
		}
	}
	if _, _, code := run(t, "--db", path, "score", "--as-of", "2026-11-25T00:00:00Z"); code != ExitOK {
		t.Errorf("score as of a past time: exit %d, want %d", code, ExitOK)
	}
}
