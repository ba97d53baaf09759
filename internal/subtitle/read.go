package subtitle

import (
	"fmt"
	"strings"
	"time"

	"github.com/asticode/go-astisub"
)

// maxLineBytes bounds a line as astisub gets it (after the escaping Parse
// adds). astisub reads lines with a bufio.Scanner (64 KiB limit) and never
// checks its error, so a longer line would silently end the file early.
const maxLineBytes = 60_000

// safeRead runs an astisub reader and turns a panic into an error: some
// malformed inputs make astisub index out of range (a timing line without
// an end time) or dereference nil (a TTML <p> without begin or end).
func safeRead(read func() (*astisub.Subtitles, error)) (subs *astisub.Subtitles, err error) {
	defer func() {
		if r := recover(); r != nil {
			subs, err = nil, fmt.Errorf("%w: %v", errAstisubPanic, r)
		}
	}()
	subs, err = read()
	if err == nil && subs == nil {
		err = fmt.Errorf("astisub returned no subtitles")
	}
	return subs, err
}

// toCues reduces astisub items to plain-text cues. itemText undoes what is
// left of a format's markup in the text of one line item (astisub removes
// the tags but, depending on the format, not entities or override codes).
func toCues(subs *astisub.Subtitles, itemText func(string) string) []Cue {
	cues := make([]Cue, 0, len(subs.Items))
	for _, it := range subs.Items {
		lines := make([]string, 0, len(it.Lines))
		for _, l := range it.Lines {
			var b strings.Builder
			for _, li := range l.Items {
				b.WriteString(itemText(li.Text))
			}
			lines = append(lines, b.String())
		}
		cues = append(cues, Cue{
			// Frame- and tick-based formats (STL at 30 fps, TTML) give
			// fractions of a millisecond; the model and BSON keep whole ones.
			Start: it.StartAt.Round(time.Millisecond),
			End:   it.EndAt.Round(time.Millisecond),
			Text:  cleanText(strings.Join(lines, "\n")),
		})
	}
	return cues
}

func keepText(s string) string { return s }

// checkLineLengths rejects a line astisub's scanner could not read whole.
// added is as for checkTimingLines.
func checkLineLengths(text string, added int) error {
	n := 0
	for line := range strings.Lines(text) {
		n++
		if len(line) > maxLineBytes {
			return parseErrorf(nil, "Rad %d: raden är för lång", n-added)
		}
	}
	return nil
}
