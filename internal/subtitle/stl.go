package subtitle

import (
	"bytes"
	"errors"
	"strings"

	"github.com/asticode/go-astisub"
)

// EBU Tech 3264 block sizes: one GSI header block, then TTI text blocks.
const (
	stlGSISize = 1024
	stlTTISize = 128
)

func readSTL(data []byte) ([]Cue, error) {
	// astisub knows only these two frame rates and divides by zero on
	// any other (STL24.01, STL50.01, ...).
	if rate := string(data[3:11]); rate != "STL25.01" && rate != "STL30.01" {
		return nil, parseErrorf(nil, "EBU STL: bildfrekvensen %s stöds inte, använd STL25.01 eller STL30.01", rate)
	}
	if len(data) < stlGSISize || (len(data)-stlGSISize)%stlTTISize != 0 {
		return nil, parseErrorf(nil, "EBU STL-filen är ofullständig: den slutar mitt i ett block")
	}
	data = spaceOutAttributes(data)
	subs, err := safeRead(func() (*astisub.Subtitles, error) {
		return astisub.ReadFromSTL(bytes.NewReader(data), astisub.STLOptions{})
	})
	if err != nil {
		return nil, stlError(err)
	}
	return toCues(subs, keepText), nil
}

// spaceOutAttributes returns a copy of an STL file with the style codes in
// the text fields made spaces. A screen shows these codes (italics on/off,
// Teletext colours and sizes) as a space, but astisub starts a new text item
// at each and trims it, which glues the words on either side together.
// The box codes that mark where Teletext text starts and ends stay.
func spaceOutAttributes(data []byte) []byte {
	out := bytes.Clone(data)
	teletext := data[11] != '0' // display standard code; astisub reads any other value as Teletext
	for block := stlGSISize; block+stlTTISize <= len(out); block += stlTTISize {
		text := out[block+16 : block+stlTTISize]
		for i, b := range text {
			switch {
			case b >= 0x80 && b <= 0x85:
				text[i] = ' '
			case teletext && b < 0x20 && b != 0x0a && b != 0x0b:
				text[i] = ' '
			}
		}
	}
	return out
}

func stlError(err error) *ParseError {
	msg := err.Error()
	switch {
	case errors.Is(err, errAstisubPanic):
		return parseErrorf(err, "Filen kunde inte läsas som EBU STL: den verkar vara trasig")
	case strings.Contains(msg, "character code table"):
		return parseErrorf(err, "EBU STL: teckentabellen stöds inte, använd latin (kod 00)")
	case strings.Contains(msg, "teletext control code"):
		return parseErrorf(err, "EBU STL: ett textblock innehåller styrkoder som inte hör hemma i öppna undertexter")
	case strings.Contains(msg, "gsi block"):
		return parseErrorf(err, "EBU STL: filhuvudet (GSI-blocket) är ogiltigt")
	default:
		return parseErrorf(err, "Filen kunde inte läsas som EBU STL")
	}
}
