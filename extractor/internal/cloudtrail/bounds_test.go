package cloudtrail_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/cloudtrail"
)

// boundedRecord is a real-looking S3 data event of a role session: every
// field the bounds cover is set, each well inside its bound.
func boundedRecord() cloudtrail.Record {
	return cloudtrail.Record{
		EventTime: "2026-11-20T10:00:00Z", EventSource: "s3.amazonaws.com", EventName: "GetObject",
		EventID: "3f1b2c4d-5e6f-4a1b-8c2d-9e0f1a2b3c4d", AWSRegion: "eu-west-1", RecipientAccountID: "111122223333",
		UserIdentity: &cloudtrail.UserIdentity{
			Type: "AssumedRole", ARN: "arn:aws:sts::111122223333:assumed-role/deploy/alice@example.com",
			AccountID: "111122223333", InvokedBy: "cloudformation.amazonaws.com",
			SessionContext: &cloudtrail.SessionContext{
				SessionIssuer:  cloudtrail.SessionIssuer{Type: "Role", ARN: "arn:aws:iam::111122223333:role/deploy", AccountID: "111122223333", UserName: "deploy"},
				SourceIdentity: "alice@example.com",
			},
		},
		RequestParameters: &cloudtrail.RequestParameters{BucketName: "reports", CopySource: "other/key.txt", KeyID: "alias/x",
			RoleARN: "arn:aws:iam::111122223333:role/deploy", RoleSessionName: "alice"},
		ResponseElements: &cloudtrail.ResponseElements{Subject: "alice", AssumedRoleUser: &cloudtrail.AssumedRoleUser{ARN: "arn:aws:sts::111122223333:assumed-role/deploy/alice"}},
		Resources:        []cloudtrail.ResourceRef{{ARN: "arn:aws:s3:::reports/key.txt", AccountID: "111122223333", Type: "AWS::S3::Object"}},
	}
}

// TestMapRecordRefusesOverlongIdentifiers sets one field at a time to a
// million bytes: the record is refused, and the error names the field, its
// length and the bound. At exactly its bound, the field is accepted.
func TestMapRecordRefusesOverlongIdentifiers(t *testing.T) {
	huge := strings.Repeat("x", 1_000_000)
	for _, tc := range []struct {
		field string
		limit int
		set   func(r *cloudtrail.Record, v string)
	}{
		{"eventSource", activity.MaxHostName, func(r *cloudtrail.Record, v string) { r.EventSource = v }},
		{"eventName", activity.MaxEventName, func(r *cloudtrail.Record, v string) { r.EventName = v }},
		{"awsRegion", activity.MaxRegion, func(r *cloudtrail.Record, v string) { r.AWSRegion = v }},
		{"recipientAccountId", activity.MaxAccountID, func(r *cloudtrail.Record, v string) { r.RecipientAccountID = v }},
		{"userIdentity.arn", activity.MaxARN, func(r *cloudtrail.Record, v string) { r.UserIdentity.ARN = v }},
		{"userIdentity.accountId", activity.MaxAccountID, func(r *cloudtrail.Record, v string) { r.UserIdentity.AccountID = v }},
		{"userIdentity.userName", activity.MaxLogin, func(r *cloudtrail.Record, v string) { r.UserIdentity.UserName = v }},
		{"userIdentity.invokedBy", activity.MaxHostName, func(r *cloudtrail.Record, v string) { r.UserIdentity.InvokedBy = v }},
		{"userIdentity.identityProvider", activity.MaxARN, func(r *cloudtrail.Record, v string) { r.UserIdentity.IdentityProvider = v }},
		{"userIdentity.sessionContext.sessionIssuer.arn", activity.MaxARN, func(r *cloudtrail.Record, v string) { r.UserIdentity.SessionContext.SessionIssuer.ARN = v }},
		{"userIdentity.sessionContext.sessionIssuer.accountId", activity.MaxAccountID, func(r *cloudtrail.Record, v string) {
			r.UserIdentity.SessionContext.SessionIssuer.AccountID = v
		}},
		{"userIdentity.sessionContext.sessionIssuer.userName", activity.MaxIAMName, func(r *cloudtrail.Record, v string) {
			r.UserIdentity.SessionContext.SessionIssuer.UserName = v
		}},
		{"userIdentity.sessionContext.sourceIdentity", activity.MaxSourceIdentity, func(r *cloudtrail.Record, v string) { r.UserIdentity.SessionContext.SourceIdentity = v }},
		{"requestParameters.bucketName", activity.MaxResourceRef, func(r *cloudtrail.Record, v string) { r.RequestParameters.BucketName = v }},
		{"requestParameters.x-amz-copy-source", activity.MaxCopySource, func(r *cloudtrail.Record, v string) { r.RequestParameters.CopySource = v }},
		{"requestParameters.keyId", activity.MaxResourceRef, func(r *cloudtrail.Record, v string) { r.RequestParameters.KeyID = v }},
		{"requestParameters.destinationKeyId", activity.MaxResourceRef, func(r *cloudtrail.Record, v string) { r.RequestParameters.DestinationKeyID = v }},
		{"requestParameters.secretId", activity.MaxResourceRef, func(r *cloudtrail.Record, v string) { r.RequestParameters.SecretID = v }},
		{"requestParameters.secretIdList[]", activity.MaxResourceRef, func(r *cloudtrail.Record, v string) { r.RequestParameters.SecretIDList = []string{"a", v} }},
		{"requestParameters.roleArn", activity.MaxARN, func(r *cloudtrail.Record, v string) { r.RequestParameters.RoleARN = v }},
		{"requestParameters.principalArn", activity.MaxARN, func(r *cloudtrail.Record, v string) { r.RequestParameters.PrincipalARN = v }},
		{"requestParameters.roleSessionName", activity.MaxSessionName, func(r *cloudtrail.Record, v string) { r.RequestParameters.RoleSessionName = v }},
		{"requestParameters.sourceIdentity", activity.MaxSourceIdentity, func(r *cloudtrail.Record, v string) { r.RequestParameters.SourceIdentity = v }},
		{"responseElements.arn", activity.MaxARN, func(r *cloudtrail.Record, v string) { r.ResponseElements.ARN = v }},
		{"responseElements.subject", activity.MaxLogin, func(r *cloudtrail.Record, v string) { r.ResponseElements.Subject = v }},
		{"responseElements.sourceIdentity", activity.MaxSourceIdentity, func(r *cloudtrail.Record, v string) { r.ResponseElements.SourceIdentity = v }},
		{"responseElements.assumedRoleUser.arn", activity.MaxARN, func(r *cloudtrail.Record, v string) { r.ResponseElements.AssumedRoleUser.ARN = v }},
		{"responseElements.keyMetadata.arn", activity.MaxARN, func(r *cloudtrail.Record, v string) {
			r.ResponseElements.KeyMetadata = &cloudtrail.KeyMetadata{ARN: v}
		}},
		{"resources[].ARN", activity.MaxARN, func(r *cloudtrail.Record, v string) { r.Resources[0].ARN = v }},
		{"resources[].accountId", activity.MaxAccountID, func(r *cloudtrail.Record, v string) { r.Resources[0].AccountID = v }},
	} {
		t.Run(tc.field, func(t *testing.T) {
			r := boundedRecord()
			tc.set(&r, huge)
			_, err := cloudtrail.MapRecord(&r)
			var tl *activity.TooLongError
			if !errors.As(err, &tl) || tl.Field != tc.field || tl.Len != len(huge) || tl.Max != tc.limit {
				t.Fatalf("MapRecord = %v, want the field %s refused at %d bytes", err, tc.field, tc.limit)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, tc.field+" is 1,000,000 bytes long") || len(msg) > 300 {
				t.Errorf("message %q does not name the field and the length in a short line", msg)
			}

			r = boundedRecord()
			tc.set(&r, strings.Repeat("x", tc.limit))
			if _, err := cloudtrail.MapRecord(&r); errors.As(err, &tl) {
				t.Errorf("a value of exactly %d bytes was refused: %v", tc.limit, err)
			}
		})
	}
}

// TestMapRecordNameOfOtherServices: requestParameters.name is a secret's
// only for Secrets Manager; other services' names are not kept, so not
// refused.
func TestMapRecordNameOfOtherServices(t *testing.T) {
	r := boundedRecord()
	r.RequestParameters.Name = strings.Repeat("x", 1_000_000)
	if _, err := cloudtrail.MapRecord(&r); err != nil {
		t.Errorf("an S3 event with a long requestParameters.name was refused: %v", err)
	}
	r.EventSource, r.EventName = "secretsmanager.amazonaws.com", "CreateSecret"
	if _, err := cloudtrail.MapRecord(&r); err == nil || !strings.Contains(err.Error(), "requestParameters.name") {
		t.Errorf("a Secrets Manager event with a secret name of a million bytes: %v, want it refused", err)
	}
}

// TestMapRecordCutsLongErrorCodes: an error code is free text; a long one
// is cut with a marker and the denied attempt still counts.
func TestMapRecordCutsLongErrorCodes(t *testing.T) {
	r := boundedRecord()
	r.ErrorCode = "AccessDenied" + strings.Repeat("é", 500_000)
	e, err := cloudtrail.MapRecord(&r)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.ErrorCode) > activity.MaxErrorCode || !strings.HasPrefix(e.ErrorCode, "AccessDenied") || !strings.Contains(e.ErrorCode, "…[cut ") {
		t.Errorf("error code of %d bytes kept as %q", len(r.ErrorCode), e.ErrorCode)
	}
	if len(e.Uses) == 0 {
		t.Error("the denied attempt made no use")
	}
	r.ErrorCode = "AccessDenied"
	if e := mustMapRecord(t, r); e.ErrorCode != "AccessDenied" {
		t.Errorf("a short error code was changed to %q", e.ErrorCode)
	}
}

func mustMapRecord(t *testing.T, r cloudtrail.Record) cloudtrail.Event {
	t.Helper()
	e, err := cloudtrail.MapRecord(&r)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestBoundsKeepRealRecords maps every record of the real CloudTrail files
// in testdata and in the shared data (its committed samples in a clone
// without it): none is refused for length, and no error code is cut.
func TestBoundsKeepRealRecords(t *testing.T) {
	shared, _ := sharedCloudTrailFull(t)
	dirs := []string{"testdata", shared}
	records := 0
	for _, dir := range dirs {
		for name, data := range corpus(t, dir) {
			if strings.Contains(name, ".jsonl:") {
				continue // the same records as the whole file
			}
			d, err := cloudtrail.DecodeGeneral(data, int64(len(data)))
			if err != nil {
				continue // not a delivery file: other tests cover those
			}
			for i := range d.Records {
				records++
				r := &d.Records[i]
				e, err := cloudtrail.MapRecord(r)
				var tl *activity.TooLongError
				if errors.As(err, &tl) {
					t.Errorf("%s record %d: a real record refused: %v", name, i, err)
				}
				if err == nil && e.ErrorCode != r.ErrorCode {
					t.Errorf("%s record %d: real error code %q cut", name, i, r.ErrorCode)
				}
			}
		}
	}
	if records < 100 {
		t.Fatalf("only %d records mapped: the test data is not where this test expects", records)
	}
	t.Logf("%d real records within the bounds", records)
}
