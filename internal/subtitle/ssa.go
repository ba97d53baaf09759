package subtitle

import (
	"errors"
	"regexp"
	"strings"

	"github.com/asticode/go-astisub"
)

// ssaNegativeTime finds a field such as "-0:00:01.00" in a Dialogue line:
// astisub reads the hours as a number and drops the sign of "-0".
var ssaNegativeTime = regexp.MustCompile(`(^|,)\s*-[0-9]+:[0-9]`)

func readSSA(text string) ([]Cue, error) {
	if err := checkLineLengths(text, 0); err != nil {
		return nil, err
	}
	n := 0
	for line := range strings.Lines(text) {
		n++
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "Dialogue:"); ok && ssaNegativeTime.MatchString(rest) {
			return nil, parseErrorf(nil, "Rad %d: negativ tidskod", n)
		}
	}
	subs, err := safeRead(func() (*astisub.Subtitles, error) {
		// Empty options: ReadFromSSA's defaults log every unknown section
		// and line ([Fonts], [Aegisub Project Garbage], ...) with the
		// standard logger, i.e. user content in the server log.
		return astisub.ReadFromSSAWithOptions(strings.NewReader(text), astisub.SSAOptions{})
	})
	if err != nil {
		return nil, ssaError(err, text)
	}
	return toCues(subs, ssaItemText), nil
}

// ssaItemText handles what astisub leaves in SSA text: it moves override
// blocks ({\i1}) out of the text but keeps \h, the hard space.
func ssaItemText(s string) string {
	return strings.ReplaceAll(s, `\h`, " ")
}

// ssaBadDuration finds the value in astisub's "parsing ssa duration X failed".
var ssaBadDuration = regexp.MustCompile(`parsing ssa duration (.*?) failed`)

// ssaError maps astisub's SSA errors, which carry no line numbers, to a
// message; for a bad time it finds the line itself.
func ssaError(err error, text string) *ParseError {
	msg := err.Error()
	switch {
	case errors.Is(err, errAstisubPanic):
		return parseErrorf(err, "Filen kunde inte läsas som SSA/ASS: den verkar vara trasig")
	case strings.Contains(msg, "no events format"):
		return parseErrorf(err, "SSA/ASS: avsnittet [Events] saknar en Format-rad")
	case strings.Contains(msg, "no styles format"):
		return parseErrorf(err, "SSA/ASS: avsnittet [V4+ Styles] saknar en Format-rad")
	case strings.Contains(msg, "ssa duration"):
		if m := ssaBadDuration.FindStringSubmatch(msg); m != nil {
			if n := lineWith(text, "Dialogue:", m[1]); n > 0 {
				return parseErrorf(err, msgBadTiming, n)
			}
		}
		return parseErrorf(err, "SSA/ASS: en Dialogue-rad har en ogiltig tidskod")
	case strings.Contains(msg, "whereas style format has"):
		return parseErrorf(err, "SSA/ASS: en rad har färre fält än Format-raden anger")
	case strings.Contains(msg, "script info"):
		return parseErrorf(err, "SSA/ASS: ogiltigt värde i avsnittet [Script Info]")
	case strings.Contains(msg, "ssa style"):
		return parseErrorf(err, "SSA/ASS: ogiltig stil i avsnittet [V4+ Styles]")
	default:
		return parseErrorf(err, "Filen kunde inte läsas som SSA/ASS")
	}
}

// lineWith returns the number of the first line that starts with prefix
// and contains needle, or 0.
func lineWith(text, prefix, needle string) int {
	n := 0
	for line := range strings.Lines(text) {
		n++
		if strings.HasPrefix(strings.TrimSpace(line), prefix) && strings.Contains(line, needle) {
			return n
		}
	}
	return 0
}
