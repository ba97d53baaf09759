package subtitle

import (
	"regexp"
	"strings"

	"github.com/asticode/go-astisub"
)

// spaceBetweenTags finds white space alone between two tags, as in
// "<i>Hej</i> <b>då</b>": astisub's SRT reader drops text tokens that are
// only white space, which would glue the words together. A character
// reference is not white space to it and decodes back to a space.
var spaceBetweenTags = regexp.MustCompile(`>[ \t]+<`)

// ssaOverride matches SSA override blocks such as {\an8} or {\i1}, which
// many SRT files carry for positioning and which astisub leaves in the text.
var ssaOverride = regexp.MustCompile(`\{\\[^{}]*\}`)

// partialTime matches the start of a timestamp ("00:00:0"), as a file cut
// off in a timing line ends.
var partialTime = regexp.MustCompile(`^[0-9]+:[0-9]`)

func readSRT(text string) ([]Cue, error) {
	if err := checkTimingLines(text, 0, func(string) bool { return false }); err != nil {
		return nil, err
	}
	if err := checkSRTNumbers(text); err != nil {
		return nil, err
	}
	prepared := spaceBetweenTags.ReplaceAllString(escapeAmpersands(text), ">&#32;<")
	if err := checkLineLengths(prepared, 0); err != nil {
		return nil, err
	}
	subs, err := readCueText(prepared, astisub.ReadFromSRT)
	if err != nil {
		return nil, cueTextError(err, 0, "SRT")
	}
	return toCues(subs, srtItemText), nil
}

func srtItemText(s string) string {
	// Strip until nothing matches, so "{\a{\b}}" cannot leave a new
	// override block behind and the result is stable under a round trip.
	for {
		t := ssaOverride.ReplaceAllString(s, "")
		if t == s {
			break
		}
		s = t
	}
	return unescapeItem(s)
}

// checkSRTNumbers finds a cue number with no timing line after it, as a
// truncated file ends ("...\n\n2\n00:00:0"). astisub would read such
// lines as more text of the cue before.
func checkSRTNumbers(text string) error {
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		if !isDigits(strings.TrimSpace(line)) || (i > 0 && strings.TrimSpace(lines[i-1]) != "") {
			continue
		}
		next := ""
		if i+1 < len(lines) {
			next = strings.TrimSpace(lines[i+1])
		}
		switch {
		case next == "":
			return parseErrorf(nil, "Rad %d: text nummer %s saknar tidskod; är filen avkortad?", i+1, strings.TrimSpace(line))
		case !strings.Contains(next, "-->") && partialTime.MatchString(next):
			return parseErrorf(nil, "Rad %d: ofullständig tidskod; är filen avkortad?", i+2)
		}
	}
	return nil
}
