package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// ScoreFilter selects principals of a run. Zero values select everything.
type ScoreFilter struct {
	PrincipalARN  string
	Accounts      []string
	Kinds         []string
	ResourceKinds []string // keep principals granted something on these kinds, and only those resources
	// Bounds on ops and resource_ops; a principal whose score is null
	// never matches a bound.
	MinOPS, MaxOPS                 *float64
	MinResourceOPS, MaxResourceOPS *float64
	NAReasons                      []string // keep the N/A principals with these reasons
	DormantOnly                    bool
	// LastActivityBefore keeps the principals last active before it, or
	// never; zero keeps all.
	LastActivityBefore time.Time
	// Resource keeps the principals granted something on the resource with
	// that ARN, and of their resources that one only.
	Resource string
}

// Select applies the filter to scores computed in memory, in the order
// PrincipalScores reads stored ones: dormant first, then by ops from high
// to low (null last), then by ARN.
func (f ScoreFilter) Select(scores []activity.PrincipalScore) []activity.PrincipalScore {
	in := func(list []string, v string) bool { return len(list) == 0 || slices.Contains(list, v) }
	within := func(v, lo, hi *float64) bool {
		return (lo == nil || v != nil && *v >= *lo) && (hi == nil || v != nil && *v <= *hi)
	}
	var out []activity.PrincipalScore
	for _, p := range scores {
		switch {
		case f.PrincipalARN != "" && p.ARN != f.PrincipalARN, !in(f.Accounts, p.AccountID), !in(f.Kinds, p.Kind),
			!within(p.OPS, f.MinOPS, f.MaxOPS), !within(p.ResourceOPS, f.MinResourceOPS, f.MaxResourceOPS),
			len(f.NAReasons) > 0 && !slices.Contains(f.NAReasons, p.NAReason), f.DormantOnly && !p.Dormant,
			!f.LastActivityBefore.IsZero() && p.LastActivityAt != nil && !p.LastActivityAt.Before(f.LastActivityBefore):
			continue
		}
		if len(f.ResourceKinds) > 0 || f.Resource != "" {
			var kept []activity.ResourceScore
			for _, r := range p.Resources {
				if in(f.ResourceKinds, r.Kind) && (f.Resource == "" || r.ARN == f.Resource) {
					kept = append(kept, r)
				}
			}
			if len(kept) == 0 {
				continue
			}
			p.Resources = kept
		}
		out = append(out, p)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case a.Dormant != b.Dormant:
			return a.Dormant
		case (a.OPS == nil) != (b.OPS == nil):
			return b.OPS == nil
		case a.OPS != nil && *a.OPS != *b.OPS:
			return *a.OPS > *b.OPS
		}
		return a.ARN < b.ARN
	})
	return out
}

// ScoreWriter stores one run, row by row, in one transaction: readers see
// the run whole or not at all.
type ScoreWriter struct {
	tx                  *sql.Tx
	runID               int64
	principal, resource *sql.Stmt
	denied              *sql.Stmt
	key                 *sql.Stmt
	service, finding    *sql.Stmt
	credential          *sql.Stmt
	// actionSet finds or adds a set of actions; sets are the ids found.
	actionSet *sql.Stmt
	sets      map[string]int64
}

// NewScoreWriter starts a run. Call Commit to keep it, Rollback otherwise.
func (s *DB) NewScoreWriter(ctx context.Context, run activity.ScoreRun) (*ScoreWriter, error) {
	cov, err := json.Marshal(run.Coverage)
	if err != nil {
		return nil, err
	}
	tx, err := s.sql.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	w := &ScoreWriter{tx: tx, sets: map[string]int64{}}
	res, err := tx.ExecContext(ctx, `INSERT INTO score_runs (as_of, window_days, computed_at, coverage) VALUES (?, ?, ?, ?)`,
		run.AsOf.Unix(), run.Days, s.Now().Unix(), string(cov))
	if err == nil {
		w.runID, err = res.LastInsertId()
	}
	if err == nil {
		w.principal, err = tx.PrepareContext(ctx, `INSERT INTO principal_scores
			(run_id, principal_id, monitored, ops, resource_ops, na_reason, dormant, last_activity_at, observed_since, resources, notes,
				service_ops, permission_ops)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	}
	if err == nil {
		w.resource, err = tx.PrepareContext(ctx, `INSERT INTO resource_scores
			(run_id, principal_id, resource_id, ops, granted_actions, used_actions, conditional, last_used_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	}
	if err == nil {
		w.denied, err = tx.PrepareContext(ctx, `INSERT INTO denied_scores
			(run_id, principal_id, action, resource_id, error_code, count, last_at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	}
	if err == nil {
		w.service, err = tx.PrepareContext(ctx, `INSERT INTO service_scores (run_id, principal_id, service, granted, used_actions, last_used_at)
			VALUES (?, ?, ?, ?, ?, ?)`)
	}
	if err == nil {
		w.finding, err = tx.PrepareContext(ctx, `INSERT INTO findings (run_id, type, principal_id, service, actions_id, action_last_used, last_used_at, credential, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	}
	if err == nil {
		w.credential, err = tx.PrepareContext(ctx, `INSERT INTO credential_scores
			(run_id, principal_id, credential, enabled, created_at, last_used_at, used_in_window) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	}
	if err == nil {
		w.actionSet, err = tx.PrepareContext(ctx, `INSERT INTO grant_action_sets (actions) VALUES (?)
			ON CONFLICT (actions) DO UPDATE SET actions = excluded.actions RETURNING id`)
	}
	if err == nil {
		w.key, err = tx.PrepareContext(ctx, `INSERT INTO key_activity (run_id, resource_id, last_activity_at, last_viewed_at) VALUES (?, ?, ?, ?)`)
	}
	if err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("start score run: %w", err)
	}
	return w, nil
}

// AddPrincipal stores a principal's score, its resources' scores and its
// denied attempts.
func (w *ScoreWriter) AddPrincipal(ctx context.Context, p activity.PrincipalScore) error {
	notes, err := json.Marshal(nonNil(p.Notes))
	if err != nil {
		return err
	}
	if _, err := w.principal.ExecContext(ctx, w.runID, p.ID, boolInt(p.Monitored), p.OPS, p.ResourceOPS, nullString(p.NAReason), boolInt(p.Dormant),
		unixPtr(p.LastActivityAt), unixPtr(p.ObservedSince), len(p.Resources), string(notes), p.ServiceOPS, p.PermissionOPS); err != nil {
		return fmt.Errorf("save score of %s: %w", p.ARN, err)
	}
	for _, r := range p.Resources {
		if _, err := w.resource.ExecContext(ctx, w.runID, p.ID, r.ID, r.OPS, strings.Join(r.GrantedActions, " "),
			strings.Join(r.UsedActions, " "), strings.Join(r.ConditionalActions, " "), unixPtr(r.LastUsedAt)); err != nil {
			return fmt.Errorf("save score of %s on %s: %w", p.ARN, r.ARN, err)
		}
	}
	for _, d := range p.Denied {
		var resource sql.NullInt64
		if d.Resource != nil {
			resource = sql.NullInt64{Int64: d.Resource.ID, Valid: true}
		}
		if _, err := w.denied.ExecContext(ctx, w.runID, p.ID, d.Action, resource, d.ErrorCode, d.Count, d.LastAt.Unix()); err != nil {
			return fmt.Errorf("save denied attempts of %s at %s: %w", p.ARN, d.Action, err)
		}
	}
	for _, sv := range p.Services {
		if _, err := w.service.ExecContext(ctx, w.runID, p.ID, sv.Service, sv.Granted, strings.Join(sv.UsedActions, " "), unixPtr(sv.LastUsedAt)); err != nil {
			return fmt.Errorf("save score of %s in %s: %w", p.ARN, sv.Service, err)
		}
	}
	for _, c := range p.Credentials {
		if _, err := w.credential.ExecContext(ctx, w.runID, p.ID, c.Name, boolInt(c.Enabled), unixPtr(c.CreatedAt), unixPtr(c.LastUsedAt),
			boolInt(c.UsedInWindow)); err != nil {
			return fmt.Errorf("save credential %s of %s: %w", c.Name, p.ARN, err)
		}
	}
	for _, f := range p.Findings {
		last := map[string]int64{}
		for a, t := range f.ActionLastUsed {
			last[a] = t.Unix()
		}
		lastJSON, err := json.Marshal(last)
		if err != nil {
			return err
		}
		var set sql.NullInt64
		if len(f.Actions) > 0 {
			key := strings.Join(f.Actions, " ")
			id, ok := w.sets[key]
			if !ok {
				if err := w.actionSet.QueryRowContext(ctx, key).Scan(&id); err != nil {
					return fmt.Errorf("save actions of the %s finding of %s: %w", f.Type, p.ARN, err)
				}
				w.sets[key] = id
			}
			set = sql.NullInt64{Int64: id, Valid: true}
		}
		if _, err := w.finding.ExecContext(ctx, w.runID, f.Type, p.ID, f.Service, set, string(lastJSON), unixPtr(f.LastUsedAt),
			f.AccessKey, unixPtr(f.CreatedAt)); err != nil {
			return fmt.Errorf("save %s finding of %s: %w", f.Type, p.ARN, err)
		}
	}
	return nil
}

// AddKey stores a KMS key's activity.
func (w *ScoreWriter) AddKey(ctx context.Context, k activity.KeyActivity) error {
	if _, err := w.key.ExecContext(ctx, w.runID, k.ID, unixPtr(k.LastActivityAt), unixPtr(k.LastViewedAt)); err != nil {
		return fmt.Errorf("save activity of %s: %w", k.ARN, err)
	}
	return nil
}

// Commit keeps the run and returns its id.
func (w *ScoreWriter) Commit() (int64, error) { return w.runID, w.tx.Commit() }

// Rollback drops the run; after Commit it does nothing.
func (w *ScoreWriter) Rollback() { _ = w.tx.Rollback() }

// SaveScores stores a whole run at once and returns its id. Principal and
// resource ids must be set.
func (s *DB) SaveScores(ctx context.Context, sc *activity.Scores) (int64, error) {
	w, err := s.NewScoreWriter(ctx, sc.Run)
	if err != nil {
		return 0, err
	}
	defer w.Rollback()
	for _, p := range sc.Principals {
		if err := w.AddPrincipal(ctx, p); err != nil {
			return 0, err
		}
	}
	for _, k := range sc.KMSKeys {
		if err := w.AddKey(ctx, k); err != nil {
			return 0, err
		}
	}
	return w.Commit()
}

// ErrNoScores is returned when no run matches.
var ErrNoScores = errors.New("no scores")

// ScoreRunFor returns the stored run of a window of days (any window when
// 0): the one ending at asOf, or, when asOf is zero, the one whose window
// ends last. Runs are chosen by their window, never by when they were
// computed: scoring a past window does not change what the present reads.
// Of runs of the same window, the latest computed wins.
func (s *DB) ScoreRunFor(ctx context.Context, days int, asOf time.Time) (activity.ScoreRun, error) {
	var at sql.NullInt64
	if !asOf.IsZero() {
		at = sql.NullInt64{Int64: asOf.Unix(), Valid: true}
	}
	r, err := s.scanScoreRun(s.sql.QueryRowContext(ctx, `SELECT id, as_of, window_days, computed_at, coverage FROM score_runs
		WHERE (:days = 0 OR window_days = :days) AND (:at IS NULL OR as_of = :at)
		ORDER BY as_of DESC, computed_at DESC, id DESC LIMIT 1`, sql.Named("days", days), sql.Named("at", at)))
	if errors.Is(err, sql.ErrNoRows) {
		switch {
		case days == 0:
			return r, fmt.Errorf("%w in %s: run activity-extractor score", ErrNoScores, s.path)
		case at.Valid:
			return r, fmt.Errorf("%w for the %d-day window ending at %s in %s: run activity-extractor score --window %s --as-of %s",
				ErrNoScores, days, asOf.UTC().Format(time.RFC3339), s.path, activity.FormatWindowDays(days), asOf.UTC().Format(time.RFC3339))
		}
		return r, fmt.Errorf("%w for a %d-day window in %s: run activity-extractor score --window %s", ErrNoScores, days, s.path, activity.FormatWindowDays(days))
	}
	return r, err
}

// ScoreRunByID returns one run.
func (s *DB) ScoreRunByID(ctx context.Context, id int64) (activity.ScoreRun, error) {
	r, err := s.scanScoreRun(s.sql.QueryRowContext(ctx, `SELECT id, as_of, window_days, computed_at, coverage FROM score_runs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("score run %d: %w", id, ErrNoScores)
	}
	return r, err
}

func (s *DB) scanScoreRun(row *sql.Row) (activity.ScoreRun, error) {
	var r activity.ScoreRun
	var asOf, computed int64
	var cov string
	if err := row.Scan(&r.ID, &asOf, &r.Days, &computed, &cov); err != nil {
		return r, err
	}
	r.AsOf, r.ComputedAt = time.Unix(asOf, 0).UTC(), time.Unix(computed, 0).UTC()
	if err := json.Unmarshal([]byte(cov), &r.Coverage); err != nil {
		return r, fmt.Errorf("score run %d: coverage: %w", r.ID, err)
	}
	return r, nil
}

// PrincipalScores returns the principals of a run that the filter selects,
// dormant first, then by OPS from high to low (unscored last), then by ARN,
// each with its resources and its denied attempts.
func (s *DB) PrincipalScores(ctx context.Context, runID int64, f ScoreFilter) ([]activity.PrincipalScore, error) {
	where := []string{"ps.run_id = ?"}
	args := []any{runID}
	if f.PrincipalARN != "" {
		where, args = append(where, "p.arn = ?"), append(args, f.PrincipalARN)
	}
	where, args = inList(where, args, "p.account_id", f.Accounts)
	where, args = inList(where, args, "p.kind", f.Kinds)
	for _, b := range []struct {
		bound *float64
		cond  string
	}{{f.MinOPS, "ps.ops >= ?"}, {f.MaxOPS, "ps.ops <= ?"}, {f.MinResourceOPS, "ps.resource_ops >= ?"}, {f.MaxResourceOPS, "ps.resource_ops <= ?"}} {
		if b.bound != nil {
			where, args = append(where, b.cond), append(args, *b.bound)
		}
	}
	where, args = inList(where, args, "ps.na_reason", f.NAReasons)
	if !f.LastActivityBefore.IsZero() {
		where, args = append(where, "(ps.last_activity_at IS NULL OR ps.last_activity_at < ?)"), append(args, f.LastActivityBefore.Unix())
	}
	if f.Resource != "" {
		where = append(where, `EXISTS (SELECT 1 FROM resource_scores rs JOIN resources r ON r.id = rs.resource_id
			WHERE rs.run_id = ps.run_id AND rs.principal_id = ps.principal_id AND r.arn = ?)`)
		args = append(args, f.Resource)
	}
	if f.DormantOnly {
		where = append(where, "ps.dormant = 1")
	}
	if len(f.ResourceKinds) > 0 {
		sub, subArgs := inList(nil, nil, "r.kind", f.ResourceKinds)
		where = append(where, `EXISTS (SELECT 1 FROM resource_scores rs JOIN resources r ON r.id = rs.resource_id
			WHERE rs.run_id = ps.run_id AND rs.principal_id = ps.principal_id AND `+sub[0]+`)`)
		args = append(args, subArgs...)
	}
	// The WHERE clause is assembled from fixed fragments; every value is a parameter.
	rows, err := s.sql.QueryContext(ctx, `SELECT p.id, p.arn, p.kind, p.account_id, p.name, p.created_at,
			ps.monitored, ps.ops, ps.resource_ops, coalesce(ps.na_reason, ''), ps.dormant, ps.last_activity_at, ps.observed_since, ps.notes,
			ps.service_ops, ps.permission_ops
		FROM principal_scores ps JOIN principals p ON p.id = ps.principal_id
		WHERE `+strings.Join(where, " AND ")+`
		ORDER BY ps.dormant DESC, ps.ops IS NULL, ps.ops DESC, p.arn`, args...)
	if err != nil {
		return nil, err
	}
	var out []activity.PrincipalScore
	index := map[int64]int{}
	for rows.Next() {
		var p activity.PrincipalScore
		var created, last, since sql.NullInt64
		var ops, rops, sops, pops sql.NullFloat64
		var monitored, dormant int
		var notes string
		if err := rows.Scan(&p.ID, &p.ARN, &p.Kind, &p.AccountID, &p.Name, &created, &monitored, &ops, &rops, &p.NAReason, &dormant,
			&last, &since, &notes, &sops, &pops); err != nil {
			rows.Close()
			return nil, err
		}
		p.CreatedAt = unixOrZero(created)
		p.Monitored, p.Dormant = monitored == 1, dormant == 1
		p.OPS, p.ResourceOPS = floatPtr(ops), floatPtr(rops)
		p.ServiceOPS, p.PermissionOPS = floatPtr(sops), floatPtr(pops)
		p.LastActivityAt, p.ObservedSince = timePtr(last), timePtr(since)
		if err := json.Unmarshal([]byte(notes), &p.Notes); err != nil {
			rows.Close()
			return nil, fmt.Errorf("notes of %s: %w", p.ARN, err)
		}
		index[p.ID] = len(out)
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	return out, s.attachResourceScores(ctx, runID, f, out, index)
}

func (s *DB) attachResourceScores(ctx context.Context, runID int64, f ScoreFilter, out []activity.PrincipalScore, index map[int64]int) error {
	// Principals are asked for in chunks, so that the primary key (run,
	// principal, resource) serves each lookup however large the run is.
	const chunk = 500
	for lo := 0; lo < len(out); lo += chunk {
		ids := make([]string, 0, chunk)
		for _, p := range out[lo:min(lo+chunk, len(out))] {
			ids = append(ids, strconv.FormatInt(p.ID, 10))
		}
		where, args := inList([]string{"rs.run_id = ?"}, []any{runID}, "rs.principal_id", ids)
		where, args = inList(where, args, "r.kind", f.ResourceKinds)
		if f.Resource != "" {
			where, args = append(where, "r.arn = ?"), append(args, f.Resource)
		}
		if err := s.scanResourceScores(ctx, where, args, out, index); err != nil {
			return err
		}
		where, args = inList([]string{"d.run_id = ?"}, []any{runID}, "d.principal_id", ids)
		if err := s.scanDeniedScores(ctx, where, args, out, index); err != nil {
			return err
		}
		where, args = inList([]string{"x.run_id = ?"}, []any{runID}, "x.principal_id", ids)
		if err := s.scanServiceScores(ctx, where, args, out, index); err != nil {
			return err
		}
		if err := s.scanFindings(ctx, where, args, out, index); err != nil {
			return err
		}
		if err := s.scanCredentialScores(ctx, where, args, out, index); err != nil {
			return err
		}
	}
	return nil
}

func (s *DB) scanDeniedScores(ctx context.Context, where []string, args []any, out []activity.PrincipalScore, index map[int64]int) error {
	rows, err := s.sql.QueryContext(ctx, `SELECT d.principal_id, d.action, d.error_code, d.count, d.last_at,
			r.id, r.arn, r.kind, r.account_id, r.region, r.name
		FROM denied_scores d LEFT JOIN resources r ON r.id = d.resource_id
		WHERE `+strings.Join(where, " AND ")+`
		ORDER BY d.principal_id, d.count DESC, d.last_at DESC, d.action, r.arn, d.error_code`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var pid int64
		d, err := scanDenied(rows, &pid)
		if err != nil {
			return err
		}
		if i, ok := index[pid]; ok {
			out[i].Denied = append(out[i].Denied, d)
		}
	}
	return rows.Err()
}

func (s *DB) scanResourceScores(ctx context.Context, where []string, args []any, out []activity.PrincipalScore, index map[int64]int) error {
	rows, err := s.sql.QueryContext(ctx, `SELECT rs.principal_id, r.id, r.arn, r.kind, r.account_id, r.region, r.name,
			rs.ops, rs.granted_actions, rs.used_actions, rs.conditional, rs.last_used_at
		FROM resource_scores rs JOIN resources r ON r.id = rs.resource_id
		WHERE `+strings.Join(where, " AND ")+`
		ORDER BY rs.principal_id, rs.ops IS NULL, rs.ops DESC, r.arn`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var pid int64
		var r activity.ResourceScore
		var ops sql.NullFloat64
		var granted, used, cond string
		var last sql.NullInt64
		if err := rows.Scan(&pid, &r.ID, &r.ARN, &r.Kind, &r.AccountID, &r.Region, &r.Name, &ops, &granted, &used, &cond, &last); err != nil {
			return err
		}
		i, ok := index[pid]
		if !ok {
			continue
		}
		r.OPS, r.LastUsedAt = floatPtr(ops), timePtr(last)
		r.GrantedActions, r.UsedActions, r.ConditionalActions = strings.Fields(granted), strings.Fields(used), strings.Fields(cond)
		out[i].Resources = append(out[i].Resources, r)
	}
	return rows.Err()
}

// KeyActivities returns the KMS keys of a run, by ARN.
func (s *DB) KeyActivities(ctx context.Context, runID int64) ([]activity.KeyActivity, error) {
	rows, err := s.sql.QueryContext(ctx, `SELECT r.id, r.arn, r.kind, r.account_id, r.region, r.name, k.last_activity_at, k.last_viewed_at
		FROM key_activity k JOIN resources r ON r.id = k.resource_id WHERE k.run_id = ? ORDER BY r.arn`, runID)
	return scanKeyActivities(rows, err)
}

// LoadScores returns a run with all its principals and keys.
func (s *DB) LoadScores(ctx context.Context, run activity.ScoreRun, f ScoreFilter) (*activity.Scores, error) {
	ps, err := s.PrincipalScores(ctx, run.ID, f)
	if err != nil {
		return nil, err
	}
	keys, err := s.KeyActivities(ctx, run.ID)
	if err != nil {
		return nil, err
	}
	return &activity.Scores{Run: run, Principals: ps, KMSKeys: keys}, nil
}

// inList adds "column IN (?, ?, ...)" for a non-empty list of values.
func inList(where []string, args []any, column string, values []string) ([]string, []any) {
	if len(values) == 0 {
		return where, args
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(values)), ", ")
	for _, v := range values {
		args = append(args, v)
	}
	return append(where, column+" IN ("+marks+")"), args
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func unixPtr(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return nullUnix(*t)
}

func timePtr(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := time.Unix(v.Int64, 0).UTC()
	return &t
}

func floatPtr(v sql.NullFloat64) *float64 {
	if !v.Valid {
		return nil
	}
	return &v.Float64
}

// FindKey finds a KMS key by its ARN, its id, an alias ARN, or an alias name
// (alias/NAME) that only one known key has.
func (s *DB) FindKey(ctx context.Context, ref string) (activity.Resource, error) {
	if strings.Contains(ref, ":alias/") {
		keyARN, err := s.KMSKeyForAlias(ctx, ref)
		if err != nil {
			return activity.Resource{}, err
		}
		ref = keyARN
	} else if strings.HasPrefix(ref, "alias/") {
		rows, err := s.sql.QueryContext(ctx, `SELECT DISTINCT key_arn FROM kms_aliases WHERE name = ? ORDER BY key_arn`, ref)
		if err != nil {
			return activity.Resource{}, err
		}
		var keys []string
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return activity.Resource{}, err
			}
			keys = append(keys, k)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return activity.Resource{}, err
		}
		switch len(keys) {
		case 0:
			return activity.Resource{}, fmt.Errorf("KMS alias %s: %w", ref, ErrNotFound)
		case 1:
			ref = keys[0]
		default:
			return activity.Resource{}, fmt.Errorf("%s names %d keys in different accounts or regions (%s); give the alias ARN", ref, len(keys), strings.Join(keys, ", "))
		}
	}
	var r activity.Resource
	err := s.sql.QueryRowContext(ctx, `SELECT id, arn, kind, account_id, region, name FROM resources
		WHERE kind = ? AND (arn = ? OR name = ?) ORDER BY arn LIMIT 1`, activity.KindKMSKey, ref, ref).
		Scan(&r.ID, &r.ARN, &r.Kind, &r.AccountID, &r.Region, &r.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("KMS key %s: %w", ref, ErrNotFound)
	}
	return r, err
}

// KeyActivityOf returns one key's activity in a run; ErrNotFound when the run
// did not include it.
func (s *DB) KeyActivityOf(ctx context.Context, runID int64, key activity.Resource) (activity.KeyActivity, error) {
	k := activity.KeyActivity{Resource: key}
	var last, viewed sql.NullInt64
	err := s.sql.QueryRowContext(ctx, `SELECT last_activity_at, last_viewed_at FROM key_activity WHERE run_id = ? AND resource_id = ?`,
		runID, key.ID).Scan(&last, &viewed)
	if errors.Is(err, sql.ErrNoRows) {
		return k, fmt.Errorf("KMS key %s in score run %d: %w", key.ARN, runID, ErrNotFound)
	}
	k.LastActivityAt, k.LastViewedAt = timePtr(last), timePtr(viewed)
	return k, err
}

// scanKeyActivities reads rows of (key columns, last activity, last viewed).
func scanKeyActivities(rows *sql.Rows, err error) ([]activity.KeyActivity, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []activity.KeyActivity
	for rows.Next() {
		var k activity.KeyActivity
		var last, viewed sql.NullInt64
		if err := rows.Scan(&k.ID, &k.ARN, &k.Kind, &k.AccountID, &k.Region, &k.Name, &last, &viewed); err != nil {
			return nil, err
		}
		k.LastActivityAt, k.LastViewedAt = timePtr(last), timePtr(viewed)
		out = append(out, k)
	}
	return out, rows.Err()
}

// nullString is s, or NULL when empty.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
