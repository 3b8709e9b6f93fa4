package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// The facts the score step reads. Usage is kept per UTC day with the first
// and last instant of each day and the set of the seconds of its events
// (activity.Seconds): a day's row counts inside a window when one of its
// seconds lies inside it, and the latest time it gives up to as_of is its
// latest second at or before as_of, exact for a window that starts or ends
// inside the day. Rows written before sets were kept (seconds NULL) count
// when their first or last instant lies inside the window, and give their
// first instant where as_of falls between the two: a lower bound.

// lastAtOrBefore is the SQL of a day row's latest time at or before :asof,
// NULL when it has none. Only a row of as_of's own day reads its set; a row
// without one gives unknown.
func lastAtOrBefore(seconds, day, last, unknown string) string {
	return "CASE WHEN " + last + " <= :asof THEN " + last + " WHEN " + seconds + " IS NULL THEN " + unknown +
		" ELSE seconds_last_at_or_before(" + seconds + ", " + day + ", :asof) END"
}

// lastUpTo is lastAtOrBefore for rows with a first and a last time: a row
// without a set gives its first time, when that is at or before :asof.
func lastUpTo(seconds, day, first, last string) string {
	return lastAtOrBefore(seconds, day, last, "CASE WHEN "+first+" <= :asof THEN "+first+" END")
}

// inWindow is the SQL condition that a day row has an event in
// [:start, :asof]. Only a row of the window's first or last day reads its
// set.
func inWindow(seconds, day, first, last string) string {
	return "(CASE WHEN " + first + " >= :start AND " + last + " <= :asof THEN 1" +
		" WHEN " + last + " < :start OR " + first + " > :asof THEN 0" +
		" WHEN " + seconds + " IS NULL THEN " + first + " BETWEEN :start AND :asof OR " + last + " BETWEEN :start AND :asof" +
		" ELSE seconds_any_between(" + seconds + ", " + day + ", :start, :asof) END)"
}

// ScoreCandidates lists the principals a score run lists, by id: those of
// the scored kinds and the account root users.
func (s *DB) ScoreCandidates(ctx context.Context) ([]activity.Principal, error) {
	where, args := inList(nil, nil, "kind", activity.ReportedKinds)
	rows, err := s.sql.QueryContext(ctx, `SELECT id, arn, kind, account_id, name, created_at FROM principals WHERE `+where[0]+` ORDER BY id`, args...)
	return scanPrincipals(rows, err)
}

// UsesInWindow lists a principal's successful uses inside [start, asOf]. A
// resource named by its canonical ARN in some events and by its full ARN
// elsewhere (a secret) is reported under the row with the full ARN.
func (s *DB) UsesInWindow(ctx context.Context, principalID int64, w activity.Window) ([]activity.WindowUse, error) {
	rows, err := s.sql.QueryContext(ctx, `SELECT coalesce(canon.id, u.resource_id), u.action,
			max(`+lastUpTo("u.seconds", "u.day", "u.first_used_at", "u.last_used_at")+`)
		FROM usage_actions u
		JOIN resources r ON r.id = u.resource_id
		LEFT JOIN resources canon ON r.arn = r.canonical_arn AND canon.canonical_arn = r.canonical_arn AND canon.id <> r.id
		WHERE u.principal_id = :p AND u.day BETWEEN :d0 AND :d1
			AND `+inWindow("u.seconds", "u.day", "u.first_used_at", "u.last_used_at")+`
		GROUP BY 1, 2`,
		sql.Named("p", principalID), sql.Named("d0", w.FirstDay()), sql.Named("d1", w.LastDay()),
		sql.Named("start", w.Start().Unix()), sql.Named("asof", w.AsOf.Unix()))
	return scanWindowUses(rows, err)
}

// PrincipalActivity returns a principal's latest event of any kind (denied
// calls included) up to asOf, and whether it had any event inside
// [start, asOf].
func (s *DB) PrincipalActivity(ctx context.Context, principalID int64, w activity.Window) (*time.Time, bool, error) {
	var last sql.NullInt64
	var active int
	err := s.sql.QueryRowContext(ctx, `SELECT
			max(`+lastUpTo("seconds", "day", "first_at", "last_at")+`),
			coalesce(max(`+inWindow("seconds", "day", "first_at", "last_at")+`), 0)
		FROM usage_principal_days WHERE principal_id = :p AND day <= :d1`,
		sql.Named("p", principalID), sql.Named("d1", w.LastDay()), sql.Named("start", w.Start().Unix()), sql.Named("asof", w.AsOf.Unix())).
		Scan(&last, &active)
	return timePtr(last), active == 1, err
}

// DeniedInWindow lists a principal's refused and failed attempts inside
// [start, asOf], per action, resource and error code, the most frequent
// first. Counts are of distinct events, as the usage ledger counted them; a
// day's row counts whole when one of its instants lies inside the window. A
// resource named by its canonical ARN in some events and by its full ARN
// elsewhere is reported under the row with the full ARN, as uses are.
func (s *DB) DeniedInWindow(ctx context.Context, principalID int64, w activity.Window) ([]activity.Denied, error) {
	rows, err := s.sql.QueryContext(ctx, `SELECT d.action, d.error_code, d.n, d.last, r.id, r.arn, r.kind, r.account_id, r.region, r.name
		FROM (SELECT u.action, u.error_code, coalesce(canon.id, u.resource_id) AS resource_id, sum(u.count) AS n,
				max(`+lastUpTo("u.seconds", "u.day", "u.first_at", "u.last_at")+`) AS last
			FROM usage_failures u
			LEFT JOIN resources r ON r.id = u.resource_id
			LEFT JOIN resources canon ON r.arn = r.canonical_arn AND canon.canonical_arn = r.canonical_arn AND canon.id <> r.id
			WHERE u.principal_id = :p AND u.day BETWEEN :d0 AND :d1
				AND `+inWindow("u.seconds", "u.day", "u.first_at", "u.last_at")+`
			GROUP BY 1, 2, 3) d
		LEFT JOIN resources r ON r.id = d.resource_id
		ORDER BY d.n DESC, d.last DESC, d.action, r.arn, d.error_code`,
		sql.Named("p", principalID), sql.Named("d0", w.FirstDay()), sql.Named("d1", w.LastDay()),
		sql.Named("start", w.Start().Unix()), sql.Named("asof", w.AsOf.Unix()))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []activity.Denied
	for rows.Next() {
		d, err := scanDenied(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// scanDenied reads a row of action, error code, count, last time, then the
// resource's id, arn, kind, account, region and name, all NULL for none.
func scanDenied(rows interface{ Scan(...any) error }, prefix ...any) (activity.Denied, error) {
	var d activity.Denied
	var last int64
	var id sql.NullInt64
	var arn, kind, account, region, name sql.NullString
	dest := append(prefix, &d.Action, &d.ErrorCode, &d.Count, &last, &id, &arn, &kind, &account, &region, &name)
	if err := rows.Scan(dest...); err != nil {
		return d, err
	}
	d.LastAt = time.Unix(last, 0).UTC()
	if id.Valid {
		d.Resource = &activity.Resource{ID: id.Int64, ARN: arn.String, Kind: kind.String, AccountID: account.String, Region: region.String, Name: name.String}
	}
	return d, nil
}

// KeyActivityAsOf returns every KMS key known, with its latest successful use
// of any kind and latest cryptographic use up to asOf (nil when none).
func (s *DB) KeyActivityAsOf(ctx context.Context, asOf time.Time) ([]activity.KeyActivity, error) {
	rows, err := s.sql.QueryContext(ctx, `SELECT r.id, r.arn, r.kind, r.account_id, r.region, r.name,
			max(`+lastAtOrBefore("k.activity_seconds", "k.day", "k.last_activity_at", "NULL")+`),
			max(`+lastAtOrBefore("k.crypto_seconds", "k.day", "k.last_crypto_at", "NULL")+`)
		FROM resources r LEFT JOIN usage_key_days k ON k.resource_id = r.id AND k.day <= :d1
		WHERE r.kind = :kind GROUP BY r.id ORDER BY r.arn`,
		sql.Named("asof", asOf.Unix()), sql.Named("d1", activity.Day(asOf)), sql.Named("kind", activity.KindKMSKey))
	return scanKeyActivities(rows, err)
}

// AccountsWithObjectEvents lists the accounts whose principals performed any
// S3 object-level action in [start, asOf]: where none did, the trail
// probably does not log S3 data events.
func (s *DB) AccountsWithObjectEvents(ctx context.Context, w activity.Window) (map[string]bool, error) {
	return querySet[string](ctx, s, `SELECT DISTINCT p.account_id FROM usage_actions u JOIN principals p ON p.id = u.principal_id
		WHERE u.day BETWEEN ? AND ? AND u.action IN ('s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:GetObjectVersion',
			's3:DeleteObjectVersion', 's3:AbortMultipartUpload', 's3:RestoreObject', 's3:GetObjectAcl', 's3:PutObjectAcl',
			's3:GetObjectTagging', 's3:PutObjectTagging', 's3:GetObjectAttributes')`, w.FirstDay(), w.LastDay())
}

// UnattributedSessions counts role sessions active in [start, asOf] that
// could not be credited to a person: neither their events nor a SAML
// sign-in that issued a session of that role and name named one. Sessions
// whose names tools made up are among them.
func (s *DB) UnattributedSessions(ctx context.Context, w activity.Window) (int, error) {
	var n int
	err := s.sql.QueryRowContext(ctx, `SELECT count(DISTINCT s.role_id || '/' || s.session_name) FROM usage_sessions s
		WHERE s.person_id IS NULL AND s.first_at <= ? AND s.last_at >= ?
			AND NOT EXISTS (SELECT 1 FROM saml_signins l WHERE l.role_id = s.role_id AND l.session_name = s.session_name)`,
		w.AsOf.Unix(), w.Start().Unix()).Scan(&n)
	return n, err
}

// scanPrincipals reads rows of id, arn, kind, account_id, name, created_at.
func scanPrincipals(rows *sql.Rows, err error) ([]activity.Principal, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []activity.Principal
	for rows.Next() {
		var p activity.Principal
		var created sql.NullInt64
		if err := rows.Scan(&p.ID, &p.ARN, &p.Kind, &p.AccountID, &p.Name, &created); err != nil {
			return nil, err
		}
		p.CreatedAt = unixOrZero(created)
		out = append(out, p)
	}
	return out, rows.Err()
}

// scanWindowUses reads rows of resource id, action and last use.
func scanWindowUses(rows *sql.Rows, err error) ([]activity.WindowUse, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []activity.WindowUse
	for rows.Next() {
		var u activity.WindowUse
		var last int64
		if err := rows.Scan(&u.ResourceID, &u.Action, &last); err != nil {
			return nil, err
		}
		u.LastUsedAt = time.Unix(last, 0).UTC()
		out = append(out, u)
	}
	return out, rows.Err()
}
