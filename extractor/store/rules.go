package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// Rule is a saved constraint on scores.
type Rule struct {
	Name        string
	Description string
	MaxOPS      *float64 // violated above this OPS; nil when the rule does not bound OPS
	// MaxResourceOPS: violated by a principal whose resource_ops is above
	// this; nil when the rule does not bound it.
	MaxResourceOPS *float64
	NoDormant      bool // violated by any dormant principal in scope
	// MaxUnusedRoleDays: violated by a role in scope unused for more than
	// this many whole days; nil when the rule does not bound it.
	MaxUnusedRoleDays *int64
	// MaxUnusedAccessKeyDays: violated by an IAM user in scope holding an
	// active access key unused for more than this many whole days (since its
	// last use, or its creation when never used); nil when not bounded.
	MaxUnusedAccessKeyDays *int64
	Accounts               []string // scope; empty means every account
	Kinds                  []string // principal kinds; empty means every kind
	ResourceKinds          []string // with MaxOPS: bound each resource score of these kinds instead of the principal's OPS
	CreatedAt              time.Time
	UpdatedAt              time.Time
}

const ruleColumns = `name, description, max_ops, max_resource_ops, no_dormant, accounts, kinds, resource_kinds, max_unused_role_days, max_unused_access_key_days, created_at, updated_at`

func ruleArgs(r Rule) ([]any, error) {
	var lists [3]string
	for i, l := range [][]string{r.Accounts, r.Kinds, r.ResourceKinds} {
		b, err := json.Marshal(nonNil(l))
		if err != nil {
			return nil, err
		}
		lists[i] = string(b)
	}
	return []any{r.Name, r.Description, r.MaxOPS, r.MaxResourceOPS, boolInt(r.NoDormant), lists[0], lists[1], lists[2], r.MaxUnusedRoleDays, r.MaxUnusedAccessKeyDays}, nil
}

// CreateRule adds a rule; ErrExists when one has the name already.
func (s *DB) CreateRule(ctx context.Context, r Rule) error {
	args, err := ruleArgs(r)
	if err != nil {
		return err
	}
	now := s.Now().Unix()
	_, err = s.sql.ExecContext(ctx, `INSERT INTO rules (`+ruleColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append(args, now, now)...)
	var se sqlite3.Error
	if errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey {
		return fmt.Errorf("rule %q: %w", r.Name, ErrExists)
	}
	if err != nil {
		return fmt.Errorf("create rule %q: %w", r.Name, err)
	}
	return nil
}

// UpdateRule replaces a rule's settings; ErrNotFound when there is none.
func (s *DB) UpdateRule(ctx context.Context, r Rule) error {
	args, err := ruleArgs(r)
	if err != nil {
		return err
	}
	res, err := s.sql.ExecContext(ctx, `UPDATE rules SET description = ?, max_ops = ?, max_resource_ops = ?, no_dormant = ?, accounts = ?, kinds = ?,
		resource_kinds = ?, max_unused_role_days = ?, max_unused_access_key_days = ?, updated_at = ? WHERE name = ?`, append(args[1:], s.Now().Unix(), r.Name)...)
	if err != nil {
		return fmt.Errorf("update rule %q: %w", r.Name, err)
	}
	return requireOneRow(res, fmt.Sprintf("rule %q", r.Name))
}

// DeleteRule removes a rule; removing one that does not exist is no error.
func (s *DB) DeleteRule(ctx context.Context, name string) error {
	_, err := s.sql.ExecContext(ctx, `DELETE FROM rules WHERE name = ?`, name)
	return err
}

func scanRule(row interface{ Scan(...any) error }) (Rule, error) {
	var r Rule
	var maxOPS, maxResourceOPS sql.NullFloat64
	var noDormant int
	var lists [3]string
	var created, updated int64
	var maxUnusedRoleDays, maxUnusedKeyDays sql.NullInt64
	if err := row.Scan(&r.Name, &r.Description, &maxOPS, &maxResourceOPS, &noDormant, &lists[0], &lists[1], &lists[2], &maxUnusedRoleDays,
		&maxUnusedKeyDays, &created, &updated); err != nil {
		return r, err
	}
	if maxUnusedRoleDays.Valid {
		r.MaxUnusedRoleDays = &maxUnusedRoleDays.Int64
	}
	if maxUnusedKeyDays.Valid {
		r.MaxUnusedAccessKeyDays = &maxUnusedKeyDays.Int64
	}
	r.MaxOPS, r.MaxResourceOPS, r.NoDormant = floatPtr(maxOPS), floatPtr(maxResourceOPS), noDormant == 1
	for i, into := range []*[]string{&r.Accounts, &r.Kinds, &r.ResourceKinds} {
		if err := json.Unmarshal([]byte(lists[i]), into); err != nil {
			return r, fmt.Errorf("rule %q: %w", r.Name, err)
		}
	}
	r.CreatedAt, r.UpdatedAt = time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
	return r, nil
}

// Rule returns one rule, or ErrNotFound.
func (s *DB) Rule(ctx context.Context, name string) (Rule, error) {
	r, err := scanRule(s.sql.QueryRowContext(ctx, `SELECT `+ruleColumns+` FROM rules WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("rule %q: %w", name, ErrNotFound)
	}
	return r, err
}

// Rules returns every rule, by name.
func (s *DB) Rules(ctx context.Context) ([]Rule, error) {
	rows, err := s.sql.QueryContext(ctx, `SELECT `+ruleColumns+` FROM rules ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Rule
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
