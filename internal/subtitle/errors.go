package subtitle

import (
	"errors"
	"fmt"
)

// ParseError is the error Parse returns for a file it cannot accept, and
// CheckEdit and Shift for cues they refuse. Msg is Swedish, names the line
// or cue where it can, and is safe to show to the person who uploaded the
// file or edited the cues. Cue is the 1-based number of the cue the error
// is about (0 when it is not about one cue), so an editor can point at it.
// The cause (often an English astisub error) is kept for logs through
// errors.Unwrap.
type ParseError struct {
	Msg   string
	Cue   int
	cause error
}

func (e *ParseError) Error() string { return e.Msg }

// Unwrap returns the underlying cause, if any, for logging.
func (e *ParseError) Unwrap() error { return e.cause }

func parseErrorf(cause error, format string, args ...any) *ParseError {
	return &ParseError{Msg: fmt.Sprintf(format, args...), cause: cause}
}

// cueErrorf is a ParseError about cue n (1-based).
func cueErrorf(n int, format string, args ...any) *ParseError {
	return &ParseError{Msg: fmt.Sprintf(format, args...), Cue: n}
}

// Messages shared by several formats.
const (
	msgEmpty     = "Filen är tom"
	msgNoCues    = "Filen innehåller inga textrader"
	msgUnknown   = "Okänt undertextformat: använd SRT, WebVTT, SSA/ASS, EBU STL eller TTML"
	msgBadTiming = "Rad %d: ogiltig tidskod"
)

// errAstisubPanic marks a panic inside astisub turned into an error: some
// malformed inputs make it index out of range or dereference nil.
var errAstisubPanic = errors.New("astisub panicked")
