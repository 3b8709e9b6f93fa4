package discover

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

func at(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &t
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// The report's lines, read by hand: the root user's is left out; a slot
// with last_rotated N/A holds no key; N/A and no_information are no time.
func TestParseCredentialReport(t *testing.T) {
	fh, err := os.Open("testdata/credential-report.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close() //nolint:errcheck // read only
	rep, err := ParseCredentialReport(fh, "credential-report.csv")
	if err != nil {
		t.Fatal(err)
	}
	if rep.AccountID != "644160558196" {
		t.Errorf("account %q", rep.AccountID)
	}
	var keys []string
	for _, k := range rep.AccessKeys {
		keys = append(keys, strings.Join([]string{k.UserARN[strings.LastIndexByte(k.UserARN, '/')+1:], k.Name(),
			map[bool]string{true: "active", false: "inactive"}[k.Active], fmtTime(k.CreatedAt), fmtTime(k.LastUsedAt)}, " "))
	}
	wantKeys := []string{
		"AlfredMarcGamulo access_key_1 active 2024-01-02T03:20:11Z 2026-11-23T17:02:00Z",
		"AlfredMarcGamulo access_key_2 inactive 2025-03-04T05:06:07Z 2025-03-05T00:00:00Z",
		"kms-admin access_key_1 active 2024-06-01T10:00:00Z -",
		"bob access_key_1 active 2025-01-10T12:00:00Z 2025-05-01T07:45:00Z",
		"bob access_key_2 active 2026-11-01T09:00:00Z -",
	}
	if strings.Join(keys, "\n") != strings.Join(wantKeys, "\n") {
		t.Errorf("access keys\n got %s\nwant %s", strings.Join(keys, "\n     "), strings.Join(wantKeys, "\n     "))
	}
	var pws []string
	for _, p := range rep.Passwords {
		pws = append(pws, strings.Join([]string{p.UserARN[strings.LastIndexByte(p.UserARN, '/')+1:],
			map[bool]string{true: "enabled", false: "disabled"}[p.Enabled], fmtTime(p.LastUsedAt), fmtTime(p.ChangedAt)}, " "))
	}
	wantPws := []string{
		"AlfredMarcGamulo enabled 2026-11-20T09:15:42Z 2024-01-02T03:10:00Z",
		"kms-admin disabled - -",
		"alice enabled - 2024-01-02T03:30:00Z",
		"bob disabled 2025-02-01T11:00:00Z 2024-02-01T10:00:00Z",
		"dave disabled - -",
	}
	if strings.Join(pws, "\n") != strings.Join(wantPws, "\n") {
		t.Errorf("passwords\n got %s\nwant %s", strings.Join(pws, "\n     "), strings.Join(wantPws, "\n     "))
	}

	// The JSON output of get-credential-report reads alike.
	raw, err := os.ReadFile("testdata/credential-report.csv")
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := json.Marshal(map[string]string{"Content": base64.StdEncoding.EncodeToString(raw), "ReportFormat": "text/csv", "GeneratedTime": "2026-11-24T00:00:00+00:00"})
	fromJSON, err := ParseCredentialReport(strings.NewReader(string(doc)), "report.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(fromJSON.AccessKeys) != len(rep.AccessKeys) || len(fromJSON.Passwords) != len(rep.Passwords) {
		t.Errorf("the JSON output gives %d keys and %d passwords", len(fromJSON.AccessKeys), len(fromJSON.Passwords))
	}
}

func TestParseCredentialReport_BadInput(t *testing.T) {
	header := "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active," +
		"access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service," +
		"access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service\n"
	for name, c := range map[string]struct{ input, want string }{
		"not a report":   {`{"Users": []}`, "JSON without the Content of a credential report; save it with"},
		"missing column": {"user,arn\nbob,arn:aws:iam::644160558196:user/bob\n", `no column "user_creation_time" in the header line`},
		"bad time": {header + "bob,arn:aws:iam::644160558196:user/bob,2024-01-02T03:04:05+00:00,true,yesterday,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A\n",
			`r.csv line 2 (bob): password_last_used: "yesterday" is not an ISO 8601 time`},
		"two accounts": {header + "bob,arn:aws:iam::644160558196:user/bob,N/A,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A\n" +
			"eve,arn:aws:iam::111111111111:user/eve,N/A,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A\n", "a report covers one account"},
		"header only": {header, "no line after its header"},
	} {
		_, err := ParseCredentialReport(strings.NewReader(c.input), "r.csv")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one saying %q", name, err, c.want)
		}
	}
}

// Discovered from files with the authorization details, the report's keys
// and passwords are stored for the account's users.
func TestFromFiles_CredentialReport(t *testing.T) {
	f := fixtureFiles()
	f.CredentialReports = []string{"testdata/credential-report.csv"}
	found, err := FromFiles(f)
	if err != nil {
		t.Fatal(err)
	}
	db := openDB(t)
	ctx := context.Background()
	if err := Store(ctx, db, found); err != nil {
		t.Fatal(err)
	}
	p, err := db.PrincipalByARN(ctx, "arn:aws:iam::644160558196:user/bob")
	if err != nil {
		t.Fatal(err)
	}
	// As of 2026-11-24 with a 30-day window: key 1 last used before it,
	// key 2 never used; the password is disabled.
	creds, err := db.CredentialsOf(ctx, p.ID, activity.Window{AsOf: *at("2026-11-24T00:00:00Z"), Days: 30})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range creds {
		got = append(got, strings.Join([]string{c.Name, map[bool]string{true: "enabled", false: "disabled"}[c.Enabled], fmtTime(c.CreatedAt),
			fmtTime(c.LastUsedAt), map[bool]string{true: "in window", false: "not in window"}[c.UsedInWindow]}, " "))
	}
	want := []string{
		"access_key_1 enabled 2025-01-10T12:00:00Z 2025-05-01T07:45:00Z not in window",
		"access_key_2 enabled 2026-11-01T09:00:00Z - not in window",
		"console disabled 2024-02-01T10:00:00Z 2025-02-01T11:00:00Z not in window",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("credentials of bob\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
	// A later discovery without a report keeps them.
	again, err := FromFiles(fixtureFiles())
	if err != nil {
		t.Fatal(err)
	}
	if err := Store(ctx, db, again); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM access_keys`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 5 {
		t.Errorf("%d access keys kept, want the report's 5", n)
	}
}
