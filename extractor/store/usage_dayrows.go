package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// dayRows gathers the per-day rows of the objects of one transaction, by
// database id, so that a row the objects share (a principal's day, its use
// of an action) is written once per transaction: each write that finds the
// row merges its set of seconds with the stored one.
type dayRows struct {
	uses        map[usageKey]*usageAgg
	sessionUses map[sessionUseKey]*usageAgg
	active      map[[2]int64]*usageAgg // (principal, day)
	sessionDays map[sessionDayKey]*usageAgg
	keys        map[[2]int64]*keyAgg // (resource, day)
	services    map[serviceUseKey]*usageAgg
	credentials map[credentialKey]*usageAgg
}

type credentialKey struct {
	principal  int64
	credential string
	day        int64
}

type serviceUseKey struct {
	principal       int64
	session, action string
	day             int64
}

type sessionDayKey struct {
	role int64
	name string
	day  int64
}

type keyAgg struct {
	lastActivity, lastCrypto int64 // lastCrypto 0: no cryptographic use
	activity, crypto         activity.Seconds
}

func newDayRows() *dayRows {
	return &dayRows{uses: map[usageKey]*usageAgg{}, sessionUses: map[sessionUseKey]*usageAgg{}, active: map[[2]int64]*usageAgg{},
		sessionDays: map[sessionDayKey]*usageAgg{}, keys: map[[2]int64]*keyAgg{},
		services: map[serviceUseKey]*usageAgg{}, credentials: map[credentialKey]*usageAgg{}}
}

// add merges a row's first and last times, count and seconds into the row
// of key k of m.
func add[K comparable](m map[K]*usageAgg, k K, first, last, count int64, seconds *activity.Seconds) {
	a := m[k]
	if a == nil {
		a = &usageAgg{first: first, last: last}
		m[k] = a
	}
	a.first, a.last, a.count = min(a.first, first), max(a.last, last), a.count+count
	a.seconds.Union(seconds)
}

// addAt merges one event at the Unix time at into the row of key k of m.
func addAt[K comparable](m map[K]*usageAgg, k K, at, count int64) {
	a := m[k]
	if a == nil {
		a = &usageAgg{first: at, last: at}
		m[k] = a
	}
	a.first, a.last, a.count = min(a.first, at), max(a.last, at), a.count+count
	a.seconds.AddUnix(at)
}

func (d *dayRows) addKey(resource int64, k *activity.KeyFact) {
	key := [2]int64{resource, k.Day}
	a := d.keys[key]
	if a == nil {
		a = &keyAgg{}
		d.keys[key] = a
	}
	a.lastActivity, a.lastCrypto = max(a.lastActivity, k.LastActivity), max(a.lastCrypto, k.LastCrypto)
	a.activity.Union(&k.ActivitySeconds)
	a.crypto.Union(&k.CryptoSeconds)
}

// write upserts the rows gathered.
func (d *dayRows) write(ctx context.Context, stmts *txStatements) error {
	if len(d.sessionUses) > 0 {
		st, err := stmts.get(ctx, upsertSessionUseSQL)
		if err != nil {
			return err
		}
		for k, a := range d.sessionUses {
			if _, err := st.ExecContext(ctx, k.role, k.session, k.resource, k.action, k.day, a.first, a.last, a.seconds.Encode()); err != nil {
				return fmt.Errorf("record session use of %s: %w", k.action, err)
			}
		}
	}
	if len(d.uses) > 0 {
		used, err := stmts.get(ctx, upsertUsedSQL)
		if err != nil {
			return err
		}
		failed, err := stmts.get(ctx, upsertFailedSQL)
		if err != nil {
			return err
		}
		for k, a := range d.uses {
			if k.errorCode == "" {
				_, err = used.ExecContext(ctx, k.principal, k.resource, k.action, k.day, a.first, a.last, a.count, a.seconds.Encode())
			} else {
				_, err = failed.ExecContext(ctx, k.principal, k.resource, k.action, k.errorCode, k.day, a.first, a.last, a.count, a.seconds.Encode())
			}
			if err != nil {
				return fmt.Errorf("record use of %s: %w", k.action, err)
			}
		}
	}
	if len(d.active) > 0 {
		st, err := stmts.get(ctx, `INSERT INTO usage_principal_days (principal_id, day, first_at, last_at, seconds) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (principal_id, day) DO UPDATE SET first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at),
				seconds = seconds_union(seconds, excluded.seconds)`)
		if err != nil {
			return err
		}
		for k, a := range d.active {
			if _, err := st.ExecContext(ctx, k[0], k[1], a.first, a.last, a.seconds.Encode()); err != nil {
				return err
			}
		}
	}
	if len(d.sessionDays) > 0 {
		st, err := stmts.get(ctx, `INSERT INTO usage_session_days (role_id, session_name, day, first_at, last_at, seconds) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (role_id, session_name, day) DO UPDATE SET first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at),
				seconds = seconds_union(seconds, excluded.seconds)`)
		if err != nil {
			return err
		}
		for k, a := range d.sessionDays {
			if _, err := st.ExecContext(ctx, k.role, k.name, k.day, a.first, a.last, a.seconds.Encode()); err != nil {
				return err
			}
		}
	}
	if len(d.services) > 0 {
		st, err := stmts.get(ctx, `INSERT INTO usage_service_actions (principal_id, session_name, action, day, first_used_at, last_used_at, seconds)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (principal_id, session_name, action, day) DO UPDATE SET
				first_used_at = min(first_used_at, excluded.first_used_at),
				last_used_at = max(last_used_at, excluded.last_used_at),
				seconds = seconds_union(seconds, excluded.seconds)`)
		if err != nil {
			return err
		}
		for k, a := range d.services {
			if _, err := st.ExecContext(ctx, k.principal, k.session, k.action, k.day, a.first, a.last, a.seconds.Encode()); err != nil {
				return fmt.Errorf("record service use of %s: %w", k.action, err)
			}
		}
	}
	if len(d.credentials) > 0 {
		st, err := stmts.get(ctx, `INSERT INTO usage_credentials (principal_id, credential, day, first_used_at, last_used_at, seconds)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (principal_id, credential, day) DO UPDATE SET
				first_used_at = min(first_used_at, excluded.first_used_at),
				last_used_at = max(last_used_at, excluded.last_used_at),
				seconds = seconds_union(seconds, excluded.seconds)`)
		if err != nil {
			return err
		}
		for k, a := range d.credentials {
			if _, err := st.ExecContext(ctx, k.principal, k.credential, k.day, a.first, a.last, a.seconds.Encode()); err != nil {
				return fmt.Errorf("record use of credential %s: %w", k.credential, err)
			}
		}
	}
	if len(d.keys) > 0 {
		st, err := stmts.get(ctx, `INSERT INTO usage_key_days (resource_id, day, last_activity_at, last_crypto_at, activity_seconds, crypto_seconds)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (resource_id, day) DO UPDATE SET
				last_activity_at = max(last_activity_at, excluded.last_activity_at),
				last_crypto_at = CASE WHEN excluded.last_crypto_at IS NULL THEN last_crypto_at
					ELSE max(coalesce(last_crypto_at, 0), excluded.last_crypto_at) END,
				activity_seconds = seconds_union(activity_seconds, excluded.activity_seconds),
				crypto_seconds = seconds_union(crypto_seconds, excluded.crypto_seconds)`)
		if err != nil {
			return err
		}
		for k, a := range d.keys {
			crypto := sql.NullInt64{Int64: a.lastCrypto, Valid: a.lastCrypto != 0}
			if _, err := st.ExecContext(ctx, k[0], k[1], a.lastActivity, crypto, a.activity.Encode(), a.crypto.Encode()); err != nil {
				return err
			}
		}
	}
	return nil
}
