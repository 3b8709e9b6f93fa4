package main

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/athena"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

func TestCompareCounts_SameCountsAgree(t *testing.T) {
	counts := map[pair]int64{{"arn:aws:iam::111122223333:user/alice", "s3:GetObject"}: 3}
	if err := compareCounts(counts, map[pair]int64{{"arn:aws:iam::111122223333:user/alice", "s3:GetObject"}: 3}); err != nil {
		t.Fatal(err)
	}
}

func TestCompareCounts_NamesEveryDifference(t *testing.T) {
	alice := pair{"arn:aws:iam::111122223333:user/alice", "s3:GetObject"}
	bob := pair{"arn:aws:iam::111122223333:user/bob", "kms:Decrypt"}
	carol := pair{"arn:aws:iam::111122223333:user/carol", "s3:PutObject"}
	err := compareCounts(map[pair]int64{alice: 3, bob: 1}, map[pair]int64{alice: 4, carol: 2})
	if err == nil {
		t.Fatal("counts that differ agree")
	}
	for _, want := range []string{
		"3 of 3 (principal, action) counts differ",
		"user/alice s3:GetObject: DuckDB 3, extract 4",
		"user/bob kms:Decrypt: DuckDB 1, extract 0",
		"user/carol s3:PutObject: DuckDB 0, extract 2",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q:\n%v", want, err)
		}
	}
}

// The bench runs `benchtool agree` under `set -e`: a count extract did not
// store makes it fail.
func TestAgree_FailsWhenDuckDBCountsMore(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "activity.db")
	db, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	groups := filepath.Join(dir, "groups.csv")
	f, err := os.Create(groups)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	header := athena.Columns()
	row := make([]string, len(header))
	set := map[string]string{
		"day": "2026-11-20", "partition_account": "111122223333", "partition_region": "us-east-1",
		"recipientaccountid": "111122223333", "awsregion": "us-east-1", "eventsource": "s3.amazonaws.com",
		"eventname": "GetObject", "identity_type": "IAMUser", "identity_arn": "arn:aws:iam::111122223333:user/alice",
		"identity_accountid": "111122223333", "identity_username": "alice", "request_bucketname": "reports",
		"first_time": "2026-11-20T10:00:00Z", "last_time": "2026-11-20T10:00:05Z", "seconds": "10:00:00 10:00:05",
		"events": "2", "records": "2",
	}
	for i, h := range header {
		row[i] = set[h]
	}
	if err := w.WriteAll([][]string{header, row}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	err = agree([]string{dbPath, groups})
	if err == nil || !strings.Contains(err.Error(), "user/alice s3:GetObject: DuckDB 2, extract 0") {
		t.Fatalf("agree over counts that differ: %v", err)
	}
}
