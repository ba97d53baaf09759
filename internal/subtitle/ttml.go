package subtitle

import (
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"strings"

	"github.com/asticode/go-astisub"
)

// xmlEncodingDecl matches the encoding in the XML declaration. The text is
// UTF-8 by the time it gets here, and Go's XML decoder refuses any other
// declared encoding (astisub sets no CharsetReader), so it is rewritten.
var xmlEncodingDecl = regexp.MustCompile(`^(\s*<\?xml[^>]*?encoding\s*=\s*["'])[^"']*(["'])`)

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

// checkTTML walks the document once before astisub does, to report XML
// errors and missing or bad times with a line number. astisub reads only
// <p> elements at tt/body/div/p and panics on one without begin or end.
func checkTTML(text string) error {
	d := xml.NewDecoder(strings.NewReader(text))
	var path []string
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
			if strings.Join(path, "/") == "tt/body/div/p" {
				line, _ := d.InputPos()
				if err := checkTTMLTimes(t, line); err != nil {
					return err
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
