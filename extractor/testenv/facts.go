package testenv

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"
)

// FactQueries read every fact the extract step keeps, ids replaced by ARNs
// (and sets of seconds by their encoding in hexadecimal)
// and rows in a fixed order, so that two databases can be compared however
// their rows were written: the usage tables of both engines, then the
// principals and resources they name.
var FactQueries = []string{
	`SELECT p.arn, r.arn, u.action, u.day, u.first_used_at, u.last_used_at, u.count, hex(u.seconds) FROM usage_actions u
		JOIN principals p ON p.id = u.principal_id JOIN resources r ON r.id = u.resource_id ORDER BY 1, 2, 3, 4`,
	`SELECT p.arn, coalesce(r.arn, ''), u.action, u.error_code, u.day, u.first_at, u.last_at, u.count, hex(u.seconds) FROM usage_failures u
		JOIN principals p ON p.id = u.principal_id LEFT JOIN resources r ON r.id = u.resource_id ORDER BY 1, 2, 3, 4, 5`,
	`SELECT p.arn, p.kind, u.day, u.first_at, u.last_at, hex(u.seconds) FROM usage_principal_days u JOIN principals p ON p.id = u.principal_id ORDER BY 1, 3`,
	`SELECT p.arn, u.session_name, u.source_identity, coalesce(q.arn, ''), u.first_at, u.last_at FROM usage_sessions u
		JOIN principals p ON p.id = u.role_id LEFT JOIN principals q ON q.id = u.person_id ORDER BY 1, 2, 3`,
	`SELECT r.arn, u.day, u.last_activity_at, coalesce(u.last_crypto_at, 0), hex(u.activity_seconds), hex(u.crypto_seconds) FROM usage_key_days u JOIN resources r ON r.id = u.resource_id ORDER BY 1, 2`,
	// Without the number of records read, which counts a duplicate
	// delivery again.
	`SELECT account_id, region, day FROM usage_observed ORDER BY 1, 2, 3`,
	`SELECT p.arn, u.session_name, u.day, u.first_at, u.last_at, hex(u.seconds) FROM usage_session_days u JOIN principals p ON p.id = u.role_id ORDER BY 1, 2, 3`,
	`SELECT p.arn, u.session_name, r.arn, u.action, u.day, u.first_used_at, u.last_used_at, hex(u.seconds) FROM usage_session_actions u
		JOIN principals p ON p.id = u.role_id JOIN resources r ON r.id = u.resource_id ORDER BY 1, 2, 3, 4, 5`,
	`SELECT p.arn, u.session_name, u.action, u.day, u.first_used_at, u.last_used_at, hex(u.seconds) FROM usage_service_actions u
		JOIN principals p ON p.id = u.principal_id ORDER BY 1, 2, 3, 4`,
	`SELECT p.arn, u.credential, u.day, u.first_used_at, u.last_used_at, hex(u.seconds) FROM usage_credentials u
		JOIN principals p ON p.id = u.principal_id ORDER BY 1, 2, 3`,
	`SELECT p.arn, u.session_name, q.arn, u.day FROM saml_signins u JOIN principals p ON p.id = u.role_id JOIN principals q ON q.id = u.person_id ORDER BY 1, 2, 3, 4`,
	`SELECT arn, kind, account_id, name FROM principals ORDER BY 1`,
	`SELECT arn, kind, account_id, region, name FROM resources ORDER BY 1`,
}

// Facts renders the rows of every query of FactQueries, each query's rows
// closed by a line "--".
func Facts(t testing.TB, db *sql.DB) string {
	t.Helper()
	var b strings.Builder
	for _, q := range FactQueries {
		b.WriteString(Rows(t, db, q))
		b.WriteString("--\n")
	}
	return b.String()
}

// Rows renders the rows a query returns, a line each.
func Rows(t testing.TB, db *sql.DB, query string) string {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatalf("%v\n%s", err, query)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var b strings.Builder
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(&b, vals...)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
