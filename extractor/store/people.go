package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// Sources of people's entitlements.
const (
	PeopleSourceOkta = "okta"
	PeopleSourceSSO  = "sso"
)

// PersonRole says that a person may assume a role, and how: Via is "user"
// for a direct assignment, "group:NAME" through a group.
type PersonRole struct {
	Person activity.Principal
	Role   activity.Principal
	Via    string
}

// PeopleLoad counts what ReplacePersonRoles stored.
type PeopleLoad struct {
	People      int
	Roles       int
	Assignments int
}

// ReplacePersonRoles replaces every person → role row of the source with
// rows, in one transaction. People and roles are recorded as principals
// when they are not known yet.
func (s *DB) ReplacePersonRoles(ctx context.Context, source string, rows []PersonRole) (PeopleLoad, error) {
	var n PeopleLoad
	tx, err := s.sql.BeginTx(ctx, nil)
	if err != nil {
		return n, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM person_roles WHERE source = ?`, source); err != nil {
		return n, err
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO person_roles (person_id, role_id, source, via) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	if err != nil {
		return n, err
	}
	defer ins.Close()
	ids := map[string]int64{}
	id := func(p activity.Principal) (int64, error) {
		if v, ok := ids[p.ARN]; ok {
			return v, nil
		}
		v, err := UpsertPrincipal(ctx, tx, p)
		if err != nil {
			return 0, err
		}
		ids[p.ARN] = v
		if p.Kind == activity.KindIAMRole {
			n.Roles++
		} else {
			n.People++
		}
		return v, nil
	}
	for _, r := range rows {
		pid, err := id(r.Person)
		if err != nil {
			return n, err
		}
		if r.Role.ARN == "" {
			// A person with no role assignment: known, and entitled to nothing.
			continue
		}
		rid, err := id(r.Role)
		if err != nil {
			return n, err
		}
		if _, err := ins.ExecContext(ctx, pid, rid, source, r.Via); err != nil {
			return n, fmt.Errorf("record %s may assume %s: %w", r.Person.ARN, r.Role.ARN, err)
		}
		n.Assignments++
	}
	return n, tx.Commit()
}

// PersonRolesOf lists the roles a person may assume by the identity
// provider's assignments or, when none were loaded for the person, the
// roles they were seen using through sessions credited to them.
func (s *DB) PersonRolesOf(ctx context.Context, personID int64) ([]activity.Principal, error) {
	rows, err := s.sql.QueryContext(ctx, `SELECT id, arn, kind, account_id, name, created_at FROM principals WHERE id IN (
			SELECT role_id FROM person_roles WHERE person_id = :p
			UNION SELECT role_id FROM usage_sessions WHERE person_id = :p
				AND NOT EXISTS (SELECT 1 FROM person_roles WHERE person_id = :p))
		AND kind = :role ORDER BY arn`, sql.Named("p", personID), sql.Named("role", activity.KindIAMRole))
	return scanPrincipals(rows, err)
}

// PersonAssignment is one row of person_roles, for listings.
type PersonAssignment struct {
	Person, Role, Source, Via string
}

// PersonAssignments lists person → role rows, by person then role.
func (s *DB) PersonAssignments(ctx context.Context) ([]PersonAssignment, error) {
	rows, err := s.sql.QueryContext(ctx, `SELECT p.arn, r.arn, x.source, x.via FROM person_roles x
		JOIN principals p ON p.id = x.person_id JOIN principals r ON r.id = x.role_id ORDER BY p.arn, r.arn, x.via`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PersonAssignment
	for rows.Next() {
		var a PersonAssignment
		if err := rows.Scan(&a.Person, &a.Role, &a.Source, &a.Via); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// personSessionDays are the days on which a person's SAML sign-ins could
// have issued a session of a role and name: the sign-in's day and the next,
// since a session lasts at most 12 hours.
const personSessionDays = `SELECT role_id, session_name, day FROM saml_signins WHERE person_id = :p
	UNION SELECT role_id, session_name, day + 1 FROM saml_signins WHERE person_id = :p`

// SessionUsesInWindow lists the successful uses inside [start, asOf] of the
// role sessions issued to a person whose calls did not name the person.
func (s *DB) SessionUsesInWindow(ctx context.Context, personID int64, w activity.Window) ([]activity.WindowUse, error) {
	rows, err := s.sql.QueryContext(ctx, `SELECT u.resource_id, u.action,
			max(`+lastUpTo("u.seconds", "u.day", "u.first_used_at", "u.last_used_at")+`)
		FROM (`+personSessionDays+`) x
		JOIN usage_session_actions u ON u.role_id = x.role_id AND u.session_name = x.session_name AND u.day = x.day
		WHERE u.day BETWEEN :d0 AND :d1
			AND `+inWindow("u.seconds", "u.day", "u.first_used_at", "u.last_used_at")+`
		GROUP BY 1, 2`,
		sql.Named("p", personID), sql.Named("d0", w.FirstDay()), sql.Named("d1", w.LastDay()),
		sql.Named("start", w.Start().Unix()), sql.Named("asof", w.AsOf.Unix()))
	return scanWindowUses(rows, err)
}

// SessionActivity returns the latest event up to asOf of the role sessions
// issued to a person whose calls did not name the person, and whether any
// fell inside [start, asOf].
func (s *DB) SessionActivity(ctx context.Context, personID int64, w activity.Window) (*time.Time, bool, error) {
	var last sql.NullInt64
	var active int
	err := s.sql.QueryRowContext(ctx, `SELECT
			max(`+lastUpTo("d.seconds", "d.day", "d.first_at", "d.last_at")+`),
			coalesce(max(`+inWindow("d.seconds", "d.day", "d.first_at", "d.last_at")+`), 0)
		FROM (`+personSessionDays+`) x
		JOIN usage_session_days d ON d.role_id = x.role_id AND d.session_name = x.session_name AND d.day = x.day
		WHERE d.day <= :d1`,
		sql.Named("p", personID), sql.Named("d1", w.LastDay()), sql.Named("start", w.Start().Unix()), sql.Named("asof", w.AsOf.Unix())).
		Scan(&last, &active)
	return timePtr(last), active == 1, err
}

// Roles lists the IAM roles known, by ARN.
func (s *DB) Roles(ctx context.Context) ([]activity.Principal, error) {
	rows, err := s.sql.QueryContext(ctx, `SELECT id, arn, kind, account_id, name, created_at FROM principals WHERE kind = ? ORDER BY arn`, activity.KindIAMRole)
	return scanPrincipals(rows, err)
}
