package extract_test

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/cloudtrail"
)

// Each long-term access key's first and last use, and each successful
// console sign-in, were computed from the delivery files with jq,
// independently of this code:
//
//	zcat *.json.gz | jq -r '.Records[] | select(.userIdentity.accessKeyId // "" | startswith("AKIA"))
//	  | [.userIdentity.arn, .userIdentity.accessKeyId, .eventTime] | @tsv' | sort -u \
//	  | awk -F'\t' '{k=$1"\t"$2; if (!(k in first)) first[k]=$3; last[k]=$3} END {for (k in last) print k"\t"first[k]"\t"last[k]}'
//	zcat *.json.gz | jq -r '.Records[] | select(.eventName == "ConsoleLogin" and .responseElements.ConsoleLogin == "Success")
//	  | [.userIdentity.arn, .eventTime] | @tsv'
//
// The 633 events signed with session keys (ASIA…: 563 of IAM users' console
// sessions, 70 of roles) are not uses of any access key.
func TestInvictusCredentialUses(t *testing.T) {
	db := openDB(t)
	run(t, db, cloudtrail.Folder{Dir: invictusDir})
	ctx := context.Background()
	type use struct{ first, last string }
	for arn, want := range map[string]map[string]use{
		"arn:aws:iam::123837392027:user/benjamin": {
			"AKIATFQZ7NSC8Q4X21BJ": {"2023-07-10T11:42:34Z", "2023-07-10T11:42:44Z"},
			"AKIATFQR7NSCUXC3DDDP": {"2023-07-10T11:42:18Z", "2023-07-10T12:27:46Z"},
		},
		"arn:aws:iam::123837392027:user/bert-jan": {
			"AKIATFQR7NSC8Q4X20BJ":     {"2023-07-10T11:54:33Z", "2023-07-10T12:29:09Z"},
			activity.CredentialConsole: {"2023-07-10T12:27:45Z", "2023-07-10T12:27:45Z"},
		},
		"arn:aws:iam::123837392027:user/stratus-red-team-nmfalu-gfjyeaypjt": {
			activity.CredentialConsole: {"2023-07-10T12:23:15Z", "2023-07-10T12:23:15Z"},
		},
	} {
		p, err := db.PrincipalByARN(ctx, arn)
		if err != nil {
			t.Fatalf("%s: %v", arn, err)
		}
		uses, err := db.CredentialLastUses(ctx, p.ID, activity.Window{AsOf: invictusAsOf, Days: 30})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, u := range uses {
			got[u.Credential] = u.LastUsedAt.Format(time.RFC3339)
			if !u.InWindow {
				t.Errorf("%s: %s used at %s, not in the window", arn, u.Credential, u.LastUsedAt)
			}
		}
		wantLast := map[string]string{}
		for c, u := range want {
			wantLast[c] = u.last
		}
		if !maps.Equal(got, wantLast) {
			t.Errorf("%s: last uses\n got %v\nwant %v", arn, got, wantLast)
		}
		// A window ending just before a key's last use gives its use
		// before, to the second: the day's seconds are kept.
		for c, u := range want {
			last, _ := time.Parse(time.RFC3339, u.last)
			if u.first == u.last {
				continue
			}
			before, err := db.CredentialLastUses(ctx, p.ID, activity.Window{AsOf: last.Add(-time.Second), Days: 1})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, b := range before {
				if b.Credential != c {
					continue
				}
				found = true
				if b.LastUsedAt.After(last.Add(-time.Second)) || b.LastUsedAt.Format(time.RFC3339) < u.first {
					t.Errorf("%s: %s as of a second before its last use: %s", arn, c, b.LastUsedAt)
				}
			}
			if !found {
				t.Errorf("%s: %s not used as of a second before its last use, though first used at %s", arn, c, u.first)
			}
		}
	}
	var keys int
	if err := db.SQL().QueryRowContext(ctx, `SELECT count(DISTINCT credential) FROM usage_credentials WHERE credential <> 'console'`).Scan(&keys); err != nil {
		t.Fatal(err)
	}
	if keys != 3 {
		t.Errorf("%d access keys recorded; the trail's events name 3 AKIA keys", keys)
	}
}
