package subtitle

import (
	"strings"
)

// Parse reads a subtitle file of any supported format and returns its cues
// and the format name ("srt", "vtt", "ssa", "stl" or "ttml").
//
// The format is detected from the content; nameHint (the uploaded file's
// name, may be "") only breaks a tie. Text files may be UTF-8 (with or
// without BOM), UTF-16 with BOM or Windows-1252/ISO-8859-1, with any line
// ends. Styling is stripped: cue text is plain text.
//
// The cues are validated (at least one, each with text, end after start,
// ordered by start); bad input gives a *ParseError whose message, in
// Swedish, names the line or cue. Parse returns no other kind of error.
func Parse(data []byte, nameHint string) (cues []Cue, format string, err error) {
	if len(data) > MaxBytes {
		return nil, "", parseErrorf(nil, "Filen är för stor: högst %d MB", MaxBytes>>20)
	}
	if isSTL(data) {
		cues, err = readSTL(data)
		return finish(cues, FormatSTL, err)
	}
	text, err := decodeText(data)
	if err != nil {
		return nil, "", err
	}
	if strings.TrimSpace(text) == "" {
		return nil, "", parseErrorf(nil, msgEmpty)
	}
	format, ok := detectText(text, nameHint)
	if !ok {
		return nil, "", parseErrorf(nil, msgUnknown)
	}
	switch format {
	case FormatSRT:
		cues, err = readSRT(text)
	case FormatVTT:
		cues, err = readVTT(text)
	case FormatSSA:
		cues, err = readSSA(text)
	case FormatTTML:
		if text, err = declaredXMLText(data, text); err == nil {
			cues, err = readTTML(text)
		}
	}
	return finish(cues, format, err)
}

func finish(cues []Cue, format string, err error) ([]Cue, string, error) {
	if err == nil {
		err = validate(cues)
	}
	if err != nil {
		return nil, "", err
	}
	return cues, format, nil
}
