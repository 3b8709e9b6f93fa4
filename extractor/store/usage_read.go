package store

import (
	"context"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
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
		GROUP BY p.arn, r.arn, u.action ORDER BY p.arn, r.arn, u.action`, activity.Day(from), activity.Day(to))
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
		o.Day = activity.DayStart(day)
		out = append(out, o)
	}
	return out, rows.Err()
}
