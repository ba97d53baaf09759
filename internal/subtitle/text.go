package subtitle

import (
	"strconv"
	"strings"
	"unicode"
)

// cleanText is the one normal form of cue text, applied to what every
// reader extracts and again by the writers: valid UTF-8, no control
// characters, each line trimmed with inner runs of white space (including
// tabs and no-break spaces) made one space, no empty lines. Because it is
// idempotent and the writers escape everything the readers interpret,
// Parse(WriteVTT(cues)) gives back the same cues.
func cleanText(s string) string {
	return strings.Join(cleanLines(s), "\n")
}

func cleanLines(s string) []string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var lines []string
	for _, line := range strings.FieldsFunc(s, isLineBreak) {
		line = strings.Join(strings.Fields(strings.Map(dropControl, line)), " ")
		if line != "" {
			lines = append(lines, line)
		}
	}
	return lines
}

// isLineBreak splits on every character astisub's line scanner breaks on,
// plus the Unicode line and paragraph separators.
func isLineBreak(r rune) bool {
	return r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029'
}

// dropControl removes control characters but keeps the white-space ones,
// which strings.Fields then turns into single spaces.
func dropControl(r rune) rune {
	if unicode.IsControl(r) && !unicode.IsSpace(r) {
		return -1
	}
	return r
}

// textEscaper escapes what WebVTT and SRT readers treat as markup. ">" is
// escaped too (astisub's own writers leave it), so a line of text can never
// contain "-->" and be taken for a timing line.
var textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// vttReservedStarts are line beginnings that WebVTT readers (astisub
// included) take for a comment, style or region block even inside a cue.
// Their first letter is written as a numeric character reference.
var vttReservedStarts = []string{"NOTE", "STYLE", "REGION", "Region", "X-TIMESTAMP-MAP"}

func escapeVTTLine(line string) string {
	line = textEscaper.Replace(line)
	for _, p := range vttReservedStarts {
		if strings.HasPrefix(line, p) {
			return "&#" + strconv.Itoa(int(line[0])) + ";" + line[1:]
		}
	}
	return line
}

// srtEscaper is textEscaper plus "{\": SRT files carry SSA override tags
// such as {\an8}, which Parse strips, so a literal "{\" is written as a
// character reference to survive the round trip.
var srtEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `{\`, `&#123;\`)

func escapeSRTLine(line string) string {
	return srtEscaper.Replace(line)
}
