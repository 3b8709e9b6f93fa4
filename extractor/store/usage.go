package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// ObjectFacts is everything one CloudTrail object contributes.
type ObjectFacts struct {
	Location string
	ETag     string
	Size     int64
	Modified time.Time
	Events   int64 // records read
	// Skipped marks an object refused as a whole; Errors says why.
	Skipped bool
	Errors  []InputError
	// Integration is the integration whose logs the object is (empty for
	// logs named on the command line); Days are the days of the events it
	// counts, which the local engine counts for that integration from now on.
	Integration string
	Days        []int64
	// Account and Region are those of the folder the object was delivered
	// in: the horizon of its events' duplicate check is theirs (see
	// DedupHorizonDays). Empty when the name says none.
	Account, Region string

	activity.Facts
	// Uses must list the uses of one event next to each other.
	Uses []activity.UseFact
}

// InputError is a bad object (RecordIndex -1) or record.
type InputError struct {
	RecordIndex int
	Reason      string
}

// UsageWriter commits objects' facts, one transaction per object together
// with its ledger row. It is used from one goroutine: the store has one
// writer.
type UsageWriter struct {
	db         *DB
	runID      int64
	principals map[string]int64
	resources  map[string]int64
	// statements are prepared once for the run, and bound to each
	// transaction, rather than prepared again in every transaction.
	statements map[string]*sql.Stmt
	// claimed are the days recorded as the local engine's in this run.
	claimed map[engineDay]bool
	// scopes are the ids of the accounts and regions in dedup_scopes.
	scopes map[dedupScope]int64
}

// NewUsageWriter starts writing facts for the run. Close releases it.
func (s *DB) NewUsageWriter(runID int64) *UsageWriter {
	return &UsageWriter{db: s, runID: runID, principals: map[string]int64{}, resources: map[string]int64{}, statements: map[string]*sql.Stmt{},
		claimed: map[engineDay]bool{}, scopes: map[dedupScope]int64{}}
}

// Close releases the writer's prepared statements.
func (w *UsageWriter) Close() error {
	var first error
	for q, st := range w.statements {
		if err := st.Close(); err != nil && first == nil {
			first = err
		}
		delete(w.statements, q)
	}
	return first
}

type usageKey struct {
	principal, resource int64
	action, errorCode   string
	day                 int64
}

type sessionUseKey struct {
	role     int64
	session  string
	resource int64
	action   string
	day      int64
}

type usageAgg struct {
	first, last, count int64
	seconds            activity.Seconds
}

// Committed is what a commit added.
type Committed struct {
	Uses       int64 // uses counted
	Duplicates int64 // events already counted from another delivery
}

// writerCacheKiB is the page cache of the writing connection.
const writerCacheKiB = 8 << 10

// Commit writes objects' facts and their ledger rows in one transaction:
// several objects may share one, never one object two.
func (w *UsageWriter) Commit(ctx context.Context, objects []*ObjectFacts) (Committed, error) {
	var c Committed
	tx, err := w.db.sql.BeginTx(ctx, nil)
	if err != nil {
		return c, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = -%d`, writerCacheKiB)); err != nil {
		return c, err
	}
	st := &txStatements{tx: tx, w: w, prepared: map[string]*sql.Stmt{}}
	defer st.close()
	newPrincipals := map[string]int64{}
	newResources := map[string]int64{}
	claimed := map[engineDay]bool{}
	newScopes := map[dedupScope]int64{}
	rows := newDayRows()
	dedup := newDedupBuckets()
	for _, f := range objects {
		pids := make([]int64, len(f.Principals))
		for i, p := range f.Principals {
			id, ok := w.principals[p.ARN]
			if !ok {
				id, ok = newPrincipals[p.ARN]
			}
			if !ok {
				if id, err = UpsertPrincipal(ctx, tx, p); err != nil {
					return c, err
				}
				newPrincipals[p.ARN] = id
			}
			pids[i] = id
		}
		rids := make([]int64, len(f.Resources))
		for i, r := range f.Resources {
			id, ok := w.resources[r.ARN]
			if !ok {
				id, ok = newResources[r.ARN]
			}
			if !ok {
				if id, err = resolveResource(ctx, tx, r); err != nil {
					return c, err
				}
				newResources[r.ARN] = id
			}
			rids[i] = id
		}
		scope, err := w.scope(ctx, st, f, newScopes)
		if err != nil {
			return c, err
		}
		oc, err := writeUses(ctx, st, f, dedup, scope, pids, rids, rows)
		if err != nil {
			return c, err
		}
		c.Uses += oc.Uses
		c.Duplicates += oc.Duplicates
		if err := writeActivity(ctx, st, &f.Facts, pids, rids, rows); err != nil {
			return c, err
		}
		if err := w.writeLedger(ctx, st, f); err != nil {
			return c, err
		}
		if err := w.claimDays(ctx, st, f, claimed); err != nil {
			return c, err
		}
	}
	if err := rows.write(ctx, st); err != nil {
		return c, err
	}
	if err := dedup.write(ctx, st); err != nil {
		return c, err
	}
	if err := tx.Commit(); err != nil {
		return c, fmt.Errorf("commit %s: %w", objects[0].Location, err)
	}
	// Only ids of committed rows may be remembered.
	for k, v := range newPrincipals {
		w.principals[k] = v
	}
	for k, v := range newResources {
		w.resources[k] = v
	}
	for k := range claimed {
		w.claimed[k] = true
	}
	for k, v := range newScopes {
		w.scopes[k] = v
	}
	return c, nil
}

// txStatements binds the writer's statements to one transaction.
type txStatements struct {
	tx       *sql.Tx
	w        *UsageWriter // nil: statements are prepared for tx alone
	prepared map[string]*sql.Stmt
}

func (t *txStatements) get(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := t.prepared[query]; ok {
		return st, nil
	}
	if t.w == nil {
		// A transaction on its own: its statements last as long as it.
		st, err := t.tx.PrepareContext(ctx, query)
		if err != nil {
			return nil, err
		}
		t.prepared[query] = st
		return st, nil
	}
	run, ok := t.w.statements[query]
	if !ok {
		var err error
		if run, err = t.w.db.sql.PrepareContext(ctx, query); err != nil {
			return nil, err
		}
		t.w.statements[query] = run
	}
	st := t.tx.StmtContext(ctx, run)
	t.prepared[query] = st
	return st, nil
}

func (t *txStatements) close() {
	for _, st := range t.prepared {
		st.Close()
	}
}

// upsertUsedSQL adds successful uses of one day.
const upsertUsedSQL = `INSERT INTO usage_actions (principal_id, resource_id, action, day, first_used_at, last_used_at, count, seconds)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (principal_id, resource_id, action, day) DO UPDATE SET
		first_used_at = min(first_used_at, excluded.first_used_at),
		last_used_at = max(last_used_at, excluded.last_used_at),
		count = count + excluded.count,
		seconds = seconds_union(seconds, excluded.seconds)`

// upsertFailedSQL adds refused or failed attempts of one day.
const upsertFailedSQL = `INSERT INTO usage_failures (principal_id, resource_id, action, error_code, day, first_at, last_at, count, seconds)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (principal_id, resource_id, action, error_code, day) DO UPDATE SET
		first_at = min(first_at, excluded.first_at),
		last_at = max(last_at, excluded.last_at),
		count = count + excluded.count,
		seconds = seconds_union(seconds, excluded.seconds)`

// upsertSessionUseSQL adds a session's use of one day.
const upsertSessionUseSQL = `INSERT INTO usage_session_actions (role_id, session_name, resource_id, action, day, first_used_at, last_used_at, seconds)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (role_id, session_name, resource_id, action, day) DO UPDATE SET
		first_used_at = min(first_used_at, excluded.first_used_at),
		last_used_at = max(last_used_at, excluded.last_used_at),
		seconds = seconds_union(seconds, excluded.seconds)`

func writeUses(ctx context.Context, st *txStatements, f *ObjectFacts, dedup *dedupBuckets, scope int64, pids, rids []int64, rows *dayRows) (Committed, error) {
	var c Committed
	if len(f.Uses) == 0 {
		return c, nil
	}
	fresh, err := newEvents(ctx, st, dedup, scope, f.Uses)
	if err != nil {
		return c, err
	}
	counting := false
	for i, u := range f.Uses {
		if i == 0 || u.EventID != f.Uses[i-1].EventID {
			// A run of uses is one event; the first run of an id counts
			// and uses it up, so a repeat later in the object does not.
			k := keyOf(u)
			counting = fresh[k]
			fresh[k] = false
			if !counting {
				c.Duplicates++
			}
		}
		if !counting {
			continue
		}
		k := usageKey{principal: pids[u.Principal], action: u.Action, errorCode: u.ErrorCode, day: activity.DayOfUnix(u.At)}
		if u.Resource >= 0 {
			k.resource = rids[u.Resource]
		}
		c.Uses++
		if k.errorCode == "" && k.resource == 0 {
			// Successful calls on nothing scored are activity only,
			// which usage_principal_days holds.
			continue
		}
		addAt(rows.uses, k, u.At, 1)
		if u.Session != "" && u.ErrorCode == "" {
			addAt(rows.sessionUses, sessionUseKey{role: k.principal, session: u.Session, resource: k.resource, action: u.Action, day: k.day}, u.At, 0)
		}
	}
	return c, nil
}

func writeActivity(ctx context.Context, stmts *txStatements, f *activity.Facts, pids, rids []int64, rows *dayRows) error {
	for i := range f.Activity {
		a := &f.Activity[i]
		add(rows.active, [2]int64{pids[a.Principal], a.Day}, a.First, a.Last, 0, &a.Seconds)
	}
	for i := range f.SessionDays {
		d := &f.SessionDays[i]
		add(rows.sessionDays, sessionDayKey{role: pids[d.Role], name: d.Name, day: d.Day}, d.First, d.Last, 0, &d.Seconds)
	}
	for i := range f.Keys {
		rows.addKey(rids[f.Keys[i].Resource], &f.Keys[i])
	}
	for i := range f.ServiceUses {
		u := &f.ServiceUses[i]
		add(rows.services, serviceUseKey{principal: pids[u.Principal], session: u.Session, action: u.Action, day: u.Day}, u.First, u.Last, 0, &u.Seconds)
	}
	for i := range f.CredentialUses {
		u := &f.CredentialUses[i]
		add(rows.credentials, credentialKey{principal: pids[u.Principal], credential: u.Credential, day: u.Day}, u.First, u.Last, 0, &u.Seconds)
	}
	if len(f.Sessions) > 0 {
		st, err := stmts.get(ctx, `INSERT INTO usage_sessions (role_id, session_name, source_identity, person_id, first_at, last_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (role_id, session_name, source_identity) DO UPDATE SET
				person_id = coalesce(usage_sessions.person_id, excluded.person_id),
				first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at)`)
		if err != nil {
			return err
		}
		for _, s := range f.Sessions {
			var person sql.NullInt64
			if s.Person >= 0 {
				person = sql.NullInt64{Int64: pids[s.Person], Valid: true}
			}
			if _, err := st.ExecContext(ctx, pids[s.Role], s.Name, s.SourceIdentity, person, s.First, s.Last); err != nil {
				return err
			}
		}
	}
	if len(f.SignIns) > 0 {
		st, err := stmts.get(ctx, `INSERT INTO saml_signins (role_id, session_name, person_id, day) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`)
		if err != nil {
			return err
		}
		for _, si := range f.SignIns {
			if _, err := st.ExecContext(ctx, pids[si.Role], si.Name, pids[si.Person], si.Day); err != nil {
				return err
			}
		}
	}
	if len(f.Observed) > 0 {
		// Event counts here may include an event delivered twice: they say
		// how much was read, not how much happened.
		st, err := stmts.get(ctx, `INSERT INTO usage_observed (account_id, region, day, events) VALUES (?, ?, ?, ?)
			ON CONFLICT (account_id, region, day) DO UPDATE SET events = events + excluded.events`)
		if err != nil {
			return err
		}
		for _, o := range f.Observed {
			if _, err := st.ExecContext(ctx, o.AccountID, o.Region, o.Day, o.Events); err != nil {
				return err
			}
		}
	}
	return nil
}

// resolveResource finds or creates the row of r. A resource named in more
// than one way (a secret by name, partial ARN or full ARN) is one row per
// canonical ARN: a row made from the canonical ARN takes the full ARN once
// one is seen.
func resolveResource(ctx context.Context, tx *sql.Tx, r activity.Resource) (int64, error) {
	if k := activity.ResourceKindNamed(r.Kind); k == nil || !k.ARNSuffix {
		return UpsertResource(ctx, tx, r)
	}
	canonical := r.Canonical()
	full := r.ARN != canonical
	rows, err := tx.QueryContext(ctx, `SELECT id, arn FROM resources WHERE canonical_arn = ? ORDER BY id`, canonical)
	if err != nil {
		return 0, err
	}
	var exact, withFull, partial int64
	for rows.Next() {
		var id int64
		var arn string
		if err := rows.Scan(&id, &arn); err != nil {
			rows.Close()
			return 0, err
		}
		switch arn {
		case r.ARN:
			exact = id
		case canonical:
			partial = id
		default:
			withFull = id
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	switch {
	case exact != 0:
		return exact, nil
	case full && partial != 0:
		if _, err := tx.ExecContext(ctx, `UPDATE resources SET arn = ? WHERE id = ?`, r.ARN, partial); err != nil {
			return 0, fmt.Errorf("record %s: %w", r.ARN, err)
		}
		return partial, nil
	case !full && withFull != 0:
		return withFull, nil
	}
	return UpsertResource(ctx, tx, r)
}
