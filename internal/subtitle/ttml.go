package subtitle

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"strings"

	"github.com/asticode/go-astisub"
	"golang.org/x/text/encoding/htmlindex"
)

// xmlEncodingDecl matches the encoding in the XML declaration. The text is
// UTF-8 by the time it gets here, and Go's XML decoder refuses any other
// declared encoding (astisub sets no CharsetReader), so it is rewritten.
var xmlEncodingDecl = regexp.MustCompile(`^(\s*<\?xml[^>]*?encoding\s*=\s*["'])[^"']*(["'])`)

// xmlEncodingName captures the encoding named in the XML declaration.
var xmlEncodingName = regexp.MustCompile(`^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']`)

// decodedByDefault are the declared encodings decodeText already handles
// from the bytes alone (UTF-8, UTF-16 with BOM or zero bytes, and
// Windows-1252 and its subsets).
var decodedByDefault = map[string]bool{
	"utf-8": true, "utf8": true, "us-ascii": true, "ascii": true,
	"iso-8859-1": true, "iso_8859-1": true, "latin1": true, "latin-1": true, "l1": true,
	"windows-1252": true, "cp1252": true, "utf-16": true, "utf-16le": true, "utf-16be": true,
}

// declaredXMLText honours the encoding a TTML file's XML declaration
// names when it is one decodeText does not guess (windows-1250,
// iso-8859-15, koi8-r, shift_jis, ...): the raw bytes are decoded with it.
// An encoding Go does not know gives a *ParseError naming it. A BOM wins
// over the declaration, as in XML itself.
func declaredXMLText(data []byte, text string) (string, error) {
	m := xmlEncodingName.FindStringSubmatch(text)
	if m == nil || decodedByDefault[strings.ToLower(strings.TrimSpace(m[1]))] {
		return text, nil
	}
	enc, err := htmlindex.Get(strings.TrimSpace(m[1]))
	if err != nil {
		return "", parseErrorf(err, "TTML: filen anger teckenkodningen %q, som inte stöds. Spara den som UTF-8", m[1])
	}
	if bytes.HasPrefix(data, bomUTF8) || bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return text, nil
	}
	s := strings.ReplaceAll(decodeWith(enc, data), "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n"), nil
}

func readTTML(text string) ([]Cue, error) {
	text = xmlEncodingDecl.ReplaceAllString(text, "${1}UTF-8${2}")
	if err := checkTTML(text); err != nil {
		return nil, err
	}
	// astisub removes the indentation inside each <p> by dropping every
	// line break with the white space after it, which glues the last word
	// of a line to the first of the next ("Hej\n  där" -> "Hejdär") and
	// breaks attributes written on their own line. A space before each
	// break survives that; line numbers stay the same.
	text = strings.ReplaceAll(text, "\n", " \n")
	subs, err := safeRead(func() (*astisub.Subtitles, error) {
		return astisub.ReadFromTTML(strings.NewReader(text))
	})
	if err != nil {
		return nil, ttmlError(err)
	}
	return toCues(subs, keepText), nil
}

// maxTTMLDepth bounds how deeply TTML elements nest. Real files nest a
// few levels (tt/body/div/p/span/span); astisub's time for nested spans
// grows with the square of the depth (minutes for 200,000 levels).
const maxTTMLDepth = 32

// checkTTML walks the document once before astisub does, to report XML
// errors and missing or bad times with a line number, and to refuse what
// would make astisub slow: elements nested too deeply, too many cues.
// astisub reads only <p> elements at tt/body/div/p and panics on one
// without begin or end.
func checkTTML(text string) error {
	d := xml.NewDecoder(strings.NewReader(text))
	var path []string
	cues := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) && strings.Contains(se.Msg, "character entity") {
				// HTML habits such as &nbsp; are the usual cause.
				return parseErrorf(err, "Rad %d: okänd teckenreferens; XML tillåter bara &amp;, &lt;, &gt;, &quot;, &apos; och numeriska som &#160;", se.Line)
			}
			if errors.As(err, &se) {
				return parseErrorf(err, "Rad %d: filen är inte giltig XML", se.Line)
			}
			return parseErrorf(err, "Filen är inte giltig XML")
		}
		switch t := tok.(type) {
		case xml.StartElement:
			path = append(path, t.Name.Local)
			if len(path) > maxTTMLDepth {
				line, _ := d.InputPos()
				return parseErrorf(nil, "Rad %d: elementen är nästlade i fler än %d nivåer", line, maxTTMLDepth)
			}
			if strings.Join(path, "/") == "tt/body/div/p" {
				line, _ := d.InputPos()
				if err := checkTTMLTimes(t, line); err != nil {
					return err
				}
				if cues++; cues > maxCues {
					return tooManyCues(cues)
				}
			}
		case xml.EndElement:
			if len(path) > 0 {
				path = path[:len(path)-1]
			}
		}
	}
}

func checkTTMLTimes(p xml.StartElement, line int) error {
	attrs := map[string]string{}
	for _, a := range p.Attr {
		attrs[a.Name.Local] = a.Value
	}
	for _, name := range []string{"begin", "end"} {
		v, ok := attrs[name]
		if !ok {
			if name == "end" && attrs["dur"] != "" {
				return parseErrorf(nil, "Rad %d: <p> anger dur men inte end; ange end i stället", line)
			}
			return parseErrorf(nil, "Rad %d: <p> saknar attributet %s", line, name)
		}
		var d astisub.TTMLInDuration
		if err := d.UnmarshalText([]byte(v)); err != nil {
			return parseErrorf(err, "Rad %d: ogiltig tidskod i %s=%q", line, name, v)
		}
	}
	return nil
}

func ttmlError(err error) *ParseError {
	msg := err.Error()
	switch {
	case errors.Is(err, errAstisubPanic):
		return parseErrorf(err, "Filen kunde inte läsas som TTML: den verkar vara trasig")
	case strings.Contains(msg, "doesn't exist"):
		return parseErrorf(err, "TTML: en text hänvisar till en stil eller region som inte finns")
	default:
		return parseErrorf(err, "Filen kunde inte läsas som TTML")
	}
}
