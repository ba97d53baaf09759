package subtitle

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestCheckEdit(t *testing.T) {
	got, err := CheckEdit([]Cue{
		{Start: ms(1000), End: ms(2000), Text: "  Hej\r\n\n  <b>då</b>\t "},
		{Start: time.Duration(2_000_400_000), End: ms(3000), Text: "Två"}, // 2000.4 ms rounds to 2000
	}, 10*time.Second)
	want := []Cue{{Start: ms(1000), End: ms(2000), Text: "Hej\n<b>då</b>"}, {Start: ms(2000), End: ms(3000), Text: "Två"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("CheckEdit = %q, %v; want %q", got, err, want)
	}

	for _, tt := range []struct {
		name      string
		cues      []Cue
		recording time.Duration
		cue       int
		msg       string
	}{
		{"no cues", nil, 0, 0, "Filen innehåller inga textrader"},
		{"empty text", []Cue{{ms(0), ms(1000), "a"}, {ms(1000), ms(2000), " \n\t"}}, 0, 2, "Text 2: texten är tom"},
		{"end before start", []Cue{{ms(3000), ms(2000), "a"}}, 0, 1, "Text 1: sluttiden ligger före starttiden (00:00:03,000 --> 00:00:02,000)"},
		{"out of order", []Cue{{ms(3000), ms(4000), "a"}, {ms(1000), ms(2000), "b"}}, 0, 2, "Text 2: starttiden ligger före starttiden för text 1"},
		{"overlap", []Cue{{ms(1000), ms(3000), "a"}, {ms(2500), ms(4000), "b"}}, 0, 2, "Text 2 börjar 00:00:02,500, innan text 1 slutar 00:00:03,000; texter får inte överlappa"},
		{"negative", []Cue{{ms(-100), ms(1000), "a"}}, 0, 1, "Text 1: tiden är negativ"},
		{"after the recording", []Cue{{ms(1000), ms(2000), "a"}, {ms(13000), ms(14100), "b"}}, 14 * time.Second, 2, "Text 2 slutar 00:00:14,100, efter inspelningens slut 00:00:14,000"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CheckEdit(tt.cues, tt.recording)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("CheckEdit = %q, %v; want a *ParseError", got, err)
			}
			if !strings.Contains(pe.Msg, tt.msg) || pe.Cue != tt.cue {
				t.Errorf("error %q about cue %d; want %q about cue %d", pe.Msg, pe.Cue, tt.msg, tt.cue)
			}
		})
	}
	// An unknown recording length (0) checks no end.
	if _, err := CheckEdit([]Cue{{ms(1000), ms(20 * 3600 * 1000), "lång"}}, 0); err != nil {
		t.Errorf("CheckEdit without a recording length: %v", err)
	}
}

func TestShift(t *testing.T) {
	cues := []Cue{{ms(500), ms(2000), "a"}, {ms(2500), ms(13_000), "b"}}
	before := append([]Cue{}, cues...)

	got, err := Shift(cues, ms(750), 14*time.Second)
	want := []Cue{{ms(1250), ms(2750), "a"}, {ms(3250), ms(13_750), "b"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Shift +750 ms = %q, %v; want %q", got, err, want)
	}
	got, err = Shift(cues, -ms(500), 14*time.Second)
	want = []Cue{{0, ms(1500), "a"}, {ms(2000), ms(12_500), "b"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Shift -500 ms (to exactly zero) = %q, %v; want %q", got, err, want)
	}
	if !reflect.DeepEqual(cues, before) {
		t.Errorf("Shift changed its argument: %q", cues)
	}

	for _, tt := range []struct {
		name   string
		offset time.Duration
		cue    int
		msg    string
	}{
		{"negative time", -ms(501), 1, "Förskjutningen -501 ms skulle ge text 1 en negativ starttid (00:00:00,500 blir -00:00:00,001). Texterna kan flyttas högst 500 ms bakåt."},
		{"past the end", ms(1001), 2, "Förskjutningen 1001 ms skulle flytta text 2 förbi inspelningens slut (00:00:13,000 blir 00:00:14,001, inspelningen slutar 00:00:14,000). Texterna kan flyttas högst 1000 ms framåt."},
		{"zero", 0, 0, "Ange en förskjutning skild från 0 ms."},
		{"huge", 200 * time.Hour, 0, "Förskjutningen 720000000 ms är för stor."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Shift(cues, tt.offset, 14*time.Second)
			var pe *ParseError
			if !errors.As(err, &pe) || got != nil {
				t.Fatalf("Shift = %q, %v; want nil and a *ParseError", got, err)
			}
			if pe.Msg != tt.msg || pe.Cue != tt.cue {
				t.Errorf("error %q about cue %d;\nwant  %q about cue %d", pe.Msg, pe.Cue, tt.msg, tt.cue)
			}
		})
	}
	// Without a recording length only negative times are refused.
	if _, err := Shift(cues, time.Hour, 0); err != nil {
		t.Errorf("Shift +1 h without a recording length: %v", err)
	}
}

func TestFormatOffset(t *testing.T) {
	for d, want := range map[time.Duration]string{ms(1500): "+1,500 s", -ms(250): "-0,250 s", ms(62_005): "+62,005 s"} {
		if got := FormatOffset(d); got != want {
			t.Errorf("FormatOffset(%v) = %q, want %q", d, got, want)
		}
	}
}
