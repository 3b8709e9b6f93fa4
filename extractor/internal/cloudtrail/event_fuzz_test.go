package cloudtrail

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/klauspost/compress/gzip"
)

// fuzzSeedRecords are real CloudTrail records from testdata: the AWS
// documentation's examples and the invictus trail's first objects.
func fuzzSeedRecords(f *testing.F, max int) [][]byte {
	f.Helper()
	var seeds [][]byte
	docs, _ := filepath.Glob("testdata/awsdocs/*.jsonl")
	for _, name := range docs {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() && len(seeds) < max/2 {
			seeds = append(seeds, bytes.Clone(sc.Bytes()))
		}
	}
	objects, _ := filepath.Glob("testdata/invictus/*.json.gz")
	for _, name := range objects {
		if len(seeds) >= max {
			break
		}
		fh, err := os.Open(name)
		if err != nil {
			f.Fatal(err)
		}
		zr, err := gzip.NewReader(fh)
		if err != nil {
			f.Fatal(err)
		}
		data, err := io.ReadAll(zr)
		fh.Close() //nolint:errcheck // read only
		if err != nil {
			f.Fatal(err)
		}
		var top struct{ Records []json.RawMessage }
		if err := json.Unmarshal(data, &top); err != nil {
			f.Fatal(err)
		}
		for _, r := range top.Records {
			if len(seeds) >= max {
				break
			}
			seeds = append(seeds, r)
		}
	}
	if len(seeds) == 0 {
		f.Fatal("no seed records in testdata")
	}
	return seeds
}

// FuzzMapRecord maps any record that decodes: no panic, and an error says
// what was wrong.
func FuzzMapRecord(f *testing.F) {
	for _, s := range fuzzSeedRecords(f, 400) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var r Record
		if err := json.Unmarshal(data, &r); err != nil {
			return
		}
		e, err := MapRecord(&r)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if e.Time.IsZero() || e.Source != r.EventSource || e.Name != r.EventName {
			t.Fatalf("event %+v does not say what record %s says", e, data)
		}
		for _, u := range e.Uses {
			if u.Action == "" {
				t.Fatalf("record %s: a use without an action", data)
			}
		}
	})
}

// FuzzActions maps any event source and name to IAM actions: never none
// (but for the sources listed without actions), never an empty one, and
// always in the event's service.
func FuzzActions(f *testing.F) {
	for _, s := range fuzzSeedRecords(f, 200) {
		var r Record
		if json.Unmarshal(s, &r) == nil {
			f.Add(r.EventSource, r.EventName, r.RequestParameters != nil && r.RequestParameters.VersionID != "")
		}
	}
	f.Add("lambda.amazonaws.com", "Invoke20150331", false)
	f.Fuzz(func(t *testing.T, source, name string, versioned bool) {
		if !utf8.ValidString(source) || !utf8.ValidString(name) {
			return
		}
		actions := Actions(source, name, versioned)
		if _, none := sourcesWithoutActions[source]; none {
			if len(actions) > 0 {
				t.Fatalf("%q %q: actions %v of a source without actions", source, name, actions)
			}
			return
		}
		if len(actions) == 0 {
			t.Fatalf("%q %q: no action", source, name)
		}
		svc := Service(source)
		for _, a := range actions {
			if a == "" || !strings.Contains(a, ":") {
				t.Fatalf("%q %q: action %q", source, name, a)
			}
			if !strings.HasPrefix(a, svc+":") && !strings.HasPrefix(a, "s3:") {
				t.Fatalf("%q %q: action %q outside the service %q", source, name, a, svc)
			}
		}
	})
}
