package athena

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/athena"
)

// fakeAthena answers the Athena JSON protocol for what moto cannot show:
// a FAILED query with Athena's error details, results paged with
// NextToken, throttling.
type fakeAthena struct {
	state    string
	polls    int
	rows     int // result rows after the header
	pageSize int
	throttle bool
	stopped  int
}

func (f *fakeAthena) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := r.Header.Get("X-Amz-Target")
	op = op[strings.LastIndexByte(op, '.')+1:]
	var in map[string]any
	_ = json.NewDecoder(r.Body).Decode(&in)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	reply := func(v any) { _ = json.NewEncoder(w).Encode(v) }
	switch op {
	case "StartQueryExecution":
		if f.throttle {
			w.WriteHeader(http.StatusBadRequest)
			reply(map[string]any{"__type": "TooManyRequestsException", "Message": "Rate exceeded"})
			return
		}
		reply(map[string]any{"QueryExecutionId": "q-1"})
	case "GetQueryExecution":
		f.polls++
		state := "RUNNING"
		if f.polls >= 3 {
			state = f.state
		}
		status := map[string]any{"State": state}
		if state == "FAILED" {
			status["StateChangeReason"] = "Access denied when writing to location: s3://results/"
			status["AthenaError"] = map[string]any{"ErrorCategory": 2, "ErrorType": 1000, "Retryable": false, "ErrorMessage": "Access denied"}
		}
		reply(map[string]any{"QueryExecution": map[string]any{"QueryExecutionId": "q-1", "Status": status,
			"Statistics": map[string]any{"DataScannedInBytes": 123456789}}})
	case "GetQueryResults":
		start := 0
		if tok, ok := in["NextToken"].(string); ok {
			start, _ = strconv.Atoi(tok)
		}
		var rows []any
		for i := start; i < f.rows+1 && i < start+f.pageSize; i++ {
			v := "header"
			if i > 0 {
				v = strconv.Itoa(i)
			}
			rows = append(rows, map[string]any{"Data": []any{map[string]any{"VarCharValue": v}}})
		}
		out := map[string]any{"ResultSet": map[string]any{"Rows": rows}}
		if start+f.pageSize < f.rows+1 {
			out["NextToken"] = strconv.Itoa(start + f.pageSize)
		}
		reply(out)
	case "StopQueryExecution":
		f.stopped++
		reply(map[string]any{})
	default:
		w.WriteHeader(http.StatusBadRequest)
		reply(map[string]any{"__type": "InvalidRequestException", "Message": "unexpected " + op})
	}
}

func fakeRunner(t *testing.T, f *fakeAthena) Runner {
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	client := athena.New(athena.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("k", "s", ""), RetryMaxAttempts: 1})
	return Runner{Client: client, PollFirst: time.Millisecond, PollMax: 2 * time.Millisecond, PageSize: 1000,
		Settings: Settings{Workgroup: "activity", Database: "cloudtrail"}}
}

func TestRunner_PagesThroughResults(t *testing.T) {
	f := &fakeAthena{state: "SUCCEEDED", rows: 2500, pageSize: 1000}
	r := fakeRunner(t, f)
	ex, err := r.Exec(context.Background(), "SELECT 1")
	if err != nil {
		t.Fatal(err)
	}
	if ex.ID != "q-1" || ex.BytesScanned != 123456789 || f.polls != 3 {
		t.Errorf("execution %+v after %d polls", ex, f.polls)
	}
	var header []string
	var got []string
	err = r.Rows(context.Background(), ex.ID, func(h []string) error { header = h; return nil }, func(row []string) error {
		got = append(got, row[0])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(header) != 1 || header[0] != "header" || len(got) != 2500 || got[0] != "1" || got[2499] != "2500" {
		t.Errorf("header %v, %d rows, first %v", header, len(got), got[:1])
	}
}

func TestRunner_FailedQueryNamesItsIDAndWhatToDo(t *testing.T) {
	r := fakeRunner(t, &fakeAthena{state: "FAILED"})
	_, err := r.Exec(context.Background(), "SELECT 1")
	var qe *QueryError
	if !errors.As(err, &qe) || qe.QueryID != "q-1" || qe.State != "FAILED" {
		t.Fatalf("error %v", err)
	}
	for _, want := range []string{"q-1", "FAILED", "Access denied when writing", "Check the table's S3 location and the permissions"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
}

func TestRunner_ThrottlingSaysWhatToDo(t *testing.T) {
	r := fakeRunner(t, &fakeAthena{throttle: true})
	_, err := r.Exec(context.Background(), "SELECT 1")
	if err == nil || !strings.Contains(err.Error(), "throttled") || !strings.Contains(err.Error(), "Rate exceeded") {
		t.Errorf("error %v", err)
	}
}

func TestRunner_InterruptedQueryIsStopped(t *testing.T) {
	f := &fakeAthena{state: "RUNNING"}
	r := fakeRunner(t, f)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := r.Exec(ctx, "SELECT 1")
	if !errors.Is(err, context.DeadlineExceeded) || f.stopped != 1 {
		t.Errorf("error %v, %d stops; want the deadline and the query stopped once", err, f.stopped)
	}
}
