package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// secondsDay is the day of the events of the tests below.
var secondsDay = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

func clock(hms string) time.Time {
	t, err := time.Parse(time.TimeOnly, hms)
	if err != nil {
		panic(err)
	}
	return secondsDay.Add(time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute + time.Duration(t.Second())*time.Second)
}

// oneEvent is an object holding one event of alice's at hms: a use of
// action on the secret (errorCode: refused), or of the key (crypto tells
// whether it consumed key material).
func oneEvent(id byte, hms, action, errorCode string, key, crypto bool) *ObjectFacts {
	at := clock(hms).Unix()
	f := secretFacts("object-"+hms, "arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-AbC123", "db", id, at)
	f.Location += "-" + action
	f.Uses[0].Action, f.Uses[0].ErrorCode = action, errorCode
	a := activity.ActivityFact{Principal: 0, Day: activity.DayOfUnix(at), First: at, Last: at}
	a.Seconds.AddUnix(at)
	f.Activity = []activity.ActivityFact{a}
	if key {
		f.Resources[0] = activity.Resource{ARN: "arn:aws:kms:eu-west-1:111111111111:key/k1", Kind: activity.KindKMSKey, AccountID: "111111111111", Region: "eu-west-1", Name: "k1"}
		k := activity.KeyFact{Resource: 0, Day: a.Day, LastActivity: at}
		k.ActivitySeconds.AddUnix(at)
		if crypto {
			k.LastCrypto = at
			k.CryptoSeconds.AddUnix(at)
		}
		f.Keys = []activity.KeyFact{k}
		f.Uses = nil // the key's times are what is looked at
	}
	return f
}

// Alice's day, each event in its own object so that every row is merged in
// the database: GetSecretValue at 10:00:00, refused at 10:00:30, again at
// 14:00:00 and 20:00:00; the key decrypted at 09:00:00 and described at
// 15:00:00.
func secondsFixture(t *testing.T) (*DB, int64) {
	t.Helper()
	db := openUsageDB(t)
	ctx := context.Background()
	w := db.NewUsageWriter(1)
	for i, f := range []*ObjectFacts{
		oneEvent(1, "10:00:00", "secretsmanager:GetSecretValue", "", false, false),
		oneEvent(2, "10:00:30", "secretsmanager:GetSecretValue", "AccessDeniedException", false, false),
		oneEvent(3, "14:00:00", "secretsmanager:GetSecretValue", "", false, false),
		oneEvent(4, "20:00:00", "secretsmanager:GetSecretValue", "", false, false),
		oneEvent(5, "09:00:00", "kms:Decrypt", "", true, true),
		oneEvent(6, "15:00:00", "kms:DescribeKey", "", true, false),
	} {
		if _, err := w.Commit(ctx, []*ObjectFacts{f}); err != nil {
			t.Fatalf("object %d: %v", i, err)
		}
	}
	alice, err := db.PrincipalByARN(ctx, "arn:aws:iam::111111111111:user/alice")
	if err != nil {
		t.Fatal(err)
	}
	return db, alice.ID
}

func rfc(t *time.Time) string {
	if t == nil {
		return "null"
	}
	return t.UTC().Format(time.RFC3339)
}

// timesAsOf renders what the score step reads for alice and the key in the
// window.
func timesAsOf(t *testing.T, db *DB, alice int64, w activity.Window) string {
	t.Helper()
	ctx := context.Background()
	last, active, err := db.PrincipalActivity(ctx, alice, w)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{"last " + rfc(last)}
	if active {
		out = append(out, "active")
	}
	uses, err := db.UsesInWindow(ctx, alice, w)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range uses {
		out = append(out, "used "+u.Action+" "+rfc(&u.LastUsedAt))
	}
	denied, err := db.DeniedInWindow(ctx, alice, w)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range denied {
		out = append(out, "denied "+rfc(&d.LastAt))
	}
	keys, err := db.KeyActivityAsOf(ctx, w.AsOf)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		out = append(out, "key "+rfc(k.LastActivityAt)+" crypto "+rfc(k.LastViewedAt))
	}
	return strings.Join(out, ", ")
}

func TestTimesAreExactForAnAsOfInsideADay(t *testing.T) {
	db, alice := secondsFixture(t)
	const (
		get  = "used secretsmanager:GetSecretValue "
		deny = "denied 2026-11-20T10:00:30Z"
	)
	for _, c := range []struct {
		name string
		asOf time.Time
		days int
		want string
	}{
		{"after the day", secondsDay.AddDate(0, 0, 1), 30,
			"last 2026-11-20T20:00:00Z, active, " + get + "2026-11-20T20:00:00Z, " + deny + ", key 2026-11-20T15:00:00Z crypto 2026-11-20T09:00:00Z"},
		{"between two events", clock("17:00:00"), 30,
			"last 2026-11-20T15:00:00Z, active, " + get + "2026-11-20T14:00:00Z, " + deny + ", key 2026-11-20T15:00:00Z crypto 2026-11-20T09:00:00Z"},
		{"on an event's second", clock("14:00:00"), 30,
			"last 2026-11-20T14:00:00Z, active, " + get + "2026-11-20T14:00:00Z, " + deny + ", key 2026-11-20T09:00:00Z crypto 2026-11-20T09:00:00Z"},
		{"a second before it", clock("13:59:59"), 30,
			"last 2026-11-20T10:00:30Z, active, " + get + "2026-11-20T10:00:00Z, " + deny + ", key 2026-11-20T09:00:00Z crypto 2026-11-20T09:00:00Z"},
		{"between a use and a refusal", clock("10:00:29"), 30,
			"last 2026-11-20T10:00:00Z, active, " + get + "2026-11-20T10:00:00Z, key 2026-11-20T09:00:00Z crypto 2026-11-20T09:00:00Z"},
		{"before the day's first event", clock("08:59:59"), 30, "last null, key null crypto null"},
		// A window of a day ending the next day at noon starts at noon:
		// the morning's use and refusal are outside it.
		{"starting at noon", clock("12:00:00").AddDate(0, 0, 1), 1,
			"last 2026-11-20T20:00:00Z, active, " + get + "2026-11-20T20:00:00Z, key 2026-11-20T15:00:00Z crypto 2026-11-20T09:00:00Z"},
		// Starting on the refusal's second, the window holds it.
		{"starting on an event's second", clock("10:00:30").AddDate(0, 0, 1), 1,
			"last 2026-11-20T20:00:00Z, active, " + get + "2026-11-20T20:00:00Z, " + deny + ", key 2026-11-20T15:00:00Z crypto 2026-11-20T09:00:00Z"},
		// Starting a second after the last event, nothing is inside: the
		// last activity is still known.
		{"starting after the last event", clock("20:00:01").AddDate(0, 0, 1), 1,
			"last 2026-11-20T20:00:00Z, key 2026-11-20T15:00:00Z crypto 2026-11-20T09:00:00Z"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w, err := activity.NewWindow(c.asOf, c.days)
			if err != nil {
				t.Fatal(err)
			}
			if got := timesAsOf(t, db, alice, w); got != c.want {
				t.Errorf("as of %s:\n got %s\nwant %s", c.asOf.Format(time.RFC3339), got, c.want)
			}
		})
	}
}

// Rows written before the seconds were kept read as they did: the first
// instant of the day where as_of falls inside it, and a key's day left out.
// A later event of the same day does not make such a row exact.
func TestRowsWithoutSecondsKeepTheDayBound(t *testing.T) {
	db, alice := secondsFixture(t)
	for _, q := range []string{
		`UPDATE usage_actions SET seconds = NULL`, `UPDATE usage_failures SET seconds = NULL`,
		`UPDATE usage_principal_days SET seconds = NULL`, `UPDATE usage_key_days SET activity_seconds = NULL, crypto_seconds = NULL`,
	} {
		if _, err := db.SQL().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.NewUsageWriter(2).Commit(context.Background(), []*ObjectFacts{oneEvent(7, "16:00:00", "secretsmanager:GetSecretValue", "", false, false)}); err != nil {
		t.Fatal(err)
	}
	var unknown int
	if err := db.SQL().QueryRow(`SELECT count(*) FROM usage_principal_days WHERE seconds IS NULL`).Scan(&unknown); err != nil || unknown != 1 {
		t.Fatalf("%d principal days without seconds after a merge (%v), want 1", unknown, err)
	}
	// Exact, as of noon: last 10:00:30, key 09:00:00.
	w, _ := activity.NewWindow(clock("12:00:00"), 30)
	want := "last 2026-11-20T09:00:00Z, active, used secretsmanager:GetSecretValue 2026-11-20T10:00:00Z, denied 2026-11-20T10:00:30Z, key null crypto 2026-11-20T09:00:00Z"
	if got := timesAsOf(t, db, alice, w); got != want {
		t.Errorf("as of noon:\n got %s\nwant %s", got, want)
	}
}

// A damaged set is an error that says what to do, not a wrong time.
func TestDamagedSecondsAreAnError(t *testing.T) {
	db, alice := secondsFixture(t)
	if _, err := db.SQL().Exec(`UPDATE usage_principal_days SET seconds = x'0580'`); err != nil {
		t.Fatal(err)
	}
	w, _ := activity.NewWindow(clock("17:00:00"), 30)
	_, _, err := db.PrincipalActivity(context.Background(), alice, w)
	if err == nil || !strings.Contains(err.Error(), "damaged set of seconds") || !strings.Contains(err.Error(), "new database") {
		t.Errorf("reading a damaged set: %v", err)
	}
}
