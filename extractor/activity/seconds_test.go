package activity

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func setOf(xs ...int) *Seconds {
	var s Seconds
	for _, x := range xs {
		s.Add(x)
	}
	return &s
}

func TestSeconds_EncodingsAndBounds(t *testing.T) {
	for _, c := range []struct {
		name    string
		seconds []int
		size    int // bytes of the encoding
	}{
		{"empty", nil, 1},
		{"midnight", []int{0}, 2},
		{"last second of the day", []int{86399}, 4},
		{"two close seconds", []int{43200, 43201}, 1 + 3 + 1},
		{"every tenth second", everyNth(10), 1 + 8640},
		{"every fifth second", everyNth(5), 1 + denseBytes},
		{"every second", everyNth(1), 1 + denseBytes},
		{"every hundredth second", everyNth(100), 1 + 864},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := setOf(c.seconds...)
			enc := s.Encode()
			if len(enc) != c.size {
				t.Errorf("encoding of %d seconds has %d bytes, want %d", len(c.seconds), len(enc), c.size)
			}
			back, err := DecodeSeconds(enc)
			if err != nil {
				t.Fatal(err)
			}
			if got := slices.Collect(back.All()); !slices.Equal(got, c.seconds) {
				t.Errorf("decoded %v, want %v", head(got), head(c.seconds))
			}
			if back.Len() != len(c.seconds) {
				t.Errorf("Len %d, want %d", back.Len(), len(c.seconds))
			}
		})
	}
}

func everyNth(n int) []int {
	var out []int
	for x := 0; x < secondsPerDay; x += n {
		out = append(out, x)
	}
	return out
}

func head(xs []int) []int { return xs[:min(len(xs), 8)] }

func TestSeconds_QueriesOnTheEncoding(t *testing.T) {
	for _, enc := range [][]byte{setOf(10, 20, 30).Encode(), bitmapOf(10, 20, 30)} {
		for _, c := range []struct {
			at        int
			last      int
			found     bool
			lo, hi    int
			anyInside bool
		}{
			{at: 9, found: false, lo: 0, hi: 9},
			{at: 10, last: 10, found: true, lo: 10, hi: 10, anyInside: true},
			{at: 19, last: 10, found: true, lo: 11, hi: 19},
			{at: 25, last: 20, found: true, lo: 11, hi: 20, anyInside: true},
			{at: 86399, last: 30, found: true, lo: 31, hi: 86399},
		} {
			last, found, err := LastSecondAtOrBefore(enc, c.at)
			if err != nil || found != c.found || last != c.last {
				t.Errorf("encoding %d: last at or before %d = %d, %v, %v; want %d, %v", enc[0], c.at, last, found, err, c.last, c.found)
			}
			in, err := AnySecondBetween(enc, c.lo, c.hi)
			if err != nil || in != c.anyInside {
				t.Errorf("encoding %d: any in [%d, %d] = %v, %v; want %v", enc[0], c.lo, c.hi, in, err, c.anyInside)
			}
		}
	}
}

// bitmapOf is the bitmap encoding of a set, which Encode writes only for
// large sets.
func bitmapOf(xs ...int) []byte {
	b := make([]byte, 1+denseBytes)
	b[0] = secondsBitmap
	for _, x := range xs {
		b[1+x/8] |= 1 << (x % 8)
	}
	return b
}

func TestSeconds_BadEncodingsSayWhat(t *testing.T) {
	for _, c := range []struct {
		enc  []byte
		want string
	}{
		{nil, "no encoding byte"},
		{[]byte{7}, "encoding 7"},
		{[]byte{secondsList, 0x80}, "cut short"},
		{[]byte{secondsList, 5, 0}, "gap of 0"},
		{binary.AppendUvarint(binary.AppendUvarint([]byte{secondsList}, 86000), 500), "past the day's end"},
		{[]byte{secondsBitmap, 1, 2}, "has 2 bytes"},
	} {
		_, err := DecodeSeconds(c.enc)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("decode %x: %v, want an error saying %q", c.enc, err, c.want)
		}
	}
}

func TestSeconds_UnionOfManyTurnsDenseAndStaysExact(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var a, b Seconds
	want := map[int]bool{}
	for range 20000 {
		x := r.IntN(secondsPerDay)
		want[x] = true
		if x%2 == 0 {
			a.Add(x)
		} else {
			b.Add(x)
		}
	}
	a.Union(&b)
	if a.dense == nil || a.Len() != len(want) {
		t.Fatalf("union of %d seconds: dense %v, Len %d", len(want), a.dense != nil, a.Len())
	}
	for x := range a.All() {
		if !want[x] {
			t.Fatalf("second %d was never added", x)
		}
	}
}

func TestSecondOfDay(t *testing.T) {
	for sec, want := range map[int64]int{0: 0, 86399: 86399, 86400: 0, 1700000000: 1700000000 % 86400, -1: 86399} {
		if got := SecondOfDay(sec); got != want {
			t.Errorf("SecondOfDay(%d) = %d, want %d", sec, got, want)
		}
	}
}

// setFromBytes reads fuzz input as seconds, two bytes and a bit each.
func setFromBytes(data []byte) *Seconds {
	var s Seconds
	for i := 0; i+2 < len(data); i += 3 {
		s.Add((int(data[i])<<9 | int(data[i+1])<<1 | int(data[i+2]&1)) % secondsPerDay)
	}
	return &s
}

func FuzzSeconds_RoundTrip(f *testing.F) {
	f.Add([]byte{0, 0, 0}, []byte{1, 2, 3})
	f.Add(bytes.Repeat([]byte{7, 13, 1}, 3000), []byte{255, 255, 1})
	f.Fuzz(func(t *testing.T, x, y []byte) {
		a, b := setFromBytes(x), setFromBytes(y)
		enc := a.Encode()
		back, err := DecodeSeconds(enc)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(slices.Collect(back.All()), slices.Collect(a.All())) || !bytes.Equal(back.Encode(), enc) {
			t.Fatal("decode(encode(x)) differs from x")
		}
		ab, ba := setFromBytes(x), setFromBytes(y)
		ab.Union(b)
		ba.Union(a)
		if !bytes.Equal(ab.Encode(), ba.Encode()) {
			t.Fatal("union is not commutative")
		}
		again := setFromBytes(x)
		again.Union(b)
		again.Union(b)
		again.Union(a)
		if !bytes.Equal(again.Encode(), ab.Encode()) {
			t.Fatal("union is not idempotent")
		}
	})
}

// Arbitrary bytes either fail to decode with an error or decode to a set
// whose encoding decodes to the same set.
func FuzzSeconds_DecodeArbitrary(f *testing.F) {
	f.Add(setOf(1, 2, 86399).Encode())
	f.Add(bitmapOf(5))
	f.Add([]byte{0, 0x80, 0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := DecodeSeconds(b)
		if err != nil {
			return
		}
		back, err := DecodeSeconds(s.Encode())
		if err != nil || !slices.Equal(slices.Collect(back.All()), slices.Collect(s.All())) {
			t.Fatalf("%x decodes to a set whose encoding does not decode alike: %v", b, err)
		}
		if n, ok, err := LastSecondAtOrBefore(b, secondsPerDay-1); err != nil || ok != (s.Len() > 0) || (ok && n != slices.Max(slices.Collect(s.All()))) {
			t.Fatalf("%x: last second %d, %v, %v", b, n, ok, err)
		}
	})
}
