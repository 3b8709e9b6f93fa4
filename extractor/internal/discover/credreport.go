package discover

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// CredentialReport is what an IAM credential report says of the IAM users
// of one account: their access keys (by slot: the report names no key id)
// and console passwords. The account root user's row is left out: Access
// Analyzer's unused-access findings are about IAM users.
type CredentialReport struct {
	AccountID  string
	AccessKeys []activity.AccessKey
	Passwords  []activity.ConsolePassword
}

// credentialReportColumns are the report's columns this reads, as AWS
// documents them ("Getting credential reports for your AWS account").
var credentialReportColumns = []string{"user", "arn", "user_creation_time", "password_enabled", "password_last_used",
	"password_last_changed", "access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
	"access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date"}

// howToSaveReport says how to save a report this reads.
const howToSaveReport = "save it with: aws iam generate-credential-report; " +
	"aws iam get-credential-report --query Content --output text | base64 --decode > FILE"

// ParseCredentialReport reads a credential report: the CSV AWS returns
// (base64-decoded), or the JSON output of `aws iam get-credential-report`
// holding it. source names the input in errors.
func ParseCredentialReport(r io.Reader, source string) (*CredentialReport, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '{' {
		var out struct{ Content string }
		if err := json.Unmarshal(t, &out); err != nil || out.Content == "" {
			return nil, fmt.Errorf("%s: JSON without the Content of a credential report; %s", source, howToSaveReport)
		}
		if raw, err = base64.StdEncoding.DecodeString(out.Content); err != nil {
			return nil, fmt.Errorf("%s: Content is not base64: %w", source, err)
		}
	}
	rd := csv.NewReader(bytes.NewReader(raw))
	rd.FieldsPerRecord = -1
	rows, err := rd.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: not a credential report (CSV): %w; %s", source, err, howToSaveReport)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: empty; %s", source, howToSaveReport)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[strings.TrimSpace(h)] = i
	}
	for _, c := range credentialReportColumns {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("%s: not a credential report: no column %q in the header line; %s", source, c, howToSaveReport)
		}
	}
	rep := &CredentialReport{}
	for n, row := range rows[1:] {
		line := n + 2
		if len(row) != len(rows[0]) {
			return nil, fmt.Errorf("%s line %d: %d fields, the header has %d", source, line, len(row), len(rows[0]))
		}
		get := func(c string) string { return strings.TrimSpace(row[col[c]]) }
		arn := get("arn")
		a, err := activity.ParseARN(arn)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: arn %q: %w", source, line, arn, err)
		}
		if rep.AccountID == "" {
			rep.AccountID = a.AccountID
		} else if a.AccountID != rep.AccountID {
			return nil, fmt.Errorf("%s line %d: %s is of account %s, the report's earlier lines of %s; a report covers one account", source, line, arn, a.AccountID, rep.AccountID)
		}
		if !strings.HasPrefix(a.Resource, "user/") {
			continue // <root_account>
		}
		bad := func(c string, err error) error {
			return fmt.Errorf("%s line %d (%s): %s: %w", source, line, get("user"), c, err)
		}
		var fields [4]*time.Time
		for i, c := range []string{"password_last_used", "password_last_changed", "access_key_1_last_rotated", "access_key_2_last_rotated"} {
			if fields[i], err = reportTime(get(c)); err != nil {
				return nil, bad(c, err)
			}
		}
		switch get("password_enabled") {
		case "true", "false":
			rep.Passwords = append(rep.Passwords, activity.ConsolePassword{UserARN: arn, Enabled: get("password_enabled") == "true",
				LastUsedAt: fields[0], ChangedAt: fields[1]})
		case "not_supported":
		default:
			return nil, bad("password_enabled", fmt.Errorf("%q is not true or false", get("password_enabled")))
		}
		for slot := 1; slot <= 2; slot++ {
			prefix := fmt.Sprintf("access_key_%d_", slot)
			created := fields[1+slot]
			if created == nil {
				continue // no key in this slot
			}
			active := get(prefix + "active")
			if active != "true" && active != "false" {
				return nil, bad(prefix+"active", fmt.Errorf("%q is not true or false", active))
			}
			last, err := reportTime(get(prefix + "last_used_date"))
			if err != nil {
				return nil, bad(prefix+"last_used_date", err)
			}
			rep.AccessKeys = append(rep.AccessKeys, activity.AccessKey{UserARN: arn, Slot: slot, Active: active == "true", CreatedAt: created, LastUsedAt: last})
		}
	}
	if rep.AccountID == "" {
		return nil, fmt.Errorf("%s: a credential report with no line after its header; %s", source, howToSaveReport)
	}
	return rep, nil
}

// reportTime reads a time of the report: ISO 8601, or N/A, no_information
// and not_supported for none.
func reportTime(s string) (*time.Time, error) {
	switch s {
	case "", "N/A", "no_information", "not_supported":
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil, errors.New(`"` + s + `" is not an ISO 8601 time (2026-01-15T10:03:22+00:00)`)
	}
	t = t.UTC()
	return &t, nil
}

// addCredentialReport records a report's keys and passwords for its
// account. ids are the access keys ListAccessKeys returned, if read: each
// report key takes the id of the listed key of the same user created at
// the same second, and a listed key the report lacks is kept too.
func (b *builder) addCredentialReport(rep *CredentialReport, listed []activity.AccessKey) {
	a := b.account(rep.AccountID)
	a.CredentialsRead = true
	a.Passwords = append(a.Passwords, rep.Passwords...)
	used := make([]bool, len(listed))
	for _, k := range rep.AccessKeys {
		for i, l := range listed {
			if !used[i] && l.UserARN == k.UserARN && l.CreatedAt != nil && k.CreatedAt != nil && l.CreatedAt.Unix() == k.CreatedAt.Unix() {
				k.ID, used[i] = l.ID, true
				break
			}
		}
		a.AccessKeys = append(a.AccessKeys, k)
	}
	for i, l := range listed {
		if used[i] {
			continue
		}
		// Not in the report (made after it): the next free slot.
		l.Slot = 1
		if slotTaken(a.AccessKeys, l.UserARN, 1) {
			l.Slot = 2
		}
		if slotTaken(a.AccessKeys, l.UserARN, l.Slot) {
			continue
		}
		a.AccessKeys = append(a.AccessKeys, l)
	}
}

func slotTaken(keys []activity.AccessKey, user string, slot int) bool {
	for _, k := range keys {
		if k.UserARN == user && k.Slot == slot {
			return true
		}
	}
	return false
}
