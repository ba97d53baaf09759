package subtitle

import (
	"errors"
	"fmt"
)

// ParseError is the error Parse returns for a file it cannot accept. Msg is
// Swedish, names the line or cue where it can, and is safe to show to the
// person who uploaded the file. The cause (often an English astisub error)
// is kept for logs through errors.Unwrap.
type ParseError struct {
	Msg   string
	cause error
}

func (e *ParseError) Error() string { return e.Msg }

// Unwrap returns the underlying cause, if any, for logging.
func (e *ParseError) Unwrap() error { return e.cause }

func parseErrorf(cause error, format string, args ...any) *ParseError {
	return &ParseError{Msg: fmt.Sprintf(format, args...), cause: cause}
}

// Messages shared by several formats.
const (
	msgEmpty     = "Filen är tom"
	msgNoCues    = "Filen innehåller inga textrader"
	msgUnknown   = "Okänt undertextformat: använd SRT, WebVTT, SSA/ASS, EBU STL eller TTML"
	msgTooLarge  = "Filen är för stor: högst 10 MB"
	msgBadTiming = "Rad %d: ogiltig tidskod"
)

// errAstisubPanic marks a panic inside astisub turned into an error: some
// malformed inputs make it index out of range or dereference nil.
var errAstisubPanic = errors.New("astisub panicked")
