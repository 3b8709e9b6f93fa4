package extract_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/cloudtrail"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/engine"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/extract"
)

func gz(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const goodRecord = `{"eventVersion":"1.99","eventTime":"2023-07-10T12:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject",
	"eventID":"11111111-2222-3333-4444-555555555555","awsRegion":"us-east-1","recipientAccountId":"111111111111",
	"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/alice","accountId":"111111111111","userName":"alice"},
	"requestParameters":{"bucketName":"reports","key":"a.csv"},"someFieldFromTheFuture":{"x":[1,2,3]}}`

func TestBadInputIsSkippedWithReason(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile(filepath.Join(invictusDir, "218007301253_CloudTrail_us-east-1_20230710T1145Z_7xgocspSowgK0Gto.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	corrupt := bytes.Clone(good)
	for i := len(corrupt) / 2; i < len(corrupt)/2+64; i++ {
		corrupt[i] ^= 0x5a
	}
	huge := append([]byte(`{"Records":[`+goodRecord+`],"padding":"`), bytes.Repeat([]byte("x"), 2<<20)...)
	huge = append(huge, `"}`...)
	files := map[string][]byte{
		"good.json.gz":        good,
		"truncated.json.gz":   good[:len(good)/2],
		"corrupt.json.gz":     corrupt,
		"not-json.json":       []byte("<html>not a log</html>"),
		"no-records.json":     []byte(`{"foo": 1}`),
		"records-number.json": []byte(`{"Records": 5}`),
		"array.json":          []byte(`[` + goodRecord + `]`),
		"huge.json.gz":        gz(t, huge),
		"wrong-type.json": []byte(`{"Records":[{"eventTime":"2023-07-10T12:00:00Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","userIdentity":"oops"},` +
			goodRecord + `]}`),
		"no-time.json.gz": gz(t, []byte(`{"Records":[`+strings.Replace(goodRecord, `"eventTime":"2023-07-10T12:00:00Z",`, "", 1)+`,`+
			strings.Replace(goodRecord, "11111111-2222", "99999999-2222", 1)+`]}`)),
		"bad-time.json": []byte(`{"Records":[` + strings.Replace(goodRecord, `2023-07-10T12:00:00Z`, `07/10/2023 12:00`, 1) + `]}`),
		// Not events, skipped by name without a word.
		"111111111111_CloudTrail-Digest_us-east-1_trail_us-east-1_20230710T120000Z.json.gz": []byte("not read"),
		"notes.txt": []byte("not read"),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db := openDB(t)
	sum, err := engine.Extract(context.Background(), db, extract.New(extract.Options{MaxObjectBytes: 1 << 20}),
		activity.Window{AsOf: invictusAsOf, Days: 1}, []engine.Source{{Logs: cloudtrail.Folder{Dir: dir}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Listed != 11 || sum.Skipped != 7 || sum.BadRecords != 3 {
		t.Errorf("summary %+v: want 11 listed, 7 objects and 3 records skipped", sum)
	}
	errs, err := db.ExtractErrors(context.Background(), sum.RunID, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range errs {
		key := filepath.Base(e.Location)
		if e.RecordIndex >= 0 {
			key += "#" + string(rune('0'+e.RecordIndex))
		}
		got[key] = e.Reason
	}
	for where, reason := range map[string]string{
		"truncated.json.gz":   "gzip: unexpected EOF",
		"corrupt.json.gz":     "gzip:",
		"not-json.json":       "neither gzip nor JSON",
		"no-records.json":     "without a Records array",
		"records-number.json": "Records is not an array",
		"array.json":          "a JSON array, not a CloudTrail delivery file",
		"huge.json.gz":        "decompresses past the limit of 1048576 bytes",
		"wrong-type.json#0":   "wrong shape",
		"no-time.json.gz#0":   "no eventTime",
		"bad-time.json#0":     `eventTime "07/10/2023 12:00" is not RFC 3339`,
	} {
		if !strings.Contains(got[where], reason) {
			t.Errorf("%s: reason %q, want it to say %q", where, got[where], reason)
		}
		delete(got, where)
	}
	if len(got) != 0 {
		t.Errorf("unexpected errors: %v", got)
	}
	// The good parts were read: the good file, and the good records beside
	// the bad ones (alice's GetObject, counted once across both files).
	uses, err := db.ActionUses(context.Background(), allDays[0], allDays[1])
	if err != nil {
		t.Fatal(err)
	}
	alice := 0
	for _, u := range uses {
		if u.PrincipalARN == "arn:aws:iam::111111111111:user/alice" && u.Action == "s3:GetObject" && u.ResourceARN == "arn:aws:s3:::reports" {
			alice += int(u.Count)
		}
	}
	if alice != 2 {
		t.Errorf("alice's GetObject counted %d times, want 2 (one per distinct eventID)", alice)
	}
	if sum.Events != 29+2 {
		t.Errorf("%d events read, want the good file's 29 and 2 good records beside bad ones", sum.Events)
	}
	// A second run does not retry unchanged bad objects.
	again, err := engine.Extract(context.Background(), db, extract.New(extract.Options{MaxObjectBytes: 1 << 20}),
		activity.Window{AsOf: invictusAsOf, Days: 1}, []engine.Source{{Logs: cloudtrail.Folder{Dir: dir}}}, nil)
	if err != nil || again.Done != 0 || again.Skipped != 0 {
		t.Errorf("second run = %+v, %v; want nothing read", again, err)
	}
}
