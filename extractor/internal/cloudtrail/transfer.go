package cloudtrail

import (
	"errors"
	"fmt"
	"io"
)

// TransferError is a body that ended before the length its server announced:
// the connection broke, the object is not corrupt. It must not be mistaken
// for a truncated gzip stream, which is bad input skipped for good; an object
// whose transfer broke is read again by the next run.
type TransferError struct {
	Location       string
	Read, Expected int64
	Err            error
}

func (e *TransferError) Error() string {
	return fmt.Sprintf("%s: transfer ended after %d of %d bytes: %v", e.Location, e.Read, e.Expected, e.Err)
}

// checkedBody reports a short body as a *TransferError. expected < 0 means
// the length is unknown; a short read is then known only from the transport's
// io.ErrUnexpectedEOF.
type checkedBody struct {
	io.ReadCloser
	location string
	read     int64
	expected int64
}

func newCheckedBody(body io.ReadCloser, location string, expected int64) io.ReadCloser {
	return &checkedBody{ReadCloser: body, location: location, expected: expected}
}

func (b *checkedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.read += int64(n)
	switch {
	case err == nil:
	case errors.Is(err, io.EOF) && (b.expected < 0 || b.read >= b.expected):
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		// The transport's io.ErrUnexpectedEOF is not passed on: decoders
		// read it as a truncated stream.
		err = &TransferError{Location: b.location, Read: b.read, Expected: b.expected, Err: errors.New("connection closed early")}
	}
	return n, err
}
