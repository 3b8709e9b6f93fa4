package cloudtrail_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/cloudtrail"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/generate"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/testenv"
)

// sameAsGeneral checks that, when the scanner reads data, it gives exactly
// what the general decoder gives; it tells whether the scanner read it.
func sameAsGeneral(t testing.TB, name string, data []byte) bool {
	t.Helper()
	got, ok := cloudtrail.ScanDeliveryFile(data)
	want, err := cloudtrail.DecodeGeneral(data, int64(len(data)))
	if !ok {
		return false
	}
	switch {
	case err != nil:
		t.Errorf("%s: the scanner read what the general decoder refuses (%v)", name, err)
	case len(want.Bad) > 0:
		t.Errorf("%s: the scanner read records the general decoder refuses: %v", name, want.Bad)
	case !reflect.DeepEqual(got, want.Records):
		for i := range min(len(got), len(want.Records)) {
			if !reflect.DeepEqual(got[i], want.Records[i]) {
				t.Errorf("%s: record %d:\n scanner %s\n general %s", name, i, dump(got[i]), dump(want.Records[i]))
				return true
			}
		}
		t.Errorf("%s: %d records from the scanner, %d from the general decoder", name, len(got), len(want.Records))
	}
	return true
}

func dump(r cloudtrail.Record) string {
	b, _ := json.Marshal(r)
	return string(b)
}

// corpus is every CloudTrail file under dir: delivery files as they are,
// and JSON Lines files of records both one record per file and whole.
func corpus(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		switch {
		case strings.HasSuffix(p, ".json.gz"):
			zr, err := gzip.NewReader(bytes.NewReader(data))
			if err != nil {
				return err
			}
			if data, err = io.ReadAll(zr); err != nil {
				return err
			}
			files[p] = data
		case strings.HasSuffix(p, ".json"):
			files[p] = data
		case strings.HasSuffix(p, ".jsonl"):
			var lines [][]byte
			sc := bufio.NewScanner(bytes.NewReader(data))
			sc.Buffer(nil, 16<<20)
			for i := 0; sc.Scan(); i++ {
				line := bytes.TrimSpace(sc.Bytes())
				if len(line) == 0 {
					continue
				}
				lines = append(lines, bytes.Clone(line))
				files[p+":"+strconv.Itoa(i+1)] = wrap(line)
			}
			files[p] = wrap(bytes.Join(lines, []byte(",\n")))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func wrap(records []byte) []byte {
	return []byte(`{"Records": [` + string(records) + `]}`)
}

// checkCorpus compares the scanner with the general decoder on every file
// and reports how many the scanner read.
func checkCorpus(t *testing.T, files map[string][]byte) {
	t.Helper()
	read := 0
	for name, data := range files {
		if sameAsGeneral(t, name, data) {
			read++
		} else if _, err := cloudtrail.DecodeGeneral(data, 0); err == nil {
			t.Logf("%s: left to the general decoder", name)
		}
	}
	t.Logf("%d of %d files read by the scanner", read, len(files))
	if read == 0 {
		t.Error("the scanner read none of the files")
	}
}

func TestScannerMatchesGeneralOnTestdata(t *testing.T) {
	checkCorpus(t, corpus(t, "testdata"))
}

// The shared data's CloudTrail files, or, in a clone without them, the
// committed samples of the sources testdata holds none of (stratus-red-team,
// panther, trailscraper, otrf, cloud-custodian).
func TestScannerMatchesGeneralOnSharedData(t *testing.T) {
	dir, full := sharedCloudTrailFull(t)
	files := corpus(t, dir)
	if least := map[bool]int{true: 500, false: 60}[full]; len(files) < least {
		t.Fatalf("%d CloudTrail files and records under %s, want at least %d: the folder is not the corpus this test expects", len(files), dir, least)
	}
	checkCorpus(t, files)
}

// sharedCloudTrail is the folder of real CloudTrail files: the shared
// data's, or the samples committed in testdata/shared.
func sharedCloudTrail(t *testing.T) string {
	t.Helper()
	dir, _ := sharedCloudTrailFull(t)
	return dir
}

// sharedCloudTrailFull is sharedCloudTrail, and whether it is the full
// corpus.
func sharedCloudTrailFull(t *testing.T) (string, bool) {
	t.Helper()
	dir, full := testenv.SharedData(t, filepath.Join("testdata", "shared"))
	return filepath.Join(dir, "cloudtrail"), full
}

func TestScannerMatchesGeneralOnGenerated(t *testing.T) {
	dir := t.TempDir()
	end := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	if _, err := generate.Run(context.Background(), generate.Options{Out: dir, Accounts: 2, Users: 5, Days: 3, Events: 5000, Seed: 7, End: end}); err != nil {
		t.Fatal(err)
	}
	files := corpus(t, filepath.Join(dir, "trail"))
	for name, data := range files {
		if strings.Contains(name, "CloudTrail-Digest") {
			continue
		}
		if !sameAsGeneral(t, name, data) {
			t.Errorf("%s: a generated object left to the general decoder", name)
		}
	}
}

// TestScannerReadsEveryField fills every field of Record, and of the types
// it holds, with a value of its own and checks that the scanner gives it
// back: a field added to the types but not to the tables fails here.
func TestScannerReadsEveryField(t *testing.T) {
	var want cloudtrail.Record
	n := 0
	fill(reflect.ValueOf(&want).Elem(), &n)
	rec, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	data := wrap(rec)
	got, ok := cloudtrail.ScanDeliveryFile(data)
	if !ok {
		t.Fatalf("the scanner did not read %s", data)
	}
	if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Fatalf("scanner\n %v\nwant\n %s", got, data)
	}
	sameAsGeneral(t, "every field", data)
}

// fill gives every string a distinct value, every pointer a value and every
// slice two elements.
func fill(v reflect.Value, n *int) {
	switch v.Kind() {
	case reflect.String:
		*n++
		v.SetString("value-" + strconv.Itoa(*n))
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n)
	case reflect.Struct:
		for i := range v.NumField() {
			fill(v.Field(i), n)
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), n)
		}
	default:
		panic("fill: a field of kind " + v.Kind().String())
	}
}

func TestScannerEdgeCases(t *testing.T) {
	for _, tc := range []struct {
		name string
		data string
		// scanned: the scanner reads it rather than leaving it to the
		// general decoder.
		scanned bool
	}{
		{"empty", `{"Records":[]}`, true},
		{"white space", " \n\t{ \"Records\" :\r\n [ { \"eventName\" : \"A\" } , {\"eventName\":\"B\"} ] } \n", true},
		{"escapes", `{"Records":[{"eventName":"a\"b\\c\/d\b\f\n\r\te","eventSource":"\u0041\u00e9\u4e2d"}]}`, true},
		{"surrogate pair", `{"Records":[{"eventName":"\ud83d\ude00 x"}]}`, true},
		{"raw unicode", `{"Records":[{"eventName":"é中😀","userIdentity":{"arn":"arn:aws:iam::1:user/Jöe"}}]}`, true},
		{"nested unknown", `{"Records":[{"a":{"b":[1,-2.5e+3,{"c":[true,false,null,"x\"]"]}]},"eventName":"A","z":[[[]]],"requestParameters":{"filter":{"bucketName":"inner"},"bucketName":"outer"}}]}`, true},
		{"escaped quotes skipped", `{"Records":[{"x":"a\\\\","eventName":"A","y":"\\\"q\"","z":["\\",{"k\"":"}"}],"eventSource":"B"}]}`, true},
		{"unknown top-level", `{"x":1,"Records":[{"eventName":"A"}],"y":{"Records":2}}`, true},
		{"nulls", `{"Records":[{"eventName":null,"userIdentity":null,"resources":null,"requestParameters":{"secretIdList":null},"responseElements":null}]}`, true},
		{"null in a list", `{"Records":[{"requestParameters":{"secretIdList":["a",null,"b"]}}]}`, true},
		{"empty lists", `{"Records":[{"resources":[],"requestParameters":{"secretIdList":[]}}]}`, true},
		{"case", `{"records":[{"EVENTNAME":"A","ResponseElements":{"aRN":"arn:aws:secretsmanager:us-east-1:1:secret:s"},"resources":[{"arn":"x","AccountId":"1"}]}]}`, true},
		{"session issuer null", `{"Records":[{"userIdentity":{"sessionContext":{"sessionIssuer":null}}}]}`, true},
		{"long unknown key", `{"Records":[{"aVeryLongUnknownKeyThatIsLongerThanAnyField":"x","eventName":"A"}]}`, true},

		{"number for a string", `{"Records":[{"eventName":1},{"eventName":"B"}]}`, false},
		{"boolean for a string", `{"Records":[{"eventName":true}]}`, false},
		{"string for an object", `{"Records":[{"userIdentity":"x"}]}`, false},
		{"object for a string", `{"Records":[{"eventName":{}}]}`, false},
		{"number in a list", `{"Records":[{"requestParameters":{"secretIdList":[1]}}]}`, false},
		{"duplicate key", `{"Records":[{"eventName":"A","eventName":"B"}]}`, false},
		{"duplicate key null", `{"Records":[{"eventName":"A","eventName":null}]}`, false},
		{"duplicate object", `{"Records":[{"userIdentity":{"arn":"a"},"userIdentity":{"type":"t"}}]}`, false},
		{"duplicate Records", `{"Records":[],"Records":[{"eventName":"A"}]}`, false},
		{"lone high surrogate", `{"Records":[{"eventName":"\ud83d x"}]}`, false},
		{"lone low surrogate", `{"Records":[{"eventName":"\ude00"}]}`, false},
		{"escaped key", `{"Records":[{"event\u004eame":"A"}]}`, false},
		{"invalid UTF-8", "{\"Records\":[{\"eventName\":\"\xff\"}]}", false},
		{"control character", "{\"Records\":[{\"eventName\":\"a\nb\"}]}", false},
		{"null record", `{"Records":[null]}`, false},
		{"no Records", `{"records2":[]}`, false},
		{"Records null", `{"Records":null}`, false},
		{"array", `[{"eventName":"A"}]`, false},
		{"trailing data", `{"Records":[]} x`, false},
		{"truncated", `{"Records":[{"eventName":"A"`, false},
		{"bad number", `{"Records":[{"x":01}]}`, false},
		{"bad literal", `{"Records":[{"x":tru}]}`, false},
		{"trailing comma", `{"Records":[{"eventName":"A",}]}`, false},
		{"deep", `{"Records":[{"x":` + strings.Repeat("[", 600) + strings.Repeat("]", 600) + `}]}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			scanned := sameAsGeneral(t, tc.name, []byte(tc.data))
			if scanned != tc.scanned {
				t.Errorf("scanned %v, want %v", scanned, tc.scanned)
			}
		})
	}
}
