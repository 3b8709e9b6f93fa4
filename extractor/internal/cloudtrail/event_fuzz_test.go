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
	"time"
	"unicode/utf8"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"

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

// FuzzMapRecord maps any record that decodes: no panic, an error says what
// was wrong, and a mapped event holds the record's time and ARNs that
// parse: the actor's (but for the names services, and people known by
// their identity provider only, go by), the session's role and each
// resource used, whose kind is the one its ARN says.
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
		if e.Source != r.EventSource || e.Name != r.EventName {
			t.Fatalf("event %+v does not say what record %s says", e, data)
		}
		at, err := time.Parse(time.RFC3339, r.EventTime)
		if err != nil || !e.Time.Equal(at) || e.Time.Location() != time.UTC {
			t.Fatalf("record %s: event time %v, want eventTime %q in UTC", data, e.Time, r.EventTime)
		}
		checkActorARN(t, e.Actor, data)
		if e.Person != nil {
			checkActorARN(t, *e.Person, data)
		}
		if e.Session != nil {
			if _, err := activity.ParseARN(e.Session.RoleARN); err != nil {
				t.Fatalf("record %s: session of role %q: %v", data, e.Session.RoleARN, err)
			}
		}
		for _, u := range e.Uses {
			if u.Action == "" {
				t.Fatalf("record %s: a use without an action", data)
			}
			if u.Resource == nil {
				continue
			}
			res, err := activity.ParseResource(u.Resource.ARN)
			if err != nil {
				t.Fatalf("record %s: %s used on %q: %v", data, u.Action, u.Resource.ARN, err)
			}
			if res.Kind != u.Resource.Kind || res.Canonical() != u.Resource.Canonical() {
				t.Fatalf("record %s: %s used on %+v, whose ARN parses as %+v", data, u.Action, *u.Resource, res)
			}
		}
	})
}

// checkActorARN fails unless a principal's ARN parses, for the kinds named
// by an ARN: IAM users and roles, account roots and federated users that
// STS named. Services go by their name, people by their identity
// provider's name for them.
func checkActorARN(t *testing.T, p activity.Principal, data []byte) {
	t.Helper()
	switch p.Kind {
	case "", activity.KindAWSService, activity.KindSSOUser, activity.KindOktaIdentity:
		return
	case activity.KindFederatedUser:
		if strings.HasPrefix(p.ARN, "web:") || strings.HasPrefix(p.ARN, "saml:") {
			return
		}
	}
	if _, err := activity.ParseARN(p.ARN); err != nil {
		t.Fatalf("record %s: %s %q: %v", data, p.Kind, p.ARN, err)
	}
}

// FuzzActions maps any event source and name to IAM actions: never none
// (but for the sources listed without actions or naming no service), never an empty one, always
// in the event's service, and never an S3 action for another service.
func FuzzActions(f *testing.F) {
	for _, s := range fuzzSeedRecords(f, 200) {
		var r Record
		if json.Unmarshal(s, &r) == nil {
			f.Add(r.EventSource, r.EventName, r.RequestParameters != nil && r.RequestParameters.VersionID != "")
		}
	}
	f.Add("lambda.amazonaws.com", "Invoke20150331", false)
	// A host that names no service must not give actions of S3.
	f.Add("s3:x.amazonaws.com", "GetObject", false)
	f.Fuzz(func(t *testing.T, source, name string, versioned bool) {
		if !utf8.ValidString(source) || !utf8.ValidString(name) {
			return
		}
		actions := Actions(source, name, versioned)
		svc := Service(source)
		if _, none := sourcesWithoutActions[source]; none || !isServicePrefix(svc) {
			if len(actions) > 0 {
				t.Fatalf("%q %q: actions %v of a source without actions", source, name, actions)
			}
			return
		}
		if len(actions) == 0 {
			t.Fatalf("%q %q: no action", source, name)
		}
		for _, a := range actions {
			if a == "" || !strings.Contains(a, ":") {
				t.Fatalf("%q %q: action %q", source, name, a)
			}
			if !strings.HasPrefix(a, svc+":") {
				t.Fatalf("%q %q: action %q outside the service %q", source, name, a, svc)
			}
			if svc != "s3" && strings.HasPrefix(a, "s3:") {
				t.Fatalf("%q %q: S3 action %q for the service %q", source, name, a, svc)
			}
		}
	})
}
