package subtitle

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/unicode/utf32"
)

// TestParseBadInput covers the bad input the issue lists: binary data,
// truncated files, unknown encodings, negative and overlapping times.
// Every refusal is a *ParseError whose message names the problem and,
// where there is one, the line or cue.
func TestParseBadInput(t *testing.T) {
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 600)...)
	srt := []byte(srtStyled)
	vtt := []byte(vttStyled)
	ttml := []byte(ttmlStyled)
	ass := []byte(assStyled)
	utf32LE, err := utf32.UTF32(utf32.LittleEndian, utf32.UseBOM).NewEncoder().Bytes(srt)
	if err != nil {
		t.Fatal(err)
	}
	shiftJIS := strings.Replace(ttmlStyled, `encoding="UTF-8"`, `encoding="x-klingon"`, 1)

	tests := []struct {
		name string
		data []byte
		want string
		cue  int
	}{
		{"png image", png, "Filen är inte en textfil: den är binär eller sparad i en teckenkodning som inte stöds", 0},
		{"zeros", make([]byte, 4096), "Filen är inte en textfil", 0},
		{"utf-32 with bom", utf32LE, "Filen är sparad som UTF-32, som inte stöds: spara den som UTF-8", 0},
		{"ttml with an unknown declared encoding", []byte(shiftJIS), `TTML: filen anger teckenkodningen "x-klingon", som inte stöds`, 0},
		{"srt cut in a timing line", srt[:bytes.Index(srt, []byte("00:00:04,400 -->"))+17], "Rad 7: tidskoden saknar sluttid", 0},
		{"srt cut in a timestamp", srt[:bytes.Index(srt, []byte("00:00:04,400 -->"))+7], "Rad 7: ofullständig tidskod; är filen avkortad?", 0},
		{"vtt cut in a timestamp", vtt[:bytes.Index(vtt, []byte("00:00:04.400"))+23], "Rad 14: ogiltig tidskod", 0},
		{"ttml cut in the middle", ttml[:len(ttml)/2], "filen är inte giltig XML", 0},
		{"ass cut in a dialogue line", ass[:bytes.Index(ass, []byte("Dialogue: 0,0:00:08"))+16], "SSA/ASS: en rad har färre fält än Format-raden anger", 0},
		{"srt cut after a cue number", srt[:bytes.Index(srt, []byte("00:00:04,400 -->"))], "Rad 6: text nummer 2 saknar tidskod; är filen avkortad?", 0},
		{"srt overlapping cues", []byte("1\n00:00:01,000 --> 00:00:03,000\nEtt\n\n2\n00:00:02,500 --> 00:00:04,000\nTvå\n"),
			"Text 2 börjar 00:00:02,500, innan text 1 slutar 00:00:03,000; texter får inte överlappa", 2},
		{"vtt overlapping cues", []byte("WEBVTT\n\n00:01.000 --> 00:05.000\nEtt\n\n00:02.000 --> 00:03.000\nTvå\n"),
			"Text 2 börjar 00:00:02,000, innan text 1 slutar 00:00:05,000", 2},
		{"ass negative start", []byte("[Script Info]\n[Events]\nFormat: Start, End, Text\nDialogue: -0:00:01.00,0:00:02.00,Hej\n"),
			"Rad 4: negativ tidskod", 0},
		// astisub needs minutes for spans nested 200,000 deep: refused
		// before it reads them.
		{"ttml nested too deeply", []byte(`<tt xmlns="http://www.w3.org/ns/ttml"><body><div><p begin="1s" end="2s">` +
			strings.Repeat("<span>", 200_000) + "x" + strings.Repeat("</span>", 200_000) + `</p></div></body></tt>`),
			"Rad 1: elementen är nästlade i fler än 32 nivåer", 0},
		{"ttml too many cues", []byte(`<tt xmlns="http://www.w3.org/ns/ttml"><body><div>` +
			strings.Repeat(`<p begin="1s" end="2s">x</p>`, maxCues+1) + `</div></body></tt>`), "för många texter: 50001 (högst 50000)", 0},
		{"ttml negative begin", []byte(`<tt xmlns="http://www.w3.org/ns/ttml"><body><div><p begin="-1s" end="2s">Hej</p></div></body></tt>`),
			`Rad 1: ogiltig tidskod i begin="-1s"`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cues, format, err := Parse(tt.data, "")
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse = %q, %q, %v; want a *ParseError", cues, format, err)
			}
			if !strings.Contains(pe.Msg, tt.want) || pe.Cue != tt.cue {
				t.Errorf("error %q about cue %d; want %q about cue %d", pe.Msg, pe.Cue, tt.want, tt.cue)
			}
		})
	}
}

// TestParseDeclaredEncodings: a TTML file's XML declaration is honoured
// for encodings decodeText does not guess from the bytes.
func TestParseDeclaredEncodings(t *testing.T) {
	ttml := func(enc string) string {
		return `<?xml version="1.0" encoding="` + enc + `"?>
<tt xmlns="http://www.w3.org/ns/ttml"><body><div>
<p begin="1s" end="2s">Łódź och Żabka</p>
<p begin="3s" end="4s">Ärende 7</p>
</div></body></tt>`
	}
	cp1250, err := charmap.Windows1250.NewEncoder().String(ttml("windows-1250"))
	if err != nil {
		t.Fatal(err)
	}
	cues, _, err := Parse([]byte(cp1250), "")
	if err != nil || cues[0].Text != "Łódź och Żabka" || cues[1].Text != "Ärende 7" {
		t.Errorf("windows-1250 TTML = %q, %v", cues, err)
	}
	sjis, err := japanese.ShiftJIS.NewEncoder().String(strings.NewReplacer("Łódź och Żabka", "字幕です", "Ärende 7", "二番").Replace(ttml("Shift_JIS")))
	if err != nil {
		t.Fatal(err)
	}
	cues, _, err = Parse([]byte(sjis), "")
	if err != nil || cues[0].Text != "字幕です" || cues[1].Text != "二番" {
		t.Errorf("Shift_JIS TTML = %q, %v", cues, err)
	}
}

func TestConvertCharset(t *testing.T) {
	srt := "1\n00:00:01,000 --> 00:00:02,000\nŁódź\n"
	cp1250, _ := charmap.Windows1250.NewEncoder().String(srt)
	b, err := ConvertCharset([]byte(cp1250), "Windows-1250")
	if err != nil {
		t.Fatal(err)
	}
	cues, _, err := Parse(b, "")
	if err != nil || cues[0].Text != "Łódź" {
		t.Errorf("windows-1250 SRT through ConvertCharset = %q, %v", cues, err)
	}
	for _, cs := range []string{"", "utf-8", "UTF8"} {
		if b, err := ConvertCharset([]byte(srt), cs); err != nil || string(b) != srt {
			t.Errorf("ConvertCharset(%q) changed UTF-8: %q, %v", cs, b, err)
		}
	}
	_, err = ConvertCharset([]byte(srt), "x-klingon")
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Msg != `Okänd teckenkodning "x-klingon": använd till exempel utf-8, windows-1252 eller iso-8859-1` {
		t.Errorf("unknown charset: %v", err)
	}
}

// TestParseScriptStaysText: markup in a cue is either removed as styling
// (SRT and WebVTT tags) or kept as literal text (an escaped "<script>" in
// any format, SSA text), never passed on as markup: the writers escape it.
func TestParseScriptStaysText(t *testing.T) {
	for _, tt := range []struct {
		name, data, want string
	}{
		{"srt tag", "1\n00:00:01,000 --> 00:00:02,000\n<script>alert(1)</script> hej <b>fet</b>\n", "alert(1) hej fet"},
		{"srt escaped", "1\n00:00:01,000 --> 00:00:02,000\n&lt;script&gt;alert(1)&lt;/script&gt;\n", "<script>alert(1)</script>"},
		{"vtt tag", "WEBVTT\n\n00:01.000 --> 00:02.000\n<script>alert(1)</script><img src=x onerror=alert(1)>\n", "alert(1)"},
		{"vtt escaped", "WEBVTT\n\n00:01.000 --> 00:02.000\n&lt;script&gt;alert(1)&lt;/script&gt;\n", "<script>alert(1)</script>"},
		{"ssa", "[Script Info]\n[Events]\nFormat: Start, End, Text\nDialogue: 0:00:01.00,0:00:02.00,<script>alert(1)</script>\n", "<script>alert(1)</script>"},
		{"ttml", `<tt xmlns="http://www.w3.org/ns/ttml"><body><div><p begin="1s" end="2s">&lt;script&gt;alert(1)&lt;/script&gt;</p></div></body></tt>`, "<script>alert(1)</script>"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cues, _, err := Parse([]byte(tt.data), "")
			if err != nil || len(cues) != 1 || cues[0].Text != tt.want {
				t.Fatalf("Parse = %q, %v; want one cue %q", cues, err, tt.want)
			}
			var vtt, srt bytes.Buffer
			if err := WriteVTT(&vtt, cues); err != nil {
				t.Fatal(err)
			}
			if err := WriteSRT(&srt, cues); err != nil {
				t.Fatal(err)
			}
			for name, out := range map[string]string{"vtt": vtt.String(), "srt": srt.String()} {
				if strings.Contains(out, "<") {
					t.Errorf("%s export carries markup:\n%s", name, out)
				}
			}
		})
	}
}
