package store

import (
	"context"
	"database/sql"
	"time"
)

// ActionUse is a principal's successful use of an action on a resource, over
// the days asked.
type ActionUse struct {
	PrincipalARN string
	ResourceARN  string
	Action       string
	FirstUsedAt  time.Time
	LastUsedAt   time.Time
	Count        int64
}

// ActionUses lists the uses of days [from, to] (whole UTC days), ordered by
// principal, resource and action.
func (s *DB) ActionUses(ctx context.Context, from, to time.Time) ([]ActionUse, error) {
	rows, err := s.sql.QueryContext(ctx, `SELECT p.arn, r.arn, u.action, min(u.first_used_at), max(u.last_used_at), sum(u.count)
		FROM usage_actions u JOIN principals p ON p.id = u.principal_id JOIN resources r ON r.id = u.resource_id
		WHERE u.day BETWEEN ? AND ?
		GROUP BY p.arn, r.arn, u.action ORDER BY p.arn, r.arn, u.action`, Day(from), Day(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ActionUse
	for rows.Next() {
		var u ActionUse
		var first, last int64
		if err := rows.Scan(&u.PrincipalARN, &u.ResourceARN, &u.Action, &first, &last, &u.Count); err != nil {
			return nil, err
		}
		u.FirstUsedAt, u.LastUsedAt = time.Unix(first, 0).UTC(), time.Unix(last, 0).UTC()
		out = append(out, u)
	}
	return out, rows.Err()
}

// Failure is a principal's failed attempts at an action, by error code.
type Failure struct {
	PrincipalARN string
	ResourceARN  string // "" when the call named none of the three kinds
	Action       string
	ErrorCode    string
	LastAt       time.Time
	Count        int64
}

// Failures lists the failed attempts of days [from, to].
func (s *DB) Failures(ctx context.Context, from, to time.Time) ([]Failure, error) {
	rows, err := s.sql.QueryContext(ctx, `SELECT p.arn, coalesce(r.arn, ''), f.action, f.error_code, max(f.last_at), sum(f.count)
		FROM usage_failures f JOIN principals p ON p.id = f.principal_id LEFT JOIN resources r ON r.id = f.resource_id
		WHERE f.day BETWEEN ? AND ?
		GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`, Day(from), Day(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Failure
	for rows.Next() {
		var f Failure
		var last int64
		if err := rows.Scan(&f.PrincipalARN, &f.ResourceARN, &f.Action, &f.ErrorCode, &last, &f.Count); err != nil {
			return nil, err
		}
		f.LastAt = time.Unix(last, 0).UTC()
		out = append(out, f)
	}
	return out, rows.Err()
}

// LastActivity maps each principal's ARN to its latest event of days
// [from, to], of any kind, denied calls included.
func (s *DB) LastActivity(ctx context.Context, from, to time.Time) (map[string]time.Time, error) {
	rows, err := s.sql.QueryContext(ctx, `SELECT p.arn, max(a.last_at) FROM usage_principal_days a JOIN principals p ON p.id = a.principal_id
		WHERE a.day BETWEEN ? AND ? GROUP BY p.arn`, Day(from), Day(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var arn string
		var last int64
		if err := rows.Scan(&arn, &last); err != nil {
			return nil, err
		}
		out[arn] = time.Unix(last, 0).UTC()
	}
	return out, rows.Err()
}

// KeyUse is a KMS key's latest use and latest cryptographic use.
type KeyUse struct {
	LastActivityAt time.Time
	LastViewedAt   time.Time // zero when none
}

// KeyUses maps each KMS key's ARN to its uses of days [from, to].
func (s *DB) KeyUses(ctx context.Context, from, to time.Time) (map[string]KeyUse, error) {
	rows, err := s.sql.QueryContext(ctx, `SELECT r.arn, max(k.last_activity_at), max(k.last_crypto_at) FROM usage_key_days k JOIN resources r ON r.id = k.resource_id
		WHERE k.day BETWEEN ? AND ? GROUP BY r.arn`, Day(from), Day(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]KeyUse{}
	for rows.Next() {
		var arn string
		var last int64
		var crypto sql.NullInt64
		if err := rows.Scan(&arn, &last, &crypto); err != nil {
			return nil, err
		}
		out[arn] = KeyUse{LastActivityAt: time.Unix(last, 0).UTC(), LastViewedAt: unixOrZero(crypto)}
	}
	return out, rows.Err()
}

// ObservedDay is one account, region and day whose logs were read.
type ObservedDay struct {
	AccountID, Region string
	Day               time.Time
	Events            int64
}

// ObservedDays lists what was read, ordered by account, region and day.
func (s *DB) ObservedDays(ctx context.Context) ([]ObservedDay, error) {
	rows, err := s.sql.QueryContext(ctx, `SELECT account_id, region, day, events FROM usage_observed ORDER BY 1, 2, 3`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ObservedDay
	for rows.Next() {
		var o ObservedDay
		var day int64
		if err := rows.Scan(&o.AccountID, &o.Region, &day, &o.Events); err != nil {
			return nil, err
		}
		o.Day = time.Unix(day*86400, 0).UTC()
		out = append(out, o)
	}
	return out, rows.Err()
}
