package cloudtrail

import (
	"regexp"
	"strings"
)

// serviceExceptions are event sources whose IAM service prefix is not the
// first label of the source's host name (sources: the Service
// Authorization Reference and each service's CloudTrail documentation).
var serviceExceptions = map[string]string{
	"monitoring.amazonaws.com":                 "cloudwatch",
	"application-insights.amazonaws.com":       "applicationinsights",
	"tagging.amazonaws.com":                    "tag",
	"servicecatalog-appregistry.amazonaws.com": "servicecatalog",
}

// sourcesWithoutActions are event sources whose events no IAM action
// allows: the events still show who was active, but use no permission.
var sourcesWithoutActions = map[string]string{
	"billingconsole.amazonaws.com": "the Billing console's own calls; what they show is allowed by the account, billing and aws-portal actions of the calls behind them",
	"aws:s3":                       "the source of S3 event notifications, not of CloudTrail events; it appears in hand-made test events",
}

// eventActions lists the events whose IAM action differs from
// "service:EventName". An event may need more than one action (ReEncrypt
// needs the source and the destination key); CopyObject and UploadPartCopy
// also read their source bucket, which mapEvent adds.
//
// Sources: the AWS Service Authorization Reference and each service's
// CloudTrail documentation.
var eventActions = map[string][]string{
	"s3:ListObjects":                              {"s3:ListBucket"},
	"s3:ListObjectsV2":                            {"s3:ListBucket"},
	"s3:HeadBucket":                               {"s3:ListBucket"},
	"s3:ListObjectVersions":                       {"s3:ListBucketVersions"},
	"s3:ListBuckets":                              {"s3:ListAllMyBuckets"},
	"s3:HeadObject":                               {"s3:GetObject"},
	"s3:SelectObjectContent":                      {"s3:GetObject"},
	"s3:CreateMultipartUpload":                    {"s3:PutObject"},
	"s3:UploadPart":                               {"s3:PutObject"},
	"s3:UploadPartCopy":                           {"s3:PutObject"},
	"s3:CompleteMultipartUpload":                  {"s3:PutObject"},
	"s3:CopyObject":                               {"s3:PutObject"},
	"s3:ListParts":                                {"s3:ListMultipartUploadParts"},
	"s3:ListMultipartUploads":                     {"s3:ListBucketMultipartUploads"},
	"s3:DeleteObjects":                            {"s3:DeleteObject"},
	"s3:GetBucketEncryption":                      {"s3:GetEncryptionConfiguration"},
	"s3:PutBucketEncryption":                      {"s3:PutEncryptionConfiguration"},
	"s3:DeleteBucketEncryption":                   {"s3:PutEncryptionConfiguration"},
	"s3:GetBucketLifecycle":                       {"s3:GetLifecycleConfiguration"},
	"s3:GetBucketLifecycleConfiguration":          {"s3:GetLifecycleConfiguration"},
	"s3:PutBucketLifecycle":                       {"s3:PutLifecycleConfiguration"},
	"s3:PutBucketLifecycleConfiguration":          {"s3:PutLifecycleConfiguration"},
	"s3:DeleteBucketLifecycle":                    {"s3:PutLifecycleConfiguration"},
	"s3:GetBucketReplication":                     {"s3:GetReplicationConfiguration"},
	"s3:PutBucketReplication":                     {"s3:PutReplicationConfiguration"},
	"s3:DeleteBucketReplication":                  {"s3:PutReplicationConfiguration"},
	"s3:GetBucketCors":                            {"s3:GetBucketCORS"},
	"s3:PutBucketCors":                            {"s3:PutBucketCORS"},
	"s3:DeleteBucketCors":                         {"s3:PutBucketCORS"},
	"s3:DeleteBucketTagging":                      {"s3:PutBucketTagging"},
	"s3:GetBucketNotificationConfiguration":       {"s3:GetBucketNotification"},
	"s3:PutBucketNotificationConfiguration":       {"s3:PutBucketNotification"},
	"s3:GetObjectLockConfiguration":               {"s3:GetBucketObjectLockConfiguration"},
	"s3:PutObjectLockConfiguration":               {"s3:PutBucketObjectLockConfiguration"},
	"s3:DeleteBucketOwnershipControls":            {"s3:PutBucketOwnershipControls"},
	"s3:GetBucketIntelligentTieringConfiguration": {"s3:GetIntelligentTieringConfiguration"},
	"s3:PutBucketIntelligentTieringConfiguration": {"s3:PutIntelligentTieringConfiguration"},
	"s3:GetBucketAnalyticsConfiguration":          {"s3:GetAnalyticsConfiguration"},
	"s3:PutBucketAnalyticsConfiguration":          {"s3:PutAnalyticsConfiguration"},
	"s3:GetBucketMetricsConfiguration":            {"s3:GetMetricsConfiguration"},
	"s3:PutBucketMetricsConfiguration":            {"s3:PutMetricsConfiguration"},
	"s3:GetBucketInventoryConfiguration":          {"s3:GetInventoryConfiguration"},
	"s3:PutBucketInventoryConfiguration":          {"s3:PutInventoryConfiguration"},
	"s3:GetBucketAccelerateConfiguration":         {"s3:GetAccelerateConfiguration"},
	"s3:PutBucketAccelerateConfiguration":         {"s3:PutAccelerateConfiguration"},
	"s3:DeleteBucketPublicAccessBlock":            {"s3:PutBucketPublicAccessBlock"},
	"kms:ReEncrypt":                               {"kms:ReEncryptFrom", "kms:ReEncryptTo"},
	"lambda:Invoke":                               {"lambda:InvokeFunction"},
	"lambda:InvokeWithResponseStream":             {"lambda:InvokeFunction"},
}

// versionedActions are the actions that become their *Version form when
// the request names an object version.
var versionedActions = map[string]string{
	"s3:GetObject":        "s3:GetObjectVersion",
	"s3:DeleteObject":     "s3:DeleteObjectVersion",
	"s3:GetObjectAcl":     "s3:GetObjectVersionAcl",
	"s3:PutObjectAcl":     "s3:PutObjectVersionAcl",
	"s3:GetObjectTagging": "s3:GetObjectVersionTagging",
	"s3:PutObjectTagging": "s3:PutObjectVersionTagging",
}

// lambdaAPIVersion is the API version Lambda appends to its event names
// (GetFunction20150331v2), which its IAM actions do not carry.
var lambdaAPIVersion = regexp.MustCompile(`20[0-9]{6}(v[0-9]+)?$`)

// Service is the IAM service prefix of an event source.
func Service(eventSource string) string {
	if s, ok := serviceExceptions[eventSource]; ok {
		return s
	}
	host, _, _ := strings.Cut(eventSource, ".")
	return strings.ToLower(host)
}

// isServicePrefix tells whether svc can be an IAM service prefix: lower
// case letters, digits and hyphens, as every prefix of the Service
// Authorization Reference is. A source naming none ("s3:x.amazonaws.com")
// must not yield actions a policy's "s3:*" would match.
func isServicePrefix(svc string) bool {
	if svc == "" {
		return false
	}
	for i := 0; i < len(svc); i++ {
		c := svc[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// Actions are the IAM actions, in the catalog's spelling, that an event
// needed. versioned says the request named an object version. None for a
// source no IAM action covers, or whose host names no service.
func Actions(eventSource, eventName string, versioned bool) []string {
	if _, none := sourcesWithoutActions[eventSource]; none {
		return nil
	}
	svc := Service(eventSource)
	if !isServicePrefix(svc) {
		return nil
	}
	if svc == "lambda" {
		eventName = lambdaAPIVersion.ReplaceAllString(eventName, "")
	}
	action := svc + ":" + eventName
	if mapped, ok := eventActions[action]; ok {
		return mapped
	}
	if v, ok := versionedActions[action]; ok && versioned {
		return []string{v}
	}
	return []string{action}
}

// cryptoOperations consume key material: they make a key's last_viewed_at.
var cryptoOperations = map[string]bool{
	"Decrypt": true, "Encrypt": true, "ReEncrypt": true,
	"GenerateDataKey": true, "GenerateDataKeyWithoutPlaintext": true,
	"GenerateDataKeyPair": true, "GenerateDataKeyPairWithoutPlaintext": true,
	"Sign": true, "Verify": true, "GenerateMac": true, "VerifyMac": true,
	"DeriveSharedSecret": true,
}

// IsCryptographic tells whether a KMS event consumed key material.
func IsCryptographic(eventName string) bool { return cryptoOperations[eventName] }
