package report

import (
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// Principals of the fixture, by a part of their ARN unique to each.
const (
	alice    = "user/alice"
	bob      = "user/bob"
	carol    = "okta/carol"
	dave     = "user/dave"
	erin     = "role/erin"
	imgARN   = "arn:aws:sts::111111111111:assumed-role/r/<img src=x onerror=alert(1)>"
	ctrlARN  = "arn:aws:sts::111111111111:assumed-role/deploy/evil\x1b[2J\rok"
	ctrlName = "evil\x1b[2J\rok"
)

var asOf = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

func at(days int) *time.Time { return ptr(asOf.AddDate(0, 0, -days)) }

// fixture is a run over two monitored accounts and one that is not, with
// two dormant principals, two above the over-provisioned threshold, one
// exactly on it, hostile names, and scores without a value.
func fixture() *activity.Scores {
	berlin := time.FixedZone("CET", 3600)
	return &activity.Scores{
		Run: activity.ScoreRun{
			ID: 7, Window: activity.Window{AsOf: asOf, Days: 30}, ComputedAt: asOf.Add(time.Hour),
			Coverage: activity.Coverage{
				MonitoredAccounts:    []string{"111111111111", "222222222222"},
				MissingDays:          []activity.AccountDays{{AccountID: "222222222222", Days: []string{"2026-11-01", "2026-11-02", "2026-11-03"}}},
				DataEventsNotLogged:  []string{"222222222222"},
				UnattributedSessions: 4,
			},
		},
		Principals: []activity.PrincipalScore{
			{
				Principal: activity.Principal{ID: 1, ARN: "arn:aws:iam::111111111111:user/alice", Kind: activity.KindIAMUser, AccountID: "111111111111", Name: "alice"},
				Monitored: true, ResourceOPS: ptr(66.66666), OPS: ptr(81.54),
				LastActivityAt: ptr(asOf.AddDate(0, 0, -2).In(berlin)),
				Resources: []activity.ResourceScore{
					{
						Resource:       activity.Resource{ID: 10, ARN: "arn:aws:s3:::reports", Kind: activity.KindS3Bucket, AccountID: "111111111111", Name: "reports"},
						OPS:            ptr(66.66666),
						GrantedActions: []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"},
						UsedActions:    []string{"s3:GetObject"},
						LastUsedAt:     at(2),
					},
					{
						Resource:       activity.Resource{ID: 11, ARN: "arn:aws:secretsmanager:us-east-2:111111111111:secret:db-AbCdEf", Kind: activity.KindSecret, AccountID: "111111111111"},
						OPS:            ptr(100.0),
						GrantedActions: []string{"secretsmanager:GetSecretValue"},
					},
					{
						Resource:           activity.Resource{ID: 12, ARN: "arn:aws:kms:us-east-2:111111111111:key/1111", Kind: activity.KindKMSKey, AccountID: "111111111111"},
						OPS:                ptr(0.0),
						GrantedActions:     []string{"kms:Decrypt", "kms:Encrypt"},
						UsedActions:        []string{"kms:Decrypt", "kms:Encrypt"},
						ConditionalActions: []string{"kms:Encrypt"},
						LastUsedAt:         at(3),
					},
				},
			},
			{
				Principal: activity.Principal{ID: 2, ARN: "arn:aws:iam::111111111111:user/bob", Kind: activity.KindIAMUser, AccountID: "111111111111", Name: "bob"},
				Monitored: true, Dormant: true, ResourceOPS: ptr(100.0), OPS: ptr(100.0),
				Resources: []activity.ResourceScore{{
					Resource:       activity.Resource{ID: 10, ARN: "arn:aws:s3:::reports", Kind: activity.KindS3Bucket, AccountID: "111111111111"},
					OPS:            ptr(100.0),
					GrantedActions: []string{"s3:GetObject"},
				}},
			},
			{
				Principal: activity.Principal{ID: 3, ARN: imgARN, Kind: activity.KindIAMRole, AccountID: "111111111111", Name: "<img src=x onerror=alert(1)>"},
				Monitored: true, ResourceOPS: ptr(50.0), OPS: ptr(50.0), LastActivityAt: at(1),
				Resources: []activity.ResourceScore{{
					Resource:       activity.Resource{ID: 13, ARN: "arn:aws:s3:::<b>bold</b>", Kind: activity.KindS3Bucket, AccountID: "111111111111"},
					OPS:            ptr(50.0),
					GrantedActions: []string{"s3:GetObject", "s3:PutObject"},
					UsedActions:    []string{"s3:GetObject"},
					LastUsedAt:     at(1),
				}},
			},
			{
				Principal: activity.Principal{ID: 4, ARN: ctrlARN, Kind: activity.KindIAMRole, AccountID: "111111111111", Name: ctrlName},
				Monitored: true, Dormant: true, ResourceOPS: ptr(10.0), OPS: ptr(12.0), LastActivityAt: at(40),
				Notes: []string{"session \x1b[31mred\x1b[0m"},
				Resources: []activity.ResourceScore{{
					Resource:       activity.Resource{ID: 14, ARN: "arn:aws:s3:::logs\x07", Kind: activity.KindS3Bucket, AccountID: "111111111111"},
					OPS:            ptr(10.0),
					GrantedActions: []string{"s3:GetObject", "s3:Put\x1b]0;title\x07Object"},
					UsedActions:    []string{"s3:GetObject"},
				}},
			},
			{
				Principal: activity.Principal{ID: 5, ARN: "arn:aws:sts::222222222222:okta/carol", Kind: activity.KindOktaIdentity, AccountID: "222222222222", Name: "carol"},
				Monitored: true, ResourceOPS: ptr(20.0), OPS: ptr(35.0), LastActivityAt: at(5), ObservedSince: at(10),
				Notes: []string{"logs of account 222222222222 are missing for 3 days of the window: unlogged use makes OPS look higher"},
				Resources: []activity.ResourceScore{{
					Resource:       activity.Resource{ID: 15, ARN: "arn:aws:s3:::shared", Kind: activity.KindS3Bucket, AccountID: "222222222222"},
					OPS:            ptr(20.0),
					GrantedActions: []string{"s3:GetObject"},
					UsedActions:    []string{"s3:GetObject"},
					LastUsedAt:     at(5),
				}},
			},
			{
				// The OPS given here must not show: a principal whose logs
				// were not read has no score at all.
				Principal: activity.Principal{ID: 6, ARN: "arn:aws:iam::333333333333:user/dave", Kind: activity.KindIAMUser, AccountID: "333333333333", Name: "dave"},
				Monitored: false, ResourceOPS: ptr(0.0),
				Notes: []string{"not monitored: no logs of account 333333333333 were extracted for the window"},
				Resources: []activity.ResourceScore{{
					Resource:       activity.Resource{ID: 16, ARN: "arn:aws:s3:::archive", Kind: activity.KindS3Bucket, AccountID: "333333333333"},
					GrantedActions: []string{"s3:GetObject"},
				}},
			},
			{
				Principal: activity.Principal{ID: 7, ARN: "arn:aws:iam::111111111111:role/erin", Kind: activity.KindIAMRole, AccountID: "111111111111", Name: "erin"},
				Monitored: true, LastActivityAt: at(20),
			},
		},
		KMSKeys: []activity.KeyActivity{
			{Resource: activity.Resource{ID: 12, ARN: "arn:aws:kms:us-east-2:111111111111:key/1111", Kind: activity.KindKMSKey, AccountID: "111111111111", Region: "us-east-2"},
				LastActivityAt: at(1), LastViewedAt: at(3)},
			{Resource: activity.Resource{ID: 17, ARN: "arn:aws:kms:us-east-2:111111111111:key/2222", Kind: activity.KindKMSKey, AccountID: "111111111111", Region: "us-east-2"},
				LastActivityAt: at(6)},
		},
	}
}

// Root users and denied attempts added to the fixture.
const (
	rootUsed = "111111111111:root"
	rootIdle = "222222222222:root"
)

// withRootAndDenied is the fixture with the root user of an account that
// used it inside the window, the root user of another that last acted
// before it (dormant), and denied attempts for alice and the first root.
func withRootAndDenied() *activity.Scores {
	s := fixture()
	reports := activity.Resource{ID: 10, ARN: "arn:aws:s3:::reports", Kind: activity.KindS3Bucket, AccountID: "111111111111", Name: "reports"}
	s.Principals[0].Denied = []activity.Denied{
		{Action: "s3:DeleteObject", Resource: &reports, ErrorCode: "AccessDenied", Count: 12, LastAt: *at(2)},
		{Action: "iam:ListUsers", ErrorCode: "AccessDenied", Count: 3, LastAt: *at(4)},
	}
	s.Principals = append(s.Principals,
		activity.PrincipalScore{
			Principal: activity.Principal{ID: 8, ARN: "arn:aws:iam::" + rootUsed, Kind: activity.KindRoot, AccountID: "111111111111", Name: "root"},
			Monitored: true, NAReason: activity.NARootUser, LastActivityAt: at(6),
			Denied: []activity.Denied{{Action: "kms:ScheduleKeyDeletion", ErrorCode: "AccessDeniedException", Count: 1, LastAt: *at(6)}},
		},
		activity.PrincipalScore{
			Principal: activity.Principal{ID: 9, ARN: "arn:aws:iam::" + rootIdle, Kind: activity.KindRoot, AccountID: "222222222222", Name: "root"},
			Monitored: true, NAReason: activity.NARootUser, Dormant: true, LastActivityAt: at(45),
		},
	)
	return s
}
