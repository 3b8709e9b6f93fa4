package cloudtrail

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/klauspost/compress/gzip"
)

// shortReader returns its bytes, then the error a transport gives for a body
// shorter than its Content-Length.
type shortReader struct{ r io.Reader }

func (s shortReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// A gzip object whose transfer broke halfway is an error reading it, to be
// retried, not a corrupt object skipped for good.
func TestBrokenTransferIsNotBadInput(t *testing.T) {
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write([]byte(`{"Records":[` + string(bytes.Repeat([]byte(`{"eventName":"GetObject"},`), 5000)) + `{}]}`))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	whole := z.Bytes()
	body := newCheckedBody(io.NopCloser(shortReader{bytes.NewReader(whole[:len(whole)/2])}), "s3://b/k", int64(len(whole)))
	_, err := Decoder{}.Decode(body)
	var transfer *TransferError
	if !errors.As(err, &transfer) {
		t.Fatalf("Decode of a broken transfer: %v, want a *TransferError", err)
	}
	if errors.As(err, new(*BadInputError)) {
		t.Fatalf("a broken transfer reported as bad input: %v", err)
	}
	// The whole body reads as usual.
	body = newCheckedBody(io.NopCloser(bytes.NewReader(whole)), "s3://b/k", int64(len(whole)))
	if d, err := (Decoder{}).Decode(body); err != nil || len(d.Records) != 5001 {
		t.Fatalf("whole body: %d records, %v", len(d.Records), err)
	}
}
