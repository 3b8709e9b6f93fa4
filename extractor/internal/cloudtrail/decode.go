package cloudtrail

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/goccy/go-json"
	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
)

// DefaultMaxObjectBytes bounds what one object may decompress to. CloudTrail
// delivers a file every few minutes per account and region, so real objects
// stay far below it; anything past it is refused rather than held in memory.
const DefaultMaxObjectBytes = 256 << 20

// BadInputError is an object or record that cannot be read. Index is the
// record's position in the object's Records array, or -1 for the whole
// object.
type BadInputError struct {
	Index  int
	Reason string
}

func (e *BadInputError) Error() string {
	if e.Index < 0 {
		return e.Reason
	}
	return fmt.Sprintf("record %d: %s", e.Index, e.Reason)
}

// Decoded is the content of one object.
type Decoded struct {
	Records []Record
	// Bad lists records that could not be decoded, by index; the others are
	// in Records.
	Bad []BadInputError
	// indexes maps a position in Records to the record's index in the
	// object when some records were left out; nil when none were.
	indexes []int
	// Bytes is the decompressed size.
	Bytes int64
}

// spareBuffers keeps a few decompression buffers between objects. Unlike a
// sync.Pool it is not emptied by each garbage collection, which would have
// every object grow a new buffer from nothing.
var spareBuffers = make(chan *bytes.Buffer, 4)

// maxSpareBuffer is the largest buffer kept: one grown by a huge object is
// left to the collector.
const maxSpareBuffer = 16 << 20

func getBuffer() *bytes.Buffer {
	select {
	case b := <-spareBuffers:
		return b
	default:
		return new(bytes.Buffer)
	}
}

func putBuffer(b *bytes.Buffer) {
	if b.Cap() > maxSpareBuffer {
		return
	}
	b.Reset()
	select {
	case spareBuffers <- b:
	default:
	}
}

// Decoder reads delivery objects. It is safe for concurrent use.
type Decoder struct {
	// MaxBytes bounds the decompressed size of one object.
	MaxBytes int64
}

// Decode reads one delivery object: gzip-compressed or not (told by its first
// bytes, not its name), holding {"Records": [...]}. A whole-object failure is
// a *BadInputError with Index -1; an error reading r is returned as is.
func (d Decoder) Decode(r io.Reader) (Decoded, error) {
	limit := d.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxObjectBytes
	}
	buf := getBuffer()
	defer putBuffer(buf)
	n, err := readAll(buf, r, limit)
	if err != nil {
		return Decoded{}, err
	}
	return decodeRecords(buf.Bytes(), n)
}

// readers are the buffered and gzip readers of one object, kept for the
// next: a gzip reader holds large tables that are reset, not remade.
type readers struct {
	br *bufio.Reader
	zr *gzip.Reader
}

var readerPool = sync.Pool{New: func() any { return &readers{br: bufio.NewReaderSize(nil, 64<<10)} }}

// readAll decompresses r into buf, refusing more than limit bytes.
func readAll(buf *bytes.Buffer, r io.Reader, limit int64) (int64, error) {
	rd := readerPool.Get().(*readers)
	defer func() {
		rd.br.Reset(nil)
		readerPool.Put(rd)
	}()
	br := rd.br
	br.Reset(r)
	magic, _ := br.Peek(2)
	var src io.Reader = br
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		var err error
		if rd.zr == nil {
			rd.zr, err = gzip.NewReader(br)
		} else {
			err = rd.zr.Reset(br)
		}
		if err != nil {
			return 0, bad("gzip: %v", err)
		}
		defer rd.zr.Close() //nolint:errcheck // read only: a corrupt stream is reported by Read
		src = rd.zr
	}
	n, err := readCapped(buf, src, limit+1)
	switch {
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, gzip.ErrHeader), errors.Is(err, io.ErrUnexpectedEOF):
		return n, bad("gzip: %v (truncated or corrupt after %d bytes)", err, n)
	case errors.As(err, new(flate.CorruptInputError)):
		return n, bad("gzip: %v", err)
	case err != nil:
		return n, err
	case n > limit:
		return n, bad("decompresses past the limit of %d bytes; raise --max-object-size to read it", limit)
	}
	return n, nil
}

// readCapped reads src into buf until its end or until buf holds max bytes.
// The buffer grows by doubling, but never past max: an object that
// decompresses without end holds max bytes of memory, not twice as many.
func readCapped(buf *bytes.Buffer, src io.Reader, max int64) (int64, error) {
	for int64(buf.Len()) < max {
		if buf.Available() == 0 {
			grown := make([]byte, buf.Len(), min(max, 2*int64(buf.Cap())+64<<10))
			copy(grown, buf.Bytes())
			*buf = *bytes.NewBuffer(grown)
		}
		free := buf.AvailableBuffer()
		free = free[:min(int64(cap(free)), max-int64(buf.Len()))]
		m, err := src.Read(free)
		buf.Write(free[:m])
		if err == io.EOF {
			break
		}
		if err != nil {
			return int64(buf.Len()), err
		}
	}
	return int64(buf.Len()), nil
}

func bad(format string, args ...any) error {
	return &BadInputError{Index: -1, Reason: fmt.Sprintf(format, args...)}
}

type deliveryFile struct {
	Records *[]Record `json:"Records"`
}

type rawDeliveryFile struct {
	Records *[]json.RawMessage `json:"Records"`
}

// decodeRecords reads a delivery file: with the scanner when it can, with
// the general decoder otherwise (anything unusual, bad input included),
// which gives the same result for everything the scanner reads.
func decodeRecords(data []byte, n int64) (Decoded, error) {
	if records, ok := scanDeliveryFile(data); ok {
		return Decoded{Records: records, Bytes: n}, nil
	}
	return decodeGeneral(data, n)
}

// decodeGeneral reads a delivery file with a general JSON decoder, and
// names what is wrong with a bad one.
func decodeGeneral(data []byte, n int64) (d Decoded, err error) {
	// The general decoder has been seen to panic on malformed input (a key
	// cut short after a backslash) instead of failing: the object is then
	// refused, and the run goes on.
	defer func() {
		if p := recover(); p != nil {
			d, err = Decoded{}, bad("the JSON decoder failed on this object (%v)", p)
		}
	}()
	var f deliveryFile
	err = json.Unmarshal(data, &f)
	if err == nil {
		if f.Records == nil {
			return Decoded{}, bad("JSON without a Records array: not a CloudTrail delivery file")
		}
		return Decoded{Records: *f.Records, Bytes: n}, nil
	}
	// Some record does not have the expected shape. Decode record by record
	// to keep the good ones and name the bad.
	switch first := firstByte(data); {
	case first == '[':
		return Decoded{}, bad("a JSON array, not a CloudTrail delivery file ({\"Records\": [...]})")
	case first != '{':
		// An object that did not start as gzip was read as it is.
		return Decoded{}, bad("neither gzip nor JSON (a delivery file is gzip-compressed JSON): %v", err)
	}
	var raw rawDeliveryFile
	if rerr := json.Unmarshal(data, &raw); rerr != nil {
		if !json.Valid(data) {
			return Decoded{}, bad("not JSON: %v", rerr)
		}
		return Decoded{}, bad("Records is not an array of objects: %v", rerr)
	}
	if raw.Records == nil {
		return Decoded{}, bad("JSON without a Records array: not a CloudTrail delivery file")
	}
	out := Decoded{Records: make([]Record, 0, len(*raw.Records)), Bytes: n}
	for i, rm := range *raw.Records {
		var rec Record
		if err := json.Unmarshal(rm, &rec); err != nil {
			out.Bad = append(out.Bad, BadInputError{Index: i, Reason: fmt.Sprintf("wrong shape: %v", err)})
			continue
		}
		out.Records = append(out.Records, rec)
		out.indexes = append(out.indexes, i)
	}
	return out, nil
}

// Index is the position in the object of Records[i].
func (d Decoded) Index(i int) int {
	if d.indexes == nil {
		return i
	}
	return d.indexes[i]
}

func firstByte(data []byte) byte {
	for _, c := range data {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return c
		}
	}
	return 0
}
