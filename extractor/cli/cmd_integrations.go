package cli

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

type integrationsListOptions struct {
	json bool
}

func newIntegrationsCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "integrations",
		Short: "Show the AWS accounts enabled for monitoring",
		Long: `Integrations are the AWS accounts enabled for monitoring, usually declared with the
Terraform resource activity_monitoring_integration. The extractor reads them from the
database to know which trails to extract.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return usagef("name a subcommand: list") },
	}
	var opts integrationsListOptions
	list := &cobra.Command{
		Use:   "list",
		Short: "List the integrations in the database",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runIntegrationsList(cmd, g, opts)
		},
	}
	list.Flags().BoolVar(&opts.json, "json", false, "print a JSON array instead of a table")
	cmd.AddCommand(list)
	return cmd
}

// integrationJSON is the --json shape of one integration.
type integrationJSON struct {
	AccountID              string  `json:"account_id"`
	Trail                  string  `json:"trail"`
	Region                 string  `json:"region"`
	ExtractForOrganization bool    `json:"extract_for_organization"`
	SkipExtraction         bool    `json:"skip_extraction"`
	Mode                   string  `json:"mode"`
	RoleARN                *string `json:"role_arn"`
	OktaOrgURL             *string `json:"okta_org_url"`
	OktaAppID              *string `json:"okta_app_id"`
	TrailARN               *string `json:"trail_arn"`
	S3Bucket               *string `json:"s3_bucket"`
	S3KeyPrefix            *string `json:"s3_key_prefix"`
	IsOrganizationTrail    *bool   `json:"is_organization_trail"`
	KMSKeyID               *string `json:"kms_key_id"`
	TrailResolvedAt        *string `json:"trail_resolved_at"`
	CreatedAt              string  `json:"created_at"`
	UpdatedAt              string  `json:"updated_at"`
}

func runIntegrationsList(cmd *cobra.Command, g *globalOptions, opts integrationsListOptions) error {
	ctx := cmd.Context()
	db, err := g.openStoreForReading(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	all, err := db.Integrations(ctx)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if opts.json {
		rows := make([]integrationJSON, 0, len(all))
		for _, in := range all {
			rows = append(rows, toIntegrationJSON(in))
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	if len(all) == 0 {
		fmt.Fprintf(out, "No integrations in %s. Declare one with the Terraform resource activity_monitoring_integration.\n", db.Path())
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ACCOUNT\tMODE\tREGION\tTRAIL\tBUCKET\tROLE")
	for _, in := range all {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", cell(in.AccountID), in.Mode(), cell(in.Region), cell(in.Trail),
			orDash(cell(in.TrailInfo.S3Bucket)), orDash(cell(in.RoleARN)))
	}
	return tw.Flush()
}

func toIntegrationJSON(in activity.Integration) integrationJSON {
	j := integrationJSON{
		AccountID: in.AccountID, Trail: in.Trail, Region: in.Region,
		ExtractForOrganization: in.ExtractForOrganization, SkipExtraction: in.SkipExtraction, Mode: in.Mode(),
		RoleARN:    nonEmpty(in.RoleARN),
		OktaOrgURL: nonEmpty(in.OktaOrgURL),
		OktaAppID:  nonEmpty(in.OktaAppID),
		CreatedAt:  rfc3339(in.CreatedAt), UpdatedAt: rfc3339(in.UpdatedAt),
	}
	if t := in.TrailInfo; !t.ResolvedAt.IsZero() {
		at := rfc3339(t.ResolvedAt)
		j.TrailARN, j.S3Bucket, j.S3KeyPrefix, j.KMSKeyID = nonEmpty(t.ARN), nonEmpty(t.S3Bucket), nonEmpty(t.S3KeyPrefix), nonEmpty(t.KMSKeyID)
		j.IsOrganizationTrail, j.TrailResolvedAt = &t.IsOrganizationTrail, &at
	}
	return j
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
