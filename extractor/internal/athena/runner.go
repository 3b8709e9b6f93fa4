package athena

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/smithy-go"
)

// PricePerTB is what Athena charges per terabyte scanned (SQL queries,
// most regions), with a minimum of MinBilledBytes per query.
const (
	PricePerTB     = 5.0
	MinBilledBytes = 10 << 20
)

// Cost is the price of a query that scanned n bytes.
func Cost(n int64) float64 { return PricePerTB * float64(max(n, MinBilledBytes)) / 1e12 }

// Settings say where queries run: the workgroup, the Glue database holding
// the table, and the S3 location Athena writes results to.
type Settings struct {
	Workgroup string
	Database  string
	Output    string // s3://BUCKET/PREFIX/; may be empty when the workgroup sets one
	Table     string // empty: a name made from the integration's account
}

// Runner runs queries through the Athena API.
type Runner struct {
	Client   *athena.Client
	Settings Settings
	// PollFirst and PollMax bound the wait between two GetQueryExecution
	// calls: it starts at PollFirst and grows by half up to PollMax.
	PollFirst, PollMax time.Duration
	// PageSize is the rows asked per GetQueryResults call (at most 1000).
	PageSize int32
}

// Execution is a finished query.
type Execution struct {
	ID           string
	BytesScanned int64
	Elapsed      time.Duration
}

// QueryError is a query Athena ran and did not finish, or refused.
type QueryError struct {
	QueryID string // empty when the query was refused before it started
	State   string
	Reason  string
	Hint    string
	Err     error
}

func (e *QueryError) Error() string {
	msg := "athena query"
	if e.QueryID != "" {
		msg += " " + e.QueryID
	}
	switch {
	case e.State != "":
		msg += " " + e.State
	case e.QueryID == "":
		msg += " refused"
	}
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	if e.Hint != "" {
		msg += ". " + e.Hint
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *QueryError) Unwrap() error { return e.Err }

// hint says what to do about an API error.
func (r Runner) hint(err error) string {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return ""
	}
	switch ae.ErrorCode() {
	case "AccessDeniedException", "AccessDenied", "UnauthorizedOperation":
		return fmt.Sprintf("Allow athena:StartQueryExecution, athena:GetQueryExecution and athena:GetQueryResults on workgroup %q, glue:GetDatabase, glue:GetTable and glue:CreateTable on database %q, and S3 writes to the output location (README, section Engines)", r.Settings.Workgroup, r.Settings.Database)
	case "TooManyRequestsException", "ThrottlingException":
		return "Athena throttled the request after retries; run again later, or ask for a higher Athena API quota"
	case "InvalidRequestException":
		return "Check that the workgroup exists and is enabled, and that it or --athena-output names an S3 output location"
	}
	return ""
}

// Exec starts a query and waits for it to succeed.
func (r Runner) Exec(ctx context.Context, sql string) (Execution, error) {
	in := &athena.StartQueryExecutionInput{
		QueryString:           aws.String(sql),
		QueryExecutionContext: &types.QueryExecutionContext{Database: aws.String(r.Settings.Database)},
	}
	if r.Settings.Workgroup != "" {
		in.WorkGroup = aws.String(r.Settings.Workgroup)
	}
	if r.Settings.Output != "" {
		in.ResultConfiguration = &types.ResultConfiguration{OutputLocation: aws.String(r.Settings.Output)}
	}
	started := time.Now()
	out, err := r.Client.StartQueryExecution(ctx, in)
	if err != nil {
		return Execution{}, &QueryError{Hint: r.hint(err), Err: err}
	}
	id := aws.ToString(out.QueryExecutionId)
	wait := r.PollFirst
	if wait <= 0 {
		wait = 250 * time.Millisecond
	}
	maxWait := r.PollMax
	if maxWait <= 0 {
		maxWait = 5 * time.Second
	}
	for {
		q, err := r.Client.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		if err != nil {
			if ctx.Err() != nil {
				r.stop(ctx, id)
				return Execution{ID: id}, ctx.Err()
			}
			return Execution{ID: id}, &QueryError{QueryID: id, Hint: r.hint(err), Err: err}
		}
		ex := Execution{ID: id, Elapsed: time.Since(started)}
		if s := q.QueryExecution.Statistics; s != nil {
			ex.BytesScanned = aws.ToInt64(s.DataScannedInBytes)
		}
		st := q.QueryExecution.Status
		if st == nil {
			return ex, &QueryError{QueryID: id, Reason: "Athena returned no status"}
		}
		switch st.State {
		case types.QueryExecutionStateSucceeded:
			return ex, nil
		case types.QueryExecutionStateFailed, types.QueryExecutionStateCancelled:
			return ex, failed(id, st)
		}
		select {
		case <-ctx.Done():
			r.stop(ctx, id)
			return ex, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(wait*3/2, maxWait)
	}
}

// stop leaves no query running for nobody once its caller gave up, with a
// context of its own since the caller's is done.
func (r Runner) stop(ctx context.Context, id string) {
	stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_, _ = r.Client.StopQueryExecution(stop, &athena.StopQueryExecutionInput{QueryExecutionId: aws.String(id)})
}

func failed(id string, st *types.QueryExecutionStatus) error {
	e := &QueryError{QueryID: id, State: string(st.State), Reason: aws.ToString(st.StateChangeReason)}
	if ae := st.AthenaError; ae != nil {
		if e.Reason == "" {
			e.Reason = aws.ToString(ae.ErrorMessage)
		}
		switch aws.ToInt32(ae.ErrorCategory) {
		case 1:
			e.Hint = "Athena failed on its side; run again"
		case 2:
			e.Hint = "Check the table's S3 location and the permissions on it and on the output location; the query's details are in the Athena console under this id"
		}
		if ae.Retryable && e.Hint == "" {
			e.Hint = "The failure may pass; run again"
		}
	}
	if e.Hint == "" {
		e.Hint = "The query's details are in the Athena console under this id"
	}
	return e
}

// Rows pages through a finished query's results and calls fn with the
// header, then with each row.
func (r Runner) Rows(ctx context.Context, id string, header func([]string) error, fn func([]string) error) error {
	size := r.PageSize
	if size <= 0 || size > 1000 {
		size = 1000
	}
	p := athena.NewGetQueryResultsPaginator(r.Client, &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id), MaxResults: aws.Int32(size)})
	first := true
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return &QueryError{QueryID: id, State: "SUCCEEDED", Reason: "reading its results failed", Hint: r.hint(err), Err: err}
		}
		for _, row := range page.ResultSet.Rows {
			vals := make([]string, len(row.Data))
			for i, d := range row.Data {
				vals[i] = aws.ToString(d.VarCharValue)
			}
			if first {
				// The first row of a SELECT's results repeats the column
				// names.
				first = false
				if err := header(vals); err != nil {
					return fmt.Errorf("athena query %s: %w", id, err)
				}
				continue
			}
			if err := fn(vals); err != nil {
				return fmt.Errorf("athena query %s: %w", id, err)
			}
		}
	}
	if first {
		return fmt.Errorf("athena query %s: no results, not even the column names", id)
	}
	return nil
}
