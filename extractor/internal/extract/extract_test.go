package extract_test

import (
	"context"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/cli"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/cloudtrail"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/engine"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/extract"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/testenv"
)

func TestMain(m *testing.M) {
	// The crash test runs this binary as the extract command, to kill it.
	if args := os.Getenv(crashChildEnv); args != "" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		err := cli.Run(ctx, strings.Split(args, "\n"), cli.Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}, "test")
		os.Exit(cli.ExitCode(err))
	}
	os.Exit(testenv.Run(m))
}

const invictusDir = "../cloudtrail/testdata/invictus"

// invictusAsOf is the end of a window holding the whole invictus trail
// (2023-07-10).
var invictusAsOf = time.Date(2023, 7, 11, 0, 0, 0, 0, time.UTC)

func openDB(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "activity.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func run(t *testing.T, db *store.DB, src cloudtrail.Source) engine.Report {
	t.Helper()
	sum, err := engine.Extract(context.Background(), db, extract.New(extract.Options{Workers: 2}),
		activity.Window{AsOf: invictusAsOf, Days: 30}, []engine.Source{{Logs: src}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

var (
	allDays = [2]time.Time{time.Unix(0, 0), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)}
)

// The expected values below were computed from the original delivery files
// with jq, independently of this code, e.g. for last activity:
//
//	jq -r '.Records[] | [(.userIdentity.arn // .userIdentity.sessionContext.sessionIssuer.arn), .eventTime] | @tsv'
//
// keeping each principal's greatest eventTime (errors included).
func TestInvictusFacts(t *testing.T) {
	db := openDB(t)
	sum := run(t, db, cloudtrail.Folder{Dir: invictusDir})
	if sum.Done != 55 || sum.Events != 2900 || sum.Skipped != 0 || sum.BadRecords != 0 {
		t.Fatalf("summary = %+v, want 55 objects and 2900 events, none skipped", sum)
	}
	ctx := context.Background()

	for arn, want := range map[string]string{
		"arn:aws:iam::123837392027:user/bert-jan":                                                                    "2023-07-10T12:34:46Z",
		"arn:aws:iam::123837392027:user/benjamin":                                                                    "2023-07-10T12:37:50Z",
		"arn:aws:iam::123837392027:user/stratus-red-team-nmfalu-gfjyeaypjt":                                          "2023-07-10T12:23:15Z",
		"arn:aws:iam::123837392027:role/stratus-red-team-ec2-steal-credentials-role":                                 "2023-07-10T12:07:39Z",
		"arn:aws:iam::123837392027:role/stratus-red-team-get-usr-data-role":                                          "2023-07-10T12:02:57Z",
		"arn:aws:iam::123837392027:role/aws-service-role/inspector2.amazonaws.com/AWSServiceRoleForAmazonInspector2": "2023-07-10T12:04:10Z",
		"arn:aws:iam::123837392027:role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS":                     "2023-07-10T12:32:01Z",
		"cloudtrail.amazonaws.com": "2023-07-10T12:08:09Z",
	} {
		p, err := db.PrincipalByARN(ctx, arn)
		if err != nil {
			t.Errorf("%s: %v", arn, err)
			continue
		}
		got, _, err := db.PrincipalActivity(ctx, p.ID, activity.Window{AsOf: allDays[1], Days: int(allDays[1].Sub(allDays[0]).Hours() / 24)})
		if err != nil || got == nil || !got.Equal(ts(want)) {
			t.Errorf("last activity of %s = %v (%v), want %s", arn, got, err, want)
		}
	}
	if p, err := db.PrincipalByARN(ctx, "cloudtrail.amazonaws.com"); err != nil || p.Kind != activity.KindAWSService {
		t.Errorf("cloudtrail.amazonaws.com = %+v, %v; want an aws_service principal", p, err)
	}

	keyActivity, err := db.KeyActivityAsOf(ctx, allDays[1])
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]activity.KeyActivity{}
	for _, k := range keyActivity {
		keys[k.ARN] = k
	}
	wantKeys := map[string][2]string{
		"arn:aws:kms:us-east-1:123837392027:key/dad21b23-9915-42bd-981b-2a9f3c8f20c8": {"2023-07-10T12:07:57Z", "2023-07-10T12:07:57Z"},
		"arn:aws:kms:us-east-1:123837392027:key/0e5d0ab6-097e-49d8-99ef-747ce3e5f8f4": {"2023-07-10T12:08:04Z", "2023-07-10T12:08:04Z"},
	}
	if len(keys) != len(wantKeys) {
		t.Errorf("keys = %v, want %d", keys, len(wantKeys))
	}
	for arn, want := range wantKeys {
		if got := keys[arn]; got.LastActivityAt == nil || got.LastViewedAt == nil ||
			!got.LastActivityAt.Equal(ts(want[0])) || !got.LastViewedAt.Equal(ts(want[1])) {
			t.Errorf("key %s = %+v, want activity %s, viewed %s", arn, got, want[0], want[1])
		}
	}

	uses, err := db.ActionUses(ctx, allDays[0], allDays[1])
	if err != nil {
		t.Fatal(err)
	}
	type use struct {
		count int64
		last  string
	}
	bySecret := map[string]map[string]use{}
	for _, u := range uses {
		if u.PrincipalARN != "arn:aws:iam::123837392027:user/bert-jan" {
			continue
		}
		if bySecret[u.ResourceARN] == nil {
			bySecret[u.ResourceARN] = map[string]use{}
		}
		bySecret[u.ResourceARN][u.Action] = use{u.Count, u.LastUsedAt.Format(time.RFC3339)}
	}
	const secretPrefix = "arn:aws:secretsmanager:us-east-1:123837392027:secret:"
	for secret, want := range map[string]map[string]use{
		"stratus-red-team-retrieve-secret-3-i1OGGG": {
			"secretsmanager:CreateSecret": {1, "2023-07-10T11:57:48Z"}, "secretsmanager:DeleteSecret": {1, "2023-07-10T12:07:59Z"},
			"secretsmanager:DescribeSecret": {2, "2023-07-10T12:07:56Z"}, "secretsmanager:GetResourcePolicy": {2, "2023-07-10T12:07:56Z"},
			"secretsmanager:GetSecretValue": {3, "2023-07-10T12:07:57Z"}, "secretsmanager:PutSecretValue": {1, "2023-07-10T11:57:50Z"},
		},
		"stratus-red-team-retrieve-secret-16-ZgthLn": {
			"secretsmanager:CreateSecret": {1, "2023-07-10T11:57:47Z"}, "secretsmanager:DescribeSecret": {2, "2023-07-10T12:07:55Z"},
			"secretsmanager:GetResourcePolicy": {1, "2023-07-10T11:57:48Z"}, "secretsmanager:GetSecretValue": {3, "2023-07-10T12:07:57Z"},
			"secretsmanager:PutSecretValue": {1, "2023-07-10T11:57:49Z"},
		},
	} {
		got := bySecret[secretPrefix+secret]
		if len(got) != len(want) {
			t.Errorf("%s: used actions %v, want %v", secret, got, want)
		}
		for a, w := range want {
			if got[a] != w {
				t.Errorf("%s %s = %+v, want %+v", secret, a, got[a], w)
			}
		}
	}
	// Every secret is one row, named without its suffix.
	var secrets, badNames int
	if err := db.SQL().QueryRow(`SELECT count(*), sum(arn NOT LIKE '%:secret:' || name || '-______') FROM resources WHERE kind = 'secretsmanager_secret'`).Scan(&secrets, &badNames); err != nil {
		t.Fatal(err)
	}
	if secrets != 20 || badNames != 0 {
		t.Errorf("%d secrets (%d badly named), want 20 full ARNs", secrets, badNames)
	}
}

func TestRerunReadsNothingNew(t *testing.T) {
	db := openDB(t)
	run(t, db, cloudtrail.Folder{Dir: invictusDir})
	before := snapshot(t, db)
	sum := run(t, db, cloudtrail.Folder{Dir: invictusDir})
	if sum.Listed != 55 || sum.AlreadyRead != 55 || sum.Done != 0 {
		t.Errorf("rerun = %+v, want 55 listed, all already read", sum)
	}
	if after := snapshot(t, db); after != before {
		t.Errorf("rerun changed facts:\n%s\nwas\n%s", after, before)
	}
}

// A second copy of every object (a duplicate delivery, or an account trail
// beside the organization trail) changes no count and no time.
func TestDuplicateDeliveriesCountOnce(t *testing.T) {
	clean := openDB(t)
	run(t, clean, cloudtrail.Folder{Dir: invictusDir})

	dir := t.TempDir()
	entries, err := os.ReadDir(invictusDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if filepath.Ext(e.Name()) != ".gz" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(invictusDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, copyDir := range []string{"org", "account"} {
			if err := os.MkdirAll(filepath.Join(dir, copyDir), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, copyDir, e.Name()), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	dup := openDB(t)
	sum := run(t, dup, cloudtrail.Folder{Dir: dir})
	if sum.Duplicates == 0 {
		t.Errorf("no duplicate events noticed in %+v", sum)
	}
	if got, want := snapshot(t, dup), snapshot(t, clean); got != want {
		t.Errorf("facts with duplicate deliveries:\n%s\nwant\n%s", got, want)
	}
}
