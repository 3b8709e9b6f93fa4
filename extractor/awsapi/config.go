// Package awsapi is how the project reaches AWS: credentials from the default
// chain (optionally through an assumed role), adaptive retries, and the few
// calls that both the extractor and the provider make, such as describing a
// trail. Endpoints follow the SDK's own settings (AWS_ENDPOINT_URL and
// AWS_ENDPOINT_URL_<SERVICE>), which is also how tests reach a local emulator.
package awsapi

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// SessionName is the role session name the project uses when it assumes a
// role, so its calls are recognisable in the account's own CloudTrail.
const SessionName = "activity-monitoring"

// Config loads the default credential chain for region. When roleARN is set,
// the credentials are those of that role, assumed through STS and refreshed
// before they expire. Credentials are never logged or stored.
func Config(ctx context.Context, region, roleARN string) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithRegion(region),
		config.WithRetryMode(aws.RetryModeAdaptive),
		config.WithRetryMaxAttempts(8),
	)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	if roleARN != "" {
		provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), roleARN, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = SessionName
		})
		cfg.Credentials = aws.NewCredentialsCache(provider)
	}
	return cfg, nil
}
