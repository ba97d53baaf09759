package subtitle

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func TestWriteVTT(t *testing.T) {
	var buf bytes.Buffer
	cues := append(wantCues[:2:2],
		Cue{Start: ms(3_723_004), End: ms(3_725_000), Text: "a --> b & <c>\nNOTE detta är ingen kommentar"},
	)
	if err := WriteVTT(&buf, cues); err != nil {
		t.Fatal(err)
	}
	want := `WEBVTT

1
00:00:01.000 --> 00:00:04.000
Vattenförsörjningen är en fråga
för alla kommuner

2
00:00:04.400 --> 00:00:07.200
Välkommen till SmåKoms webbinarium

3
01:02:03.004 --> 01:02:05.000
a --&gt; b &amp; &lt;c&gt;
&#78;OTE detta är ingen kommentar
`
	if got := buf.String(); got != want {
		t.Errorf("WriteVTT:\n%s\nwant:\n%s", got, want)
	}
}

func TestWriteSRT(t *testing.T) {
	var buf bytes.Buffer
	cues := append(wantCues[:1:1], Cue{Start: ms(4400), End: ms(7200), Text: `{\an8} är text <i>`})
	if err := WriteSRT(&buf, cues); err != nil {
		t.Fatal(err)
	}
	want := `1
00:00:01,000 --> 00:00:04,000
Vattenförsörjningen är en fråga
för alla kommuner

2
00:00:04,400 --> 00:00:07,200
&#123;\an8} är text &lt;i&gt;
`
	if got := buf.String(); got != want {
		t.Errorf("WriteSRT:\n%s\nwant:\n%s", got, want)
	}
}

// TestAstisubWritersLoseText records why WriteVTT and WriteSRT do not use
// astisub's writers: they leave ">" unescaped, so text containing "-->"
// comes back as a timing line. If astisub fixes this, the test says so.
func TestAstisubWritersLoseText(t *testing.T) {
	var buf bytes.Buffer
	cues := []Cue{{Start: ms(1000), End: ms(2000), Text: "Före --> efter"}}
	if err := WriteVTT(&buf, cues); err != nil {
		t.Fatal(err)
	}
	if strings.Count(buf.String(), "-->") != 1 {
		t.Fatalf("WriteVTT wrote a second -->:\n%s", buf.String())
	}
	subs, _, err := Parse(buf.Bytes(), "")
	if err != nil || subs[0].Text != "Före --> efter" {
		t.Fatalf("round trip: %q, %v", subs, err)
	}
}

func TestRoundTrip(t *testing.T) {
	writers := []struct {
		name   string
		write  func(*bytes.Buffer, []Cue) error
		format string
	}{
		{"vtt", func(b *bytes.Buffer, c []Cue) error { return WriteVTT(b, c) }, FormatVTT},
		{"srt", func(b *bytes.Buffer, c []Cue) error { return WriteSRT(b, c) }, FormatSRT},
	}
	for _, f := range fixtures(t) {
		for _, w := range writers {
			t.Run(f.name+" via "+w.name, func(t *testing.T) {
				cues, _, err := Parse(f.data, f.file)
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				checkRoundTrip(t, cues, w.write, w.format)
			})
		}
	}
}

func checkRoundTrip(t *testing.T, cues []Cue, write func(*bytes.Buffer, []Cue) error, format string) {
	t.Helper()
	var buf bytes.Buffer
	if err := write(&buf, cues); err != nil {
		t.Fatalf("write %s: %v", format, err)
	}
	again, gotFormat, err := Parse(buf.Bytes(), "")
	if err != nil {
		t.Fatalf("Parse(written %s): %v\n%s", format, err, buf.String())
	}
	if gotFormat != format {
		t.Errorf("written %s detected as %q", format, gotFormat)
	}
	if !reflect.DeepEqual(again, cues) {
		t.Errorf("%s round trip changed the cues\nbefore: %q\n after: %q\nfile:\n%s", format, cues, again, buf.String())
	}
}
