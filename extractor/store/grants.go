package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// GrantSink receives grants to store; see ReplaceGrants.
type GrantSink interface {
	// Put records that the principal may perform actions on the resource,
	// conditional being those granted only under a condition. Both are in
	// catalog spelling and sorted.
	Put(ctx context.Context, principalARN, resourceARN string, actions, conditional []string) error
}

type grantWriter struct {
	tx         *sql.Tx
	insGrant   *sql.Stmt
	insSet     *sql.Stmt
	principals map[string]int64
	resources  map[string]int64
	sets       map[string]int64
}

// ReplaceGrants replaces every grant with those fill puts, in one
// transaction: readers see the old grants until the new ones are complete.
// Principals and resources must exist already (discovery records them).
func (s *DB) ReplaceGrants(ctx context.Context, fill func(GrantSink) error) error {
	return s.replaceGranted(ctx, "grants", true, func(w *grantWriter) (err error) {
		w.insGrant, err = w.tx.PrepareContext(ctx, `INSERT INTO grants (principal_id, resource_id, actions_id, conditional_id) VALUES (?, ?, ?, ?)`)
		if err == nil {
			defer w.insGrant.Close()
			err = fill(w)
		}
		return err
	})
}

// replaceGranted replaces the rows of table, which names its actions by
// grant_action_sets, in one transaction: it empties the table, has write
// fill it through a writer that knows the ids of principals (and resources
// when asked) and of the action sets, and drops the sets nothing refers to
// any more.
func (s *DB) replaceGranted(ctx context.Context, table string, withResources bool, write func(*grantWriter) error) error {
	tx, err := s.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	w := &grantWriter{tx: tx, principals: map[string]int64{}, resources: map[string]int64{}, sets: map[string]int64{}}
	if err := loadIDs(ctx, tx, `SELECT arn, id FROM principals`, w.principals); err != nil {
		return err
	}
	if withResources {
		if err := loadIDs(ctx, tx, `SELECT arn, id FROM resources`, w.resources); err != nil {
			return err
		}
	}
	if err := loadIDs(ctx, tx, `SELECT actions, id FROM grant_action_sets`, w.sets); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+table); err != nil {
		return err
	}
	if w.insSet, err = tx.PrepareContext(ctx, `INSERT INTO grant_action_sets (actions) VALUES (?) RETURNING id`); err != nil {
		return err
	}
	defer w.insSet.Close()
	if err := write(w); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM grant_action_sets WHERE id NOT IN (SELECT actions_id FROM grants)
		AND id NOT IN (SELECT conditional_id FROM grants WHERE conditional_id IS NOT NULL)
		AND id NOT IN (SELECT actions_id FROM service_grants)
		AND id NOT IN (SELECT actions_id FROM findings WHERE actions_id IS NOT NULL)`); err != nil {
		return err
	}
	return tx.Commit()
}

func loadIDs(ctx context.Context, tx *sql.Tx, query string, into map[string]int64) error {
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var id int64
		if err := rows.Scan(&k, &id); err != nil {
			return err
		}
		into[k] = id
	}
	return rows.Err()
}

func (w *grantWriter) set(ctx context.Context, actions []string) (sql.NullInt64, error) {
	if len(actions) == 0 {
		return sql.NullInt64{}, nil
	}
	key := strings.Join(actions, " ")
	if id, ok := w.sets[key]; ok {
		return sql.NullInt64{Int64: id, Valid: true}, nil
	}
	var id int64
	if err := w.insSet.QueryRowContext(ctx, key).Scan(&id); err != nil {
		return sql.NullInt64{}, fmt.Errorf("record action set: %w", err)
	}
	w.sets[key] = id
	return sql.NullInt64{Int64: id, Valid: true}, nil
}

func (w *grantWriter) Put(ctx context.Context, principalARN, resourceARN string, actions, conditional []string) error {
	p, ok := w.principals[principalARN]
	if !ok {
		return fmt.Errorf("grant to %s: principal not recorded", principalARN)
	}
	r, ok := w.resources[resourceARN]
	if !ok {
		return fmt.Errorf("grant on %s: resource not recorded", resourceARN)
	}
	a, err := w.set(ctx, actions)
	if err != nil {
		return err
	}
	if !a.Valid {
		return nil
	}
	c, err := w.set(ctx, conditional)
	if err != nil {
		return err
	}
	if _, err := w.insGrant.ExecContext(ctx, p, r, a.Int64, c); err != nil {
		return fmt.Errorf("record grant of %s on %s: %w", principalARN, resourceARN, err)
	}
	return nil
}

// GrantRow is one stored grant.
type GrantRow struct {
	PrincipalARN string
	ResourceARN  string
	ResourceKind string
	Actions      []string
	Conditional  []string
}

// Grants lists the stored grants, of one principal when principalARN is not
// empty, ordered by principal and resource ARN.
func (s *DB) Grants(ctx context.Context, principalARN string) ([]GrantRow, error) {
	q := `SELECT p.arn, r.arn, r.kind, a.actions, coalesce(c.actions, '')
		FROM grants g
		JOIN principals p ON p.id = g.principal_id
		JOIN resources r ON r.id = g.resource_id
		JOIN grant_action_sets a ON a.id = g.actions_id
		LEFT JOIN grant_action_sets c ON c.id = g.conditional_id`
	var args []any
	if principalARN != "" {
		q += ` WHERE p.arn = ?`
		args = append(args, principalARN)
	}
	q += ` ORDER BY p.arn, r.arn`
	var out []GrantRow
	err := s.eachEntitlementRow(ctx, q, func(rows *sql.Rows) error {
		var g GrantRow
		var a, c string
		if err := rows.Scan(&g.PrincipalARN, &g.ResourceARN, &g.ResourceKind, &a, &c); err != nil {
			return err
		}
		g.Actions = strings.Fields(a)
		g.Conditional = strings.Fields(c)
		out = append(out, g)
		return nil
	}, args...)
	return out, err
}

// GrantsOf lists the grants of one principal, by its row id, ordered by
// resource ARN: what scoring compares with use.
func (s *DB) GrantsOf(ctx context.Context, principalID int64) ([]activity.Grant, error) {
	var out []activity.Grant
	err := s.eachEntitlementRow(ctx, `SELECT r.id, r.arn, r.kind, r.account_id, r.region, r.name, a.actions, coalesce(c.actions, '')
		FROM grants g
		JOIN resources r ON r.id = g.resource_id
		JOIN grant_action_sets a ON a.id = g.actions_id
		LEFT JOIN grant_action_sets c ON c.id = g.conditional_id
		WHERE g.principal_id = ?
		ORDER BY r.arn`, func(rows *sql.Rows) error {
		var g activity.Grant
		var a, c string
		if err := rows.Scan(&g.Resource.ID, &g.Resource.ARN, &g.Resource.Kind, &g.Resource.AccountID, &g.Resource.Region, &g.Resource.Name, &a, &c); err != nil {
			return err
		}
		g.Actions = strings.Fields(a)
		g.Conditional = strings.Fields(c)
		out = append(out, g)
		return nil
	}, principalID)
	if err != nil {
		return nil, fmt.Errorf("grants of principal %d: %w", principalID, err)
	}
	return out, nil
}
