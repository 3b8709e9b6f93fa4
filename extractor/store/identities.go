package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// Queryer is what the identity helpers need: a *sql.Tx in the write paths, or
// the pool for one-off calls.
type Queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// UpsertPrincipal inserts p, or completes an existing row with what p adds
// (a creation time found by discovery, say), and returns the row id.
func UpsertPrincipal(ctx context.Context, q Queryer, p activity.Principal) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `INSERT INTO principals (arn, kind, account_id, name, created_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (arn) DO UPDATE SET created_at = coalesce(excluded.created_at, principals.created_at)
		RETURNING id`,
		p.ARN, p.Kind, p.AccountID, p.Name, nullUnix(p.CreatedAt)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("record principal %s: %w", p.ARN, err)
	}
	return id, nil
}

// UpsertResource inserts r, or fills the account and region of an existing
// row that lacked them, and returns the row id.
func UpsertResource(ctx context.Context, q Queryer, r activity.Resource) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `INSERT INTO resources (arn, kind, account_id, region, name, canonical_arn)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (arn) DO UPDATE SET
			account_id = CASE WHEN resources.account_id = '' THEN excluded.account_id ELSE resources.account_id END,
			region     = CASE WHEN resources.region = '' THEN excluded.region ELSE resources.region END
		RETURNING id`,
		r.ARN, r.Kind, r.AccountID, r.Region, r.Name, r.Canonical()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("record resource %s: %w", r.ARN, err)
	}
	return id, nil
}

// PrincipalByARN returns the principal with that canonical ARN, or ErrNotFound.
func (s *DB) PrincipalByARN(ctx context.Context, arn string) (activity.Principal, error) {
	var p activity.Principal
	var created sql.NullInt64
	err := s.sql.QueryRowContext(ctx, `SELECT id, arn, kind, account_id, name, created_at FROM principals WHERE arn = ?`, arn).
		Scan(&p.ID, &p.ARN, &p.Kind, &p.AccountID, &p.Name, &created)
	if err == sql.ErrNoRows {
		return activity.Principal{}, fmt.Errorf("principal %s: %w", arn, ErrNotFound)
	}
	p.CreatedAt = unixOrZero(created)
	return p, err
}

// FindPrincipal finds a principal by its canonical ARN or, for people
// federated from an identity provider, by their login (alice@example.com).
func (s *DB) FindPrincipal(ctx context.Context, ref string) (activity.Principal, error) {
	p, err := s.PrincipalByARN(ctx, ref)
	if err == nil || !errors.Is(err, ErrNotFound) || strings.HasPrefix(ref, "arn:") {
		return p, err
	}
	where, args := inList([]string{"name = ?"}, []any{ref}, "kind", activity.PeopleKinds)
	rows, err := s.sql.QueryContext(ctx, `SELECT arn FROM principals WHERE `+strings.Join(where, " AND ")+` ORDER BY arn`, args...)
	if err != nil {
		return activity.Principal{}, err
	}
	var arns []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			rows.Close()
			return activity.Principal{}, err
		}
		arns = append(arns, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return activity.Principal{}, err
	}
	switch len(arns) {
	case 0:
		return activity.Principal{}, fmt.Errorf("principal %s: %w", ref, ErrNotFound)
	case 1:
		return s.PrincipalByARN(ctx, arns[0])
	default:
		return activity.Principal{}, fmt.Errorf("%q names %d principals (%s); give the ARN of one", ref, len(arns), strings.Join(arns, ", "))
	}
}

// ResourceCount is the number of resources of the scored kinds known.
func (s *DB) ResourceCount(ctx context.Context) (int, error) {
	var n int
	err := s.sql.QueryRowContext(ctx, `SELECT count(*) FROM resources`).Scan(&n)
	return n, err
}

// DiscoveredAccounts are the accounts whose IAM discovery loaded.
func (s *DB) DiscoveredAccounts(ctx context.Context) (map[string]bool, error) {
	return querySet[string](ctx, s, `SELECT DISTINCT account_id FROM discovered_principals`)
}

// querySet runs a query of one column and returns its values.
func querySet[T comparable](ctx context.Context, s *DB, query string, args ...any) (map[T]bool, error) {
	rows, err := s.sql.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[T]bool{}
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out[v] = true
	}
	return out, rows.Err()
}

// HasEntitlements tells whether discovery has stored any principal's policies.
func (s *DB) HasEntitlements(ctx context.Context) (bool, error) {
	var n int
	err := s.sql.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM discovered_principals LIMIT 1)`).Scan(&n)
	return n > 0, err
}

// fillCanonicalARNs computes the canonical ARN of the resources stored
// before it was kept.
func (s *DB) fillCanonicalARNs(ctx context.Context) error {
	rows, err := s.sql.QueryContext(ctx, `SELECT id, arn, kind, account_id, region, name FROM resources WHERE canonical_arn = ''`)
	if err != nil {
		return err
	}
	var todo []activity.Resource
	for rows.Next() {
		var r activity.Resource
		if err := rows.Scan(&r.ID, &r.ARN, &r.Kind, &r.AccountID, &r.Region, &r.Name); err != nil {
			rows.Close()
			return err
		}
		todo = append(todo, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(todo) == 0 {
		return err
	}
	tx, err := s.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, r := range todo {
		if _, err := tx.ExecContext(ctx, `UPDATE resources SET canonical_arn = ? WHERE id = ?`, r.Canonical(), r.ID); err != nil {
			return fmt.Errorf("store: %s: canonical ARN of %s: %w", s.path, r.ARN, err)
		}
	}
	return tx.Commit()
}
