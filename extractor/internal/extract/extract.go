// Package extract is the local engine: it lists CloudTrail objects not read
// yet, decodes them in parallel with bounded workers, and commits each
// object's facts with its ledger row and its days in one transaction.
package extract

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/cloudtrail"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/engine"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// Options configure the local engine.
type Options struct {
	// Workers decoding objects at once; 0 means one per CPU.
	Workers int
	// MaxObjectBytes bounds an object's decompressed size.
	MaxObjectBytes int64
	// Progress, when set, is called from the committing goroutine after
	// each object and once a second while listing.
	Progress func(Progress)
	Logger   *slog.Logger
}

// Progress is how far a run is.
type Progress struct {
	Listed       int64 // objects listed in the window
	AlreadyRead  int64 // of those, in the ledger with the same ETag
	Done         int64 // objects committed in this run (read or skipped)
	Events       int64
	Bytes        int64 // compressed bytes of the objects done
	Uncompressed int64
	Listing      bool // still listing: Listed may grow
	Started      time.Time
}

// tally is what a run did so far.
type tally struct {
	Progress
	Skipped       int64 // objects skipped as bad input (or unreadable)
	BadRecords    int64
	Uses          int64
	Duplicates    int64 // events already counted from another delivery
	FoldersDenied int64 // log folders the reader was not allowed to list
	EventsLeft    int64 // events of days another engine counted
}

func (t *tally) report() engine.Report {
	return engine.Report{
		Listed: t.Listed, AlreadyRead: t.AlreadyRead, Done: t.Done, Skipped: t.Skipped, FoldersDenied: t.FoldersDenied,
		Events: t.Events, Uses: t.Uses, Duplicates: t.Duplicates, BadRecords: t.BadRecords, EventsLeft: t.EventsLeft,
		Bytes: t.Bytes, Uncompressed: t.Uncompressed, Elapsed: time.Since(t.Started),
	}
}

type job struct {
	src *source
	obj cloudtrail.Object
}

// source is a source with the days another engine counted for its
// integration: their events are left to it.
type source struct {
	engine.Source
	left map[int64]bool
}

type result struct {
	facts        *objectFacts
	uncompressed int64
	// unread: the object could not be fetched; it stays out of the ledger
	// so the next run tries again.
	unread bool
	// folder: a folder that could not be listed, not an object.
	folder bool
}

// Run reads the plan's sources into db as the run runID.
func (e *Engine) Run(ctx context.Context, db *store.DB, plan engine.Plan, runID int64) (engine.Report, error) {
	opts := e.opts
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	from, to := plan.Window.Start(), plan.Window.AsOf
	var sources []*source
	for _, sp := range plan.Sources {
		left := map[int64]bool{}
		for _, d := range sp.Left {
			left[d] = true
		}
		sources = append(sources, &source{Source: sp.Source, left: left})
	}
	var sum tally
	sum.Started = time.Now()
	var listed, already atomic.Int64
	listing := atomic.Bool{}
	listing.Store(true)

	jobs := make(chan job, workers*2)
	// Room for a batch: decoders keep decoding while a transaction commits.
	results := make(chan result, max(workers*2, maxBatchObjects))
	runCtx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	g, gctx := errgroup.WithContext(runCtx)
	g.Go(func() error {
		defer close(jobs)
		defer listing.Store(false)
		ledger, err := db.Ledger(gctx)
		if err != nil {
			return err
		}
		defer ledger.Close()
		for _, src := range sources {
			err := src.Logs.List(gctx, from, to, func(o cloudtrail.Object) error {
				listed.Add(1)
				seen, err := ledger.Has(gctx, o.Location, o.ETag)
				if err != nil {
					return err
				}
				if seen {
					already.Add(1)
					return nil
				}
				select {
				case jobs <- job{src, o}:
					return nil
				case <-gctx.Done():
					return gctx.Err()
				}
			})
			var denied *cloudtrail.ListDeniedError
			if errors.As(err, &denied) {
				// Recorded as inputs not read, as an unreadable object is.
				for _, p := range denied.Prefixes {
					of := newObjectFacts(cloudtrail.Object{Location: "s3://" + denied.Bucket + "/" + p}, src.IntegrationID())
					of.f.Errors = append(of.f.Errors, store.InputError{RecordIndex: -1, Reason: denied.Reason(p)})
					select {
					case results <- result{facts: of, unread: true, folder: true}:
					case <-gctx.Done():
						return gctx.Err()
					}
				}
				err = nil
			}
			if err != nil {
				return fmt.Errorf("list %s: %w", src.Logs, err)
			}
		}
		return nil
	})
	dec := cloudtrail.Decoder{MaxBytes: opts.MaxObjectBytes}
	decoders, dctx := errgroup.WithContext(gctx)
	for range workers {
		decoders.Go(func() error {
			for j := range jobs {
				r := readObject(dctx, dec, j, log)
				if dctx.Err() != nil {
					// Stopping: what this object gave is not committed.
					return dctx.Err()
				}
				select {
				case results <- r:
				case <-dctx.Done():
					return dctx.Err()
				}
			}
			return nil
		})
	}
	g.Go(func() error {
		err := decoders.Wait()
		close(results)
		return err
	})

	w := db.NewUsageWriter(runID)
	defer w.Close()
	var commitErr error
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	report := func() {
		if opts.Progress != nil {
			sum.Listed, sum.AlreadyRead, sum.Listing = listed.Load(), already.Load(), listing.Load()
			opts.Progress(sum.Progress)
		}
	}
commit:
	for {
		select {
		case r, ok := <-results:
			if !ok {
				break commit
			}
			batch := gather(r, results)
			c, err := commitBatch(gctx, w, batch)
			if err != nil {
				commitErr = err
				break commit
			}
			sum.Uses += c.Uses
			sum.Duplicates += c.Duplicates
			log.Debug("committed", "objects", len(batch), "first", batch[0].facts.f.Location)
			for _, r := range batch {
				if r.folder {
					sum.FoldersDenied++
					continue
				}
				sum.Done++
				sum.Events += r.facts.f.Events
				sum.EventsLeft += r.facts.left
				sum.Bytes += r.facts.f.Size
				sum.Uncompressed += r.uncompressed
				for _, e := range r.facts.f.Errors {
					if e.RecordIndex >= 0 {
						sum.BadRecords++
					}
				}
				if r.facts.f.Skipped || r.unread {
					sum.Skipped++
				}
			}
			report()
		case <-tick.C:
			report()
		}
	}
	if commitErr != nil {
		// Stop the listing and the decoders; what they hold is not
		// committed and will be read again.
		cancelRun()
		go func() {
			for range results {
			}
		}()
	}
	waitErr := g.Wait()
	var err error
	switch {
	case ctx.Err() != nil:
		err = context.Canceled
	case waitErr != nil && !errors.Is(waitErr, context.Canceled):
		err = waitErr
	case commitErr != nil:
		err = commitErr
	default:
		err = waitErr
	}
	if err == nil {
		// Duplicates are checked against every event of the run; the keys
		// past the horizon go only now.
		if _, err = db.PruneDedup(ctx); err != nil {
			err = fmt.Errorf("after committing every object: %w", err)
		}
	}
	sum.Listed, sum.AlreadyRead, sum.Listing = listed.Load(), already.Load(), false
	return sum.report(), err
}

// Objects share a transaction, up to these bounds: fewer, larger
// transactions write each page of the indexes once instead of once per
// object, and merge more of each day's rows before writing them. An object
// is never split between two.
const (
	maxBatchObjects = 32
	maxBatchEvents  = 100_000
	// batchWait is how long a batch waits for the next decoded object
	// before it is committed as it is: decoders deliver one every few
	// milliseconds, a slow source (or the end of the listing) less often.
	batchWait = 100 * time.Millisecond
)

// gather adds to first the results that arrive within batchWait of each
// other, up to the bounds.
func gather(first result, results <-chan result) []result {
	batch := []result{first}
	events := first.facts.f.Events
	wait := time.NewTimer(batchWait)
	defer wait.Stop()
	for len(batch) < maxBatchObjects && events < maxBatchEvents {
		select {
		case r, ok := <-results:
			if !ok {
				return batch
			}
			batch = append(batch, r)
			events += r.facts.f.Events
			wait.Reset(batchWait)
		case <-wait.C:
			return batch
		}
	}
	return batch
}

func commitBatch(ctx context.Context, w *store.UsageWriter, batch []result) (store.Committed, error) {
	var read []*store.ObjectFacts
	for _, r := range batch {
		if r.unread {
			if err := w.RecordErrors(ctx, &r.facts.f); err != nil {
				return store.Committed{}, err
			}
			continue
		}
		read = append(read, r.facts.facts())
	}
	if len(read) == 0 {
		return store.Committed{}, nil
	}
	return w.Commit(ctx, read)
}

// readObject fetches, decodes and maps one object. Bad input becomes
// recorded errors, never a failed run.
func readObject(ctx context.Context, dec cloudtrail.Decoder, j job, log *slog.Logger) result {
	of := newObjectFacts(j.obj, j.src.IntegrationID())
	rc, err := j.src.Logs.Open(ctx, j.obj)
	if err != nil {
		if ctx.Err() == nil {
			log.Warn("cannot read object", "object", j.obj.Location, "err", err)
		}
		of.f.Errors = append(of.f.Errors, store.InputError{RecordIndex: -1, Reason: "cannot read: " + err.Error()})
		return result{facts: of, unread: true}
	}
	d, err := dec.Decode(rc)
	rc.Close() //nolint:errcheck // read only
	var bad *cloudtrail.BadInputError
	switch {
	case errors.As(err, &bad):
		log.Warn("skipped object", "object", j.obj.Location, "reason", bad.Reason)
		of.f.Skipped = true
		of.f.Errors = append(of.f.Errors, store.InputError{RecordIndex: -1, Reason: bad.Reason})
		return result{facts: of}
	case err != nil:
		of.f.Errors = append(of.f.Errors, store.InputError{RecordIndex: -1, Reason: "cannot read: " + err.Error()})
		return result{facts: of, unread: true}
	}
	for _, b := range d.Bad {
		of.f.Errors = append(of.f.Errors, store.InputError{RecordIndex: b.Index, Reason: b.Reason})
	}
	name, _ := cloudtrail.ParseObjectName(j.obj.Key)
	// Most events make one use: room for that many saves growing the list
	// step by step.
	of.f.Uses = make([]activity.UseFact, 0, len(d.Records))
	for i := range d.Records {
		e, err := cloudtrail.MapRecord(&d.Records[i])
		if err != nil {
			of.f.Errors = append(of.f.Errors, store.InputError{RecordIndex: d.Index(i), Reason: err.Error()})
			continue
		}
		if j.src.left[activity.Day(e.Time)] {
			of.left++
			continue
		}
		of.add(&e, name)
	}
	return result{facts: of, uncompressed: d.Bytes}
}
