package store

import (
	"database/sql"
	"fmt"

	"github.com/mattn/go-sqlite3"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// driverName is SQLite with the functions the store's statements call
// registered on every connection.
const driverName = "sqlite3_activity"

func init() {
	sql.Register(driverName, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		for name, fn := range map[string]any{
			"seconds_union":             secondsUnion,
			"seconds_last_at_or_before": secondsLastAtOrBefore,
			"seconds_any_between":       secondsAnyBetween,
			"dedup_key":                 dedupKeyOfEventKey,
			"dedup_bucket":              dedupBucketOfKey,
		} {
			if err := c.RegisterFunc(name, fn, true); err != nil {
				return fmt.Errorf("register %s: %w", name, err)
			}
		}
		if err := c.RegisterAggregator("dedup_entries", newDedupEntries, true); err != nil {
			return fmt.Errorf("register dedup_entries: %w", err)
		}
		return nil
	}})
}

// The functions take a day's set of seconds (see activity.Seconds) as a
// BLOB, NULL on rows written before sets were kept.

// secondsUnion(a, b) is the set of the seconds of both, NULL when either is
// unknown: a union with an unknown set is unknown.
func secondsUnion(a, b any) (any, error) {
	x, okA, err := secondsArg(a)
	if err != nil {
		return nil, err
	}
	y, okB, err := secondsArg(b)
	if err != nil || !okA || !okB {
		return nil, err
	}
	s, err := activity.DecodeSeconds(x)
	if err != nil {
		return nil, err
	}
	t, err := activity.DecodeSeconds(y)
	if err != nil {
		return nil, err
	}
	s.Union(&t)
	return s.Encode(), nil
}

// secondsLastAtOrBefore(set, day, t) is the latest Unix time of the set of
// the day at or before the Unix time t, NULL when none is.
func secondsLastAtOrBefore(set any, day, t int64) (any, error) {
	b, ok, err := secondsArg(set)
	if err != nil || !ok {
		return nil, err
	}
	start := activity.DayStart(day).Unix()
	if t < start {
		return nil, nil
	}
	x, found, err := activity.LastSecondAtOrBefore(b, int(min(t-start, 1<<20)))
	if err != nil || !found {
		return nil, err
	}
	return start + int64(x), nil
}

// secondsAnyBetween(set, day, t0, t1) is 1 when the set of the day holds a
// time in [t0, t1] (Unix times), else 0; NULL for an unknown set.
func secondsAnyBetween(set any, day, t0, t1 int64) (any, error) {
	b, ok, err := secondsArg(set)
	if err != nil || !ok {
		return nil, err
	}
	start := activity.DayStart(day).Unix()
	lo, hi := max(t0-start, 0), t1-start
	if hi < lo {
		return int64(0), nil
	}
	in, err := activity.AnySecondBetween(b, int(min(lo, 1<<20)), int(min(hi, 1<<20)))
	if err != nil || !in {
		return int64(0), err
	}
	return int64(1), nil
}

// secondsArg reads a set argument: false for NULL.
func secondsArg(v any) ([]byte, bool, error) {
	switch x := v.(type) {
	case nil:
		return nil, false, nil
	case []byte:
		if x == nil {
			return nil, false, nil
		}
		if err := activity.EachSecond(x, func(int) bool { return true }); err != nil {
			return nil, false, damagedSeconds(err)
		}
		return x, true, nil
	}
	return nil, false, damagedSeconds(fmt.Errorf("a set of seconds is a BLOB, not %T", v))
}

func damagedSeconds(err error) error {
	return fmt.Errorf("%w: the usage tables hold a damaged set of seconds; extract the logs into a new database", err)
}
