package subtitle

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
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
// guess; Notepad's "Unicode" (UTF-16 with BOM) is decoded too.
func decodeText(data []byte) string {
	var s string
	switch {
	case bytes.HasPrefix(data, bomUTF8):
		s = strings.ToValidUTF8(string(data[len(bomUTF8):]), "\uFFFD")
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		// ExpectBOM reads the byte order from the BOM and drops it. The
		// decoder replaces bad sequences instead of failing.
		b, _ := unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
		s = strings.ToValidUTF8(string(b), "\uFFFD")
	case utf8.Valid(data):
		s = string(data)
	default:
		// Windows-1252 maps every byte, so this cannot fail.
		b, _ := charmap.Windows1252.NewDecoder().Bytes(data)
		s = string(b)
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}
