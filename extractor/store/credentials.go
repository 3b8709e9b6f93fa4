package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// writeCredentials replaces the account's access keys and console
// passwords with e's, when its discovery read them; a user the
// authorization details did not list is recorded from its ARN.
func writeCredentials(ctx context.Context, tx *sql.Tx, e AccountEntitlements) error {
	if !e.CredentialsRead {
		return nil
	}
	for _, q := range []string{`DELETE FROM access_keys WHERE account_id = ?`, `DELETE FROM console_passwords WHERE account_id = ?`} {
		if _, err := tx.ExecContext(ctx, q, e.AccountID); err != nil {
			return fmt.Errorf("replace credentials of %s: %w", e.AccountID, err)
		}
	}
	user := func(arn string) (int64, error) {
		a, err := activity.ParseARN(arn)
		if err != nil {
			return 0, fmt.Errorf("credential of %q: not an IAM user's ARN", arn)
		}
		return UpsertPrincipal(ctx, tx, activity.Principal{ARN: arn, Kind: activity.KindIAMUser, AccountID: a.AccountID, Name: lastPathSegment(a.Resource)})
	}
	for _, k := range e.AccessKeys {
		id, err := user(k.UserARN)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO access_keys (principal_id, slot, account_id, access_key_id, active, created_at, last_used_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, id, k.Slot, e.AccountID, k.ID, boolInt(k.Active), unixPtr(k.CreatedAt), unixPtr(k.LastUsedAt)); err != nil {
			return fmt.Errorf("record access key %d of %s: %w", k.Slot, k.UserARN, err)
		}
	}
	for _, p := range e.Passwords {
		id, err := user(p.UserARN)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO console_passwords (principal_id, account_id, enabled, last_used_at, changed_at)
			VALUES (?, ?, ?, ?, ?)`, id, e.AccountID, boolInt(p.Enabled), unixPtr(p.LastUsedAt), unixPtr(p.ChangedAt)); err != nil {
			return fmt.Errorf("record console password of %s: %w", p.UserARN, err)
		}
	}
	return nil
}

func lastPathSegment(s string) string {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return s[i+1:]
		}
	}
	return s
}

// CredentialLastUses lists the credentials the logs show a principal used
// up to as_of (access keys by id, activity.CredentialConsole for successful
// console sign-ins), with the latest use of each and whether one was inside
// the window, sorted by credential.
func (s *DB) CredentialLastUses(ctx context.Context, principalID int64, w activity.Window) ([]activity.CredentialLastUse, error) {
	rows, err := s.sql.QueryContext(ctx, `SELECT u.credential,
			max(`+lastUpTo("u.seconds", "u.day", "u.first_used_at", "u.last_used_at")+`),
			coalesce(max(`+inWindow("u.seconds", "u.day", "u.first_used_at", "u.last_used_at")+`), 0)
		FROM usage_credentials u WHERE u.principal_id = :p AND u.day <= :d1 GROUP BY u.credential ORDER BY u.credential`,
		sql.Named("p", principalID), sql.Named("d1", w.LastDay()), sql.Named("start", w.Start().Unix()), sql.Named("asof", w.AsOf.Unix()))
	if err != nil {
		return nil, fmt.Errorf("credential uses of principal %d: %w", principalID, err)
	}
	uses, err := scanLastUses(rows, func(credential string, at time.Time, in bool) activity.CredentialLastUse {
		return activity.CredentialLastUse{Credential: credential, LastUsedAt: at, InWindow: in}
	})
	if err != nil {
		return nil, fmt.Errorf("credential uses of principal %d: %w", principalID, err)
	}
	return uses, nil
}

// CredentialsOf lists the access keys and console password discovery
// recorded for a principal, each with its latest use up to as_of: the
// logs' (CredentialLastUses), or AWS's own record when that is later and
// not after as_of (AWS's record of a use before the window tells when the
// credential was last used; one inside the window counts as a use in it).
// Keys come first, by slot, then the password.
func (s *DB) CredentialsOf(ctx context.Context, principalID int64, w activity.Window) ([]activity.CredentialStatus, error) {
	uses, err := s.CredentialLastUses(ctx, principalID, w)
	if err != nil {
		return nil, err
	}
	byName := map[string]activity.CredentialLastUse{}
	for _, u := range uses {
		byName[u.Credential] = u
	}
	var out []activity.CredentialStatus
	merge := func(c activity.CredentialStatus, logs string, aws sql.NullInt64) activity.CredentialStatus {
		if u, ok := byName[logs]; ok && logs != "" {
			t := u.LastUsedAt
			c.LastUsedAt, c.UsedInWindow = &t, u.InWindow
		}
		if aws.Valid && aws.Int64 <= w.AsOf.Unix() {
			t := time.Unix(aws.Int64, 0).UTC()
			if c.LastUsedAt == nil || t.After(*c.LastUsedAt) {
				c.LastUsedAt = &t
			}
			c.UsedInWindow = c.UsedInWindow || !t.Before(w.Start())
		}
		return c
	}
	rows, err := s.sql.QueryContext(ctx, `SELECT slot, access_key_id, active, created_at, last_used_at FROM access_keys
		WHERE principal_id = ? ORDER BY slot`, principalID)
	if err != nil {
		return nil, fmt.Errorf("access keys of principal %d: %w", principalID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var k activity.AccessKey
		var active int
		var created, last sql.NullInt64
		if err := rows.Scan(&k.Slot, &k.ID, &active, &created, &last); err != nil {
			return nil, err
		}
		out = append(out, merge(activity.CredentialStatus{Name: k.Name(), Enabled: active == 1, CreatedAt: timePtr(created)}, k.ID, last))
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var enabled int
	var last, changed sql.NullInt64
	err = s.sql.QueryRowContext(ctx, `SELECT enabled, last_used_at, changed_at FROM console_passwords WHERE principal_id = ?`, principalID).
		Scan(&enabled, &last, &changed)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, fmt.Errorf("console password of principal %d: %w", principalID, err)
	default:
		out = append(out, merge(activity.CredentialStatus{Name: activity.CredentialConsole, Enabled: enabled == 1, CreatedAt: timePtr(changed)},
			activity.CredentialConsole, last))
	}
	return out, nil
}

func (s *DB) scanCredentialScores(ctx context.Context, where []string, args []any, out []activity.PrincipalScore, index map[int64]int) error {
	rows, err := s.sql.QueryContext(ctx, `SELECT x.principal_id, x.credential, x.enabled, x.created_at, x.last_used_at, x.used_in_window
		FROM credential_scores x WHERE `+strings.Join(where, " AND ")+` ORDER BY x.principal_id, x.credential = 'console', x.credential`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var pid int64
		var c activity.CredentialStatus
		var enabled, in int
		var created, last sql.NullInt64
		if err := rows.Scan(&pid, &c.Name, &enabled, &created, &last, &in); err != nil {
			return err
		}
		if i, ok := index[pid]; ok {
			c.Enabled, c.CreatedAt, c.LastUsedAt, c.UsedInWindow = enabled == 1, timePtr(created), timePtr(last), in == 1
			out[i].Credentials = append(out[i].Credentials, c)
		}
	}
	return rows.Err()
}
