// Command changelog turns the change fragments of .changes/unreleased (one
// YAML file per user-visible change, in the format .changie.yaml describes)
// into the sections of CHANGELOG.md, and prints the section of one release
// as its release notes.
//
//	changelog [-root DIR] unreleased VERSION  print the section the fragments would make
//	changelog [-root DIR] batch VERSION       add that section to CHANGELOG.md, remove the fragments
//	changelog [-root DIR] notes VERSION       print the section of VERSION from CHANGELOG.md
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// kinds are the headings of a section, in the order they are printed; a
// fragment of another kind is refused.
var kinds = []string{"BREAKING CHANGES", "NOTES", "FEATURES", "ENHANCEMENTS", "BUG FIXES"}

const header = "# Changelog\n"

type fragment struct {
	file string
	Kind string    `yaml:"kind"`
	Body string    `yaml:"body"`
	Time time.Time `yaml:"time"`
}

func main() {
	if err := run(os.Args[1:], os.Stdout, time.Now); err != nil {
		fmt.Fprintln(os.Stderr, "changelog:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer, now func() time.Time) error {
	fs := flag.NewFlagSet("changelog", flag.ContinueOnError)
	root := fs.String("root", ".", "the repository: its .changes/ and CHANGELOG.md")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return errors.New("usage: changelog [-root DIR] unreleased|batch|notes VERSION")
	}
	cmd, version := fs.Arg(0), strings.TrimPrefix(fs.Arg(1), "v")
	if !regexp.MustCompile(`^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$`).MatchString(version) {
		return fmt.Errorf("version %q: give a semantic version such as 1.2.3 (a leading v is dropped)", fs.Arg(1))
	}
	changelog := filepath.Join(*root, "CHANGELOG.md")
	switch cmd {
	case "unreleased":
		frags, err := readFragments(filepath.Join(*root, ".changes", "unreleased"))
		if err != nil {
			return err
		}
		_, err = io.WriteString(out, section(version, now(), frags))
		return err
	case "batch":
		return batch(*root, changelog, version, now())
	case "notes":
		text, err := os.ReadFile(changelog)
		if err != nil {
			return err
		}
		notes, err := notesOf(string(text), version)
		if err != nil {
			return fmt.Errorf("%s: %w", changelog, err)
		}
		_, err = io.WriteString(out, notes)
		return err
	default:
		return fmt.Errorf("unknown command %q: use unreleased, batch or notes", cmd)
	}
}

// readFragments reads every fragment of dir, oldest first.
func readFragments(dir string) ([]fragment, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	var frags []fragment
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var f fragment
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		if err := dec.Decode(&f); err != nil {
			return nil, fmt.Errorf("%s: %w; a fragment has kind, body and time", name, err)
		}
		f.file = name
		if !slices.Contains(kinds, f.Kind) {
			return nil, fmt.Errorf("%s: kind %q is not one of %s", name, f.Kind, strings.Join(kinds, ", "))
		}
		if strings.TrimSpace(f.Body) == "" {
			return nil, fmt.Errorf("%s: body is empty; say what changed for users", name)
		}
		if f.Time.IsZero() {
			return nil, fmt.Errorf("%s: time is missing; give it as 2006-01-02T15:04:05Z", name)
		}
		frags = append(frags, f)
	}
	sort.SliceStable(frags, func(i, j int) bool { return frags[i].Time.Before(frags[j].Time) })
	return frags, nil
}

// section renders the section of a release: its heading, then the changes
// grouped by kind.
func section(version string, day time.Time, frags []fragment) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s (%s)\n", version, day.UTC().Format("January 02, 2006"))
	if len(frags) == 0 {
		b.WriteString("\nNOTES:\n\n* No user-visible changes.\n")
	}
	for _, kind := range kinds {
		first := true
		for _, f := range frags {
			if f.Kind != kind {
				continue
			}
			if first {
				fmt.Fprintf(&b, "\n%s:\n\n", kind)
				first = false
			}
			fmt.Fprintf(&b, "* %s\n", strings.Join(strings.Fields(f.Body), " "))
		}
	}
	return b.String()
}

var heading = regexp.MustCompile(`(?m)^## (\S+)`)

// notesOf returns the section of version, without its heading line.
func notesOf(changelog, version string) (string, error) {
	locs := heading.FindAllStringSubmatchIndex(changelog, -1)
	for i, loc := range locs {
		if changelog[loc[2]:loc[3]] != version {
			continue
		}
		end := len(changelog)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		body := changelog[loc[1]:end]
		if nl := strings.IndexByte(body, '\n'); nl >= 0 {
			body = body[nl+1:]
		}
		return strings.TrimSpace(body) + "\n", nil
	}
	return "", fmt.Errorf("no section for %s; make it from the fragments with: changelog batch %s", version, version)
}

// batch puts the section of version at the top of CHANGELOG.md and removes
// the fragments it was made of.
func batch(root, changelog, version string, day time.Time) error {
	frags, err := readFragments(filepath.Join(root, ".changes", "unreleased"))
	if err != nil {
		return err
	}
	old, err := os.ReadFile(changelog)
	if errors.Is(err, os.ErrNotExist) {
		old = []byte(header)
	} else if err != nil {
		return err
	}
	if _, err := notesOf(string(old), version); err == nil {
		return fmt.Errorf("%s already has a section for %s", changelog, version)
	}
	rest := strings.TrimPrefix(string(old), header)
	text := header + "\n" + section(version, day, frags) + "\n" + strings.TrimLeft(rest, "\n")
	if err := os.WriteFile(changelog, []byte(strings.TrimRight(text, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	for _, f := range frags {
		if err := os.Remove(f.file); err != nil {
			return err
		}
	}
	return nil
}
