package cloudtrail

import (
	"bytes"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// The scanner is the fast path of decoding: it reads a delivery file, keeps
// the fields Record declares (the tables in record.go) and passes over the
// rest. It reads what it keeps strictly and gives up (ok false) on anything
// unusual: a value of the wrong type, a repeated field, a key with escapes
// or bytes outside ASCII, a kept string with a control character, invalid
// UTF-8 or a lone surrogate, a NUL byte anywhere, nesting deeper than
// maxScanDepth. The general decoder then reads the object, so every input
// gives exactly what the general decoder gives, only faster for the usual
// ones. Values it passes over are skipped the way the general decoder
// (github.com/goccy/go-json) skips them: strings to the first unescaped
// quote, objects and arrays to their matching brace or bracket, without
// checking what is in between; FuzzDecode holds the two to the same result.

// maxScanDepth bounds nesting; deeper objects go to the general decoder.
const maxScanDepth = 512

// maxFieldName is the longest field name the tables may hold.
const maxFieldName = 32

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

// fieldSet finds a struct's fields by name, in ASCII lower case as the
// general decoder matches them.
type fieldSet[T any] struct {
	byLen [maxFieldName + 1][]fieldEntry[T]
}

type fieldEntry[T any] struct {
	name string // in lower case
	bit  uint32 // a bit of its own, to tell a repeated field
	scan fieldScan[T]
}

// field is one declared field: its JSON name and its reader.
type field[T any] struct {
	name string
	scan fieldScan[T]
}

// fields builds a fieldSet from declared fields.
func fields[T any](fs ...field[T]) *fieldSet[T] {
	set := new(fieldSet[T])
	for i, f := range fs {
		if len(f.name) > maxFieldName || i >= 32 {
			panic("cloudtrail: field " + f.name + " does not fit the scanner's tables")
		}
		set.byLen[len(f.name)] = append(set.byLen[len(f.name)], fieldEntry[T]{name: lowerASCII(f.name), bit: 1 << i, scan: f.scan})
	}
	return set
}

// lookup finds the field a key names, or nil.
func (fs *fieldSet[T]) lookup(key []byte) *fieldEntry[T] {
	if len(key) > maxFieldName {
		return nil
	}
	entries := fs.byLen[len(key)]
	for i := range entries {
		if equalFoldASCII(key, entries[i].name) {
			return &entries[i]
		}
	}
	return nil
}

// equalFoldASCII tells whether key, in ASCII lower case, is lower.
func equalFoldASCII(key []byte, lower string) bool {
	if len(key) != len(lower) {
		return false
	}
	for i, c := range key {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
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
func pointerField[T, U any](get func(*T) **U, set **fieldSet[U]) fieldScan[T] {
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
func structField[T, U any](get func(*T) *U, set **fieldSet[U]) fieldScan[T] {
	return func(s *scanner, v *T) bool {
		if s.null() {
			return true
		}
		return scanObject(s, get(v), *set)
	}
}

// objectsField reads an array of objects.
func objectsField[T, U any](get func(*T) *[]U, set **fieldSet[U]) fieldScan[T] {
	return func(s *scanner, v *T) bool {
		return scanArray(s, get(v), func(s *scanner, e *U) bool { return scanObject(s, e, *set) })
	}
}

// scanDeliveryFile reads {"Records": [...]}; ok is false when the general
// decoder must read data instead.
func scanDeliveryFile(data []byte) (records []Record, ok bool) {
	if bytes.IndexByte(data, 0) >= 0 {
		// The general decoder takes NUL for the end of its input.
		return nil, false
	}
	s := scanner{data: data}
	s.ws()
	if !s.consume('{') || !s.enter() {
		return nil, false
	}
	found := false
	s.ws()
	if !s.consume('}') {
		for {
			s.ws()
			key, ok := s.key()
			if !ok {
				return nil, false
			}
			s.ws()
			if !s.consume(':') {
				return nil, false
			}
			s.ws()
			if !equalFoldASCII(key, "records") {
				ok = s.skip()
			} else if !found && s.peek() == '[' {
				found = true
				records = make([]Record, 0, len(data)/1024+1)
				ok = scanArray(&s, &records, func(s *scanner, r *Record) bool { return scanObject(s, r, recordFields) })
			} else {
				ok = false
			}
			if !ok {
				return nil, false
			}
			s.ws()
			if s.consume(',') {
				continue
			}
			if !s.consume('}') {
				return nil, false
			}
			break
		}
	}
	s.ws()
	if !found || s.pos != len(s.data) {
		return nil, false
	}
	return records, true
}

// scanObject reads an object into v.
func scanObject[T any](s *scanner, v *T, set *fieldSet[T]) bool {
	if !s.consume('{') || !s.enter() {
		return false
	}
	var seen uint32
	s.ws()
	if s.consume('}') {
		s.depth--
		return true
	}
	for {
		s.ws()
		key, ok := s.key()
		if !ok {
			return false
		}
		s.ws()
		if !s.consume(':') {
			return false
		}
		s.ws()
		if f := set.lookup(key); f == nil {
			ok = s.skip()
		} else if seen&f.bit == 0 {
			seen |= f.bit
			ok = f.scan(s, v)
		} else {
			ok = false
		}
		if !ok {
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

// scanArray reads an array (or null, leaving *dst nil) into *dst.
func scanArray[E any](s *scanner, dst *[]E, elem func(*scanner, *E) bool) bool {
	if s.null() {
		return true
	}
	if !s.consume('[') || !s.enter() {
		return false
	}
	out := (*dst)[:0]
	if out == nil {
		out = make([]E, 0, 4)
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

// key reads an object key. A key with escapes or bytes outside ASCII gives
// up: the general decoder's matching of those is its own.
func (s *scanner) key() ([]byte, bool) {
	if !s.consume('"') {
		return nil, false
	}
	start := s.pos
	i := start
	for i < len(s.data) && plain[s.data[i]] {
		i++
	}
	if i < len(s.data) && s.data[i] == '"' {
		s.pos = i + 1
		return s.data[start:i], true
	}
	// A control character is only a key matching no field; a backslash
	// or a byte outside ASCII gives up.
	for ; i < len(s.data); i++ {
		switch c := s.data[i]; {
		case c == '"':
			s.pos = i + 1
			return s.data[start:i], true
		case c == '\\' || c >= utf8.RuneSelf:
			return nil, false
		}
	}
	return nil, false
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

// skip reads past one value as the general decoder does.
func (s *scanner) skip() bool {
	switch s.peek() {
	case '"':
		return s.skipString()
	case '{', '[':
		return s.skipNested()
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	}
	return s.number()
}

// skipString reads past a string: to the first quote that is not escaped,
// a backslash escaping the byte after it, whatever comes before it.
func (s *scanner) skipString() bool {
	i := s.pos + 1
	for {
		q := bytes.IndexByte(s.data[i:], '"')
		if q < 0 {
			return false
		}
		i += q
		// The quote ends the string unless an odd number of
		// backslashes comes right before it.
		j := i
		for j > s.pos+1 && s.data[j-1] == '\\' {
			j--
		}
		i++
		if (i-1-j)%2 == 0 {
			s.pos = i
			return true
		}
	}
}

// skipNested reads past an object or an array: to the brace or bracket
// that closes it, strings passed over, counting only the kind it opened
// with (as the general decoder does) but giving up past maxScanDepth of
// either kind.
func (s *scanner) skipNested() bool {
	open := s.data[s.pos]
	end := byte('}')
	if open == '[' {
		end = ']'
	}
	count, base := 0, s.depth
	for s.pos < len(s.data) {
		switch c := s.data[s.pos]; c {
		case '"':
			if !s.skipString() {
				return false
			}
			continue
		case '{', '[':
			if c == open {
				count++
			}
			if !s.enter() {
				return false
			}
		case '}', ']':
			s.depth--
			if c == end {
				if count--; count == 0 {
					s.pos++
					s.depth = base
					return true
				}
			}
		}
		s.pos++
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
