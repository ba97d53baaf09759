package subtitle

import (
	"bytes"
	"errors"
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

// TestFuzzSeedsAreValid makes sure the fixture seeds exercise the accepting
// path, not only the error path.
func TestFuzzSeedsAreValid(t *testing.T) {
	for _, fx := range fixtures(t) {
		if _, _, err := Parse(fx.data, fx.file); err != nil {
			t.Errorf("%s: %v", fx.name, err)
		}
	}
}
