package cli

import (
	"context"
	"errors"
	"fmt"
)

// Exit statuses. They are part of the command's documented interface.
const (
	ExitOK        = 0   // success
	ExitFailure   = 1   // the command failed
	ExitUsage     = 2   // bad flags or arguments
	ExitSkipped   = 3   // finished, but incomplete: inputs skipped (`activity-extractor errors` lists them), none found, or a window ending after now
	ExitViolation = 4   // finished, and some rules are violated
	ExitCancelled = 130 // interrupted (Ctrl-C or SIGTERM); work already committed is kept
)

// usageError is a mistake in how the command was called.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// ErrSkippedInputs reports a run that finished but skipped some inputs.
var ErrSkippedInputs = errors.New("some inputs were skipped")

// ErrViolations reports a run that finished and found rule violations.
var ErrViolations = errors.New("rules are violated")

// ExitCode maps the error Run returned to the process exit status. This is the
// only place that does.
func ExitCode(err error) int {
	var ue usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return ExitCancelled
	case errors.As(err, &ue):
		return ExitUsage
	case errors.Is(err, ErrSkippedInputs):
		return ExitSkipped
	case errors.Is(err, ErrViolations):
		return ExitViolation
	default:
		return ExitFailure
	}
}
