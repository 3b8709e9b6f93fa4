package cloudtrail

import (
	"slices"
	"testing"
)

func TestActions(t *testing.T) {
	cases := []struct {
		source, name string
		versioned    bool
		want         []string
	}{
		// Events whose action is service:EventName.
		{"s3.amazonaws.com", "GetObject", false, []string{"s3:GetObject"}},
		{"s3.amazonaws.com", "PutObject", false, []string{"s3:PutObject"}},
		{"kms.amazonaws.com", "Decrypt", false, []string{"kms:Decrypt"}},
		{"secretsmanager.amazonaws.com", "GetSecretValue", false, []string{"secretsmanager:GetSecretValue"}},
		{"secretsmanager.amazonaws.com", "BatchGetSecretValue", false, []string{"secretsmanager:BatchGetSecretValue"}},
		{"ec2.amazonaws.com", "RunInstances", false, []string{"ec2:RunInstances"}},
		{"signin.amazonaws.com", "ConsoleLogin", false, []string{"signin:ConsoleLogin"}},
		// Service prefixes that differ from the source's host name.
		{"monitoring.amazonaws.com", "PutMetricData", false, []string{"cloudwatch:PutMetricData"}},
		{"application-insights.amazonaws.com", "DescribeApplication", false, []string{"applicationinsights:DescribeApplication"}},
		{"tagging.amazonaws.com", "GetResources", false, []string{"tag:GetResources"}},
		{"servicecatalog-appregistry.amazonaws.com", "CreateApplication", false, []string{"servicecatalog:CreateApplication"}},
		// Sources whose events no IAM action allows.
		{"billingconsole.amazonaws.com", "GetContactInformation", false, nil},
		// Lambda's API version suffix.
		{"lambda.amazonaws.com", "GetFunction20150331v2", false, []string{"lambda:GetFunction"}},
		{"lambda.amazonaws.com", "ListFunctions20150331", false, []string{"lambda:ListFunctions"}},
		// Invoke and InvokeWithResponseStream need lambda:InvokeFunction.
		{"lambda.amazonaws.com", "Invoke", false, []string{"lambda:InvokeFunction"}},
		{"lambda.amazonaws.com", "InvokeWithResponseStream", false, []string{"lambda:InvokeFunction"}},
		// Object versions.
		{"s3.amazonaws.com", "GetObject", true, []string{"s3:GetObjectVersion"}},
		{"s3.amazonaws.com", "DeleteObject", true, []string{"s3:DeleteObjectVersion"}},
		{"s3.amazonaws.com", "GetObjectAcl", true, []string{"s3:GetObjectVersionAcl"}},
		{"s3.amazonaws.com", "PutObjectAcl", true, []string{"s3:PutObjectVersionAcl"}},
		{"s3.amazonaws.com", "GetObjectTagging", true, []string{"s3:GetObjectVersionTagging"}},
		{"s3.amazonaws.com", "PutObjectTagging", true, []string{"s3:PutObjectVersionTagging"}},
		{"s3.amazonaws.com", "PutObject", true, []string{"s3:PutObject"}},
		// The exceptions table, one case each.
		{"s3.amazonaws.com", "ListObjects", false, []string{"s3:ListBucket"}},
		{"s3.amazonaws.com", "ListObjectsV2", false, []string{"s3:ListBucket"}},
		{"s3.amazonaws.com", "HeadBucket", false, []string{"s3:ListBucket"}},
		{"s3.amazonaws.com", "ListObjectVersions", false, []string{"s3:ListBucketVersions"}},
		{"s3.amazonaws.com", "ListBuckets", false, []string{"s3:ListAllMyBuckets"}},
		{"s3.amazonaws.com", "HeadObject", false, []string{"s3:GetObject"}},
		{"s3.amazonaws.com", "SelectObjectContent", false, []string{"s3:GetObject"}},
		{"s3.amazonaws.com", "CreateMultipartUpload", false, []string{"s3:PutObject"}},
		{"s3.amazonaws.com", "UploadPart", false, []string{"s3:PutObject"}},
		{"s3.amazonaws.com", "UploadPartCopy", false, []string{"s3:PutObject"}},
		{"s3.amazonaws.com", "CompleteMultipartUpload", false, []string{"s3:PutObject"}},
		{"s3.amazonaws.com", "CopyObject", false, []string{"s3:PutObject"}},
		{"s3.amazonaws.com", "ListParts", false, []string{"s3:ListMultipartUploadParts"}},
		{"s3.amazonaws.com", "ListMultipartUploads", false, []string{"s3:ListBucketMultipartUploads"}},
		{"s3.amazonaws.com", "DeleteObjects", false, []string{"s3:DeleteObject"}},
		{"s3.amazonaws.com", "GetBucketEncryption", false, []string{"s3:GetEncryptionConfiguration"}},
		{"s3.amazonaws.com", "PutBucketEncryption", false, []string{"s3:PutEncryptionConfiguration"}},
		{"s3.amazonaws.com", "DeleteBucketEncryption", false, []string{"s3:PutEncryptionConfiguration"}},
		{"s3.amazonaws.com", "GetBucketLifecycle", false, []string{"s3:GetLifecycleConfiguration"}},
		{"s3.amazonaws.com", "GetBucketLifecycleConfiguration", false, []string{"s3:GetLifecycleConfiguration"}},
		{"s3.amazonaws.com", "PutBucketLifecycle", false, []string{"s3:PutLifecycleConfiguration"}},
		{"s3.amazonaws.com", "PutBucketLifecycleConfiguration", false, []string{"s3:PutLifecycleConfiguration"}},
		{"s3.amazonaws.com", "DeleteBucketLifecycle", false, []string{"s3:PutLifecycleConfiguration"}},
		{"s3.amazonaws.com", "GetBucketReplication", false, []string{"s3:GetReplicationConfiguration"}},
		{"s3.amazonaws.com", "PutBucketReplication", false, []string{"s3:PutReplicationConfiguration"}},
		{"s3.amazonaws.com", "DeleteBucketReplication", false, []string{"s3:PutReplicationConfiguration"}},
		{"s3.amazonaws.com", "GetBucketCors", false, []string{"s3:GetBucketCORS"}},
		{"s3.amazonaws.com", "PutBucketCors", false, []string{"s3:PutBucketCORS"}},
		{"s3.amazonaws.com", "DeleteBucketCors", false, []string{"s3:PutBucketCORS"}},
		{"s3.amazonaws.com", "DeleteBucketTagging", false, []string{"s3:PutBucketTagging"}},
		{"s3.amazonaws.com", "GetBucketNotificationConfiguration", false, []string{"s3:GetBucketNotification"}},
		{"s3.amazonaws.com", "PutBucketNotificationConfiguration", false, []string{"s3:PutBucketNotification"}},
		{"s3.amazonaws.com", "GetObjectLockConfiguration", false, []string{"s3:GetBucketObjectLockConfiguration"}},
		{"s3.amazonaws.com", "PutObjectLockConfiguration", false, []string{"s3:PutBucketObjectLockConfiguration"}},
		{"s3.amazonaws.com", "DeleteBucketOwnershipControls", false, []string{"s3:PutBucketOwnershipControls"}},
		{"s3.amazonaws.com", "GetBucketIntelligentTieringConfiguration", false, []string{"s3:GetIntelligentTieringConfiguration"}},
		{"s3.amazonaws.com", "PutBucketIntelligentTieringConfiguration", false, []string{"s3:PutIntelligentTieringConfiguration"}},
		{"s3.amazonaws.com", "GetBucketAnalyticsConfiguration", false, []string{"s3:GetAnalyticsConfiguration"}},
		{"s3.amazonaws.com", "PutBucketAnalyticsConfiguration", false, []string{"s3:PutAnalyticsConfiguration"}},
		{"s3.amazonaws.com", "GetBucketMetricsConfiguration", false, []string{"s3:GetMetricsConfiguration"}},
		{"s3.amazonaws.com", "PutBucketMetricsConfiguration", false, []string{"s3:PutMetricsConfiguration"}},
		{"s3.amazonaws.com", "GetBucketInventoryConfiguration", false, []string{"s3:GetInventoryConfiguration"}},
		{"s3.amazonaws.com", "PutBucketInventoryConfiguration", false, []string{"s3:PutInventoryConfiguration"}},
		{"s3.amazonaws.com", "GetBucketAccelerateConfiguration", false, []string{"s3:GetAccelerateConfiguration"}},
		{"s3.amazonaws.com", "PutBucketAccelerateConfiguration", false, []string{"s3:PutAccelerateConfiguration"}},
		{"s3.amazonaws.com", "DeleteBucketPublicAccessBlock", false, []string{"s3:PutBucketPublicAccessBlock"}},
		{"kms.amazonaws.com", "ReEncrypt", false, []string{"kms:ReEncryptFrom", "kms:ReEncryptTo"}},
	}
	covered := map[string]bool{}
	for _, c := range cases {
		got := Actions(c.source, c.name, c.versioned)
		if !slices.Equal(got, c.want) {
			t.Errorf("Actions(%s, %s, versioned=%v) = %v, want %v", c.source, c.name, c.versioned, got, c.want)
		}
		covered[Service(c.source)+":"+c.name] = true
	}
	for event := range eventActions {
		if !covered[event] {
			t.Errorf("exception %s has no test case", event)
		}
	}
	for source := range serviceExceptions {
		found := false
		for _, c := range cases {
			found = found || c.source == source
		}
		if !found {
			t.Errorf("service exception %s has no test case", source)
		}
	}
}

func TestIsCryptographic(t *testing.T) {
	for _, name := range []string{"Decrypt", "Encrypt", "ReEncrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
		"GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext", "Sign", "Verify", "GenerateMac", "VerifyMac", "DeriveSharedSecret"} {
		if !IsCryptographic(name) {
			t.Errorf("%s is cryptographic", name)
		}
	}
	for _, name := range []string{"DescribeKey", "CreateGrant", "GetKeyPolicy", "ListAliases", "GenerateRandom", "EnableKeyRotation"} {
		if IsCryptographic(name) {
			t.Errorf("%s does not consume key material", name)
		}
	}
}
