package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// DedupHorizonDays is how long an event's key is kept to tell a second
// delivery of it from a new event: from the newest day of events delivered
// in an account and region back this many days (so this many days and the
// newest one). AWS describes CloudTrail's delivery as typically within
// about 5 minutes of the call and within 15 minutes on average; an
// organization trail and an account's own trail deliver the same event each
// on its own schedule, and a retried delivery repeats a file, within hours
// of the first; an incident on AWS's side can delay deliveries longer.
// A week (at least 6 days after any event) leaves room for all of these
// many times over. The horizon moves with the events read, not with the
// clock: logs read late, after days without a run, keep it. A copy arriving
// later still is counted again: it adds to a use's count, never to its days,
// times or seconds (the first delivery set them), so used actions and
// scores do not change.
const DedupHorizonDays = 7

// dedupScope is an account and region, whose newest day sets the horizon of
// the keys of its events.
type dedupScope struct{ account, region string }

// dedupKey is an event's key: its time (4 bytes, big-endian unix seconds,
// until 2106) then 48 bits of a hash (FNV-1a, 64 bits) of its id. Two events are taken for one only when they happened in the same
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

// dedupBucketOfKey is the SQL function dedup_bucket(key): the hour and the
// shard of a key as hour * dedupShards + shard, for migration 0060.
func dedupBucketOfKey(k []byte) (int64, error) {
	if len(k) != len(dedupKey{}) {
		return 0, fmt.Errorf("dedup_bucket: a key has %d bytes, this one %d", len(dedupKey{}), len(k))
	}
	hour, shard, _ := entryOf(dedupKey(k))
	return hour*dedupShards + int64(shard), nil
}

// dedupEntries is the SQL aggregate dedup_entries(key): the row of
// dedup_events that holds the keys, for migration 0060.
type dedupEntries struct{ entries []uint64 }

func newDedupEntries() *dedupEntries { return &dedupEntries{} }

func (a *dedupEntries) Step(k []byte) error {
	if len(k) != len(dedupKey{}) {
		return fmt.Errorf("dedup_entries: a key has %d bytes, this one %d", len(dedupKey{}), len(k))
	}
	_, _, e := entryOf(dedupKey(k))
	a.entries = append(a.entries, e)
	return nil
}

func (a *dedupEntries) Done() []byte {
	slices.Sort(a.entries)
	return encodeEntries(slices.Compact(a.entries))
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

// scopeOf is the account and region of an object's events: those its
// records name when they name one pair (a delivery file holds the events of
// one account and region, and every copy of an event names the same), else
// those of the folder it was delivered in.
func scopeOf(f *ObjectFacts) dedupScope {
	var k dedupScope
	for i, o := range f.Observed {
		if i > 0 && (o.AccountID != k.account || o.Region != k.region) {
			return dedupScope{f.Account, f.Region}
		}
		k = dedupScope{o.AccountID, o.Region}
	}
	if len(f.Observed) == 0 {
		return dedupScope{f.Account, f.Region}
	}
	return k
}

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
	k := scopeOf(f)
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

// The keys are kept in buckets, a row per account and region, hour and
// shard (a few bits of the hash): a row holds the sorted entries of its
// events, 8 bytes each (the second of the hour, then the 48 bits of the
// hash). A transaction reads the buckets of the hours its objects' events
// fall in once, checks every event against them in memory, and writes each
// bucket it added to once: a few statements per object instead of an
// indexed insert per event, and rows a few hundred bytes long instead of a
// row per event.
const dedupShards = 8

type bucketID struct {
	scope, hour int64
	shard       int
}

// bucket is one row of dedup_events within a transaction. Entries of the
// keys kept from usage_events (scope 0) of the same hour and shard are
// checked too, never written back under the scope.
type bucket struct {
	stored  []uint64 // the row's entries, sorted
	legacy  []uint64 // scope 0's entries, sorted
	added   map[uint64]bool
	changed bool
}

func (b *bucket) has(e uint64) bool {
	if b.added[e] {
		return true
	}
	if _, ok := slices.BinarySearch(b.stored, e); ok {
		return true
	}
	_, ok := slices.BinarySearch(b.legacy, e)
	return ok
}

// dedupBuckets are the buckets a transaction read.
type dedupBuckets struct {
	buckets map[bucketID]*bucket
	hours   map[[2]int64]bool // (scope, hour) read
}

func newDedupBuckets() *dedupBuckets {
	return &dedupBuckets{buckets: map[bucketID]*bucket{}, hours: map[[2]int64]bool{}}
}

// entryOf places a key: its hour, shard and entry.
func entryOf(k dedupKey) (hour int64, shard int, entry uint64) {
	at := int64(binary.BigEndian.Uint32(k[:4]))
	var h [8]byte
	copy(h[2:], k[4:])
	hash := binary.BigEndian.Uint64(h[:])
	return at / 3600, int(hash % dedupShards), uint64(at%3600)<<48 | hash
}

func decodeEntries(b []byte) []uint64 {
	out := make([]uint64, len(b)/8)
	for i := range out {
		out[i] = binary.BigEndian.Uint64(b[8*i:])
	}
	return out
}

func encodeEntries(es []uint64) []byte {
	out := make([]byte, 8*len(es))
	for i, e := range es {
		binary.BigEndian.PutUint64(out[8*i:], e)
	}
	return out
}

// load reads the buckets of one hour of a scope (and of scope 0).
func (d *dedupBuckets) load(ctx context.Context, st *txStatements, scope, hour int64) error {
	if d.hours[[2]int64{scope, hour}] {
		return nil
	}
	d.hours[[2]int64{scope, hour}] = true
	for shard := range dedupShards {
		if _, ok := d.buckets[bucketID{scope, hour, shard}]; !ok {
			d.buckets[bucketID{scope, hour, shard}] = &bucket{}
		}
	}
	q, err := st.get(ctx, `SELECT scope_id, shard, keys FROM dedup_events WHERE scope_id IN (?1, 0) AND hour = ?2`)
	if err != nil {
		return err
	}
	rows, err := q.QueryContext(ctx, scope, hour)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var shard int
		var keys []byte
		if err := rows.Scan(&id, &shard, &keys); err != nil {
			return err
		}
		if shard < 0 || shard >= dedupShards || len(keys)%8 != 0 {
			return fmt.Errorf("dedup_events: the bucket of hour %d, shard %d is damaged (%d bytes)", hour, shard, len(keys))
		}
		b := d.buckets[bucketID{scope, hour, shard}]
		if id == scope {
			b.stored = decodeEntries(keys)
		} else {
			b.legacy = decodeEntries(keys)
		}
	}
	return rows.Err()
}

// newEvents tells which of the object's events were not counted before
// (by an earlier object, or earlier in this one), and records them in the
// transaction's buckets.
func newEvents(ctx context.Context, st *txStatements, d *dedupBuckets, scope int64, uses []activity.UseFact) (map[dedupKey]bool, error) {
	fresh := make(map[dedupKey]bool, len(uses))
	for i, u := range uses {
		if i > 0 && u.EventID == uses[i-1].EventID {
			continue
		}
		k := keyOf(u)
		if _, seen := fresh[k]; seen {
			continue
		}
		hour, shard, e := entryOf(k)
		if err := d.load(ctx, st, scope, hour); err != nil {
			return nil, err
		}
		b := d.buckets[bucketID{scope, hour, shard}]
		if b.has(e) {
			fresh[k] = false
			continue
		}
		if b.added == nil {
			b.added = map[uint64]bool{}
		}
		b.added[e], b.changed, fresh[k] = true, true, true
	}
	return fresh, nil
}

// write stores the buckets the transaction added to.
func (d *dedupBuckets) write(ctx context.Context, st *txStatements) error {
	up, err := st.get(ctx, `INSERT INTO dedup_events (scope_id, hour, shard, keys) VALUES (?, ?, ?, ?)
		ON CONFLICT (scope_id, hour, shard) DO UPDATE SET keys = excluded.keys`)
	if err != nil {
		return err
	}
	for id, b := range d.buckets {
		if !b.changed {
			continue
		}
		all := slices.Grow(b.stored, len(b.added))
		for e := range b.added {
			all = append(all, e)
		}
		slices.Sort(all)
		if _, err := up.ExecContext(ctx, id.scope, id.hour, id.shard, encodeEntries(all)); err != nil {
			return err
		}
	}
	return nil
}

// PruneDedup drops the keys of events older than the horizon of their
// account and region (keys kept from before scopes existed: of the newest
// day of any), and gives the pages freed back to the file system when the
// database allows it. Extract calls it when a run ends, never during one:
// within a run every event is checked against every other, whatever the
// order its objects were listed in.
func (s *DB) PruneDedup(ctx context.Context) (int64, error) {
	res, err := s.sql.ExecContext(ctx, `DELETE FROM dedup_events WHERE hour < 24 * (coalesce(
			(SELECT newest_day FROM dedup_scopes WHERE id = scope_id),
			(SELECT max(newest_day) FROM dedup_scopes)) - ?)`, DedupHorizonDays)
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
