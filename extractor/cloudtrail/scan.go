package cloudtrail

import (
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// The scanner is the fast path of decoding: it reads a delivery file byte by
// byte, keeps the fields Record declares (the tables in record.go) and skips
// the rest without building it. It gives up (ok false) on anything but a
// well-formed file of well-shaped records: invalid JSON, a value of the wrong
// type, a repeated field, a key with escapes or non-ASCII bytes, invalid
// UTF-8 or a lone surrogate in a kept string, nesting deeper than
// maxScanDepth. The general decoder then reads the object, so every input
// gives exactly what the general decoder gives, only faster for the usual
// ones.

// maxScanDepth bounds nesting; deeper objects go to the general decoder.
const maxScanDepth = 512

// arenaChunk is the size of the blocks kept strings are copied into: one
// allocation for many strings, and no pointers for the collector to scan.
const arenaChunk = 32 << 10

// scanner reads one delivery file.
type scanner struct {
	data  []byte
	pos   int
	depth int
	// arena holds the bytes of the strings handed out; it is only ever
	// appended to, so strings pointing into it never change.
	arena []byte
	// tmp holds a string being unescaped.
	tmp []byte
}

// fieldScan reads one field's value into v; false gives up.
type fieldScan[T any] func(s *scanner, v *T) bool

// fieldSet maps a struct's field names, in ASCII lower case as the general
// decoder matches them, to their readers.
type fieldSet[T any] map[string]fieldEntry[T]

type fieldEntry[T any] struct {
	bit  uint32 // a bit of its own, to tell a repeated field
	scan fieldScan[T]
}

// field is one declared field: its JSON name and its reader.
type field[T any] struct {
	name string
	scan fieldScan[T]
}

// fields builds a fieldSet from declared fields.
func fields[T any](fs ...field[T]) fieldSet[T] {
	set := make(fieldSet[T], len(fs))
	for i, f := range fs {
		set[lowerASCII(f.name)] = fieldEntry[T]{bit: 1 << i, scan: f.scan}
	}
	return set
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// stringField reads a JSON string (or null, leaving "") into *get(v).
func stringField[T any](get func(*T) *string) fieldScan[T] {
	return func(s *scanner, v *T) bool { return s.str(get(v)) }
}

// stringsField reads an array of strings.
func stringsField[T any](get func(*T) *[]string) fieldScan[T] {
	return func(s *scanner, v *T) bool {
		return scanArray(s, get(v), func(s *scanner, e *string) bool { return s.str(e) })
	}
}

// pointerField reads an object (or null, leaving nil) into a new *U.
func pointerField[T, U any](get func(*T) **U, set *fieldSet[U]) fieldScan[T] {
	return func(s *scanner, v *T) bool {
		if s.null() {
			return true
		}
		u := new(U)
		*get(v) = u
		return scanObject(s, u, *set)
	}
}

// structField reads an object (or null, leaving it as is) into a U held by
// value.
func structField[T, U any](get func(*T) *U, set *fieldSet[U]) fieldScan[T] {
	return func(s *scanner, v *T) bool {
		if s.null() {
			return true
		}
		return scanObject(s, get(v), *set)
	}
}

// objectsField reads an array of objects.
func objectsField[T, U any](get func(*T) *[]U, set *fieldSet[U]) fieldScan[T] {
	return func(s *scanner, v *T) bool {
		return scanArray(s, get(v), func(s *scanner, e *U) bool {
			if s.peek() != '{' {
				return false
			}
			return scanObject(s, e, *set)
		})
	}
}

// scanDeliveryFile reads {"Records": [...]}; ok is false when the general
// decoder must read data instead.
func scanDeliveryFile(data []byte) (records []Record, ok bool) {
	s := scanner{data: data}
	s.ws()
	if !s.consume('{') {
		return nil, false
	}
	found := false
	ok = s.members(func(key []byte, known bool) bool {
		if !known || string(key) != "records" {
			return s.skip()
		}
		if found || s.peek() != '[' {
			return false
		}
		found = true
		records = make([]Record, 0, len(data)/1024+1)
		return scanArray(&s, &records, func(s *scanner, r *Record) bool {
			if s.peek() != '{' {
				return false
			}
			return scanObject(s, r, recordFields)
		})
	})
	s.ws()
	if !ok || !found || s.pos != len(s.data) {
		return nil, false
	}
	return records, true
}

// scanObject reads an object into v. The scanner is at its '{'.
func scanObject[T any](s *scanner, v *T, set fieldSet[T]) bool {
	if !s.consume('{') {
		return false
	}
	var seen uint32
	return s.members(func(key []byte, known bool) bool {
		if !known {
			return s.skip()
		}
		f, ok := set[string(key)]
		if !ok {
			return s.skip()
		}
		if seen&f.bit != 0 {
			return false
		}
		seen |= f.bit
		return f.scan(s, v)
	})
}

// scanArray reads an array (or null, leaving *dst nil) into *dst.
func scanArray[E any](s *scanner, dst *[]E, elem func(*scanner, *E) bool) bool {
	if s.null() {
		return true
	}
	if !s.consume('[') {
		return false
	}
	if !s.enter() {
		return false
	}
	out := (*dst)[:0]
	if out == nil {
		out = []E{}
	}
	s.ws()
	if s.consume(']') {
		*dst = out
		s.depth--
		return true
	}
	for {
		s.ws()
		var e E
		out = append(out, e)
		if !elem(s, &out[len(out)-1]) {
			return false
		}
		s.ws()
		if s.consume(',') {
			continue
		}
		if !s.consume(']') {
			return false
		}
		*dst = out
		s.depth--
		return true
	}
}

// members reads the members of an object whose '{' was just read, calling
// value at each value with the key in ASCII lower case; known is false
// when the key cannot name a declared field (too long for any).
func (s *scanner) members(value func(key []byte, known bool) bool) bool {
	if !s.enter() {
		return false
	}
	var buf [32]byte
	s.ws()
	if s.consume('}') {
		s.depth--
		return true
	}
	for {
		s.ws()
		key, known, ok := s.key(buf[:0])
		if !ok {
			return false
		}
		s.ws()
		if !s.consume(':') {
			return false
		}
		s.ws()
		if !value(key, known) {
			return false
		}
		s.ws()
		if s.consume(',') {
			continue
		}
		if !s.consume('}') {
			return false
		}
		s.depth--
		return true
	}
}

// key reads an object key into buf in ASCII lower case. A key with escapes
// or bytes outside ASCII gives up: the general decoder's matching of those
// is its own.
func (s *scanner) key(buf []byte) (key []byte, known, ok bool) {
	if !s.consume('"') {
		return nil, false, false
	}
	start := s.pos
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		switch {
		case c == '"':
			s.pos++
			return buf, s.pos-1-start <= cap(buf), true
		case c == '\\' || c < 0x20 || c >= utf8.RuneSelf:
			return nil, false, false
		}
		if len(buf) < cap(buf) {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			buf = append(buf, c)
		}
		s.pos++
	}
	return nil, false, false
}

func (s *scanner) enter() bool {
	s.depth++
	return s.depth <= maxScanDepth
}

// ws skips white space.
func (s *scanner) ws() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\n', '\r', '\t':
			s.pos++
		default:
			return
		}
	}
}

func (s *scanner) peek() byte {
	if s.pos < len(s.data) {
		return s.data[s.pos]
	}
	return 0
}

func (s *scanner) consume(c byte) bool {
	if s.pos < len(s.data) && s.data[s.pos] == c {
		s.pos++
		return true
	}
	return false
}

// null reads a null if one is next.
func (s *scanner) null() bool {
	if s.peek() == 'n' {
		return s.literal("null")
	}
	return false
}

func (s *scanner) literal(lit string) bool {
	if len(s.data)-s.pos >= len(lit) && string(s.data[s.pos:s.pos+len(lit)]) == lit {
		s.pos += len(lit)
		return true
	}
	return false
}

// plain marks the bytes a string may hold as they are: not a quote, a
// backslash, a control character, or the start of a multi-byte sequence.
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// str reads a string, or a null leaving *dst as it is, into *dst.
func (s *scanner) str(dst *string) bool {
	if s.null() {
		return true
	}
	if !s.consume('"') {
		return false
	}
	start := s.pos
	i := start
	for i < len(s.data) && plain[s.data[i]] {
		i++
	}
	if i < len(s.data) && s.data[i] == '"' {
		s.pos = i + 1
		*dst = s.keep(s.data[start:i])
		return true
	}
	b, ok := s.unescape(s.tmp[:0], i)
	s.tmp = b[:0]
	if !ok {
		return false
	}
	*dst = s.keep(b)
	return true
}

// unescape reads the rest of a string from the first byte that is not
// plain, at i, into b; the plain bytes before it are copied first.
func (s *scanner) unescape(b []byte, i int) ([]byte, bool) {
	b = append(b, s.data[s.pos:i]...)
	for i < len(s.data) {
		c := s.data[i]
		switch {
		case plain[c]:
			b = append(b, c)
			i++
		case c == '"':
			s.pos = i + 1
			return b, utf8.Valid(b)
		case c >= utf8.RuneSelf:
			// Checked as a whole at the end.
			b = append(b, c)
			i++
		case c == '\\':
			var ok bool
			if b, i, ok = s.escape(b, i+1); !ok {
				return nil, false
			}
		default: // a control character
			return nil, false
		}
	}
	return nil, false
}

// escape decodes the escape sequence after a backslash at i.
func (s *scanner) escape(b []byte, i int) ([]byte, int, bool) {
	if i >= len(s.data) {
		return nil, 0, false
	}
	switch c := s.data[i]; c {
	case '"', '\\', '/':
		return append(b, c), i + 1, true
	case 'b':
		return append(b, '\b'), i + 1, true
	case 'f':
		return append(b, '\f'), i + 1, true
	case 'n':
		return append(b, '\n'), i + 1, true
	case 'r':
		return append(b, '\r'), i + 1, true
	case 't':
		return append(b, '\t'), i + 1, true
	case 'u':
		r, ok := s.hex4(i + 1)
		if !ok {
			return nil, 0, false
		}
		i += 5
		if utf16.IsSurrogate(r) {
			// Only a high surrogate followed by an escaped low one
			// makes a character; anything else is left to the general
			// decoder.
			if r >= 0xdc00 || i+1 >= len(s.data) || s.data[i] != '\\' || s.data[i+1] != 'u' {
				return nil, 0, false
			}
			lo, ok := s.hex4(i + 2)
			if !ok {
				return nil, 0, false
			}
			if r = utf16.DecodeRune(r, lo); r == utf8.RuneError {
				return nil, 0, false
			}
			i += 6
		}
		return utf8.AppendRune(b, r), i, true
	}
	return nil, 0, false
}

// hex4 reads four hex digits at i.
func (s *scanner) hex4(i int) (rune, bool) {
	if len(s.data)-i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range s.data[i : i+4] {
		v, ok := hexValue(c)
		if !ok {
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	return r, true
}

// keep copies b into the arena and returns it as a string.
func (s *scanner) keep(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if cap(s.arena)-len(s.arena) < len(b) {
		s.arena = make([]byte, 0, max(arenaChunk, len(b)))
	}
	off := len(s.arena)
	s.arena = append(s.arena, b...)
	return unsafe.String(&s.arena[off], len(b))
}

// skip reads past one value, checking that it is valid JSON.
func (s *scanner) skip() bool {
	switch s.peek() {
	case '"':
		return s.skipString()
	case '{':
		s.pos++
		return s.members(func([]byte, bool) bool { return s.skip() })
	case '[':
		s.pos++
		return s.skipArray()
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	}
	return s.number()
}

func (s *scanner) skipArray() bool {
	if !s.enter() {
		return false
	}
	s.ws()
	if s.consume(']') {
		s.depth--
		return true
	}
	for {
		s.ws()
		if !s.skip() {
			return false
		}
		s.ws()
		if s.consume(',') {
			continue
		}
		if !s.consume(']') {
			return false
		}
		s.depth--
		return true
	}
}

// skipString reads past a string, checking its escapes and that it holds
// no control character. Bytes outside ASCII are passed over unchecked, as
// the general decoder passes over them in the values it skips.
func (s *scanner) skipString() bool {
	i := s.pos + 1
	for i < len(s.data) {
		c := s.data[i]
		switch {
		case plain[c] || c >= utf8.RuneSelf:
			i++
		case c == '"':
			s.pos = i + 1
			return true
		case c == '\\':
			if i+1 >= len(s.data) {
				return false
			}
			switch s.data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if _, ok := s.hex4(i + 2); !ok {
					return false
				}
				i += 6
			default:
				return false
			}
		default:
			return false
		}
	}
	return false
}

// number reads past a number as RFC 8259 spells it.
func (s *scanner) number() bool {
	i := s.pos
	if i < len(s.data) && s.data[i] == '-' {
		i++
	}
	switch {
	case i < len(s.data) && s.data[i] == '0':
		i++
	case i < len(s.data) && '1' <= s.data[i] && s.data[i] <= '9':
		i = s.digits(i)
	default:
		return false
	}
	if i < len(s.data) && s.data[i] == '.' {
		j := s.digits(i + 1)
		if j == i+1 {
			return false
		}
		i = j
	}
	if i < len(s.data) && (s.data[i] == 'e' || s.data[i] == 'E') {
		i++
		if i < len(s.data) && (s.data[i] == '+' || s.data[i] == '-') {
			i++
		}
		j := s.digits(i)
		if j == i {
			return false
		}
		i = j
	}
	s.pos = i
	return true
}

func (s *scanner) digits(i int) int {
	for i < len(s.data) && '0' <= s.data[i] && s.data[i] <= '9' {
		i++
	}
	return i
}
