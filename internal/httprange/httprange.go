// Package httprange parses the HTTP Range and If-Range request headers
// (RFC 9110 sections 14.2 and 13.1.5) for byte ranges. It is pure: the caller
// decides how to answer (206, 200 or 416) and writes the headers.
package httprange

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// MaxRanges is the most range specs a header may hold; longer headers are
// ignored as abusive (RFC 9110 section 14.2 lets a server ignore them).
const MaxRanges = 100

// ErrUnsatisfiable means the Range header was valid but none of its ranges
// overlaps the representation: answer 416 with "Content-Range: bytes */SIZE".
var ErrUnsatisfiable = errors.New("httprange: range not satisfiable")

// Range is a resolved byte range [Start, Start+Length).
type Range struct{ Start, Length int64 }

// End is the offset of the range's last byte.
func (r Range) End() int64 { return r.Start + r.Length - 1 }

// ContentRange is the Content-Range value of a 206 answer carrying r out of
// a representation of the given size: "bytes START-END/SIZE".
func (r Range) ContentRange(size int64) string {
	return "bytes " + strconv.FormatInt(r.Start, 10) + "-" + strconv.FormatInt(r.End(), 10) +
		"/" + strconv.FormatInt(size, 10)
}

// Parse resolves a Range header value against a representation of the given
// size.
//
// It returns (nil, nil) when the header is empty, not a "bytes" range,
// syntactically invalid, holds more than MaxRanges specs or numbers that
// overflow int64, or when size is negative (unknown): RFC 9110 says to ignore
// such a header and send the whole representation. It returns the
// satisfiable ranges, in the order given, when there is at least one (last
// positions are clamped to size-1, a suffix longer than size means the whole
// representation), and (nil, ErrUnsatisfiable) when the header is valid but
// no range is satisfiable (a first position at or past size, a zero suffix,
// or any range when size is 0).
func Parse(header string, size int64) ([]Range, error) {
	header = trimOWS(header)
	unit, set, ok := strings.Cut(header, "=")
	if !ok || !strings.EqualFold(trimOWS(unit), "bytes") || size < 0 {
		return nil, nil
	}
	var (
		ranges []Range
		specs  int
	)
	// range-set = 1#range-spec: a list whose empty elements are tolerated
	// (RFC 9110 section 5.6.1) but which needs at least one real element.
	for spec := range strings.SplitSeq(set, ",") {
		spec = trimOWS(spec)
		if spec == "" {
			continue
		}
		specs++
		if specs > MaxRanges {
			return nil, nil
		}
		r, satisfiable, valid := parseSpec(spec, size)
		if !valid {
			return nil, nil
		}
		if satisfiable {
			ranges = append(ranges, r)
		}
	}
	if specs == 0 {
		return nil, nil
	}
	if len(ranges) == 0 {
		return nil, ErrUnsatisfiable
	}
	return ranges, nil
}

// parseSpec resolves one range-spec: int-range ("first-" or "first-last")
// or suffix-range ("-length").
func parseSpec(spec string, size int64) (r Range, satisfiable, valid bool) {
	first, last, ok := strings.Cut(spec, "-")
	if !ok {
		return Range{}, false, false
	}
	first, last = trimOWS(first), trimOWS(last)
	if first == "" {
		suffix, ok := parseDigits(last)
		if !ok {
			return Range{}, false, false
		}
		if suffix == 0 || size == 0 {
			return Range{}, false, true
		}
		suffix = min(suffix, size)
		return Range{Start: size - suffix, Length: suffix}, true, true
	}
	start, ok := parseDigits(first)
	if !ok {
		return Range{}, false, false
	}
	end := int64(-1)
	if last != "" {
		if end, ok = parseDigits(last); !ok || end < start {
			return Range{}, false, false
		}
	}
	if start >= size {
		return Range{}, false, true
	}
	if end < 0 || end >= size {
		end = size - 1
	}
	return Range{Start: start, Length: end - start + 1}, true, true
}

// parseDigits reads 1*DIGIT; signs, spaces inside and overflow are invalid.
func parseDigits(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := int64(c - '0')
		if n > (1<<63-1-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// trimOWS strips optional whitespace (SP and HTAB) as HTTP defines it.
func trimOWS(s string) string { return strings.Trim(s, " \t") }

// httpDateLayouts are the IMF-fixdate and the two obsolete forms a recipient
// must accept (RFC 9110 section 5.6.7).
var httpDateLayouts = []string{
	"Mon, 02 Jan 2006 15:04:05 GMT",
	"Monday, 02-Jan-06 15:04:05 GMT",
	"Mon Jan _2 15:04:05 2006",
}

// IfRangeMatches reports whether a request's If-Range value lets its Range
// apply to the current representation, whose strong ETag is etag (quoted or
// bare) and whose modification time is lastModified.
//
// An empty value matches. An entity tag matches only by strong comparison
// (RFC 9110 section 13.1.5): a weak tag on either side never matches. An
// HTTP-date matches when it equals lastModified to the second. Anything else,
// including a malformed value, does not match, so the caller sends the whole
// representation, which is always safe.
func IfRangeMatches(ifRange, etag string, lastModified time.Time) bool {
	ifRange = trimOWS(ifRange)
	switch {
	case ifRange == "":
		return true
	case strings.HasPrefix(ifRange, "W/"):
		return false
	case strings.HasPrefix(ifRange, `"`):
		if !isOpaqueTag(ifRange) {
			return false
		}
		etag = trimOWS(etag)
		if etag == "" || strings.HasPrefix(etag, "W/") {
			return false
		}
		if !strings.HasPrefix(etag, `"`) {
			etag = `"` + etag + `"`
		}
		return ifRange == etag
	}
	if lastModified.IsZero() {
		return false
	}
	for _, layout := range httpDateLayouts {
		if t, err := time.Parse(layout, ifRange); err == nil {
			return t.Unix() == lastModified.Unix()
		}
	}
	return false
}

// isOpaqueTag checks the opaque-tag form: DQUOTE *etagc DQUOTE.
func isOpaqueTag(s string) bool {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		c := s[i]
		if c < 0x21 || c == '"' || c == 0x7f {
			return false
		}
	}
	return true
}
