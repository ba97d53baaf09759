package httprange

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

type parseCase struct {
	name   string
	header string
	size   int64
	want   []Range
	err    error
}

var parseCases = []parseCase{
	// Ignored: the caller answers 200 with the whole body.
	{name: "empty", header: "", size: 100},
	{name: "only whitespace", header: " \t ", size: 100},
	{name: "other unit", header: "items=0-5", size: 100},
	{name: "no equals sign", header: "bytes 0-5", size: 100},
	{name: "no set", header: "bytes=", size: 100},
	{name: "only commas", header: "bytes=, ,", size: 100},
	{name: "dash only", header: "bytes=-", size: 100},
	{name: "no dash", header: "bytes=5", size: 100},
	{name: "last before first", header: "bytes=5-3", size: 100},
	{name: "last before first beside a valid range", header: "bytes=0-1,5-3", size: 100},
	{name: "two dashes", header: "bytes=1-2-3", size: 100},
	{name: "negative first", header: "bytes=-1-5", size: 100},
	{name: "plus sign", header: "bytes=+1-5", size: 100},
	{name: "letters", header: "bytes=a-b", size: 100},
	{name: "hex", header: "bytes=0x10-0x20", size: 100},
	{name: "space inside a number", header: "bytes=1 0-20", size: 100},
	{name: "invalid spec beside a valid one", header: "bytes=0-1,x", size: 100},
	{name: "first overflows", header: "bytes=9223372036854775808-", size: 100},
	{name: "last overflows", header: "bytes=0-99999999999999999999", size: 100},
	{name: "suffix overflows", header: "bytes=-9223372036854775808", size: 100},
	{name: "too many ranges", header: "bytes=" + strings.Repeat("0-0,", MaxRanges) + "0-0", size: 100},
	{name: "negative size", header: "bytes=0-5", size: -1},

	// One satisfiable range.
	{name: "first-last", header: "bytes=0-499", size: 1000, want: []Range{{0, 500}}},
	{name: "first byte only", header: "bytes=0-0", size: 1000, want: []Range{{0, 1}}},
	{name: "middle", header: "bytes=500-999", size: 1000, want: []Range{{500, 500}}},
	{name: "last byte only", header: "bytes=999-999", size: 1000, want: []Range{{999, 1}}},
	{name: "open ended", header: "bytes=9500-", size: 10000, want: []Range{{9500, 500}}},
	{name: "open ended from zero", header: "bytes=0-", size: 10000, want: []Range{{0, 10000}}},
	{name: "last clamped", header: "bytes=990-2000", size: 1000, want: []Range{{990, 10}}},
	{name: "last huge but fits int64", header: "bytes=0-9223372036854775807", size: 1000, want: []Range{{0, 1000}}},
	{name: "suffix", header: "bytes=-500", size: 10000, want: []Range{{9500, 500}}},
	{name: "suffix of one", header: "bytes=-1", size: 10, want: []Range{{9, 1}}},
	{name: "suffix equal to size", header: "bytes=-10", size: 10, want: []Range{{0, 10}}},
	{name: "suffix larger than size", header: "bytes=-20000", size: 10000, want: []Range{{0, 10000}}},
	{name: "one-byte file", header: "bytes=0-", size: 1, want: []Range{{0, 1}}},
	{name: "unit in upper case", header: "BYTES=0-9", size: 100, want: []Range{{0, 10}}},
	{name: "surrounding whitespace", header: "  bytes=0-9 \t", size: 100, want: []Range{{0, 10}}},
	{name: "whitespace around the spec", header: "bytes= 0-9 ", size: 100, want: []Range{{0, 10}}},
	{name: "whitespace around the dash", header: "bytes=0 - 9", size: 100, want: []Range{{0, 10}}},
	{name: "empty list elements", header: "bytes=,0-9,", size: 100, want: []Range{{0, 10}}},
	{name: "unsatisfiable beside satisfiable", header: "bytes=500-600,0-9", size: 100, want: []Range{{0, 10}}},
	{name: "zero suffix beside satisfiable", header: "bytes=-0,0-9", size: 100, want: []Range{{0, 10}}},
	{name: "exactly MaxRanges", header: "bytes=" + strings.Repeat("0-0,", MaxRanges-1) + "0-0", size: 100,
		want: repeatRange(Range{0, 1}, MaxRanges)},

	// Several satisfiable ranges.
	{name: "two ranges", header: "bytes=0-0,-1", size: 10000, want: []Range{{0, 1}, {9999, 1}}},
	{name: "three ranges with spaces", header: "bytes=500-600, 601-999 ,\t-5", size: 1000,
		want: []Range{{500, 101}, {601, 399}, {995, 5}}},
	{name: "overlapping ranges kept as given", header: "bytes=0-10,5-15", size: 100, want: []Range{{0, 11}, {5, 11}}},

	// Valid but unsatisfiable: 416.
	{name: "first at size", header: "bytes=1000-", size: 1000, err: ErrUnsatisfiable},
	{name: "first past size", header: "bytes=2000-3000", size: 1000, err: ErrUnsatisfiable},
	{name: "zero suffix", header: "bytes=-0", size: 1000, err: ErrUnsatisfiable},
	{name: "empty representation first-last", header: "bytes=0-0", size: 0, err: ErrUnsatisfiable},
	{name: "empty representation open", header: "bytes=0-", size: 0, err: ErrUnsatisfiable},
	{name: "empty representation suffix", header: "bytes=-5", size: 0, err: ErrUnsatisfiable},
	{name: "all of several unsatisfiable", header: "bytes=100-,200-300,-0", size: 100, err: ErrUnsatisfiable},
	{name: "first fits int64 but past size", header: "bytes=9223372036854775807-", size: 100, err: ErrUnsatisfiable},
}

func repeatRange(r Range, n int) []Range {
	rs := make([]Range, n)
	for i := range rs {
		rs[i] = r
	}
	return rs
}

func TestParse(t *testing.T) {
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.header, tc.size)
			if !errors.Is(err, tc.err) {
				t.Fatalf("Parse(%q, %d) error = %v, want %v", tc.header, tc.size, err, tc.err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("Parse(%q, %d) = %v, want %v", tc.header, tc.size, got, tc.want)
			}
			checkRanges(t, tc.header, tc.size, got, err)
		})
	}
}

func TestContentRange(t *testing.T) {
	tests := []struct {
		r    Range
		size int64
		want string
	}{
		{Range{0, 1}, 1, "bytes 0-0/1"},
		{Range{0, 500}, 1000, "bytes 0-499/1000"},
		{Range{9500, 500}, 10000, "bytes 9500-9999/10000"},
		{Range{1 << 40, 1}, 1<<40 + 1, "bytes 1099511627776-1099511627776/1099511627777"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			if got := tc.r.ContentRange(tc.size); got != tc.want {
				t.Fatalf("%+v.ContentRange(%d) = %q, want %q", tc.r, tc.size, got, tc.want)
			}
		})
	}
}

func TestIfRangeMatches(t *testing.T) {
	modified := time.Date(2025, time.March, 4, 10, 20, 30, 0, time.UTC)
	const etag = `"abc123"`
	tests := []struct {
		name     string
		ifRange  string
		etag     string
		modified time.Time
		want     bool
	}{
		{name: "empty", ifRange: "", etag: etag, modified: modified, want: true},
		{name: "whitespace only", ifRange: "  ", etag: etag, modified: modified, want: true},
		{name: "empty without validators", ifRange: "", want: true},
		{name: "strong etag equal", ifRange: `"abc123"`, etag: etag, modified: modified, want: true},
		{name: "strong etag equal with whitespace", ifRange: ` "abc123" `, etag: etag, modified: modified, want: true},
		{name: "strong etag equal to a bare etag", ifRange: `"abc123"`, etag: "abc123", modified: modified, want: true},
		{name: "strong etag differs", ifRange: `"abc124"`, etag: etag, modified: modified, want: false},
		{name: "strong etag differs in case", ifRange: `"ABC123"`, etag: etag, modified: modified, want: false},
		{name: "weak etag", ifRange: `W/"abc123"`, etag: etag, modified: modified, want: false},
		{name: "against a weak etag", ifRange: `"abc123"`, etag: `W/"abc123"`, modified: modified, want: false},
		{name: "no current etag", ifRange: `"abc123"`, etag: "", modified: modified, want: false},
		{name: "unterminated etag", ifRange: `"abc123`, etag: etag, modified: modified, want: false},
		{name: "etag with inner quote", ifRange: `"abc"123"`, etag: `"abc"123"`, modified: modified, want: false},
		{name: "etag list is not allowed", ifRange: `"abc123", "x"`, etag: etag, modified: modified, want: false},
		{name: "empty etag", ifRange: `""`, etag: `""`, modified: modified, want: true},
		{name: "date equal", ifRange: "Tue, 04 Mar 2025 10:20:30 GMT", etag: etag, modified: modified, want: true},
		{name: "date equal, modification has sub-second part", ifRange: "Tue, 04 Mar 2025 10:20:30 GMT",
			etag: etag, modified: modified.Add(700 * time.Millisecond), want: true},
		{name: "date equal, modification in another zone", ifRange: "Tue, 04 Mar 2025 10:20:30 GMT",
			etag: etag, modified: modified.In(time.FixedZone("CET", 3600)), want: true},
		{name: "date equal in RFC 850 form", ifRange: "Tuesday, 04-Mar-25 10:20:30 GMT", etag: etag, modified: modified, want: true},
		{name: "date equal in asctime form", ifRange: "Tue Mar  4 10:20:30 2025", etag: etag, modified: modified, want: true},
		{name: "date one second earlier", ifRange: "Tue, 04 Mar 2025 10:20:29 GMT", etag: etag, modified: modified, want: false},
		{name: "date one second later", ifRange: "Tue, 04 Mar 2025 10:20:31 GMT", etag: etag, modified: modified, want: false},
		{name: "date without modification time", ifRange: "Tue, 04 Mar 2025 10:20:30 GMT", etag: etag, want: false},
		{name: "date in another format", ifRange: "2025-03-04T10:20:30Z", etag: etag, modified: modified, want: false},
		{name: "garbage", ifRange: "abc123", etag: "abc123", modified: modified, want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := IfRangeMatches(tc.ifRange, tc.etag, tc.modified); got != tc.want {
				t.Fatalf("IfRangeMatches(%q, %q, %v) = %v, want %v", tc.ifRange, tc.etag, tc.modified, got, tc.want)
			}
		})
	}
}

// checkRanges holds the invariants every answer of Parse must keep.
func checkRanges(t *testing.T, header string, size int64, got []Range, err error) {
	t.Helper()
	if err != nil && !errors.Is(err, ErrUnsatisfiable) {
		t.Fatalf("Parse(%q, %d): unexpected error %v", header, size, err)
	}
	if err != nil && got != nil {
		t.Fatalf("Parse(%q, %d) = %v with error %v: want no ranges with an error", header, size, got, err)
	}
	if got != nil && len(got) == 0 {
		t.Fatalf("Parse(%q, %d) returned an empty, non-nil slice", header, size)
	}
	if len(got) > MaxRanges {
		t.Fatalf("Parse(%q, %d) returned %d ranges, more than %d", header, size, len(got), MaxRanges)
	}
	for _, r := range got {
		if r.Start < 0 || r.Length <= 0 || r.Start >= size || r.Length > size-r.Start {
			t.Fatalf("Parse(%q, %d) returned %+v outside [0,%d)", header, size, r, size)
		}
		if want := fmt.Sprintf("bytes %d-%d/%d", r.Start, r.Start+r.Length-1, size); r.ContentRange(size) != want {
			t.Fatalf("%+v.ContentRange(%d) = %q, want %q", r, size, r.ContentRange(size), want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, tc := range parseCases {
		f.Add(tc.header, tc.size)
	}
	f.Add("bytes=0-1,2-3,-4,5-", int64(1<<62))
	f.Add("bytes=-9223372036854775807", int64(1<<63-1))
	f.Fuzz(func(t *testing.T, header string, size int64) {
		got, err := Parse(header, size)
		checkRanges(t, header, size, got, err)
		if size < 0 && (got != nil || err != nil) {
			t.Fatalf("Parse(%q, %d) = %v, %v: want the header ignored for an unknown size", header, size, got, err)
		}
	})
}
