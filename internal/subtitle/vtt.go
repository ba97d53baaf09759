package subtitle

import (
	"regexp"
	"strings"

	"github.com/asticode/go-astisub"
)

// voiceTag matches WebVTT voice spans (<v Ulf>, <v.loud Ulf>, </v>). The
// cue model keeps no speaker, and astisub logs every second voice on a line
// through the standard logger, so they are removed before it reads.
var voiceTag = regexp.MustCompile(`</?v(?:[\s.][^>]*)?>`)

// inlineTimestamp matches karaoke-style timestamps inside cue text
// (<00:00:05.000>). The model has no use for them, and astisub drops the
// white space between a timestamp and a tag before it ("till</c>
// <00:00:05.000>SmåKoms" would read "tillSmåKoms").
var inlineTimestamp = regexp.MustCompile(`<(?:[0-9]{2,}:)?[0-9]{2}:[0-9]{2}\.[0-9]{3}>`)

func readVTT(text string) ([]Cue, error) {
	offset := 0
	if !hasVTTHeader(strings.TrimLeft(text, " \t\n")) {
		// A headerless file named .vtt (see detectText): astisub skips
		// everything up to a WEBVTT line.
		text = "WEBVTT\n\n" + text
		offset = 2
	}
	if err := checkTimingLines(text, offset, vttNotTiming); err != nil {
		return nil, err
	}
	prepared := escapeAmpersands(text)
	prepared = voiceTag.ReplaceAllString(prepared, "")
	prepared = inlineTimestamp.ReplaceAllString(prepared, "")
	if err := checkLineLengths(prepared, offset); err != nil {
		return nil, err
	}
	subs, err := readCueText(prepared, astisub.ReadFromWebVTT)
	if err != nil {
		return nil, cueTextError(err, offset, "WebVTT")
	}
	return toCues(subs, unescapeItem), nil
}

// vttNotTiming mirrors the order of astisub's WebVTT reader, which checks
// for comments, regions and styles before timing lines.
func vttNotTiming(line string) bool {
	return line == "" || strings.HasPrefix(line, "NOTE ") || strings.HasPrefix(line, "Region: ") || strings.HasPrefix(line, "STYLE")
}
