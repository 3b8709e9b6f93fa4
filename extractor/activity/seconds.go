package activity

import (
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"math/bits"
	"slices"
)

// Seconds is the set of seconds of one UTC day, counted from the day's
// start (0 to 86,399), at which a fact's events happened. Facts are kept per
// day; the set is what makes a time read from them exact to the second for
// a window that starts or ends inside the day. The zero value is empty.
type Seconds struct {
	// list holds the seconds in order while they are few; past denseAt
	// they move to dense, one bit a second, which bounds a set's memory.
	list  []uint32
	dense []uint64
}

const (
	// denseBytes is the size of a day's bitmap.
	denseBytes = secondsPerDay / 8
	// denseAt is the length at which a list takes the bitmap's memory.
	denseAt = denseBytes / 4

	// Encodings, told apart by their first byte.
	secondsList   = 0 // then the first second and each gap to the next, as unsigned varints
	secondsBitmap = 1 // then denseBytes bytes, second i at bit i%8 of byte i/8
)

// SecondOfDay is the second of its UTC day at which the Unix time sec is.
func SecondOfDay(sec int64) int { return int(sec - DayOfUnix(sec)*secondsPerDay) }

// Add puts a second of the day (0 to 86,399) in the set.
func (s *Seconds) Add(second int) {
	if second < 0 || second >= secondsPerDay {
		panic(fmt.Sprintf("activity: second %d is not a second of a day", second))
	}
	if s.dense != nil {
		s.dense[second/64] |= 1 << (second % 64)
		return
	}
	i, found := slices.BinarySearch(s.list, uint32(second))
	if found {
		return
	}
	s.list = slices.Insert(s.list, i, uint32(second))
	if len(s.list) > denseAt {
		s.dense = make([]uint64, secondsPerDay/64)
		for _, x := range s.list {
			s.dense[x/64] |= 1 << (x % 64)
		}
		s.list = nil
	}
}

// AddUnix puts the second of the Unix time sec in the set; sec must be of
// the set's day.
func (s *Seconds) AddUnix(sec int64) { s.Add(SecondOfDay(sec)) }

// Union adds every second of o to s.
func (s *Seconds) Union(o *Seconds) {
	for x := range o.All() {
		s.Add(x)
	}
}

// Len is the number of seconds in the set.
func (s *Seconds) Len() int {
	if s.dense == nil {
		return len(s.list)
	}
	n := 0
	for _, w := range s.dense {
		n += bits.OnesCount64(w)
	}
	return n
}

// All yields the seconds in increasing order.
func (s *Seconds) All() iter.Seq[int] {
	return func(yield func(int) bool) {
		if s.dense == nil {
			for _, x := range s.list {
				if !yield(int(x)) {
					return
				}
			}
			return
		}
		for i, w := range s.dense {
			for w != 0 {
				b := bits.TrailingZeros64(w)
				if !yield(i*64 + b) {
					return
				}
				w &^= 1 << b
			}
		}
	}
}

// Encode is the set's stored form: the list of its seconds as varint gaps,
// or a bitmap of the day when that is shorter, so a day's set never takes
// more than 10,801 bytes. One set has one encoding.
func (s *Seconds) Encode() []byte {
	n, prev := 1, 0
	for x := range s.All() {
		n += uvarintLen(uint64(x - prev))
		prev = x
	}
	if n <= 1+denseBytes {
		out := make([]byte, 1, n)
		out[0] = secondsList
		prev = 0
		for x := range s.All() {
			out = binary.AppendUvarint(out, uint64(x-prev))
			prev = x
		}
		return out
	}
	out := make([]byte, 1+denseBytes)
	out[0] = secondsBitmap
	for x := range s.All() {
		out[1+x/8] |= 1 << (x % 8)
	}
	return out
}

func uvarintLen(x uint64) int { return (bits.Len64(x|1) + 6) / 7 }

// DecodeSeconds reads a set Encode wrote.
func DecodeSeconds(b []byte) (Seconds, error) {
	var s Seconds
	err := EachSecond(b, func(x int) bool {
		s.Add(x)
		return true
	})
	return s, err
}

// EachSecond calls fn with each second of an encoded set, in increasing
// order, until fn returns false; it reads the encoding in place.
func EachSecond(b []byte, fn func(second int) bool) error {
	if len(b) == 0 {
		return errors.New("a set of seconds is empty: it has no encoding byte")
	}
	switch b[0] {
	case secondsList:
		prev, rest := -1, b[1:]
		for len(rest) > 0 {
			gap, n := binary.Uvarint(rest)
			if n <= 0 {
				return fmt.Errorf("a list of seconds is cut short at byte %d", len(b)-len(rest))
			}
			rest = rest[n:]
			if gap > secondsPerDay || (prev >= 0 && gap == 0) {
				return fmt.Errorf("a list of seconds has a gap of %d after second %d", gap, prev)
			}
			x := max(prev, 0) + int(gap)
			if x >= secondsPerDay {
				return fmt.Errorf("a list of seconds goes past the day's end: second %d", x)
			}
			prev = x
			if !fn(x) {
				return nil
			}
		}
		return nil
	case secondsBitmap:
		if len(b) != 1+denseBytes {
			return fmt.Errorf("a bitmap of seconds has %d bytes, not %d", len(b)-1, denseBytes)
		}
		for i, byt := range b[1:] {
			for byt != 0 {
				bit := bits.TrailingZeros8(byt)
				if !fn(i*8 + bit) {
					return nil
				}
				byt &^= 1 << bit
			}
		}
		return nil
	}
	return fmt.Errorf("a set of seconds has encoding %d, which this release does not know", b[0])
}

// LastSecondAtOrBefore is the latest second of an encoded set that is at or
// before second, and whether there is one.
func LastSecondAtOrBefore(b []byte, second int) (int, bool, error) {
	last, found := 0, false
	err := EachSecond(b, func(x int) bool {
		if x > second {
			return false
		}
		last, found = x, true
		return true
	})
	return last, found && err == nil, err
}

// AnySecondBetween tells whether an encoded set holds a second in [lo, hi].
func AnySecondBetween(b []byte, lo, hi int) (bool, error) {
	found := false
	err := EachSecond(b, func(x int) bool {
		if x >= lo {
			found = x <= hi
			return false
		}
		return true
	})
	return found && err == nil, err
}
