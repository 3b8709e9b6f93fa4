package reliability

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// Case 1: extract is killed with SIGKILL at random moments, again and again,
// then left to finish: facts and scores are those of a clean run. A round
// starts from an empty database and ends when a run finishes before its
// kill; rounds repeat until enough kills landed.
func TestReliabilityCrashes(t *testing.T) {
	c := begin(t, "crash-kill9")
	kills := size(10, 50)
	tr := generate(t, size(20000, 200000), size(10, 20))

	began := time.Now()
	clean := cleanRun(t, tr)
	took := time.Since(began)

	rng := rand.New(rand.NewPCG(9, uint64(time.Now().UnixNano())))
	for round := 0; c.faults < kills; round++ {
		db := dbIn(t)
		c.inputs += tr.files
		for finished := false; !finished; {
			// Anywhere from the start (opening, migrating) to past the clean
			// run's length.
			delay := time.Duration(rng.Int64N(int64(took)*5/4 + int64(20*time.Millisecond)))
			ch := startChild(t, nil, extractArgs(db, tr.source(), tr.asOf)...)
			done := make(chan int, 1)
			go func() { done <- ch.wait() }()
			c.runs++
			select {
			case status := <-done:
				if status != 0 {
					t.Fatalf("round %d: a run ended with exit status %d before its kill:\n%s", round, status, ch.stderr.String())
				}
				finished = true
			case <-time.After(delay):
				_ = ch.cmd.Process.Kill()
				<-done
				c.faults++
			}
		}
		integrity(t, db)
		t.Run(fmt.Sprint("round", round), func(t *testing.T) {
			if round == 0 {
				sameResults(t, c, tr, clean, db)
				return
			}
			sameFacts(t, c, clean, db)
		})
	}
	t.Logf("%d kills over %d runs", c.faults, c.runs)
}
