package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math/bits"
	"slices"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// DedupHorizonDays is how long an event's key is kept to tell a second
// delivery of it from a new event: from the newest day of events delivered
// in an account and region back this many days (so this many days and the
// newest one). AWS documents that CloudTrail delivers an event within about
// 5 minutes on average, 15 at most under its service level; that an
// organization trail and an account's own trail deliver the same event each
// on its own schedule, and a retried delivery repeats a file, within hours
// of the first. Three days (at least 48 hours after any event, 72 for most)
// cover ten times that. The horizon moves with the events read, not with the
// clock: logs read late, after days without a run, keep it. A copy arriving
// later still is counted again: it adds to a use's count, never to its days,
// times or seconds (the first delivery set them), so used actions and
// scores do not change.
const DedupHorizonDays = 3

// dedupScope is an account and region, whose newest day sets the horizon of
// the keys of its events.
type dedupScope struct{ account, region string }

// dedupKey is an event's key in dedup_events: its time (4 bytes, big-endian
// unix seconds, until 2106) then 48 bits of a hash (FNV-1a, 64 bits) of its
// id. Two events are taken for one only when they happened in the same
// second and share those 48 bits: with k other events in that second, a new
// event is dropped with odds k/2^48 (4 in a trillion at 100 million events
// a day, where k is about 1,160: one event every 7 years or so).
type dedupKey [10]byte

func keyOf(u activity.UseFact) dedupKey { return dedupKeyOf(u.At, u.EventID) }

func dedupKeyOf(at int64, id [16]byte) dedupKey {
	var k dedupKey
	binary.BigEndian.PutUint32(k[:4], uint32(min(max(at, 0), 1<<32-1)))
	h := uint64(14695981039346656037)
	for _, b := range id {
		h ^= uint64(b)
		h *= 1099511628211
	}
	var sum [8]byte
	binary.BigEndian.PutUint64(sum[:], h)
	copy(k[4:], sum[2:])
	return k
}

// dedupKeyOfEventKey is the SQL function dedup_key(event_id): the key in
// dedup_events of a key of the former usage_events (8 bytes of big-endian
// unix seconds, then the 16 bytes of the id), for migration 0060.
func dedupKeyOfEventKey(old []byte) ([]byte, error) {
	if len(old) != 24 {
		return nil, fmt.Errorf("dedup_key: a key of usage_events has 24 bytes, this one %d", len(old))
	}
	k := dedupKeyOf(int64(binary.BigEndian.Uint64(old[:8])), [16]byte(old[8:]))
	return k[:], nil
}

// eventBatch is the most event keys one statement inserts; a power of two.
const eventBatch = 256

// scope returns the id of the object's account and region in
// dedup_scopes, moving its newest day up to the object's newest use.
func (w *UsageWriter) scope(ctx context.Context, st *txStatements, f *ObjectFacts, added map[dedupScope]int64) (int64, error) {
	// An event dated after tomorrow (a wrong clock) does not move the
	// horizon past the days still being delivered.
	limit := activity.DayOfUnix(w.db.Now().Unix()) + 1
	var newest int64
	for _, u := range f.Uses {
		newest = max(newest, min(activity.DayOfUnix(u.At), limit))
	}
	k := dedupScope{f.Account, f.Region}
	id, ok := w.scopes[k]
	if !ok {
		id, ok = added[k]
	}
	if ok {
		if len(f.Uses) == 0 {
			return id, nil
		}
		up, err := st.get(ctx, `UPDATE dedup_scopes SET newest_day = ? WHERE id = ? AND newest_day < ?`)
		if err != nil {
			return 0, err
		}
		_, err = up.ExecContext(ctx, newest, id, newest)
		return id, err
	}
	ins, err := st.get(ctx, `INSERT INTO dedup_scopes (account_id, region, newest_day) VALUES (?, ?, ?)
		ON CONFLICT (account_id, region) DO UPDATE SET newest_day = max(newest_day, excluded.newest_day) RETURNING id`)
	if err != nil {
		return 0, err
	}
	if err := ins.QueryRowContext(ctx, f.Account, f.Region, newest).Scan(&id); err != nil {
		return 0, fmt.Errorf("record the account and region of %s: %w", f.Location, err)
	}
	added[k] = id
	return id, nil
}

// newEvents tells which of the object's events were not counted before
// (by an earlier object, or earlier in this one), and records them.
func newEvents(ctx context.Context, st *txStatements, scope int64, uses []activity.UseFact) (map[dedupKey]bool, error) {
	fresh := make(map[dedupKey]bool, len(uses))
	var keys []dedupKey
	for i, u := range uses {
		if i == 0 || u.EventID != uses[i-1].EventID {
			k := keyOf(u)
			if _, dup := fresh[k]; !dup {
				fresh[k] = true
				keys = append(keys, k)
			}
		}
	}
	slices.SortFunc(keys, func(a, b dedupKey) int { return bytes.Compare(a[:], b[:]) })
	args := make([]any, 0, 1+eventBatch)
	for start := 0; start < len(keys); {
		// Batches of a power of two keys: a handful of statements serve
		// every object, prepared once for the run.
		n := 1 << (bits.Len(uint(min(eventBatch, len(keys)-start))) - 1)
		batch := keys[start : start+n]
		start += n
		args = append(args[:0], scope)
		for i := range batch {
			args = append(args, batch[i][:])
		}
		if err := insertEvents(ctx, st, args, fresh); err != nil {
			return nil, err
		}
	}
	return fresh, nil
}

// insertEvents records a batch of event keys (args: their scope, then the
// keys), all marked fresh, and unmarks those already recorded. Usually there is none,
// which the count of rows the insert added tells; otherwise the insert is
// undone and made again, returning the keys it adds.
func insertEvents(ctx context.Context, st *txStatements, args []any, fresh map[dedupKey]bool) error {
	n := len(args) - 1
	// The scope is bound once: every bound value is a call into SQLite.
	insert := `INSERT INTO dedup_events (key, scope_id) SELECT column1, ?1 FROM (VALUES ` + placeholders(n, "(?)") + `) WHERE true ON CONFLICT DO NOTHING`
	if err := st.exec(ctx, `SAVEPOINT new_events`); err != nil {
		return err
	}
	ins, err := st.get(ctx, insert)
	if err != nil {
		return err
	}
	res, err := ins.ExecContext(ctx, args...)
	if err != nil {
		return err
	}
	added, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if added == int64(n) {
		return st.exec(ctx, `RELEASE new_events`)
	}
	if err := st.exec(ctx, `ROLLBACK TO new_events`); err != nil {
		return err
	}
	if err := st.exec(ctx, `RELEASE new_events`); err != nil {
		return err
	}
	returning, err := st.get(ctx, insert+` RETURNING key`)
	if err != nil {
		return err
	}
	rows, err := returning.QueryContext(ctx, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for _, k := range args[1:] {
		fresh[dedupKey(k.([]byte))] = false
	}
	for rows.Next() {
		var key []byte
		if err := rows.Scan(&key); err != nil {
			return err
		}
		fresh[dedupKey(key)] = true
	}
	return rows.Err()
}

// PruneDedup drops the keys of events older than the horizon of their
// account and region (keys kept from before scopes existed: of the newest
// day of any), and gives the pages freed back to the file system when the
// database allows it. Extract calls it when a run ends, never during one:
// within a run every event is checked against every other, whatever the
// order its objects were listed in.
func (s *DB) PruneDedup(ctx context.Context) (int64, error) {
	// The first condition bounds the scan to the keys older than the
	// latest horizon, which the table's order keeps together.
	res, err := s.sql.ExecContext(ctx, `DELETE FROM dedup_events
		WHERE key < unhex(printf('%08X', max(0, 86400 * ((SELECT max(newest_day) FROM dedup_scopes) - ?1))))
		AND key < unhex(printf('%08X', max(0, 86400 * (coalesce(
			(SELECT newest_day FROM dedup_scopes WHERE id = scope_id),
			(SELECT max(newest_day) FROM dedup_scopes)) - ?1))))`, DedupHorizonDays)
	if err != nil {
		return 0, fmt.Errorf("prune the keys of events past the %d-day horizon: %w", DedupHorizonDays, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	if n > 0 {
		// A no-op unless the file was created with incremental auto-vacuum.
		// Each step of the statement frees one page: step it to the end.
		rows, err := s.sql.QueryContext(ctx, `PRAGMA incremental_vacuum`)
		if err != nil {
			return n, err
		}
		for rows.Next() {
		}
		if err := rows.Close(); err != nil {
			return n, err
		}
		if err := rows.Err(); err != nil {
			return n, err
		}
	}
	return n, nil
}
