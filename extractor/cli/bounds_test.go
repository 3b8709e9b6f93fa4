package cli

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/goccy/go-json"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

const boundsObject = "../internal/cloudtrail/testdata/invictus/218007301253_CloudTrail_us-east-1_20230710T1145Z_7xgocspSowgK0Gto.json.gz"

// realRecords are the 29 records of a real delivery file.
func realRecords(t *testing.T) []map[string]any {
	t.Helper()
	f, err := os.Open(boundsObject)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close() //nolint:errcheck // read only
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var d struct{ Records []map[string]any }
	if err := json.NewDecoder(zr).Decode(&d); err != nil {
		t.Fatal(err)
	}
	return d.Records
}

// writeObject writes records as a gzip delivery file named like
// CloudTrail's, and returns its size.
func writeObject(t *testing.T, dir string, records []map[string]any) int {
	t.Helper()
	raw, err := json.Marshal(map[string]any{"Records": records})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, filepath.Base(boundsObject)), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return b.Len()
}

// clone copies a record through JSON, with a new eventID.
func clone(t *testing.T, r map[string]any, id string) map[string]any {
	t.Helper()
	raw, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	c["eventID"] = id
	return c
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	var n int64
	// The write-ahead log holds what is not yet in the main file.
	for _, p := range []string{path, path + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			n += fi.Size()
		}
	}
	return n
}

// TestExtractRecordsWithHugeValues reads a real delivery file to which
// records naming a million-character ARN, user name and bucket were added,
// and one with a million-byte error code, error message and user agent.
// The refused records are listed by object and field, exit status 3 says
// the run is incomplete, the good records are stored, and neither the
// database nor the report grows by the values' size.
func TestExtractRecordsWithHugeValues(t *testing.T) {
	huge := strings.Repeat("A", 1_000_000)
	good := realRecords(t)
	asOf := []string{"--as-of", "2023-07-11T00:00:00Z"}

	// The same file without the added records: the size to compare with.
	baseDir, baseDB := t.TempDir(), filepath.Join(t.TempDir(), "base.db")
	writeObject(t, baseDir, good)
	if _, errs, code := run(t, append([]string{"--db", baseDB, "extract", "--source", baseDir}, asOf...)...); code != ExitOK {
		t.Fatalf("the real file alone: exit %d: %s", code, errs)
	}

	longARN := clone(t, good[0], "00000000-0000-4000-8000-000000000001")
	longARN["userIdentity"].(map[string]any)["arn"] = "arn:aws:iam::123837392027:user/" + huge
	longName := clone(t, good[0], "00000000-0000-4000-8000-000000000002")
	longName["userIdentity"].(map[string]any)["userName"] = huge
	longBucket := clone(t, good[0], "00000000-0000-4000-8000-000000000003")
	longBucket["requestParameters"] = map[string]any{"bucketName": huge}
	longText := clone(t, good[0], "00000000-0000-4000-8000-000000000004")
	longText["errorCode"] = "AccessDenied" + huge
	longText["errorMessage"], longText["userAgent"] = huge, huge
	// An ARN within its bound, but wider than a table cell.
	wide := clone(t, good[0], "00000000-0000-4000-8000-000000000005")
	wide["userIdentity"].(map[string]any)["arn"] = "arn:aws:iam::123837392027:user/" + strings.Repeat("w", 1500)
	wide["userIdentity"].(map[string]any)["userName"] = strings.Repeat("w", 100)
	records := append(append([]map[string]any{}, good...), longARN, longName, longBucket, longText, wide)

	dir, db := t.TempDir(), filepath.Join(t.TempDir(), "activity.db")
	size := writeObject(t, dir, records)
	t.Logf("object: %d records, %d bytes compressed", len(records), size)

	out, errs, code := run(t, append([]string{"--db", db, "extract", "--source", dir, "--json"}, asOf...)...)
	if code != ExitSkipped {
		t.Fatalf("exit %d, want %d (inputs skipped): %s", code, ExitSkipped, errs)
	}
	var sum extractJSON
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("summary %q: %v", out, err)
	}
	if sum.RecordsSkipped != 3 || sum.Events != int64(len(good))+2 || sum.ObjectsSkipped != 0 {
		t.Errorf("records skipped %d, events %d, objects skipped %d; want 3, %d, 0", sum.RecordsSkipped, sum.Events, sum.ObjectsSkipped, len(good)+2)
	}
	object := filepath.Join(dir, filepath.Base(boundsObject))
	for i, field := range map[int]string{len(good): "userIdentity.arn", len(good) + 1: "userIdentity.userName", len(good) + 2: "requestParameters.bucketName"} {
		found := false
		for _, s := range sum.Skipped {
			if s.Location == object && s.RecordIndex != nil && *s.RecordIndex == i && strings.HasPrefix(s.Reason, field+" is 1,000,") {
				found = true
			}
		}
		if !found {
			t.Errorf("no skipped record %d of %s naming %s: %+v", i, object, field, sum.Skipped)
		}
	}
	if !strings.Contains(errs, "some inputs were skipped") || len(errs) > 4096 {
		t.Errorf("stderr (%d bytes) does not end with a short message saying inputs were skipped: %.500s", len(errs), errs)
	}

	// The text summary names the object, the record and the field.
	out, _, code = run(t, "--db", db, "errors")
	if code != ExitOK || len(out) > 4096 {
		t.Fatalf("errors: exit %d, %d bytes", code, len(out))
	}
	for _, want := range []string{
		object + " record 29: userIdentity.arn is 1,000,031 bytes long, and an ARN has at most 2,048",
		object + " record 30: userIdentity.userName is 1,000,000 bytes long, and a user name has at most 256",
		object + " record 31: requestParameters.bucketName is 1,000,000 bytes long",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("errors lacks %q:\n%s", want, out)
		}
	}

	grew := fileSize(t, db) - fileSize(t, baseDB)
	t.Logf("database: %d bytes, %d more than the real file's alone", fileSize(t, db), grew)
	if grew > 200<<10 {
		t.Errorf("the database grew by %d bytes for records whose values were refused or cut", grew)
	}

	// The denied attempt is kept, its error code cut with a marker.
	out, errs, code = run(t, append([]string{"--db", db, "report", "--format", "json"}, asOf...)...)
	if code != ExitOK && code != ExitSkipped {
		t.Fatalf("report --format json: exit %d: %s", code, errs)
	}
	if len(out) > 200<<10 {
		t.Errorf("the JSON report is %d bytes", len(out))
	}
	var rep struct {
		Principals []struct {
			ARN    string `json:"arn"`
			Denied []struct {
				ErrorCode string `json:"error_code"`
			} `json:"denied"`
		} `json:"principals"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("report: %v", err)
	}
	cut := false
	for _, p := range rep.Principals {
		for _, d := range p.Denied {
			if strings.HasPrefix(d.ErrorCode, "AccessDenied") && strings.Contains(d.ErrorCode, "…[cut ") {
				cut = len(d.ErrorCode) <= activity.MaxErrorCode
			}
			if len(d.ErrorCode) > activity.MaxErrorCode {
				t.Errorf("an error code of %d bytes was stored", len(d.ErrorCode))
			}
		}
	}
	if !cut {
		t.Errorf("the long error code is not in the report, cut with a marker: %.2000s", out)
	}

	// The table shows the wide ARN cut to a cell, and nothing enormous.
	out, errs, code = run(t, append([]string{"--db", db, "report", "--format", "table", "--details"}, asOf...)...)
	if code != ExitOK && code != ExitSkipped {
		t.Fatalf("report --format table: exit %d: %s", code, errs)
	}
	if len(out) > 20<<10 {
		t.Errorf("the table report is %d bytes", len(out))
	}
	for _, line := range strings.Split(out, "\n") {
		if n := utf8.RuneCountInString(line); n > 1000 {
			t.Errorf("a table line of %d characters: %.300s", n, line)
		}
	}
	if !strings.Contains(out, "arn:aws:iam::123837392027:user/www") || !strings.Contains(out, "w…") {
		t.Errorf("the wide ARN is not shown cut with …:\n%s", out)
	}
}

// TestDiscoverItemsWithHugeValues reads authorization details to which a
// user with a million-character name and ARN, and a role whose inline
// policy is larger than IAM allows, were added. Each is reported with what
// was too long, exit status 3 says the discovery is incomplete, the user is
// not stored, the role is stored with its policy unreadable, and the rest
// is stored as without them.
func TestDiscoverItemsWithHugeValues(t *testing.T) {
	raw, err := os.ReadFile("../internal/discover/testdata/fixture-authz-details.json")
	if err != nil {
		t.Fatal(err)
	}
	var d map[string]any
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	baseDB := filepath.Join(t.TempDir(), "base.db")
	if _, errs, code := run(t, "--db", baseDB, "discover", "--authz-details", "../internal/discover/testdata/fixture-authz-details.json"); code != ExitOK {
		t.Fatalf("the fixture alone: exit %d: %s", code, errs)
	}

	huge := strings.Repeat("u", 1_000_000)
	hugeARN := "arn:aws:iam::644160558196:user/" + huge
	users := d["UserDetailList"].([]any)
	d["UserDetailList"] = append(users, map[string]any{"Path": "/", "UserName": huge, "Arn": hugeARN, "CreateDate": "2024-01-02T03:04:05Z"})
	statements := make([]any, 3000)
	for i := range statements {
		statements[i] = map[string]any{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/prefix-" + strconv.Itoa(i) + "/*"}
	}
	roles := d["RoleDetailList"].([]any)
	d["RoleDetailList"] = append(roles, map[string]any{"Path": "/", "RoleName": "bulky", "Arn": "arn:aws:iam::644160558196:role/bulky",
		"CreateDate": "2024-01-02T03:04:05Z", "RolePolicyList": []any{map[string]any{"PolicyName": "many",
			"PolicyDocument": map[string]any{"Version": "2012-10-17", "Statement": statements}}}})
	raw, err = json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "authz.json")
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		t.Fatal(err)
	}

	db := filepath.Join(t.TempDir(), "activity.db")
	out, errs, code := run(t, "--db", db, "discover", "--authz-details", file)
	if code != ExitSkipped {
		t.Fatalf("exit %d, want %d: %s", code, ExitSkipped, errs)
	}
	for _, want := range []string{
		`account 644160558196: size limits: principal "arn:aws:iam::644160558196:user/uuu`,
		"is 1,000,031 bytes long, and an ARN has at most 2,048",
		`account 644160558196: size limits: the document of policy "arn:aws:iam::644160558196:role/bulky inline many"`,
		"and a policy document has at most 131,072",
		"entitlement sources could not be read",
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%.3000s", want, errs)
		}
	}
	if len(errs) > 8192 || len(out) > 8192 {
		t.Errorf("%d bytes on stdout, %d on stderr", len(out), len(errs))
	}

	s, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.PrincipalByARN(context.Background(), hugeARN); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the user with a million-character ARN: %v, want not stored", err)
	}
	if _, err := s.PrincipalByARN(context.Background(), "arn:aws:iam::644160558196:user/people/alice"); err != nil {
		t.Errorf("alice: %v", err)
	}
	if _, err := s.PrincipalByARN(context.Background(), "arn:aws:iam::644160558196:role/bulky"); err != nil {
		t.Errorf("the role whose policy was left out: %v, want it stored", err)
	}
	grants, err := s.Grants(context.Background(), "arn:aws:iam::644160558196:role/bulky")
	if err != nil || len(grants) != 0 {
		t.Errorf("bulky's grants: %v (%v), want none: its policy was not kept", grants, err)
	}
	grew := fileSize(t, db) - fileSize(t, baseDB)
	t.Logf("database: %d bytes more than the fixture's alone", grew)
	if grew > 200<<10 {
		t.Errorf("the database grew by %d bytes for items left out", grew)
	}
}

// TestPeopleWithHugeLogins loads IAM Identity Center assignments where one
// user's name has a million characters and a group's a hundred thousand:
// that user is skipped and named, exit status 3 says the load is
// incomplete, and the others are stored, the long group name cut.
func TestPeopleWithHugeLogins(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "activity.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	const role = "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef"
	if _, err := store.UpsertPrincipal(ctx, db.SQL(), activity.Principal{ARN: role, Kind: activity.KindIAMRole, AccountID: "111111111111",
		Name: "AWSReservedSSO_Admin_0123456789abcdef"}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	huge, group := strings.Repeat("h", 1_000_000), strings.Repeat("g", 100_000)
	sso := map[string]any{
		"Users":            []any{map[string]any{"UserId": "u-kim", "UserName": "kim"}, map[string]any{"UserId": "u-big", "UserName": huge}},
		"Groups":           []any{map[string]any{"GroupId": "g-1", "DisplayName": group}},
		"GroupMemberships": []any{map[string]any{"GroupId": "g-1", "MemberId": map[string]any{"UserId": "u-kim"}}},
		"PermissionSets":   []any{map[string]any{"PermissionSetArn": "arn:aws:sso:::permissionSet/ssoins-1/ps-admin", "Name": "Admin"}},
		"AccountAssignments": []any{
			map[string]any{"AccountId": "111111111111", "PermissionSetArn": "arn:aws:sso:::permissionSet/ssoins-1/ps-admin", "PrincipalType": "USER", "PrincipalId": "u-big"},
			map[string]any{"AccountId": "111111111111", "PermissionSetArn": "arn:aws:sso:::permissionSet/ssoins-1/ps-admin", "PrincipalType": "GROUP", "PrincipalId": "g-1"},
		},
	}
	raw, err := json.Marshal(sso)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "sso.json")
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	out, errs, code := run(t, "--db", path, "people", "--sso-assignments", file, "--list")
	if code != ExitSkipped {
		t.Fatalf("exit %d, want %d: %s", code, ExitSkipped, errs)
	}
	if !strings.Contains(errs, `sso: skipped person "hhhh`) || !strings.Contains(errs, "is 1,000,000 bytes long, and a login has at most 256") ||
		!strings.Contains(errs, "1 people skipped") || len(errs) > 4096 {
		t.Errorf("stderr (%d bytes) does not name the person skipped and why: %.1000s", len(errs), errs)
	}
	if !strings.Contains(out, "sso: 1 people, 1 roles, 1 assignments") || !strings.Contains(out, "sso:kim") || strings.Contains(out, "hhhh") {
		t.Errorf("stdout:\n%.2000s", out)
	}
	// The table cuts the group to a cell; the store keeps it to its bound.
	for _, line := range strings.Split(out, "\n") {
		if utf8.RuneCountInString(line) > 1000 {
			t.Errorf("a line of %d characters", utf8.RuneCountInString(line))
		}
	}
	db, err = store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	as, err := db.PersonAssignments(ctx)
	if err != nil || len(as) != 1 {
		t.Fatalf("assignments %d (%v), want kim's", len(as), err)
	}
	if v := as[0].Via; len(v) > len("group:")+activity.MaxGroupName || !strings.HasPrefix(v, "group:ggg") || !strings.Contains(v, "…[cut ") {
		t.Errorf("via of %d bytes stored: %.100s", len(v), v)
	}
}
