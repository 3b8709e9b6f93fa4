package discover

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/testenv"
)

// Discovery from moto reads the users' access keys with their ids
// (ListAccessKeys) and the credential report (GenerateCredentialReport,
// GetCredentialReport, which moto implements): keys, their status and
// creation, and which users have a console password.
func TestDiscoverFromAWSReadsCredentials(t *testing.T) {
	m := testenv.StartMoto(t)
	ctx := context.Background()
	const region = "us-east-1"
	cfg := m.Config(t, region)
	buildAccount(t, cfg)
	im := awsiam.NewFromConfig(cfg)
	// alice (in buildAccount, path /team/) gets two keys, the second
	// deactivated; bob a console password.
	var ids []string
	for range 2 {
		k, err := im.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("alice")})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, aws.ToString(k.AccessKey.AccessKeyId))
	}
	if _, err := im.UpdateAccessKey(ctx, &awsiam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: aws.String(ids[1]),
		Status: iamtypes.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	if _, err := im.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("bob"), Password: aws.String("Corr3ct-horse-battery")}); err != nil {
		t.Fatal(err)
	}
	poll := reportPoll
	reportPoll = 10 * time.Millisecond // moto makes the report at once
	t.Cleanup(func() { reportPoll = poll })
	a, err := FromAWS(ctx, cfg, AWSOptions{AccountID: acct, Regions: []string{region}})
	if err != nil {
		t.Fatal(err)
	}
	for _, is := range a.Issues {
		t.Errorf("issue: %s: %s", is.Source, is.Message)
	}
	if !a.CredentialsRead {
		t.Fatal("credentials not read")
	}
	var keys []string
	for _, k := range a.AccessKeys {
		if !activity.IsAccessKeyID(k.ID) || k.CreatedAt == nil {
			t.Errorf("key %+v: no id or creation time", k)
		}
		keys = append(keys, k.UserARN+" "+k.ID+" "+map[bool]string{true: "active", false: "inactive"}[k.Active])
	}
	sort.Strings(keys)
	want := []string{
		"arn:aws:iam::" + acct + ":user/team/alice " + ids[0] + " active",
		"arn:aws:iam::" + acct + ":user/team/alice " + ids[1] + " inactive",
	}
	sort.Strings(want)
	if strings.Join(keys, "\n") != strings.Join(want, "\n") {
		t.Errorf("access keys\n got %v\nwant %v", keys, want)
	}
	enabled := map[string]bool{}
	for _, p := range a.Passwords {
		enabled[p.UserARN[strings.LastIndexByte(p.UserARN, '/')+1:]] = p.Enabled
	}
	if !enabled["bob"] || enabled["alice"] || len(a.Passwords) != 2 {
		t.Errorf("passwords %+v: want bob's enabled, and alice's disabled", a.Passwords)
	}
	// Stored, the keys are alice's credentials.
	db := openDB(t)
	if err := Store(ctx, db, []store.AccountEntitlements{a}); err != nil {
		t.Fatal(err)
	}
	p, err := db.PrincipalByARN(ctx, "arn:aws:iam::"+acct+":user/team/alice")
	if err != nil {
		t.Fatal(err)
	}
	creds, err := db.CredentialsOf(ctx, p.ID, activity.Window{AsOf: *a.AccessKeys[0].CreatedAt, Days: 30})
	if err != nil {
		t.Fatal(err)
	}
	if len(creds) != 3 || creds[0].Name != ids[0] || !creds[0].Enabled || creds[1].Name != ids[1] || creds[1].Enabled || creds[2].Name != activity.CredentialConsole {
		t.Errorf("alice's stored credentials: %+v", creds)
	}
}
