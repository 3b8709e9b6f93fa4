package generate

import (
	"bytes"
	"encoding/csv"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// reportHeader is the credential report's header line, as AWS documents it.
var reportHeader = []string{"user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
	"password_next_rotation", "mfa_active", "access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
	"access_key_1_last_used_region", "access_key_1_last_used_service", "access_key_2_active", "access_key_2_last_rotated",
	"access_key_2_last_used_date", "access_key_2_last_used_region", "access_key_2_last_used_service", "cert_1_active",
	"cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated"}

// reportTime is a time as the credential report writes it.
func reportTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05+00:00") }

// credentialReport is the account's IAM credential report as generated at
// the end of the events (`aws iam get-credential-report`, base64-decoded).
// Every user that acts signs its calls with one access key, created with
// the account; a user that signed in to the console has a password, last
// used at its last sign-in. Dormant users have no key; the demo's dormant
// user has a password it last used before the events began, and the
// demo's over-provisioned user a second key it never used.
func (w *world) credentialReport(a *account, lastUse map[string]time.Time, demo map[string]string) []byte {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.Write(append([]string(nil), reportHeader...)) //nolint:errcheck // a bytes.Buffer does not fail; Flush reports any error
	noKey := []string{"false", "N/A", "N/A", "N/A", "N/A"}
	cw.Write([]string{"<root_account>", activity.AccountRootARN("", a.id), reportTime(a.created), "not_supported", "no_information", //nolint:errcheck // as above
		"not_supported", "not_supported", "true", noKey[0], noKey[1], noKey[2], noKey[3], noKey[4], noKey[0], noKey[1], noKey[2], noKey[3], noKey[4],
		"false", "N/A", "false", "N/A"})
	for i, id := range a.identities {
		if id.kind != "IAMUser" {
			continue
		}
		created := a.created.Add(time.Duration(i) * 24 * time.Hour)
		password := []string{"false", "N/A", "N/A"}
		if t, ok := lastUse["console:"+id.arn]; ok {
			password = []string{"true", reportTime(t), reportTime(created)}
		} else if id.arn == demo["unused_password_user"] {
			password = []string{"true", reportTime(w.start.AddDate(0, 0, -20)), reportTime(created)}
		}
		key1, key2 := noKey, noKey
		if id.profile != dormant {
			key1 = []string{"true", reportTime(created), "N/A", "N/A", "N/A"}
			if t, ok := lastUse["key:"+id.accessKey]; ok {
				key1[2], key1[3], key1[4] = reportTime(t), "us-east-1", "sts"
			}
		}
		if id.arn == demo["unused_access_key_user"] {
			key2 = []string{"true", reportTime(created.Add(time.Hour)), "N/A", "N/A", "N/A"}
		}
		row := []string{id.name, id.arn, reportTime(created), password[0], password[1], password[2], "N/A", "false"}
		row = append(append(append(row, key1...), key2...), "false", "N/A", "false", "N/A")
		cw.Write(row) //nolint:errcheck // as above
	}
	cw.Flush()
	return buf.Bytes()
}
