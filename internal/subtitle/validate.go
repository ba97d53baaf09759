package subtitle

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on what Parse accepts beyond well-formedness.
const (
	// maxCues keeps a track's document far below MongoDB's 16 MiB limit
	// (a three-hour webinar has about 3,000 cues).
	maxCues = 50_000
	// maxCueTime keeps times in the two-digit hours every format writes.
	maxCueTime = 100 * time.Hour
	// maxLineRunes keeps a written line under the readers' line limit
	// (maxLineBytes) even in the worst case: "&" is 5 bytes once written
	// and 9 once Parse escapes it again for astisub.
	maxLineRunes = 5_000
)

// validate checks the cues a reader produced. The order is checked, not
// fixed: cues out of order are usually a sign of a broken or concatenated
// file that a person should look at. Overlapping cues are refused too: a
// player shows them stacked, in an order viewers cannot follow, and the
// interactive transcript could not say which one is current.
func validate(cues []Cue) error {
	if len(cues) == 0 {
		return parseErrorf(nil, msgNoCues)
	}
	if len(cues) > maxCues {
		return tooManyCues(len(cues))
	}
	for i, c := range cues {
		n := i + 1
		times := fmt.Sprintf("(%s --> %s)", formatTime(c.Start), formatTime(c.End))
		switch {
		case c.Start < 0 || c.End < 0:
			return cueErrorf(n, "Text %d: tiden är negativ %s", n, times)
		case c.Start >= maxCueTime || c.End >= maxCueTime:
			return cueErrorf(n, "Text %d: tiden är för stor, högst 99:59:59,999 %s", n, times)
		case c.End < c.Start:
			return cueErrorf(n, "Text %d: sluttiden ligger före starttiden %s", n, times)
		case c.End == c.Start:
			return cueErrorf(n, "Text %d: sluttiden är samma som starttiden %s", n, times)
		case i > 0 && c.Start < cues[i-1].Start:
			return cueErrorf(n, "Text %d: starttiden ligger före starttiden för text %d; texterna måste stå i tidsordning %s", n, n-1, times)
		case i > 0 && c.Start < cues[i-1].End:
			return cueErrorf(n, "Text %d börjar %s, innan text %d slutar %s; texter får inte överlappa", n, formatTime(c.Start), n-1, formatTime(cues[i-1].End))
		case c.Text == "":
			return cueErrorf(n, "Text %d: texten är tom %s", n, times)
		}
		for line := range strings.SplitSeq(c.Text, "\n") {
			if utf8.RuneCountInString(line) > maxLineRunes {
				return cueErrorf(n, "Text %d: en rad är längre än %d tecken %s", n, maxLineRunes, times)
			}
		}
	}
	return nil
}

func tooManyCues(n int) error {
	return parseErrorf(nil, "Filen innehåller för många texter: %d (högst %d)", n, maxCues)
}

// formatTime writes a time for messages the way SRT does (people know it
// from their subtitle editors); negative times keep their sign.
func formatTime(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	ms := d.Milliseconds()
	return fmt.Sprintf("%s%02d:%02d:%02d,%03d", sign, ms/3_600_000, ms/60_000%60, ms/1000%60, ms%1000)
}
