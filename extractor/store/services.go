package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// ServiceActionsOf lists every action of any service the principal
// performed successfully up to as_of, with its latest use, and whether one
// was inside the window: the actions on none of the scored kinds from
// usage_service_actions, the others from usage_actions. A person's list
// includes the calls of the role sessions a SAML sign-in issued them whose
// events did not name them.
func (s *DB) ServiceActionsOf(ctx context.Context, principalID int64, w activity.Window) ([]activity.ActionLastUse, error) {
	args := []any{sql.Named("p", principalID), sql.Named("d1", w.LastDay()), sql.Named("start", w.Start().Unix()), sql.Named("asof", w.AsOf.Unix())}
	var lists [][]activity.ActionLastUse
	for _, q := range []struct{ what, from string }{
		{"service actions", `FROM usage_service_actions u WHERE u.principal_id = :p AND u.session_name = '' AND u.day <= :d1`},
		{"actions on scored resources", `FROM usage_actions u WHERE u.principal_id = :p AND u.day <= :d1`},
		{"session service actions", `FROM (` + personSessionDays + `) x
			JOIN usage_service_actions u ON u.principal_id = x.role_id AND u.session_name = x.session_name AND u.day = x.day
			WHERE u.day <= :d1`},
		{"session actions on scored resources", `FROM (` + personSessionDays + `) x
			JOIN usage_session_actions u ON u.role_id = x.role_id AND u.session_name = x.session_name AND u.day = x.day
			WHERE u.day <= :d1`},
	} {
		l, err := scanActionLastUses(s.sql.QueryContext(ctx, `SELECT u.action,
				max(`+lastUpTo("u.seconds", "u.day", "u.first_used_at", "u.last_used_at")+`),
				coalesce(max(`+inWindow("u.seconds", "u.day", "u.first_used_at", "u.last_used_at")+`), 0)
			`+q.from+` GROUP BY u.action`, args...))
		if err != nil {
			return nil, fmt.Errorf("%s of principal %d: %w", q.what, principalID, err)
		}
		lists = append(lists, l)
	}
	return MergeActionLastUses(lists...), nil
}

// MergeActionLastUses merges lists of actions' last uses: per action, the
// latest use, and in the window when one list says so. The result is sorted
// by action.
func MergeActionLastUses(lists ...[]activity.ActionLastUse) []activity.ActionLastUse {
	at := map[string]int{}
	var out []activity.ActionLastUse
	for _, l := range lists {
		for _, u := range l {
			i, ok := at[u.Action]
			if !ok {
				at[u.Action] = len(out)
				out = append(out, u)
				continue
			}
			if u.LastUsedAt.After(out[i].LastUsedAt) {
				out[i].LastUsedAt = u.LastUsedAt
			}
			out[i].InWindow = out[i].InWindow || u.InWindow
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Action < out[j].Action })
	return out
}

func scanActionLastUses(rows *sql.Rows, err error) ([]activity.ActionLastUse, error) {
	if err != nil {
		return nil, err
	}
	return scanLastUses(rows, func(action string, at time.Time, in bool) activity.ActionLastUse {
		return activity.ActionLastUse{Action: action, LastUsedAt: at, InWindow: in}
	})
}

// scanLastUses reads rows of (name, latest use up to as_of, whether a use
// was inside the window), leaving out names used only after as_of.
func scanLastUses[T any](rows *sql.Rows, use func(name string, at time.Time, inWindow bool) T) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		var name string
		var last sql.NullInt64
		var in int
		if err := rows.Scan(&name, &last, &in); err != nil {
			return nil, err
		}
		if !last.Valid {
			continue // used only after as_of
		}
		out = append(out, use(name, time.Unix(last.Int64, 0).UTC(), in == 1))
	}
	return out, rows.Err()
}

// ServiceGrantSink receives the actions a principal is granted in each
// service; see ReplaceServiceGrants.
type ServiceGrantSink interface {
	// Put records the actions, in catalog spelling and sorted, that the
	// principal is granted in the service.
	Put(ctx context.Context, principalARN, service string, actions []string) error
}

type serviceGrantWriter struct {
	*grantWriter
	ins *sql.Stmt
}

// ReplaceServiceGrants replaces every principal's granted actions per
// service with those fill puts, in one transaction.
func (s *DB) ReplaceServiceGrants(ctx context.Context, fill func(ServiceGrantSink) error) error {
	return s.replaceGranted(ctx, "service_grants", false, func(gw *grantWriter) (err error) {
		w := &serviceGrantWriter{grantWriter: gw}
		w.ins, err = gw.tx.PrepareContext(ctx, `INSERT INTO service_grants (principal_id, service, actions_id) VALUES (?, ?, ?)`)
		if err == nil {
			defer w.ins.Close()
			err = fill(w)
		}
		return err
	})
}

func (w *serviceGrantWriter) Put(ctx context.Context, principalARN, service string, actions []string) error {
	p, ok := w.principals[principalARN]
	if !ok {
		return fmt.Errorf("service grant to %s: principal not recorded", principalARN)
	}
	a, err := w.set(ctx, actions)
	if err != nil || !a.Valid {
		return err
	}
	if _, err := w.ins.ExecContext(ctx, p, service, a.Int64); err != nil {
		return fmt.Errorf("record grant of %s actions to %s: %w", service, principalARN, err)
	}
	return nil
}

// ServiceGrantsOf lists the actions granted to a principal, by its row id,
// per service: service → actions in catalog spelling, sorted.
func (s *DB) ServiceGrantsOf(ctx context.Context, principalID int64) (map[string][]string, error) {
	out := map[string][]string{}
	err := s.eachEntitlementRow(ctx, `SELECT g.service, a.actions FROM service_grants g
		JOIN grant_action_sets a ON a.id = g.actions_id WHERE g.principal_id = ?`, func(rows *sql.Rows) error {
		var svc, actions string
		if err := rows.Scan(&svc, &actions); err != nil {
			return err
		}
		out[svc] = strings.Fields(actions)
		return nil
	}, principalID)
	if err != nil {
		return nil, fmt.Errorf("service grants of principal %d: %w", principalID, err)
	}
	return out, nil
}

func (s *DB) scanServiceScores(ctx context.Context, where []string, args []any, out []activity.PrincipalScore, index map[int64]int) error {
	rows, err := s.sql.QueryContext(ctx, `SELECT x.principal_id, x.service, x.granted, x.used_actions, x.last_used_at
		FROM service_scores x WHERE `+strings.Join(where, " AND ")+` ORDER BY x.principal_id, x.service`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var pid int64
		var sv activity.ServiceScore
		var used string
		var last sql.NullInt64
		if err := rows.Scan(&pid, &sv.Service, &sv.Granted, &used, &last); err != nil {
			return err
		}
		if i, ok := index[pid]; ok {
			sv.UsedActions, sv.LastUsedAt = strings.Fields(used), timePtr(last)
			out[i].Services = append(out[i].Services, sv)
		}
	}
	return rows.Err()
}

func (s *DB) scanFindings(ctx context.Context, where []string, args []any, out []activity.PrincipalScore, index map[int64]int) error {
	rows, err := s.sql.QueryContext(ctx, `SELECT x.principal_id, x.type, x.service, coalesce(a.actions, ''), x.action_last_used, x.last_used_at,
			x.credential, x.created_at
		FROM findings x LEFT JOIN grant_action_sets a ON a.id = x.actions_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY x.principal_id, x.type DESC, x.service, x.credential`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var pid int64
		var f activity.Finding
		var actions, lastJSON string
		var last, created sql.NullInt64
		if err := rows.Scan(&pid, &f.Type, &f.Service, &actions, &lastJSON, &last, &f.AccessKey, &created); err != nil {
			return err
		}
		f.CreatedAt = timePtr(created)
		i, ok := index[pid]
		if !ok {
			continue
		}
		f.Principal, f.Actions, f.LastUsedAt = out[i].Principal, strings.Fields(actions), timePtr(last)
		var byAction map[string]int64
		if err := json.Unmarshal([]byte(lastJSON), &byAction); err != nil {
			return fmt.Errorf("%s finding of %s: last uses: %w", f.Type, out[i].ARN, err)
		}
		for a, at := range byAction {
			if f.ActionLastUsed == nil {
				f.ActionLastUsed = map[string]time.Time{}
			}
			f.ActionLastUsed[a] = time.Unix(at, 0).UTC()
		}
		out[i].Findings = append(out[i].Findings, f)
	}
	return rows.Err()
}
