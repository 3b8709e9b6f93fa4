package extract_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// snapshot renders every fact the extractor keeps, ids replaced by ARNs, so
// two databases can be compared whatever order rows were written in.
func snapshot(t *testing.T, db *store.DB) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT p.arn, r.arn, u.action, u.day, u.first_used_at, u.last_used_at, u.count FROM usage_actions u
			JOIN principals p ON p.id = u.principal_id JOIN resources r ON r.id = u.resource_id ORDER BY 1, 2, 3, 4`,
		`SELECT p.arn, coalesce(r.arn, ''), f.action, f.error_code, f.day, f.first_at, f.last_at, f.count FROM usage_failures f
			JOIN principals p ON p.id = f.principal_id LEFT JOIN resources r ON r.id = f.resource_id ORDER BY 1, 2, 3, 4, 5`,
		`SELECT p.arn, a.day, a.first_at, a.last_at FROM usage_principal_days a JOIN principals p ON p.id = a.principal_id ORDER BY 1, 2`,
		`SELECT r.arn, k.day, k.last_activity_at, coalesce(k.last_crypto_at, 0) FROM usage_key_days k JOIN resources r ON r.id = k.resource_id ORDER BY 1, 2`,
		`SELECT p.arn, s.session_name, s.source_identity, coalesce(q.arn, ''), s.first_at, s.last_at FROM usage_sessions s
			JOIN principals p ON p.id = s.role_id LEFT JOIN principals q ON q.id = s.person_id ORDER BY 1, 2, 3`,
		`SELECT account_id, region, day FROM usage_observed ORDER BY 1, 2, 3`,
		`SELECT arn, kind, account_id, name FROM principals ORDER BY 1`,
		`SELECT arn, kind, account_id, region, name FROM resources ORDER BY 1`,
	} {
		rows, err := db.SQL().Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(&b, vals...)
		}
		rows.Close()
		b.WriteString("--\n")
	}
	return b.String()
}
