package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// countDays records that engine counted the integration's days, as each
// engine's writer does: the local engine with an object's facts, Athena
// with a query's.
func countDays(t *testing.T, db *DB, engine, integration string, days ...int64) error {
	t.Helper()
	ctx := context.Background()
	runID, err := db.StartExtractRun(ctx, activity.DayStart(days[0]), 1, []string{engine})
	if err != nil {
		t.Fatal(err)
	}
	switch engine {
	case EngineLocal:
		w := db.NewUsageWriter(runID)
		defer w.Close()
		_, err = w.Commit(ctx, []*ObjectFacts{{Location: fmt.Sprintf("file:///logs/%d.json.gz", runID), ETag: "e",
			Integration: integration, Days: days, Events: 1,
			Facts: activity.Facts{Observed: []activity.ObservedFact{{AccountID: "111111111111", Region: "us-east-1", Day: days[0], Events: 1}}}}})
	case EngineAthena:
		err = db.CommitAggregated(ctx, AthenaQuery{QueryID: fmt.Sprintf("q%d", runID), Integration: integration, RunID: runID, Days: days},
			&AggregatedFacts{Facts: activity.Facts{Observed: []activity.ObservedFact{{AccountID: "111111111111", Region: "us-east-1", Day: days[0], Events: 1}}}})
	}
	return err
}

// A day one engine counted for an integration is left by the other engine
// for that integration, and only for it; logs of no integration (--source)
// may be any integration's, so their days are left by Athena for every
// integration, and reading them leaves every integration's Athena days.
func TestEngineDaysLeftToTheEngineThatCountedThem(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	const a, b, c = "111111111111", "222222222222", "333333333333"
	for _, step := range []struct {
		engine, integration string
		days                []int64
	}{
		{EngineLocal, a, []int64{10, 11}},
		{EngineLocal, a, []int64{11}}, // a later object of a day the local engine counted
		{EngineAthena, a, []int64{12, 13}},
		{EngineAthena, b, []int64{10}},
		{EngineLocal, "", []int64{20}},
	} {
		if err := countDays(t, db, step.engine, step.integration, step.days...); err != nil {
			t.Fatalf("%s counts %v of %q: %v", step.engine, step.days, step.integration, err)
		}
	}
	for _, tc := range []struct {
		engine, integration string
		counted, left       []int64
	}{
		{EngineLocal, a, []int64{10, 11}, []int64{12, 13}},
		{EngineAthena, a, []int64{12, 13}, []int64{10, 11, 20}},
		{EngineLocal, b, nil, []int64{10}},
		{EngineAthena, b, []int64{10}, []int64{20}},
		{EngineLocal, c, nil, nil},
		{EngineAthena, c, nil, []int64{20}},
		{EngineLocal, "", []int64{20}, []int64{10, 12, 13}},
	} {
		counted, err := db.DaysCounted(ctx, tc.engine, tc.integration, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		left, err := db.DaysCountedElsewhere(ctx, tc.engine, tc.integration, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		if got := sortedDays(counted); !reflect.DeepEqual(got, tc.counted) {
			t.Errorf("%s engine, integration %q: counted %v, want %v", tc.engine, tc.integration, got, tc.counted)
		}
		if got := sortedDays(left); !reflect.DeepEqual(got, tc.left) {
			t.Errorf("%s engine, integration %q: leaves %v, want %v", tc.engine, tc.integration, got, tc.left)
		}
	}
	if left, _ := db.DaysCountedElsewhere(ctx, EngineAthena, a, 11, 12); !reflect.DeepEqual(sortedDays(left), []int64{11}) {
		t.Errorf("days left among 11 to 12: %v", sortedDays(left))
	}
}

// A day is counted by one engine only, even when runs of both overlap:
// writing facts of a day the other engine counted meanwhile, or loading a
// day twice through Athena, fails and writes nothing.
func TestEngineDaysRefuseADayCountedElsewhere(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	const a, b = "111111111111", "222222222222"
	if err := countDays(t, db, EngineLocal, a, 10); err != nil {
		t.Fatal(err)
	}
	if err := countDays(t, db, EngineAthena, a, 12); err != nil {
		t.Fatal(err)
	}
	if err := countDays(t, db, EngineLocal, "", 20); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		engine, integration string
		days                []int64
	}{
		{EngineAthena, a, []int64{11, 10}},
		{EngineLocal, a, []int64{12}},
		{EngineAthena, a, []int64{12}},
		{EngineAthena, b, []int64{20}},
		{EngineLocal, "", []int64{12}},
	} {
		var before int
		if err := db.SQL().QueryRow(`SELECT count(*) FROM usage_observed`).Scan(&before); err != nil {
			t.Fatal(err)
		}
		err := countDays(t, db, tc.engine, tc.integration, tc.days...)
		if !errors.Is(err, ErrDaysCounted) {
			t.Errorf("%s counts %v of %q: %v, want %v", tc.engine, tc.days, tc.integration, err, ErrDaysCounted)
		}
		var after int
		if err := db.SQL().QueryRow(`SELECT count(*) FROM usage_observed`).Scan(&after); err != nil {
			t.Fatal(err)
		}
		if after != before {
			t.Errorf("%s counts %v of %q: facts written although refused", tc.engine, tc.days, tc.integration)
		}
	}
	days, err := db.EngineDays(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 3 {
		t.Errorf("engine days after refusals: %+v", days)
	}
}

// A database written before engine_days keeps its meaning: the days Athena
// loaded stay Athena's, for their integration and run, and the other days
// read stay the local engine's, for every integration.
func TestMigrationKeepsWhichEngineCountedEachDay(t *testing.T) {
	ctx := context.Background()
	path, conn := databaseAt(t, 50)
	for _, q := range []string{
		`INSERT INTO extract_runs (id, started_at, as_of, window_days, sources, status) VALUES (7, 0, 0, 30, 'athena', 'done')`,
		`INSERT INTO athena_queries VALUES ('q1', '111111111111', 7, 100, 101, 0, 0, 0, 0)`,
		`INSERT INTO athena_days VALUES ('111111111111', 100, 'q1'), ('111111111111', 101, 'q1')`,
		`INSERT INTO usage_observed VALUES ('111111111111', 'us-east-1', 99, 5), ('222222222222', 'eu-west-1', 99, 1),
			('111111111111', 'us-east-1', 100, 3), ('222222222222', 'us-east-1', 102, 2)`,
	} {
		if _, err := conn.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	conn.Close()

	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.EngineDays(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	want := []EngineDay{
		{Integration: "", Day: 99, Engine: EngineLocal}, {Integration: "", Day: 102, Engine: EngineLocal},
		{Integration: "111111111111", Day: 100, Engine: EngineAthena, RunID: 7}, {Integration: "111111111111", Day: 101, Engine: EngineAthena, RunID: 7},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("engine days after the migration:\n got %+v\nwant %+v", got, want)
	}
	var n int
	if err := db.SQL().QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name = 'athena_days'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("athena_days still there (%d, %v)", n, err)
	}
	if err := db.SQL().QueryRow(`SELECT count(*) FROM athena_queries`).Scan(&n); err != nil || n != 1 {
		t.Errorf("athena_queries: %d rows (%v), want the query kept", n, err)
	}
}

func sortedDays(days map[int64]bool) []int64 {
	var out []int64
	for d := range days {
		out = append(out, d)
	}
	slices.Sort(out)
	return out
}
