package engine_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/athena"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/cloudtrail"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/engine"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/extract"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

func openDB(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "activity.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Both engines are engines, each under the name the store keeps its days by.
func TestEnginesArePeers(t *testing.T) {
	for want, e := range map[string]engine.Engine{
		store.EngineLocal:  extract.New(extract.Options{}),
		store.EngineAthena: &athena.Engine{Settings: athena.Settings{Database: "default"}},
	} {
		if got := e.Name(); got != want {
			t.Errorf("%T is named %q, want %q", e, got, want)
		}
	}
}

const (
	integrationA = "111111111111"
	integrationB = "222222222222"
)

func integration(id string) engine.Source {
	return engine.Source{Integration: activity.Integration{AccountID: id}, Logs: cloudtrail.S3{Bucket: "trail-" + id}}
}

// Each engine plans around the days the other counted, integration by
// integration: day 10 of A counted here, day 12 of A and day 10 of B
// through Athena. Logs named by location may be any integration's: they
// leave every integration's Athena days.
func TestEnginesPlanAroundEachOthersDays(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	day := func(d int64) time.Time { return activity.DayStart(20000 + d) }
	runID, err := db.StartExtractRun(ctx, day(20), 30, []string{"test"})
	if err != nil {
		t.Fatal(err)
	}
	w := db.NewUsageWriter(runID)
	if _, err := w.Commit(ctx, []*store.ObjectFacts{{Location: "s3://trail/a.json.gz", ETag: "e", Integration: integrationA, Days: []int64{20010}}}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	for i, q := range []store.AthenaQuery{
		{Integration: integrationA, Days: []int64{20012}},
		{Integration: integrationB, Days: []int64{20010}},
	} {
		q.QueryID, q.RunID = fmt.Sprint("q", i), runID
		if err := db.CommitAggregated(ctx, q, &store.AggregatedFacts{}); err != nil {
			t.Fatal(err)
		}
	}

	// A window of days 10 to 13, as of the end of day 13; the Athena engine
	// plans half an hour later, when day 13 is not complete yet: CloudTrail
	// may deliver its events for another half hour.
	window := activity.Window{AsOf: day(14).Add(-time.Second), Days: 3}
	now := func() time.Time { return day(14).Add(30 * time.Minute) }
	type days struct{ read, counted, pending, left []int64 }
	for _, tc := range []struct {
		e       engine.Engine
		sources []engine.Source
		want    []days
	}{
		{extract.New(extract.Options{}), []engine.Source{integration(integrationA), integration(integrationB), {Logs: cloudtrail.Folder{Dir: "logs"}}},
			[]days{
				{read: []int64{20009, 20010, 20011, 20013}, left: []int64{20012}},
				{read: []int64{20009, 20011, 20012, 20013}, left: []int64{20010}},
				{read: []int64{20009, 20011, 20013}, left: []int64{20010, 20012}},
			}},
		{&athena.Engine{Settings: athena.Settings{Database: "db"}, Now: now}, []engine.Source{integration(integrationA), integration(integrationB)},
			[]days{
				{read: []int64{20011}, counted: []int64{20012}, pending: []int64{20013}, left: []int64{20010}},
				{read: []int64{20011, 20012}, counted: []int64{20010}, pending: []int64{20013}},
			}},
	} {
		p, err := tc.e.Plan(ctx, db, window, tc.sources)
		if err != nil {
			t.Fatalf("%s: %v", tc.e.Name(), err)
		}
		if p.Window != window || len(p.Sources) != len(tc.sources) {
			t.Fatalf("%s: plan %+v", tc.e.Name(), p)
		}
		for i, sp := range p.Sources {
			got := days{read: sp.Days, counted: sp.Counted, pending: sp.Pending, left: sp.Left}
			if !reflect.DeepEqual(got, tc.want[i]) {
				t.Errorf("%s engine, source %q: plans %+v, want %+v", tc.e.Name(), sp.IntegrationID(), got, tc.want[i])
			}
			if sp.Name == "" || sp.Logs.String() != tc.sources[i].Logs.String() {
				t.Errorf("%s engine, source %q: named %q, reads %v", tc.e.Name(), sp.IntegrationID(), sp.Name, sp.Source.Logs)
			}
		}
	}
	// An hour after a day ends, it is complete.
	p, err := (&athena.Engine{Now: func() time.Time { return day(14).Add(time.Hour + time.Second) }}).Plan(ctx, db, activity.Window{AsOf: day(14).Add(time.Hour), Days: 1},
		[]engine.Source{integration(integrationB)})
	if err != nil {
		t.Fatal(err)
	}
	if s := p.Sources[0]; !reflect.DeepEqual(s.Pending, []int64{20014}) || !reflect.DeepEqual(s.Days, []int64{20013}) {
		t.Errorf("athena plans %v, pending %v", s.Days, s.Pending)
	}
}

// The Athena engine reads integrations' trails in S3, and nothing else.
func TestAthenaPlansIntegrationsOnly(t *testing.T) {
	db := openDB(t)
	w := activity.Window{AsOf: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), Days: 1}
	for _, s := range []engine.Source{
		{Logs: cloudtrail.S3{Bucket: "logs"}},
		{Integration: activity.Integration{AccountID: integrationA}, Logs: cloudtrail.Folder{Dir: "logs"}},
	} {
		if _, err := (&athena.Engine{}).Plan(context.Background(), db, w, []engine.Source{s}); err == nil {
			t.Errorf("athena plans to read %v", s.Logs)
		}
	}
}

// fake is an engine whose run ends as told.
type fake struct {
	err    error
	report engine.Report
	ranAs  int64
}

func (f *fake) Name() string { return "fake" }

func (f *fake) Plan(_ context.Context, _ *store.DB, w activity.Window, sources []engine.Source) (engine.Plan, error) {
	p := engine.Plan{Window: w}
	for _, s := range sources {
		p.Sources = append(p.Sources, engine.SourcePlan{Source: s, Name: "fake:" + s.IntegrationID()})
	}
	return p, nil
}

func (f *fake) Run(_ context.Context, _ *store.DB, _ engine.Plan, runID int64) (engine.Report, error) {
	f.ranAs = runID
	return f.report, f.err
}

// Every engine's run is recorded alike: started with the plan's names and
// the window, ended as done, failed or interrupted with what it counted.
func TestExtractRecordsTheRun(t *testing.T) {
	ctx := context.Background()
	asOf := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		err    error
		status string
	}{
		{nil, store.RunDone},
		{errors.New("query failed"), store.RunFailed},
		{fmt.Errorf("integration %s: %w", integrationA, context.Canceled), store.RunInterrupted},
	} {
		db := openDB(t)
		f := &fake{err: tc.err, report: engine.Report{Done: 3, Events: 40, Skipped: 1}}
		rep, err := engine.Extract(ctx, db, f, activity.Window{AsOf: asOf, Days: 7}, []engine.Source{integration(integrationA)}, nil)
		if !errors.Is(err, tc.err) {
			t.Errorf("%s run: error %v, want %v", tc.status, err, tc.err)
		}
		run, lerr := db.LastExtractRun(ctx)
		if lerr != nil {
			t.Fatal(lerr)
		}
		want := store.ExtractRun{ID: rep.RunID, StartedAt: run.StartedAt, FinishedAt: run.FinishedAt, AsOf: asOf, WindowDays: 7,
			Sources: []string{"fake:" + integrationA}, Objects: 3, Events: 40, Skipped: 1, Status: tc.status}
		if !reflect.DeepEqual(run, want) || run.FinishedAt.IsZero() || f.ranAs != rep.RunID || rep.Engine != "fake" {
			t.Errorf("%s run recorded as %+v (report %+v), want %+v", tc.status, run, rep, want)
		}
	}
}
