package subtitle

import (
	"path"
	"regexp"
	"strings"
)

// stlDiskFormat matches the "disk format code" at bytes 3..10 of an EBU STL
// GSI block (STL25.01, STL30.01, ...); a text file cannot contain it there
// by accident.
var stlDiskFormat = regexp.MustCompile(`^STL[0-9]{2}\.01$`)

func isSTL(data []byte) bool {
	return len(data) >= 11 && stlDiskFormat.Match(data[3:11])
}

// ttmlRoot finds a <tt> root element, with or without a namespace prefix.
var ttmlRoot = regexp.MustCompile(`<([A-Za-z_][\w.-]*:)?tt[\s/>]`)

// detectText names the format of a decoded text file from its content. The
// file name is only a tie-breaker: for cues with "." before the
// milliseconds and no WEBVTT header, a ".vtt" name means WebVTT, anything
// else SRT (astisub's SRT reader accepts both separators).
func detectText(text, nameHint string) (string, bool) {
	trimmed := strings.TrimLeft(text, " \t\n")
	first, rest := firstLine(trimmed)
	switch {
	case hasVTTHeader(trimmed):
		return FormatVTT, true
	case isSSASection(first):
		return FormatSSA, true
	case strings.HasPrefix(trimmed, "<") && ttmlRoot.MatchString(trimmed):
		return FormatTTML, true
	}

	// SRT: an optional cue number, then a timing line.
	timing := first
	if isDigits(strings.TrimSpace(first)) {
		timing, _ = firstLine(rest)
	}
	if !strings.Contains(timing, "-->") {
		return "", false
	}
	start, _, _ := strings.Cut(timing, "-->")
	if !strings.Contains(start, ",") && strings.EqualFold(path.Ext(nameHint), ".vtt") {
		return FormatVTT, true
	}
	return FormatSRT, true
}

// hasVTTHeader reports whether text starts with the WebVTT signature: the
// word WEBVTT alone or followed by a space or tab.
func hasVTTHeader(text string) bool {
	rest, ok := strings.CutPrefix(text, "WEBVTT")
	return ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\n')
}

// isSSASection reports whether line opens an SSA/ASS section. Files start
// with [Script Info], but some tools write the styles or events first.
func isSSASection(line string) bool {
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "[script info]", "[v4+ styles]", "[v4 styles]", "[events]":
		return true
	}
	return false
}

func firstLine(s string) (line, rest string) {
	line, rest, _ = strings.Cut(s, "\n")
	return line, rest
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
