package cloudtrail

import "testing"

// The fast path for the 8-4-4-4-12 shape reads what the digit-by-digit
// loop reads, and refuses what it refuses.
func TestParseUUIDShapes(t *testing.T) {
	want := [16]byte{0xaf, 0xdb, 0x8c, 0xde, 0xd9, 0x4f, 0x43, 0x78, 0x97, 0x9f, 0xba, 0xcd, 0x66, 0xd0, 0x73, 0x35}
	for _, s := range []string{
		"afdb8cde-d94f-4378-979f-bacd66d07335",
		"AFDB8CDE-D94F-4378-979F-BACD66D07335",
		"afdb8cded94f4378979fbacd66d07335",
		"afdb-8cde-d94f-4378979f-bacd66d07335",
	} {
		got, ok := parseUUID(s)
		if !ok || got != want {
			t.Errorf("parseUUID(%q) = %x, %v; want %x", s, got, ok, want)
		}
	}
	for _, s := range []string{
		"afdb8cde-d94f-4378-979f-bacd66d0733g",
		"gfdb8cde-d94f-4378-979f-bacd66d07335",
		"afdb8cde-d94f-4378-979f-bacd66d0733",
		"afdb8cde-d94f-4378-979f-bacd66d073355",
		"afdb8cde-d94f-4378-979f-bacd66d0733-",
		"",
	} {
		if got, ok := parseUUID(s); ok {
			t.Errorf("parseUUID(%q) = %x, true; want refused", s, got)
		}
	}
}
