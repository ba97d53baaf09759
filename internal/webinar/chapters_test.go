package webinar_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/smakom/webinar-portal/internal/webinar"
)

func TestParseClock(t *testing.T) {
	good := []struct {
		in   string
		want time.Duration
	}{
		{"0", 0},
		{"754", 754 * time.Second},
		{" 754 ", 754 * time.Second},
		{"754.5", 754500 * time.Millisecond},
		{"754,25", 754250 * time.Millisecond},
		{"12:34", 12*time.Minute + 34*time.Second},
		{"0:05", 5 * time.Second},
		{"75:00", 75 * time.Minute},
		{"1:02:03", time.Hour + 2*time.Minute + 3*time.Second},
		{"01:02:03.040", time.Hour + 2*time.Minute + 3*time.Second + 40*time.Millisecond},
		{"12:34,5", 12*time.Minute + 34*time.Second + 500*time.Millisecond},
		{"12m34s", 12*time.Minute + 34*time.Second},
		{"12M34S", 12*time.Minute + 34*time.Second},
		{"1h2m3s", time.Hour + 2*time.Minute + 3*time.Second},
		{"2h", 2 * time.Hour},
		{"5m", 5 * time.Minute},
		{"90s", 90 * time.Second},
		{"0m5s", 5 * time.Second},
		{"24:00:00", 24 * time.Hour},
	}
	for _, c := range good {
		got, err := webinar.ParseClock(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseClock(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"", " ", "-5", "12:60", "1:60:00", "12:5", "1:2:3:4", "abc", "12.34.56",
		"1h60m", "1m60s", "12:34.5678", "9999999", "24:00:01", "25h", "12 34", "0x10", "1e3", "½", "١٢"} {
		if got, err := webinar.ParseClock(in); err == nil {
			t.Errorf("ParseClock(%q) = %v; want an error", in, got)
		}
	}
}

func TestFormatClockRoundTrips(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0:00"},
		{5 * time.Second, "0:05"},
		{754 * time.Second, "12:34"},
		{time.Hour + 2*time.Minute + 3*time.Second, "1:02:03"},
		{5250 * time.Millisecond, "0:05,25"},
		{5001 * time.Millisecond, "0:05,001"},
	} {
		got := webinar.FormatClock(c.d)
		if got != c.want {
			t.Errorf("FormatClock(%v) = %q; want %q", c.d, got, c.want)
		}
		back, err := webinar.ParseClock(got)
		if err != nil || back != c.d {
			t.Errorf("ParseClock(FormatClock(%v)) = %v, %v", c.d, back, err)
		}
	}
}

func TestCheckChapters(t *testing.T) {
	const length = time.Hour
	t.Run("valid rows, blank rows skipped", func(t *testing.T) {
		got, errs := webinar.CheckChapters([]webinar.ChapterRow{
			{Start: "0", Title: " Inledning ", Slide: "1"},
			{},
			{Start: "12:34", Title: "Vattnet är sårbart", Slide: ""},
			{Start: " ", Title: "  ", Slide: ""},
			{Start: "1800", Title: "Frågor", Slide: "7"},
		}, length)
		if errs != nil {
			t.Fatalf("errors %v", errs)
		}
		want := []webinar.Chapter{{StartMS: 0, Title: "Inledning", Slide: 1}, {StartMS: 754000, Title: "Vattnet är sårbart"}, {StartMS: 1800000, Title: "Frågor", Slide: 7}}
		if len(got) != len(want) {
			t.Fatalf("got %+v; want %+v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("chapter %d = %+v; want %+v", i, got[i], want[i])
			}
		}
	})
	t.Run("no rows is no chapters", func(t *testing.T) {
		got, errs := webinar.CheckChapters([]webinar.ChapterRow{{}, {}}, length)
		if errs != nil || got == nil || len(got) != 0 {
			t.Errorf("got %v, %v; want an empty list and no errors", got, errs)
		}
	})
	bad := []struct {
		name   string
		rows   []webinar.ChapterRow
		length time.Duration
		field  string
		says   string
	}{
		{"start missing", []webinar.ChapterRow{{Title: "Utan tid"}}, length, "chapter-0-start", "Ange när kapitlet börjar"},
		{"start not a time", []webinar.ChapterRow{{Start: "kvart över", Title: "X"}}, length, "chapter-0-start", "12:34"},
		{"start past the end", []webinar.ChapterRow{{Start: "0", Title: "A"}, {Start: "1:00:00", Title: "B"}}, length, "chapter-1-start", "utanför inspelningen, som är 1:00:00 lång"},
		{"not increasing", []webinar.ChapterRow{{Start: "5:00", Title: "A"}, {Start: "4:59", Title: "B"}}, length, "chapter-1-start", "tidsordning: 4:59 är inte efter föregående kapitel (5:00)"},
		{"same time twice", []webinar.ChapterRow{{Start: "5:00", Title: "A"}, {Start: "300", Title: "B"}}, length, "chapter-1-start", "tidsordning"},
		{"order counts after a blank row", []webinar.ChapterRow{{Start: "5:00", Title: "A"}, {}, {Start: "1:00", Title: "B"}}, length, "chapter-2-start", "tidsordning"},
		{"title empty", []webinar.ChapterRow{{Start: "0", Title: " ", Slide: "2"}}, length, "chapter-0-title", "rubrik"},
		{"title too long", []webinar.ChapterRow{{Start: "0", Title: strings.Repeat("å", 201)}}, length, "chapter-0-title", "Högst 200 tecken (nu 201)"},
		{"title with a control character", []webinar.ChapterRow{{Start: "0", Title: "a\x00b"}}, length, "chapter-0-title", "ogiltiga tecken"},
		{"title with a line break", []webinar.ChapterRow{{Start: "0", Title: "a\n00:00:01.000 --> 00:00:02.000"}}, length, "chapter-0-title", "ogiltiga tecken"},
		{"slide zero", []webinar.ChapterRow{{Start: "0", Title: "A", Slide: "0"}}, length, "chapter-0-slide", "heltal från 1"},
		{"slide not a number", []webinar.ChapterRow{{Start: "0", Title: "A", Slide: "sju"}}, length, "chapter-0-slide", "heltal från 1"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			got, errs := webinar.CheckChapters(c.rows, c.length)
			if got != nil {
				t.Errorf("chapters %+v returned with errors", got)
			}
			msg, ok := errs[c.field]
			if !ok || !strings.Contains(msg, c.says) {
				t.Errorf("errors %q; want %s to say %q", errs, c.field, c.says)
			}
		})
	}
	t.Run("unknown length: any time up to a day", func(t *testing.T) {
		if _, errs := webinar.CheckChapters([]webinar.ChapterRow{{Start: "10:00:00", Title: "Sent"}}, 0); errs != nil {
			t.Errorf("errors %v", errs)
		}
	})
	t.Run("too many", func(t *testing.T) {
		var rows []webinar.ChapterRow
		for i := range 201 {
			rows = append(rows, webinar.ChapterRow{Start: webinar.FormatClock(time.Duration(i) * time.Second), Title: "K"})
		}
		if _, errs := webinar.CheckChapters(rows, length); !strings.Contains(errs["chapters"], "Högst 200 kapitel") {
			t.Errorf("errors %v; want one about 200 chapters", errs)
		}
	})
}

func TestWriteChaptersVTT(t *testing.T) {
	chapters := []webinar.Chapter{
		{StartMS: 0, Title: "Inledning & välkommen"},
		{StartMS: 4500, Title: `<script>alert("x")</script> --> 00:00:01.000`, Slide: 2},
		{StartMS: 3_723_004, Title: "Frågor"},
	}
	var buf bytes.Buffer
	if err := webinar.WriteChaptersVTT(&buf, chapters, 2*time.Hour); err != nil {
		t.Fatal(err)
	}
	want := "WEBVTT\n\n" +
		"chapter-1\n00:00:00.000 --> 00:00:04.500\nInledning &amp; välkommen\n\n" +
		"chapter-2\n00:00:04.500 --> 01:02:03.004\n&lt;script&gt;alert(\"x\")&lt;/script&gt; --&gt; 00:00:01.000\n\n" +
		"chapter-3\n01:02:03.004 --> 02:00:00.000\nFrågor\n"
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}

	buf.Reset()
	if err := webinar.WriteChaptersVTT(&buf, chapters[:1], 0); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "00:00:00.000 --> 24:00:00.000") {
		t.Errorf("unknown length: the last chapter should last to 24 h:\n%s", buf.String())
	}
	buf.Reset()
	if err := webinar.WriteChaptersVTT(&buf, nil, time.Hour); err != nil || buf.String() != "WEBVTT\n" {
		t.Errorf("no chapters: %q, %v", buf.String(), err)
	}
}

func TestSetChapters(t *testing.T) {
	e := newEnv(t)
	ctx := testCtx(t)
	secs := 1800.0
	w, err := e.svc.Create(ctx, webinar.Fields{Title: ptr("Kapitel"), DurationSeconds: &secs})
	if err != nil {
		t.Fatal(err)
	}
	rows := []webinar.ChapterRow{{Start: "0:00", Title: "Inledning"}, {Start: "12:34", Title: "Vatten", Slide: "3"}}
	got, err := e.svc.SetChapters(ctx, w.Slug, rows, &w.UpdatedAt)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := e.svc.Store().BySlug(ctx, w.Slug)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored.Chapters) != 2 || stored.Chapters[1] != (webinar.Chapter{StartMS: 754000, Title: "Vatten", Slide: 3}) {
		t.Errorf("stored chapters %+v", stored.Chapters)
	}

	// Past the 30 minutes: refused with the field named, nothing stored.
	_, err = e.svc.SetChapters(ctx, w.Slug, []webinar.ChapterRow{{Start: "31:00", Title: "Sent"}}, nil)
	ae := wantAppErr(t, err, http.StatusUnprocessableEntity)
	if !strings.Contains(ae.Fields["chapter-0-start"], "utanför inspelningen") {
		t.Errorf("fields %v", ae.Fields)
	}
	stored, _ = e.svc.Store().BySlug(ctx, w.Slug)
	if len(stored.Chapters) != 2 {
		t.Errorf("a refused change was stored: %+v", stored.Chapters)
	}

	// A form read before the last save is a conflict, not an overwrite.
	_, err = e.svc.SetChapters(ctx, w.Slug, rows[:1], &w.UpdatedAt)
	wantAppErr(t, err, http.StatusConflict)
	if _, err := e.svc.SetChapters(ctx, w.Slug, nil, &got.UpdatedAt); err != nil {
		t.Errorf("clearing the chapters: %v", err)
	}
	stored, _ = e.svc.Store().BySlug(ctx, w.Slug)
	if len(stored.Chapters) != 0 {
		t.Errorf("chapters after clearing: %+v", stored.Chapters)
	}
}
