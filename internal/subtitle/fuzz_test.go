package subtitle

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// FuzzImport feeds Parse arbitrary files. It must never panic, must fail
// only with a *ParseError, and whatever it accepts must come back
// unchanged through WriteVTT and WriteSRT.
func FuzzImport(f *testing.F) {
	for _, fx := range fixtures(f) {
		f.Add(fx.data, fx.file)
	}
	f.Add([]byte("WEBVTT\n\n00:01.000 --> 00:02.000\nNOTE x\n"), "")
	f.Add([]byte("1\n00:00:01,000 --> \nx\n"), "a.srt")
	f.Add([]byte("<tt><body><div><p begin=\"1s\">x</p></div></body></tt>"), "")
	f.Add([]byte("[Script Info]\n[Events]\nFormat: Start, End, Text\nDialogue: 0:00:01.00,0:00:02.00,{\\i1}x\\hy\n"), "")

	f.Fuzz(func(t *testing.T, data []byte, name string) {
		cues, format, err := Parse(data, name)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Msg == "" {
				t.Fatalf("Parse error is not a *ParseError with a message: %#v", err)
			}
			return
		}
		if format == "" || len(cues) == 0 {
			t.Fatalf("Parse accepted the file but returned format %q and %d cues", format, len(cues))
		}
		checkRoundTrip(t, cues, func(b *bytes.Buffer, c []Cue) error { return WriteVTT(b, c) }, FormatVTT)
		checkRoundTrip(t, cues, func(b *bytes.Buffer, c []Cue) error { return WriteSRT(b, c) }, FormatSRT)
	})
}

// FuzzExport writes arbitrary cue text and reads it back: the writers must
// escape everything the readers interpret (tags, entities, "-->", NOTE,
// {\an8}), and cleanText must be the only change.
func FuzzExport(f *testing.F) {
	f.Add(swedishLine, int64(1000), int64(2500))
	f.Add("NOTE a --> <b>&amp;</b> {\\an8}\n2\n\nSTYLE", int64(0), int64(1))
	f.Add("&#78;OTE &lt; \u00a0\t\x00\r\u2028X-TIMESTAMP-MAP=x", int64(359_999_000), int64(999))

	f.Fuzz(func(t *testing.T, text string, startMS, lengthMS int64) {
		start := ms(startMS)
		cues := []Cue{{Start: 0, End: ms(1), Text: "Först"}, {Start: start, End: start + ms(lengthMS), Text: text}}
		want := []Cue{cues[0], {Start: cues[1].Start, End: cues[1].End, Text: cleanText(text)}}
		if validate(want) != nil {
			return // Parse would reject these cues whatever the writer did
		}
		for _, w := range []struct {
			write  func(*bytes.Buffer, []Cue) error
			format string
		}{
			{func(b *bytes.Buffer, c []Cue) error { return WriteVTT(b, c) }, FormatVTT},
			{func(b *bytes.Buffer, c []Cue) error { return WriteSRT(b, c) }, FormatSRT},
		} {
			var buf bytes.Buffer
			if err := w.write(&buf, cues); err != nil {
				t.Fatal(err)
			}
			got, format, err := Parse(buf.Bytes(), "")
			if err != nil || format != w.format || !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: Parse = %q, %q, %v; want %q\nfile:\n%s", w.format, got, format, err, want, buf.String())
			}
		}
	})
}
