package extract_test

import (
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/cloudtrail"
)

// The actions of every service each principal performed successfully, and
// the last use of each, were computed from the delivery files with jq,
// independently of this code:
//
//	zcat *.json.gz | jq -r '.Records[] | select(.errorCode == null)
//	  | [(.userIdentity.sessionContext.sessionIssuer.arn // .userIdentity.arn),
//	     ((.eventSource | split(".")[0]) + ":" + .eventName), .eventTime] | @tsv' \
//	  | sort | awk -F'\t' '{k=$1"\t"$2; last[k]=$3} END {for (k in last) print k"\t"last[k]}'
//
// with one event name renamed by hand to its IAM action, as the Service
// Authorization Reference names it: s3:ListBuckets is s3:ListAllMyBuckets.
func TestInvictusServiceActions(t *testing.T) {
	db := openDB(t)
	run(t, db, cloudtrail.Folder{Dir: invictusDir})
	ctx := context.Background()
	for arn, want := range map[string]map[string]string{
		"arn:aws:iam::123837392027:user/benjamin": {
			"account:GetRegionOptStatus":             "2023-07-10T12:27:43Z",
			"health:DescribeEventAggregates":         "2023-07-10T12:37:50Z",
			"iam:GetAccountAuthorizationDetails":     "2023-07-10T11:43:34Z",
			"iam:GetAccountSummary":                  "2023-07-10T11:43:33Z",
			"iam:ListMFADevices":                     "2023-07-10T11:43:35Z",
			"iam:ListSSHPublicKeys":                  "2023-07-10T11:43:35Z",
			"iam:ListUsers":                          "2023-07-10T12:27:46Z",
			"notifications:ListNotificationHubs":     "2023-07-10T11:42:38Z",
			"route53:ListHostedZones":                "2023-07-10T12:27:45Z",
			"s3:GetBucketAcl":                        "2023-07-10T11:43:17Z",
			"s3:GetBucketLocation":                   "2023-07-10T11:43:18Z",
			"s3:GetBucketLogging":                    "2023-07-10T11:43:16Z",
			"s3:GetBucketPolicy":                     "2023-07-10T11:42:31Z",
			"s3:GetBucketPolicyStatus":               "2023-07-10T11:42:44Z",
			"s3:GetBucketPublicAccessBlock":          "2023-07-10T11:42:44Z",
			"s3:GetStorageLensConfiguration":         "2023-07-10T11:42:36Z",
			"s3:GetStorageLensDashboardDataInternal": "2023-07-10T11:42:36Z",
			"s3:ListAccessPoints":                    "2023-07-10T11:42:44Z",
			"s3:ListAllMyBuckets":                    "2023-07-10T11:42:34Z",
		},
		// Its sessions are named after EC2 instances: the role's own.
		"arn:aws:iam::123837392027:role/stratus-red-team-ec2-steal-credentials-role": {
			"ec2:DescribeInstances":               "2023-07-10T11:57:22Z",
			"ssm:GetDocument":                     "2023-07-10T11:57:45Z",
			"ssm:ListInstanceAssociations":        "2023-07-10T12:07:39Z",
			"ssm:PutComplianceItems":              "2023-07-10T11:58:13Z",
			"ssm:PutInventory":                    "2023-07-10T11:58:13Z",
			"ssm:UpdateInstanceAssociationStatus": "2023-07-10T11:58:13Z",
			"ssm:UpdateInstanceInformation":       "2023-07-10T12:07:01Z",
			"sts:GetCallerIdentity":               "2023-07-10T11:57:22Z",
		},
		"arn:aws:iam::123837392027:user/stratus-red-team-nmfalu-gfjyeaypjt": {
			"signin:ConsoleLogin": "2023-07-10T12:23:15Z",
		},
		// Its only calls were refused: nothing used.
		"arn:aws:iam::123837392027:role/stratus-red-team-get-usr-data-role": {},
	} {
		p, err := db.PrincipalByARN(ctx, arn)
		if err != nil {
			t.Fatalf("%s: %v", arn, err)
		}
		uses, err := db.ServiceActionsOf(ctx, p.ID, activity.Window{AsOf: invictusAsOf, Days: 30})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, u := range uses {
			got[u.Action] = u.LastUsedAt.Format("2006-01-02T15:04:05Z")
			if !u.InWindow {
				t.Errorf("%s: %s used at %s, not in the window", arn, u.Action, u.LastUsedAt)
			}
		}
		if !maps.Equal(got, want) {
			t.Errorf("%s used\n%v\nwant\n%v", arn, slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
			for a, at := range want {
				if got[a] != at {
					t.Errorf("%s: %s last used %q, want %s", arn, a, got[a], at)
				}
			}
		}
	}
}

// An as_of inside the day cuts the uses exactly, to the second.
func TestInvictusServiceActionsAsOfInsideTheDay(t *testing.T) {
	db := openDB(t)
	run(t, db, cloudtrail.Folder{Dir: invictusDir})
	ctx := context.Background()
	p, err := db.PrincipalByARN(ctx, "arn:aws:iam::123837392027:user/benjamin")
	if err != nil {
		t.Fatal(err)
	}
	asOf := ts("2023-07-10T11:42:30Z")
	uses, err := db.ServiceActionsOf(ctx, p.ID, activity.Window{AsOf: asOf, Days: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range uses {
		if u.LastUsedAt.After(asOf) {
			t.Errorf("%s last used at %s, after as_of %s", u.Action, u.LastUsedAt, asOf)
		}
	}
	// jq: select(.errorCode == null and .userIdentity.arn == "…user/benjamin"
	// and .eventTime <= "2023-07-10T11:42:30Z") | [.eventName, .eventTime]
	var names []string
	for _, u := range uses {
		names = append(names, u.Action+"@"+u.LastUsedAt.Format("15:04:05"))
	}
	want := []string{"account:GetRegionOptStatus@11:42:18", "s3:GetBucketAcl@11:42:29", "s3:GetBucketLocation@11:42:29",
		"s3:GetBucketLogging@11:42:30", "s3:GetBucketPolicy@11:42:29"}
	if !slices.Equal(names, want) {
		t.Errorf("uses up to %s = %v, want %v", asOf, names, want)
	}
}
