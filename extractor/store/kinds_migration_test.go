package store

import (
	"context"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// A database of an earlier release keeps its resources, their ids and what
// refers to them when the table is made anew for the new kinds, and takes
// a queue, a topic, a function and a table afterwards; foreign keys are on
// again on every connection.
func TestMigrationToMoreResourceKindsKeepsResources(t *testing.T) {
	ctx := context.Background()
	path, conn := databaseAt(t, 62)
	bucket, err := UpsertResource(ctx, conn, activity.Resource{ARN: "arn:aws:s3:::logs", Kind: activity.KindS3Bucket, AccountID: "111111111111", Name: "logs"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(`INSERT INTO discovered_resources (resource_id, account_id, policy_state) VALUES (?, '111111111111', 'none')`, bucket); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(`INSERT INTO resources (arn, kind, name) VALUES ('arn:aws:sqs:eu-west-1:111111111111:q', 'sqs_queue', 'q')`); err == nil {
		t.Fatal("the schema of release 62 took an SQS queue: the test does not start where it should")
	}
	conn.Close()

	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var id int64
	var arn, canonical string
	if err := db.sql.QueryRowContext(ctx, `SELECT r.id, r.arn, r.canonical_arn FROM discovered_resources d JOIN resources r ON r.id = d.resource_id`).Scan(&id, &arn, &canonical); err != nil {
		t.Fatal(err)
	}
	if id != bucket || arn != "arn:aws:s3:::logs" || canonical != "arn:aws:s3:::logs" {
		t.Errorf("bucket row %d %s %s, want %d arn:aws:s3:::logs", id, arn, canonical, bucket)
	}
	for _, ref := range []struct{ kind, arn string }{
		{activity.KindQueue, "arn:aws:sqs:eu-west-1:111111111111:orders"},
		{activity.KindTopic, "arn:aws:sns:eu-west-1:111111111111:alerts"},
		{activity.KindFunction, "arn:aws:lambda:eu-west-1:111111111111:function:resize"},
		{activity.KindTable, "arn:aws:dynamodb:eu-west-1:111111111111:table/orders"},
	} {
		r, err := activity.ResourceKindNamed(ref.kind).Resolve(ref.arn, "", "", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := UpsertResource(ctx, db.sql, r); err != nil {
			t.Errorf("%s: %v", ref.kind, err)
		}
	}
	// Every connection of the pool enforces foreign keys.
	for range 3 {
		var on int
		if err := db.sql.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&on); err != nil || on != 1 {
			t.Errorf("foreign_keys = %d (%v), want 1", on, err)
		}
	}
	if _, err := db.sql.ExecContext(ctx, `INSERT INTO discovered_resources (resource_id, account_id, policy_state) VALUES (999999, '111111111111', 'none')`); err == nil {
		t.Error("a row referring to no resource was taken: foreign keys are off")
	}
}
