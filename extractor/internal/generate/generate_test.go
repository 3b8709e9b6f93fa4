package generate

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-json"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/cloudtrail"
)

var testEnd = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

func generateInto(t *testing.T, seed uint64, workers int) (string, Manifest) {
	t.Helper()
	dir := t.TempDir()
	m, err := Run(context.Background(), Options{Out: dir, Accounts: 3, Users: 12, Days: 10, Events: 20000, Seed: seed, End: testEnd, Workers: workers})
	if err != nil {
		t.Fatal(err)
	}
	return dir, m
}

// tree hashes every file under dir by its relative path.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDeterministic(t *testing.T) {
	a, _ := generateInto(t, 42, 1)
	b, _ := generateInto(t, 42, 4)
	c, _ := generateInto(t, 43, 2)
	ta, tb, tc := tree(t, a), tree(t, b), tree(t, c)
	if len(ta) < 20 {
		t.Fatalf("only %d files", len(ta))
	}
	if len(ta) != len(tb) {
		t.Fatalf("%d files, then %d", len(ta), len(tb))
	}
	for p, h := range ta {
		if tb[p] != h {
			t.Errorf("%s differs between two runs with the same seed", p)
		}
	}
	same := 0
	for p, h := range ta {
		if tc[p] == h {
			same++
		}
	}
	if same > 0 {
		t.Errorf("%d files identical under another seed", same)
	}
}

type authzFile struct {
	UserDetailList []struct {
		Arn            string
		GroupList      []string
		UserPolicyList []struct {
			PolicyName     string
			PolicyDocument struct {
				Statement []struct{ Action, Resource any }
			}
		}
	}
	GroupDetailList []struct{ GroupName string }
	RoleDetailList  []struct{ Arn string }
	Policies        []struct{ PolicyName, Arn string }
}

// The trail is real CloudTrail as the extractor reads it, and the
// authorization details describe the identities the events use.
func TestWorldIsConsistent(t *testing.T) {
	dir, m := generateInto(t, 7, 0)
	known := map[string]bool{}
	for _, a := range m.Accounts {
		data, err := os.ReadFile(filepath.Join(dir, "authz", a.ID+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var az authzFile
		if err := json.Unmarshal(data, &az); err != nil {
			t.Fatalf("authz of %s: %v", a.ID, err)
		}
		// The first account has a queue, a topic, a function and a table
		// too, and a role for each.
		roles, resources := 3, 8
		if a.ID == m.Accounts[0].ID {
			roles, resources = 7, 12
		}
		if len(az.UserDetailList) != 12 || len(az.RoleDetailList) != roles || len(az.Policies) < 4 || len(az.GroupDetailList) == 0 {
			t.Errorf("authz of %s: %d users, %d roles, %d policies, %d groups", a.ID, len(az.UserDetailList), len(az.RoleDetailList), len(az.Policies), len(az.GroupDetailList))
		}
		if len(a.Resources) != resources {
			t.Errorf("account %s lists resources %v, want 3 buckets, 2 keys and 3 secrets (and a queue, a topic, a function and a table)", a.ID, a.Resources)
		}
		for _, u := range az.UserDetailList {
			known[u.Arn] = true
			if u.Arn == m.Demo["over_provisioned_user"] {
				if len(u.UserPolicyList) != 1 || u.UserPolicyList[0].PolicyDocument.Statement[0].Action != "s3:*" {
					t.Errorf("over-provisioned user's policies: %+v", u.UserPolicyList)
				}
			}
		}
		for _, r := range az.RoleDetailList {
			known[r.Arn] = true
		}
		_, err = os.Stat(filepath.Join(dir, "trail", "AWSLogs", m.OrganizationID, a.ID))
		if a.InTrail != (err == nil) {
			t.Errorf("account %s in trail %v, but its folder: %v", a.ID, a.InTrail, err)
		}
	}
	for _, k := range []string{"over_provisioned_user", "dormant_user", "unmonitored_user", "unused_role", "unused_permission_user",
		"unused_access_key_user", "unused_password_user", "sqs_queue_role", "sns_topic_role", "lambda_function_role", "dynamodb_table_role"} {
		if !known[m.Demo[k]] {
			t.Errorf("demo %s %q not in any authorization details", k, m.Demo[k])
		}
	}

	dec := cloudtrail.Decoder{}
	actors := map[string]map[string]bool{}
	// The latest use of each user's access key, and console sign-in, as
	// the events show them: what the credential report must say.
	keyLast, consoleLast := map[string]string{}, map[string]string{}
	var events, objects, digests int64
	small := map[string]int{}
	err := filepath.WalkDir(filepath.Join(dir, "trail"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel := filepath.ToSlash(p)
		if !cloudtrail.IsEventObject(rel) {
			if strings.Contains(rel, "/CloudTrail-Digest/") {
				digests++
			}
			return nil
		}
		if _, ok := cloudtrail.ParseObjectName(rel); !ok {
			t.Errorf("%s is not named as CloudTrail names files", rel)
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close() //nolint:errcheck // read only
		got, err := dec.Decode(f)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		objects++
		n := len(got.Records)
		if n > maxRecords {
			t.Errorf("%s holds %d records", rel, n)
		}
		if n < minRecords {
			// Only the last object of an account and region may be short.
			small[filepath.Dir(filepath.Dir(filepath.Dir(filepath.Dir(rel))))]++
		}
		for i := range got.Records {
			e, err := cloudtrail.MapRecord(&got.Records[i])
			if err != nil {
				t.Errorf("%s record %d: %v", rel, i, err)
				continue
			}
			events++
			at := e.Time.Format("2006-01-02T15:04:05+00:00")
			if e.AccessKeyID != "" && at > keyLast[e.Actor.ARN] {
				keyLast[e.Actor.ARN] = at
			}
			if e.ConsoleSignIn && at > consoleLast[e.Actor.ARN] {
				consoleLast[e.Actor.ARN] = at
			}
			if actors[e.Actor.ARN] == nil {
				actors[e.Actor.ARN] = map[string]bool{}
			}
			for _, u := range e.Uses {
				if e.ErrorCode == "" {
					actors[e.Actor.ARN][u.Action] = true
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if objects != m.Stats.Objects || events < m.Stats.Events || digests != m.Stats.Digests || m.Stats.Duplicates == 0 && events != m.Stats.Events {
		t.Errorf("read %d objects, %d events, %d digests; manifest says %+v", objects, events, digests, m.Stats)
	}
	for region, n := range small {
		if n > 1 {
			t.Errorf("%s: %d objects under %d records", region, n, minRecords)
		}
	}
	var people []string
	for arn := range actors {
		switch {
		case strings.HasPrefix(arn, "arn:aws:iam::") && strings.Contains(arn, ":user/"), strings.Contains(arn, ":role/"):
			if !known[arn] {
				t.Errorf("events name %s, which no authorization details describe", arn)
			}
			people = append(people, arn)
		}
	}
	sort.Strings(people)
	if len(people) < 20 {
		t.Errorf("only %d identities act: %v", len(people), people)
	}
	if actors[m.Demo["dormant_user"]] != nil || actors[m.Demo["unmonitored_user"]] != nil || actors[m.Demo["unused_role"]] != nil {
		t.Errorf("the dormant or unmonitored user acts")
	}
	reads := actors[m.Demo["over_provisioned_user"]]
	for a := range reads {
		if a != "s3:GetObject" && a != "s3:ListBucket" && !strings.HasPrefix(a, "sts:") && !strings.HasPrefix(a, "signin:") &&
			!strings.HasPrefix(a, "ec2:Describe") && !strings.HasPrefix(a, "cloudwatch:") && !strings.HasPrefix(a, "lambda:") {
			t.Errorf("the over-provisioned user does %s; it should only read", a)
		}
	}
	if !reads["s3:GetObject"] {
		t.Errorf("the over-provisioned user never reads: %v", reads)
	}
	// The credential reports agree with the events: key 1's last use and
	// the password's are the latest events of the account's users.
	for _, a := range m.Accounts {
		f, err := os.Open(filepath.Join(dir, m.CredentialsFolder, a.ID+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close() //nolint:errcheck // read only
		if err != nil || len(rows) != 14 || len(rows[0]) != 22 {
			t.Fatalf("credential report of %s: %d lines, %v", a.ID, len(rows), err)
		}
		for _, row := range rows[2:] {
			arn := row[1]
			wantKey, wantConsole := keyLast[arn], consoleLast[arn]
			if wantKey == "" {
				wantKey = "N/A"
			}
			if got := row[10]; got != wantKey && (got != "N/A" || a.InTrail) {
				t.Errorf("%s: access_key_1_last_used_date %s, the events' latest %s", arn, got, wantKey)
			}
			if wantConsole != "" && (row[3] != "true" || row[4] != wantConsole) {
				t.Errorf("%s: password %s last used %s, the events' latest sign-in %s", arn, row[3], row[4], wantConsole)
			}
			switch arn {
			case m.Demo["unused_access_key_user"]:
				if row[13] != "true" || row[15] != "N/A" {
					t.Errorf("%s: second key active %s, last used %s; want active and never used", arn, row[13], row[15])
				}
			case m.Demo["unused_password_user"]:
				if row[3] != "true" || wantConsole != "" || row[4] >= m.From {
					t.Errorf("%s: password enabled %s, last used %s, signs in at %q; want one last used before %s", arn, row[3], row[4], wantConsole, m.From)
				}
			}
		}
	}
}
