package subtitle

import (
	"errors"
	"html"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/asticode/go-astisub"
)

// This file holds what the SRT and WebVTT readers share: both are
// line-based with "-->" timing lines and HTML-like cue text.

// escapeAmpersands prepares SRT and WebVTT input for astisub, whose
// readers decode only &amp;, &lt; and &nbsp; (not &gt; or numeric
// references) in a single pass. Escaping every "&" first makes that pass
// give back the text exactly as written, and unescapeItem then decodes all
// character references once, as a browser would.
func escapeAmpersands(text string) string {
	return strings.ReplaceAll(text, "&", "&amp;")
}

func unescapeItem(s string) string { return html.UnescapeString(s) }

// checkTimingLines rejects a timing line with nothing after "-->", on which
// astisub indexes out of range, and too many cues before astisub spends
// seconds reading them. skip tells which lines the format's reader does not
// treat as timing lines; added is the number of lines Parse put before the
// file's own (a WEBVTT header), left out of line numbers.
func checkTimingLines(text string, added int, skip func(line string) bool) error {
	n, cues := 0, 0
	for line := range strings.Lines(text) {
		n++
		line = strings.TrimSpace(line)
		if skip(line) {
			continue
		}
		_, end, ok := strings.Cut(line, "-->")
		if !ok {
			continue
		}
		if strings.TrimSpace(end) == "" {
			return parseErrorf(nil, "Rad %d: tidskoden saknar sluttid", n-added)
		}
		cues++
	}
	if cues > maxCues {
		return tooManyCues(cues)
	}
	return nil
}

// astisubLine finds the line number astisub puts in its SRT and WebVTT
// errors ("astisub: line 12: parsing srt duration ... failed").
var astisubLine = regexp.MustCompile(`\bline (\d+)\b`)

// cueTextError turns an astisub SRT or WebVTT error into a ParseError that
// names the line; added is as for checkTimingLines. It relies on astisub's English messages, pinned by go.mod and
// covered by tests.
func cueTextError(err error, added int, formatName string) *ParseError {
	if errors.Is(err, errAstisubPanic) {
		return parseErrorf(err, "Filen kunde inte läsas som %s: den verkar vara trasig", formatName)
	}
	msg := err.Error()
	m := astisubLine.FindStringSubmatch(msg)
	if m == nil {
		return parseErrorf(err, "Filen kunde inte läsas som %s", formatName)
	}
	n, _ := strconv.Atoi(m[1])
	n -= added
	switch {
	case strings.Contains(msg, "duration"):
		return parseErrorf(err, msgBadTiming, n)
	case strings.Contains(msg, "inline style"):
		return parseErrorf(err, "Rad %d: okänd inställning efter tidskoden", n)
	case strings.Contains(msg, "Unknown region"):
		return parseErrorf(err, "Rad %d: tidskoden hänvisar till en region som inte finns", n)
	case strings.Contains(strings.ToLower(msg), "region"):
		return parseErrorf(err, "Rad %d: ogiltig regiondefinition", n)
	default:
		return parseErrorf(err, "Rad %d: raden kunde inte läsas", n)
	}
}

// readCueText runs an astisub reader on prepared SRT or WebVTT text.
func readCueText(text string, read func(io.Reader) (*astisub.Subtitles, error)) (*astisub.Subtitles, error) {
	return safeRead(func() (*astisub.Subtitles, error) { return read(strings.NewReader(text)) })
}
