package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

const integrationColumns = `account_id, trail, region, extract_for_organization, skip_extraction, role_arn,
	trail_arn, s3_bucket, s3_key_prefix, is_organization_trail, kms_key_id, trail_resolved_at,
	okta_org_url, okta_app_id, created_at, updated_at`

func scanIntegration(row interface{ Scan(...any) error }) (activity.Integration, error) {
	var in activity.Integration
	var org, skip, isOrg int
	var resolved sql.NullInt64
	var created, updated int64
	err := row.Scan(&in.AccountID, &in.Trail, &in.Region, &org, &skip, &in.RoleARN,
		&in.TrailInfo.ARN, &in.TrailInfo.S3Bucket, &in.TrailInfo.S3KeyPrefix, &isOrg, &in.TrailInfo.KMSKeyID, &resolved,
		&in.OktaOrgURL, &in.OktaAppID, &created, &updated)
	in.ExtractForOrganization, in.SkipExtraction, in.TrailInfo.IsOrganizationTrail = org == 1, skip == 1, isOrg == 1
	in.TrailInfo.ResolvedAt = unixOrZero(resolved)
	in.CreatedAt, in.UpdatedAt = time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
	return in, err
}

// CreateIntegration adds an integration. It fails with ErrExists when the
// account has one already.
func (s *DB) CreateIntegration(ctx context.Context, in activity.Integration) error {
	now := s.Now().Unix()
	_, err := s.sql.ExecContext(ctx, `INSERT INTO integrations (`+integrationColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		in.AccountID, in.Trail, in.Region, boolInt(in.ExtractForOrganization), boolInt(in.SkipExtraction), in.RoleARN,
		in.TrailInfo.ARN, in.TrailInfo.S3Bucket, in.TrailInfo.S3KeyPrefix, boolInt(in.TrailInfo.IsOrganizationTrail),
		in.TrailInfo.KMSKeyID, nullUnix(in.TrailInfo.ResolvedAt), in.OktaOrgURL, in.OktaAppID, now, now)
	var se sqlite3.Error
	if errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey {
		return fmt.Errorf("integration for account %s: %w", in.AccountID, ErrExists)
	}
	if err != nil {
		return fmt.Errorf("create integration for account %s: %w", in.AccountID, err)
	}
	return nil
}

// UpdateIntegration replaces the settings of an existing integration. It fails
// with ErrNotFound when the account has none.
func (s *DB) UpdateIntegration(ctx context.Context, in activity.Integration) error {
	res, err := s.sql.ExecContext(ctx, `UPDATE integrations SET
		trail = ?, region = ?, extract_for_organization = ?, skip_extraction = ?, role_arn = ?,
		trail_arn = ?, s3_bucket = ?, s3_key_prefix = ?, is_organization_trail = ?, kms_key_id = ?,
		trail_resolved_at = ?, okta_org_url = ?, okta_app_id = ?, updated_at = ?
		WHERE account_id = ?`,
		in.Trail, in.Region, boolInt(in.ExtractForOrganization), boolInt(in.SkipExtraction), in.RoleARN,
		in.TrailInfo.ARN, in.TrailInfo.S3Bucket, in.TrailInfo.S3KeyPrefix, boolInt(in.TrailInfo.IsOrganizationTrail),
		in.TrailInfo.KMSKeyID, nullUnix(in.TrailInfo.ResolvedAt), in.OktaOrgURL, in.OktaAppID, s.Now().Unix(), in.AccountID)
	if err != nil {
		return fmt.Errorf("update integration for account %s: %w", in.AccountID, err)
	}
	return requireOneRow(res, "integration for account "+in.AccountID)
}

// SetTrailInfo records what cloudtrail:GetTrail answered for an integration.
func (s *DB) SetTrailInfo(ctx context.Context, accountID string, t activity.TrailInfo) error {
	res, err := s.sql.ExecContext(ctx, `UPDATE integrations SET
		trail_arn = ?, s3_bucket = ?, s3_key_prefix = ?, is_organization_trail = ?, kms_key_id = ?, trail_resolved_at = ?
		WHERE account_id = ?`,
		t.ARN, t.S3Bucket, t.S3KeyPrefix, boolInt(t.IsOrganizationTrail), t.KMSKeyID, nullUnix(t.ResolvedAt), accountID)
	if err != nil {
		return fmt.Errorf("record trail of account %s: %w", accountID, err)
	}
	return requireOneRow(res, "integration for account "+accountID)
}

// Integration returns the integration of one account, or ErrNotFound.
func (s *DB) Integration(ctx context.Context, accountID string) (activity.Integration, error) {
	in, err := scanIntegration(s.sql.QueryRowContext(ctx,
		`SELECT `+integrationColumns+` FROM integrations WHERE account_id = ?`, accountID))
	if errors.Is(err, sql.ErrNoRows) {
		return activity.Integration{}, fmt.Errorf("integration for account %s: %w", accountID, ErrNotFound)
	}
	return in, err
}

// Integrations returns every integration, ordered by account id.
func (s *DB) Integrations(ctx context.Context) ([]activity.Integration, error) {
	rows, err := s.sql.QueryContext(ctx, `SELECT `+integrationColumns+` FROM integrations ORDER BY account_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []activity.Integration
	for rows.Next() {
		in, err := scanIntegration(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// DeleteIntegration removes an integration. Deleting one that does not exist
// is not an error: the outcome is the same.
func (s *DB) DeleteIntegration(ctx context.Context, accountID string) error {
	_, err := s.sql.ExecContext(ctx, `DELETE FROM integrations WHERE account_id = ?`, accountID)
	if err != nil {
		return fmt.Errorf("delete integration for account %s: %w", accountID, err)
	}
	return nil
}

func requireOneRow(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return nil
}

// SetS3DataEvents records whether an integration's trail logs S3 data events.
func (s *DB) SetS3DataEvents(ctx context.Context, accountID string, logged bool) error {
	res, err := s.sql.ExecContext(ctx, `UPDATE integrations SET s3_data_events = ? WHERE account_id = ?`, boolInt(logged), accountID)
	if err != nil {
		return fmt.Errorf("record event selectors of account %s: %w", accountID, err)
	}
	return requireOneRow(res, "integration for account "+accountID)
}

// TrailsWithoutS3DataEvents lists the extracting integrations whose trail,
// by its event selectors, does not log S3 data events.
func (s *DB) TrailsWithoutS3DataEvents(ctx context.Context) ([]activity.Integration, error) {
	rows, err := s.sql.QueryContext(ctx, `SELECT `+integrationColumns+` FROM integrations
		WHERE s3_data_events = 0 AND skip_extraction = 0 ORDER BY account_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []activity.Integration
	for rows.Next() {
		in, err := scanIntegration(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, rows.Err()
}
