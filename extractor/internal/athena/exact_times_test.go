package athena_test

// Times the report prints for an as_of inside a day, from real CloudTrail
// files, with both engines, checked against times read from the files
// here, without the product's decoder or mapping.

import (
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const invictus = "../cloudtrail/testdata/invictus"

// trailEvent is what the expectations need of a record.
type trailEvent struct {
	at        time.Time
	actor     string   // the IAM user, or the role of an assumed-role session
	resources []string // buckets and keys named in resources[]
	keys      []string
	service   string
	name      string
	failed    bool
}

func readTrail(t *testing.T, dir string) []trailEvent {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json.gz"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no CloudTrail files in %s (%v)", dir, err)
	}
	var out []trailEvent
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Records []struct {
				EventTime    string
				EventSource  string
				EventName    string
				ErrorCode    string
				UserIdentity struct {
					Type           string
					ARN            string
					SessionContext struct{ SessionIssuer struct{ ARN string } }
				}
				Resources []struct{ Type, ARN string }
			}
		}
		err = json.NewDecoder(zr).Decode(&doc)
		f.Close() //nolint:errcheck // read only
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, r := range doc.Records {
			at, err := time.Parse(time.RFC3339, r.EventTime)
			if err != nil {
				t.Fatalf("%s: eventTime %q: %v", name, r.EventTime, err)
			}
			e := trailEvent{at: at, service: strings.TrimSuffix(r.EventSource, ".amazonaws.com"), name: r.EventName, failed: r.ErrorCode != ""}
			switch r.UserIdentity.Type {
			case "IAMUser":
				e.actor = r.UserIdentity.ARN
			case "AssumedRole":
				e.actor = r.UserIdentity.SessionContext.SessionIssuer.ARN
			}
			for _, res := range r.Resources {
				switch res.Type {
				case "AWS::S3::Bucket":
					e.resources = append(e.resources, res.ARN)
				case "AWS::KMS::Key":
					e.resources = append(e.resources, res.ARN)
					e.keys = append(e.keys, res.ARN)
				}
			}
			out = append(out, e)
		}
	}
	return out
}

// cryptographic are the KMS operations that consume key material (SPEC,
// last viewed) found in these files.
var cryptographic = map[string]bool{"Decrypt": true, "Encrypt": true, "GenerateDataKey": true, "ReEncrypt": true}

// latest is the latest time at or before asOf (and not before since), or
// "" when there is none.
func latest(events []trailEvent, since, asOf time.Time, keep func(trailEvent) bool) string {
	var best time.Time
	for _, e := range events {
		if !e.at.Before(since) && !e.at.After(asOf) && keep(e) && e.at.After(best) {
			best = e.at
		}
	}
	if best.IsZero() {
		return ""
	}
	return best.Format(time.RFC3339)
}

type exactReport struct {
	Principals []struct {
		ARN            string  `json:"arn"`
		LastActivityAt *string `json:"last_activity_at"`
		Resources      []struct {
			ARN         string   `json:"arn"`
			Kind        string   `json:"kind"`
			UsedActions []string `json:"used_actions"`
			LastUsedAt  *string  `json:"last_used_at"`
		} `json:"resources"`
	} `json:"principals"`
	KMSKeys []struct {
		ARN            string  `json:"arn"`
		LastActivityAt *string `json:"last_activity_at"`
		LastViewedAt   *string `json:"last_viewed_at"`
	} `json:"kms_keys"`
}

func orEmpty(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// The files hold one afternoon of one day (2023-07-10, 11:42:18 to
// 12:37:50); every as_of below falls inside that day, on an event's second,
// between two events, or a day later so that the window starts inside it.
func TestExactTimes_RealTrailFilesAtAnAsOfInsideTheDay(t *testing.T) {
	events := readTrail(t, invictus)
	authz := filepath.Join(t.TempDir(), "authz.json")
	// Both users may do anything: every bucket and key they used is listed
	// with its last use.
	policy := `[{"PolicyName":"all","PolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}}]`
	var users []string
	for _, name := range []string{"bert-jan", "benjamin"} {
		users = append(users, `{"UserName":"`+name+`","UserId":"AIDA`+strings.ToUpper(strings.ReplaceAll(name, "-", ""))+`","Arn":"arn:aws:iam::123837392027:user/`+name+
			`","Path":"/","CreateDate":"2020-01-01T00:00:00Z","GroupList":[],"AttachedManagedPolicies":[],"UserPolicyList":`+policy+`}`)
	}
	if err := os.WriteFile(authz, []byte(`{"UserDetailList":[`+strings.Join(users, ",")+`],"GroupDetailList":[],"RoleDetailList":[],"Policies":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	local, aggregated, _ := extractBoth(t, invictus, "2023-07-11T00:00:00Z", 7, []string{"--authz-details", authz})

	compared := map[string]int{}
	for _, c := range []struct {
		asOf string
		days int
	}{
		{"2023-07-10T11:57:50Z", 1}, // on the second of many KMS calls
		{"2023-07-10T11:58:13Z", 1}, // between two KMS calls, a second after one
		{"2023-07-10T12:07:56Z", 1}, // between 12:07:55 and 12:07:57
		{"2023-07-10T11:45:30Z", 1}, // early in the afternoon: few events before
		{"2023-07-10T12:37:50Z", 1}, // the last event's second
		{"2023-07-11T11:58:13Z", 1}, // the window starts at 11:58:13 the day before
	} {
		asOf, _ := time.Parse(time.RFC3339, c.asOf)
		start := asOf.AddDate(0, 0, -c.days)
		for engine, db := range map[string]string{"local": local, "athena": aggregated} {
			var rep exactReport
			out := runCLI(t, "--db", db, "report", "--format", "json", "--as-of", c.asOf, "--window", "1d", "--stored=false")
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatal(err)
			}
			where := engine + " as of " + c.asOf
			for _, p := range rep.Principals {
				// Last activity: the principal's latest event, refused or
				// not, whether or not inside the window.
				want := latest(events, time.Time{}, asOf, func(e trailEvent) bool { return e.actor == p.ARN })
				if got := orEmpty(p.LastActivityAt); got != want {
					t.Errorf("%s: %s last activity %q, the files say %q", where, p.ARN, got, want)
				}
				compared["principal"]++
				for _, r := range p.Resources {
					if r.Kind != "s3_bucket" && r.Kind != "kms_key" {
						continue
					}
					// Last use: the latest successful call inside the window
					// naming the bucket or key.
					want := latest(events, start, asOf, func(e trailEvent) bool {
						return e.actor == p.ARN && !e.failed && slices.Contains(e.resources, r.ARN)
					})
					if got := orEmpty(r.LastUsedAt); got != want || (want == "") != (len(r.UsedActions) == 0) {
						t.Errorf("%s: %s last used %s at %q (%d actions), the files say %q", where, p.ARN, r.ARN, got, len(r.UsedActions), want)
					}
					if want != "" {
						compared["resource"]++
					}
				}
			}
			for _, k := range rep.KMSKeys {
				use := func(e trailEvent) bool { return !e.failed && slices.Contains(e.keys, k.ARN) }
				want := latest(events, time.Time{}, asOf, use)
				viewed := latest(events, time.Time{}, asOf, func(e trailEvent) bool { return use(e) && e.service == "kms" && cryptographic[e.name] })
				if got := orEmpty(k.LastActivityAt); got != want {
					t.Errorf("%s: key %s last activity %q, the files say %q", where, k.ARN, got, want)
				}
				if got := orEmpty(k.LastViewedAt); got != viewed {
					t.Errorf("%s: key %s last viewed %q, the files say %q", where, k.ARN, got, viewed)
				}
				if want != "" {
					compared["key"]++
				}
			}
		}
	}
	// Enough was compared to mean something: several principals, buckets
	// and keys used, at each as_of and with each engine.
	if compared["principal"] < 12*10 || compared["resource"] < 20 || compared["key"] < 10 {
		t.Errorf("too little compared: %v", compared)
	}
	t.Logf("compared %v", compared)
}
