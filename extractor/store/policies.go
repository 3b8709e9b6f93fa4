package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// Policy kinds.
const (
	PolicyManaged  = "managed"
	PolicyInline   = "inline"
	PolicyResource = "resource"
	PolicySCP      = "scp"
	PolicyRCP      = "rcp"
)

// Resource policy states.
const (
	ResourcePolicyNone    = "none"    // the resource has no resource policy
	ResourcePolicyKnown   = "known"   // read, in Policy
	ResourcePolicyUnknown = "unknown" // could not be read
)

// PolicyRecord is a stored policy.
type PolicyRecord struct {
	Name     string
	Kind     string
	Document string
}

// DiscoveredPrincipal is a principal with the names of its policies.
type DiscoveredPrincipal struct {
	Principal activity.Principal
	Policies  []string // identity-based policies, by name, in order
	Boundary  string   // permissions boundary's name, or ""
	// Unreadable are the identity policies and permissions boundary that
	// apply but could not be read.
	Unreadable []activity.UnreadablePolicy
}

// DiscoveredResource is a resource with the name of its policy.
type DiscoveredResource struct {
	Resource    activity.Resource
	PolicyState string
	Policy      string // name, when PolicyState is ResourcePolicyKnown
	// PolicyError is what was wrong with a policy that was read but could
	// not be parsed (PolicyState is then ResourcePolicyUnknown).
	PolicyError string
}

// KMSAlias maps an alias to its key.
type KMSAlias struct {
	ARN       string // arn:aws:kms:REGION:ACCOUNT:alias/NAME
	AccountID string
	Region    string
	Name      string // alias/NAME
	KeyARN    string
}

// DiscoveryIssue is something discovery could not read.
type DiscoveryIssue struct {
	AccountID string
	Source    string // the API call or file
	Message   string
}

// AccountEntitlements is everything discovery found in one account.
type AccountEntitlements struct {
	AccountID  string
	Policies   []PolicyRecord // every policy the rest names, once
	Principals []DiscoveredPrincipal
	Resources  []DiscoveredResource
	SCPs, RCPs [][]string // policy names per level
	Aliases    []KMSAlias
	Issues     []DiscoveryIssue
	// UnreadableSCPs and UnreadableRCPs are the organization policies that
	// apply to the account but could not be read.
	UnreadableSCPs, UnreadableRCPs []activity.UnreadablePolicy
	// IdentitiesUnread is set when IAM could not be read this time: the
	// principals and identity policies stored before are kept rather than
	// dropped, so one denied call does not erase an account's grants.
	IdentitiesUnread bool
	// AccessKeys and Passwords are the IAM users' access keys and console
	// passwords; CredentialsRead says they were read (ListAccessKeys, a
	// credential report), and only then do they replace the stored ones.
	AccessKeys      []activity.AccessKey
	Passwords       []activity.ConsolePassword
	CredentialsRead bool
}

// ReplaceEntitlements replaces, in one transaction, what an earlier discovery
// stored for the account. Principals and resources are upserted, never
// deleted: log extraction refers to them too.
func (s *DB) ReplaceEntitlements(ctx context.Context, e AccountEntitlements) error {
	tx, err := s.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	deletes := []string{
		`DELETE FROM discovered_resources WHERE account_id = ?`,
		`DELETE FROM organization_policies WHERE account_id = ?`,
		`DELETE FROM kms_aliases WHERE account_id = ?`,
		`DELETE FROM discovery_issues WHERE account_id = ?`,
		`DELETE FROM unreadable_organization_policies WHERE account_id = ?`,
	}
	if e.IdentitiesUnread {
		deletes = append(deletes, `DELETE FROM policies WHERE account_id = ? AND kind NOT IN ('managed', 'inline')`)
	} else {
		deletes = append([]string{
			`DELETE FROM principal_policies WHERE principal_id IN (SELECT principal_id FROM discovered_principals WHERE account_id = ?)`,
			`DELETE FROM discovered_principals WHERE account_id = ?`,
		}, append(deletes, `DELETE FROM policies WHERE account_id = ?`)...)
	}
	for _, q := range deletes {
		if _, err := tx.ExecContext(ctx, q, e.AccountID); err != nil {
			return fmt.Errorf("replace entitlements of %s: %w", e.AccountID, err)
		}
	}
	insDoc, err := tx.PrepareContext(ctx, `INSERT INTO policy_documents (sha256, document) VALUES (?, ?)
		ON CONFLICT (sha256) DO UPDATE SET sha256 = excluded.sha256 RETURNING id`)
	if err != nil {
		return err
	}
	defer insDoc.Close()
	insPol, err := tx.PrepareContext(ctx, `INSERT INTO policies (account_id, name, kind, document_id) VALUES (?, ?, ?, ?) RETURNING id`)
	if err != nil {
		return err
	}
	defer insPol.Close()
	policyIDs := make(map[string]int64, len(e.Policies))
	if e.IdentitiesUnread {
		rows, err := tx.QueryContext(ctx, `SELECT name, id FROM policies WHERE account_id = ?`, e.AccountID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var name string
			var id int64
			if err := rows.Scan(&name, &id); err != nil {
				rows.Close()
				return err
			}
			policyIDs[name] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	for _, p := range e.Policies {
		if _, dup := policyIDs[p.Name]; dup {
			continue
		}
		sum := sha256.Sum256([]byte(p.Document))
		var docID, id int64
		if err := insDoc.QueryRowContext(ctx, hex.EncodeToString(sum[:]), p.Document).Scan(&docID); err != nil {
			return fmt.Errorf("record policy %s: %w", p.Name, err)
		}
		if err := insPol.QueryRowContext(ctx, e.AccountID, p.Name, p.Kind, docID).Scan(&id); err != nil {
			return fmt.Errorf("record policy %s: %w", p.Name, err)
		}
		policyIDs[p.Name] = id
	}
	ref := func(name string) (sql.NullInt64, error) {
		if name == "" {
			return sql.NullInt64{}, nil
		}
		id, ok := policyIDs[name]
		if !ok {
			return sql.NullInt64{}, fmt.Errorf("policy %q is referred to but not among the account's policies", name)
		}
		return sql.NullInt64{Int64: id, Valid: true}, nil
	}

	insPrin, err := tx.PrepareContext(ctx, `INSERT INTO discovered_principals (principal_id, account_id, boundary_policy_id, unreadable_policies)
		VALUES (?, ?, ?, ?)
		ON CONFLICT (principal_id) DO UPDATE SET account_id = excluded.account_id, boundary_policy_id = excluded.boundary_policy_id,
			unreadable_policies = excluded.unreadable_policies`)
	if err != nil {
		return err
	}
	defer insPrin.Close()
	insPP, err := tx.PrepareContext(ctx, `INSERT INTO principal_policies (principal_id, position, policy_id) VALUES (?, ?, ?)`)
	if err != nil {
		return err
	}
	defer insPP.Close()
	for _, dp := range e.Principals {
		id, err := UpsertPrincipal(ctx, tx, dp.Principal)
		if err != nil {
			return err
		}
		b, err := ref(dp.Boundary)
		if err != nil {
			return fmt.Errorf("%s: %w", dp.Principal.ARN, err)
		}
		// '[]' when all were read: PrincipalsWithUnreadablePolicies looks for it.
		unreadable := []byte("[]")
		if len(dp.Unreadable) > 0 {
			if unreadable, err = json.Marshal(dp.Unreadable); err != nil {
				return err
			}
		}
		if _, err := insPrin.ExecContext(ctx, id, e.AccountID, b, string(unreadable)); err != nil {
			return fmt.Errorf("record %s: %w", dp.Principal.ARN, err)
		}
		for i, name := range dp.Policies {
			pid, err := ref(name)
			if err != nil {
				return fmt.Errorf("%s: %w", dp.Principal.ARN, err)
			}
			if _, err := insPP.ExecContext(ctx, id, i, pid); err != nil {
				return fmt.Errorf("record policies of %s: %w", dp.Principal.ARN, err)
			}
		}
	}

	insRes, err := tx.PrepareContext(ctx, `INSERT INTO discovered_resources (resource_id, account_id, policy_state, policy_id, policy_error) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (resource_id) DO UPDATE SET account_id = excluded.account_id, policy_state = excluded.policy_state, policy_id = excluded.policy_id,
			policy_error = excluded.policy_error`)
	if err != nil {
		return err
	}
	defer insRes.Close()
	for _, dr := range e.Resources {
		id, err := UpsertResource(ctx, tx, dr.Resource)
		if err != nil {
			return err
		}
		pid, err := ref(dr.Policy)
		if err != nil {
			return fmt.Errorf("%s: %w", dr.Resource.ARN, err)
		}
		if _, err := insRes.ExecContext(ctx, id, e.AccountID, dr.PolicyState, pid, dr.PolicyError); err != nil {
			return fmt.Errorf("record %s: %w", dr.Resource.ARN, err)
		}
	}

	insOrg, err := tx.PrepareContext(ctx, `INSERT INTO organization_policies (account_id, kind, level, position, policy_id) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer insOrg.Close()
	for kind, levels := range map[string][][]string{PolicySCP: e.SCPs, PolicyRCP: e.RCPs} {
		for l, names := range levels {
			for i, name := range names {
				pid, err := ref(name)
				if err != nil {
					return err
				}
				if _, err := insOrg.ExecContext(ctx, e.AccountID, kind, l, i, pid); err != nil {
					return fmt.Errorf("record %s %s: %w", kind, name, err)
				}
			}
		}
	}

	insUnreadable, err := tx.PrepareContext(ctx, `INSERT INTO unreadable_organization_policies (account_id, kind, name, error) VALUES (?, ?, ?, ?)
		ON CONFLICT DO UPDATE SET error = excluded.error`)
	if err != nil {
		return err
	}
	defer insUnreadable.Close()
	for kind, list := range map[string][]activity.UnreadablePolicy{PolicySCP: e.UnreadableSCPs, PolicyRCP: e.UnreadableRCPs} {
		for _, u := range list {
			if _, err := insUnreadable.ExecContext(ctx, e.AccountID, kind, u.Policy, u.Error); err != nil {
				return fmt.Errorf("record unreadable %s %s: %w", kind, u.Policy, err)
			}
		}
	}

	insAlias, err := tx.PrepareContext(ctx, `INSERT INTO kms_aliases (arn, account_id, region, name, key_arn) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (arn) DO UPDATE SET key_arn = excluded.key_arn`)
	if err != nil {
		return err
	}
	defer insAlias.Close()
	for _, a := range e.Aliases {
		if _, err := insAlias.ExecContext(ctx, a.ARN, a.AccountID, a.Region, a.Name, a.KeyARN); err != nil {
			return fmt.Errorf("record alias %s: %w", a.ARN, err)
		}
	}
	insIssue, err := tx.PrepareContext(ctx, `INSERT INTO discovery_issues (account_id, source, message, at) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer insIssue.Close()
	now := s.Now().Unix()
	for _, is := range e.Issues {
		if _, err := insIssue.ExecContext(ctx, e.AccountID, is.Source, is.Message, now); err != nil {
			return err
		}
	}
	if err := writeCredentials(ctx, tx, e); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM policy_documents WHERE id NOT IN (SELECT document_id FROM policies)`); err != nil {
		return err
	}
	return tx.Commit()
}

// Entitlements returns what discovery stored, account by account, sorted by
// account id.
func (s *DB) Entitlements(ctx context.Context) ([]AccountEntitlements, error) {
	byAccount := map[string]*AccountEntitlements{}
	get := func(account string) *AccountEntitlements {
		e := byAccount[account]
		if e == nil {
			e = &AccountEntitlements{AccountID: account}
			byAccount[account] = e
		}
		return e
	}
	names := map[int64]string{}
	err := s.eachEntitlementRow(ctx, `SELECT p.id, p.account_id, p.name, p.kind, d.document FROM policies p JOIN policy_documents d ON d.id = p.document_id ORDER BY p.id`,
		func(rows *sql.Rows) error {
			var id int64
			var account string
			var p PolicyRecord
			if err := rows.Scan(&id, &account, &p.Name, &p.Kind, &p.Document); err != nil {
				return err
			}
			names[id] = p.Name
			e := get(account)
			e.Policies = append(e.Policies, p)
			return nil
		})
	if err != nil {
		return nil, err
	}
	principals := map[int64]*DiscoveredPrincipal{}
	var order []int64
	err = s.eachEntitlementRow(ctx, `SELECT p.id, p.arn, p.kind, p.account_id, p.name, p.created_at, d.account_id, d.boundary_policy_id, d.unreadable_policies
		FROM discovered_principals d JOIN principals p ON p.id = d.principal_id ORDER BY p.arn`,
		func(rows *sql.Rows) error {
			var dp DiscoveredPrincipal
			var created, boundary sql.NullInt64
			var account, unreadable string
			if err := rows.Scan(&dp.Principal.ID, &dp.Principal.ARN, &dp.Principal.Kind, &dp.Principal.AccountID, &dp.Principal.Name, &created, &account, &boundary, &unreadable); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(unreadable), &dp.Unreadable); err != nil {
				return fmt.Errorf("unreadable policies of %s: %w", dp.Principal.ARN, err)
			}
			dp.Principal.CreatedAt = unixOrZero(created)
			if boundary.Valid {
				dp.Boundary = names[boundary.Int64]
			}
			principals[dp.Principal.ID] = &dp
			order = append(order, dp.Principal.ID)
			return nil
		})
	if err != nil {
		return nil, err
	}
	err = s.eachEntitlementRow(ctx, `SELECT principal_id, policy_id FROM principal_policies ORDER BY principal_id, position`,
		func(rows *sql.Rows) error {
			var pid, polID int64
			if err := rows.Scan(&pid, &polID); err != nil {
				return err
			}
			if dp := principals[pid]; dp != nil {
				dp.Policies = append(dp.Policies, names[polID])
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	accountOf := map[int64]string{}
	err = s.eachEntitlementRow(ctx, `SELECT principal_id, account_id FROM discovered_principals`, func(rows *sql.Rows) error {
		var id int64
		var a string
		if err := rows.Scan(&id, &a); err != nil {
			return err
		}
		accountOf[id] = a
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, id := range order {
		e := get(accountOf[id])
		e.Principals = append(e.Principals, *principals[id])
	}
	err = s.eachEntitlementRow(ctx, `SELECT r.id, r.arn, r.kind, r.account_id, r.region, r.name, d.account_id, d.policy_state, d.policy_id, d.policy_error
		FROM discovered_resources d JOIN resources r ON r.id = d.resource_id ORDER BY r.arn`,
		func(rows *sql.Rows) error {
			var dr DiscoveredResource
			var account string
			var pol sql.NullInt64
			if err := rows.Scan(&dr.Resource.ID, &dr.Resource.ARN, &dr.Resource.Kind, &dr.Resource.AccountID, &dr.Resource.Region, &dr.Resource.Name, &account, &dr.PolicyState, &pol, &dr.PolicyError); err != nil {
				return err
			}
			if pol.Valid {
				dr.Policy = names[pol.Int64]
			}
			e := get(account)
			e.Resources = append(e.Resources, dr)
			return nil
		})
	if err != nil {
		return nil, err
	}
	err = s.eachEntitlementRow(ctx, `SELECT account_id, kind, level, policy_id FROM organization_policies ORDER BY account_id, kind, level, position`,
		func(rows *sql.Rows) error {
			var account, kind string
			var level int
			var pol int64
			if err := rows.Scan(&account, &kind, &level, &pol); err != nil {
				return err
			}
			e := get(account)
			levels := &e.SCPs
			if kind == PolicyRCP {
				levels = &e.RCPs
			}
			for len(*levels) <= level {
				*levels = append(*levels, nil)
			}
			(*levels)[level] = append((*levels)[level], names[pol])
			return nil
		})
	if err != nil {
		return nil, err
	}
	err = s.eachEntitlementRow(ctx, `SELECT account_id, kind, name, error FROM unreadable_organization_policies ORDER BY account_id, kind, name`,
		func(rows *sql.Rows) error {
			var account, kind string
			var u activity.UnreadablePolicy
			if err := rows.Scan(&account, &kind, &u.Policy, &u.Error); err != nil {
				return err
			}
			e := get(account)
			if kind == PolicyRCP {
				u.Via = "resource control policy of account " + account
				e.UnreadableRCPs = append(e.UnreadableRCPs, u)
			} else {
				u.Via = "service control policy of account " + account
				e.UnreadableSCPs = append(e.UnreadableSCPs, u)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	err = s.eachEntitlementRow(ctx, `SELECT arn, account_id, region, name, key_arn FROM kms_aliases ORDER BY arn`, func(rows *sql.Rows) error {
		var a KMSAlias
		if err := rows.Scan(&a.ARN, &a.AccountID, &a.Region, &a.Name, &a.KeyARN); err != nil {
			return err
		}
		e := get(a.AccountID)
		e.Aliases = append(e.Aliases, a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]AccountEntitlements, 0, len(byAccount))
	for _, e := range byAccount {
		out = append(out, *e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].AccountID < out[j].AccountID })
	return out, nil
}

// KMSKeyForAlias resolves an alias ARN to its key ARN, or ErrNotFound.
func (s *DB) KMSKeyForAlias(ctx context.Context, aliasARN string) (string, error) {
	var key string
	err := s.sql.QueryRowContext(ctx, `SELECT key_arn FROM kms_aliases WHERE arn = ?`, aliasARN).Scan(&key)
	if err == sql.ErrNoRows {
		return "", fmt.Errorf("KMS alias %s: %w", aliasARN, ErrNotFound)
	}
	return key, err
}

// DiscoveryIssues lists what the latest discoveries could not read.
func (s *DB) DiscoveryIssues(ctx context.Context) ([]DiscoveryIssue, error) {
	var out []DiscoveryIssue
	err := s.eachEntitlementRow(ctx, `SELECT account_id, source, message FROM discovery_issues ORDER BY account_id, id`, func(rows *sql.Rows) error {
		var is DiscoveryIssue
		if err := rows.Scan(&is.AccountID, &is.Source, &is.Message); err != nil {
			return err
		}
		out = append(out, is)
		return nil
	})
	return out, err
}

func (s *DB) eachEntitlementRow(ctx context.Context, query string, fn func(*sql.Rows) error, args ...any) error {
	rows, err := s.sql.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// UndiscoveredResources lists the resources recorded by log extraction that
// no discovery described, ordered by ARN: their resource policies are unknown.
func (s *DB) UndiscoveredResources(ctx context.Context) ([]activity.Resource, error) {
	var out []activity.Resource
	err := s.eachEntitlementRow(ctx, `SELECT id, arn, kind, account_id, region, name FROM resources
		WHERE id NOT IN (SELECT resource_id FROM discovered_resources) ORDER BY arn`, func(rows *sql.Rows) error {
		var r activity.Resource
		if err := rows.Scan(&r.ID, &r.ARN, &r.Kind, &r.AccountID, &r.Region, &r.Name); err != nil {
			return err
		}
		out = append(out, r)
		return nil
	})
	return out, err
}

// PrincipalsWithUnreadablePolicies are the discovered principals a policy
// applies to that could not be read, by id.
func (s *DB) PrincipalsWithUnreadablePolicies(ctx context.Context) (map[int64]bool, error) {
	return querySet[int64](ctx, s, `SELECT principal_id FROM discovered_principals WHERE unreadable_policies <> '[]'
		OR account_id IN (SELECT account_id FROM unreadable_organization_policies WHERE kind = 'scp')`)
}
