package cli

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/awsapi"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/snapshot"
)

type publishOptions struct {
	to   string
	json bool
}

func newPublishCommand(g *globalOptions) *cobra.Command {
	var opts publishOptions
	cmd := &cobra.Command{
		Use:   "publish --to s3://BUCKET/KEY",
		Short: "Upload a consistent snapshot of the database to S3",
		Long: `publish uploads a consistent copy of the database (taken while other runs may go on
writing) to S3, so that machines that never ran the extractor, such as CI runners, can gate
on its results: set the Terraform provider's database to the same s3:// URL. Credentials
come from the default AWS chain.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.to == "" {
				return usagef("--to is required: give the S3 URL to publish to, such as s3://audit/activity.db")
			}
			if _, _, err := awsapi.ParseS3URL(opts.to); err != nil {
				return usagef("--to: %v", err)
			}
			ctx := cmd.Context()
			db, err := g.openStoreForReading(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			cfg, err := awsapi.Config(ctx, "", "")
			if err != nil {
				return err
			}
			pub, err := snapshot.Publish(ctx, db, awsapi.NewS3Client(cfg), opts.to)
			if err != nil {
				return err
			}
			if opts.json {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(map[string]any{"url": pub.URL, "etag": pub.ETag, "size": pub.Size})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Published %s (%d bytes, ETag %s).\n", pub.URL, pub.Size, pub.ETag)
			return nil
		},
	}
	cmd.Flags().StringVar(&opts.to, "to", "", "the S3 URL to publish to: s3://BUCKET/KEY")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the result as JSON")
	return cmd
}
