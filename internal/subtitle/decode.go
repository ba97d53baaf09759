package subtitle

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
)

var bomUTF8 = []byte{0xEF, 0xBB, 0xBF}

// decodeText turns the bytes of a text subtitle file into UTF-8 with "\n"
// line ends, so every reader (and every line number in an error) sees the
// same lines.
//
// Swedish subtitle files still come from old tools in Windows-1252 (or its
// subset ISO-8859-1): bytes that are not valid UTF-8 are decoded as
// Windows-1252 so å, ä and ö survive. A UTF-8 BOM is trusted over that
// guess; Notepad's "Unicode" (UTF-16 with BOM) is decoded too, and so is
// UTF-16 without a BOM when the zero bytes show its byte order. Files that
// cannot be text in any of these (UTF-32, binary data) are refused.
func decodeText(data []byte) (string, error) {
	var s string
	switch {
	case bytes.HasPrefix(data, []byte{0x00, 0x00, 0xFE, 0xFF}), bytes.HasPrefix(data, []byte{0xFF, 0xFE, 0x00, 0x00}):
		// Checked before UTF-16: FF FE also starts a UTF-16LE BOM.
		return "", parseErrorf(nil, "Filen är sparad som UTF-32, som inte stöds: spara den som UTF-8")
	case bytes.HasPrefix(data, bomUTF8):
		s = strings.ToValidUTF8(string(data[len(bomUTF8):]), "\uFFFD")
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		// ExpectBOM reads the byte order from the BOM and drops it. The
		// decoder replaces bad sequences instead of failing.
		s = decodeWith(unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM), data)
	case utf8.Valid(data) && !mostlyZeros(data):
		s = string(data)
	default:
		switch utf16Order(data) {
		case littleEndian:
			s = decodeWith(unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), data)
		case bigEndian:
			s = decodeWith(unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), data)
		default:
			if mostlyZeros(data) {
				return "", parseErrorf(nil, "Filen är inte en textfil: den är binär eller sparad i en teckenkodning som inte stöds (till exempel UTF-32). Spara undertexterna som UTF-8")
			}
			// Windows-1252 maps every byte, so this cannot fail.
			s = decodeWith(charmap.Windows1252, data)
		}
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n"), nil
}

func decodeWith(enc encoding.Encoding, data []byte) string {
	b, _ := enc.NewDecoder().Bytes(data)
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// sniffBytes is how much of a file the encoding guesses look at.
const sniffBytes = 4096

// mostlyZeros reports whether more than a quarter of the file's first
// bytes are zero: never so in a text file in an 8-bit encoding or UTF-8
// (a stray NUL, which cleanText drops, is tolerated), always in UTF-16
// and UTF-32 text and in most binary files.
func mostlyZeros(data []byte) bool {
	head := data[:min(len(data), sniffBytes)]
	return len(head) > 0 && bytes.Count(head, []byte{0})*4 > len(head)
}

type byteOrder int

const (
	noUTF16 byteOrder = iota
	littleEndian
	bigEndian
)

// utf16Order recognises UTF-16 without a BOM from where its zero bytes
// are: subtitle text is mostly Latin script, whose UTF-16 code units have
// a zero high byte, so zeros sit at odd offsets (little-endian) or even
// ones (big-endian) and almost never at the others.
func utf16Order(data []byte) byteOrder {
	head := data[:min(len(data), sniffBytes)&^1]
	if len(head) < 8 {
		return noUTF16
	}
	var even, odd int
	for i := 0; i < len(head); i += 2 {
		if head[i] == 0 {
			even++
		}
		if head[i+1] == 0 {
			odd++
		}
	}
	units := len(head) / 2
	switch {
	case odd*2 > units && even*20 < units:
		return littleEndian
	case even*2 > units && odd*20 < units:
		return bigEndian
	}
	return noUTF16
}

// ConvertCharset turns data in the named character set (an HTTP charset
// label such as "windows-1250" or "koi8-r") into UTF-8 for Parse. An
// unknown label gives a *ParseError naming it. EBU STL files, which carry
// their own code table, are returned as they are.
func ConvertCharset(data []byte, charset string) ([]byte, error) {
	charset = strings.TrimSpace(charset)
	if charset == "" || isSTL(data) {
		return data, nil
	}
	enc, err := htmlindex.Get(charset)
	if err != nil {
		return nil, parseErrorf(err, "Okänd teckenkodning %q: använd till exempel utf-8, windows-1252 eller iso-8859-1", charset)
	}
	if name, _ := htmlindex.Name(enc); name == "utf-8" {
		return data, nil
	}
	b, err := enc.NewDecoder().Bytes(data)
	if err != nil {
		return nil, parseErrorf(err, "Filen kunde inte läsas som %s", charset)
	}
	return b, nil
}
