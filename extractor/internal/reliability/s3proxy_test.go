package reliability

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fault is what the proxy does to one request instead of forwarding it
// faithfully.
type fault int

const (
	noFault   fault = iota
	slowDown        // 503 SlowDown, as S3 answers when throttling
	reset           // the connection closed with a TCP reset, no answer
	truncated       // the full Content-Length announced, half the body sent
	slow            // forwarded after a pause
)

var faultNames = [...]string{"none", "503 SlowDown", "connection reset", "truncated body", "slow response"}

// faultyS3 is a reverse proxy in front of an S3 server that injects faults on
// a share of requests, from a seeded plan.
type faultyS3 struct {
	*httptest.Server
	mu       sync.Mutex
	rng      *rand.Rand
	share    float64 // of requests that get a fault
	injected [len(faultNames)]atomic.Int64
	requests atomic.Int64
}

func startFaultyS3(t *testing.T, upstream string, seed uint64, share float64) *faultyS3 {
	t.Helper()
	target, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	p := &faultyS3{rng: rand.New(rand.NewPCG(seed, seed)), share: share}
	proxy := httputil.NewSingleHostReverseProxy(target)
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.requests.Add(1)
		f := p.next()
		p.injected[f].Add(1)
		switch f {
		case slowDown:
			io.Copy(io.Discard, r.Body) //nolint:errcheck // drained only; the answer is SlowDown either way
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`) //nolint:errcheck // a handler cannot report a failed write; the client sees it
		case reset:
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				return
			}
			if tcp, ok := conn.(*net.TCPConn); ok {
				tcp.SetLinger(0) //nolint:errcheck // best effort: without it the reset is a plain close, a fault too
			}
			conn.Close() //nolint:errcheck // breaking the connection is the fault injected
		case truncated:
			rec := httptest.NewRecorder()
			proxy.ServeHTTP(rec, r)
			body := rec.Body.Bytes()
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(rec.Code)
			w.Write(body[:len(body)/2])
			// Ends the connection without the rest of the body.
			panic(http.ErrAbortHandler)
		case slow:
			time.Sleep(time.Duration(20+p.rand(180)) * time.Millisecond)
			proxy.ServeHTTP(w, r)
		default:
			proxy.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *faultyS3) rand(n int) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rng.IntN(n)
}

func (p *faultyS3) next() fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.rng.Float64() >= p.share {
		return noFault
	}
	return fault(1 + p.rng.IntN(len(faultNames)-1))
}

// faults counts the faults injected so far.
func (p *faultyS3) faults() int {
	n := 0
	for f := slowDown; int(f) < len(faultNames); f++ {
		n += int(p.injected[f].Load())
	}
	return n
}

func (p *faultyS3) describe() string {
	var b bytes.Buffer
	for f := slowDown; int(f) < len(faultNames); f++ {
		b.WriteString(faultNames[f] + ": " + strconv.FormatInt(p.injected[f].Load(), 10) + "; ")
	}
	b.WriteString(strconv.FormatInt(p.requests.Load(), 10) + " requests")
	return b.String()
}
