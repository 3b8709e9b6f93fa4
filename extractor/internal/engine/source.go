package engine

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/awsapi"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/cloudtrail"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// Source is logs to read, and the integration they belong to.
type Source struct {
	// Integration is the integration whose trail Logs is; the zero value
	// for logs named on the command line, which may be any integration's.
	Integration activity.Integration
	Logs        cloudtrail.Source
	// AWS reads the integration's trail: its region, and its role when it
	// names one. Engines that call AWS for the integration use it.
	AWS aws.Config
}

// IntegrationID is the account id of the source's integration, or "" for
// logs of no integration.
func (s Source) IntegrationID() string { return s.Integration.AccountID }

// trailInfoMaxAge is how long a cached cloudtrail:GetTrail answer is used
// before the trail is described again.
const trailInfoMaxAge = 24 * time.Hour

// Integrations are the trails of the integrations that extract (all but
// skip_extraction), each read in S3 with its integration's configuration.
// A trail is described (cloudtrail:GetTrail) unless a recent answer is
// stored; the answer is stored.
func Integrations(ctx context.Context, db *store.DB, log *slog.Logger) ([]Source, error) {
	ins, err := db.Integrations(ctx)
	if err != nil {
		return nil, err
	}
	var out []Source
	for _, in := range ins {
		if in.SkipExtraction {
			continue
		}
		cfg, err := awsapi.Config(ctx, in.Region, in.RoleARN)
		if err != nil {
			return nil, fmt.Errorf("integration %s: %w", in.AccountID, err)
		}
		info := in.TrailInfo
		if info.ResolvedAt.IsZero() || db.Now().Sub(info.ResolvedAt) > trailInfoMaxAge || info.S3Bucket == "" {
			info, err = awsapi.DescribeTrail(ctx, cfg, in.Trail)
			if err != nil {
				return nil, fmt.Errorf("integration %s: %w", in.AccountID, err)
			}
			if err := db.SetTrailInfo(ctx, in.AccountID, info); err != nil {
				return nil, err
			}
		}
		// Without S3 data events object use is invisible; the scores say so.
		if logged, err := awsapi.S3DataEventsLogged(ctx, cfg, in.Trail); err != nil {
			log.Warn("cannot read the trail's event selectors; S3 data event coverage is guessed from the logs", "account", in.AccountID, "error", err)
		} else if err := db.SetS3DataEvents(ctx, in.AccountID, logged); err != nil {
			return nil, err
		}
		src := cloudtrail.S3{Client: awsapi.S3ClientForBucket(ctx, cfg, info.S3Bucket, cloudtrail.LogsRoot(info.S3KeyPrefix)),
			Bucket: info.S3Bucket, Prefix: info.S3KeyPrefix, Logger: log}
		if !in.ExtractForOrganization {
			src.Accounts = []string{in.AccountID}
		}
		log.Info("extracting integration", "account", in.AccountID, "mode", in.Mode(), "source", src.String())
		out = append(out, Source{Integration: in, Logs: src, AWS: cfg})
	}
	return out, nil
}

// LocationError is a location that names neither a folder nor an S3
// bucket.
type LocationError struct {
	Location string
	Reason   string
}

func (e *LocationError) Error() string { return fmt.Sprintf("%q: %s", e.Location, e.Reason) }

// Locations are logs named on the command line: folders, whose *.json and
// *.json.gz files are read, and s3://BUCKET/PREFIX URLs, read with the
// default credentials. They belong to no integration.
func Locations(ctx context.Context, locations []string, log *slog.Logger) ([]Source, error) {
	var out []Source
	for _, l := range locations {
		if !strings.HasPrefix(l, "s3://") {
			if st, err := os.Stat(l); err != nil || !st.IsDir() {
				return nil, &LocationError{Location: l, Reason: "not a folder or an s3://BUCKET/PREFIX URL"}
			}
			out = append(out, Source{Logs: cloudtrail.Folder{Dir: l}})
			continue
		}
		bucket, prefix, err := awsapi.ParseS3URL(l)
		if err != nil {
			return nil, &LocationError{Location: l, Reason: "not an S3 URL: give s3://BUCKET/PREFIX"}
		}
		cfg, err := awsapi.Config(ctx, "", "")
		if err != nil {
			return nil, err
		}
		if cfg.Region == "" {
			cfg.Region = "us-east-1"
		}
		out = append(out, Source{AWS: cfg, Logs: cloudtrail.S3{Client: awsapi.S3ClientForBucket(ctx, cfg, bucket, cloudtrail.LogsRoot(prefix)),
			Bucket: bucket, Prefix: prefix, Logger: log}})
	}
	return out, nil
}
