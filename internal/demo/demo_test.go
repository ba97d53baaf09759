package demo

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/smakom/webinar-portal/internal/webinar"
)

func mustWebinars(t *testing.T) []Webinar {
	t.Helper()
	ws, err := Webinars()
	if err != nil {
		t.Fatalf("Webinars: %v", err)
	}
	return ws
}

func TestThreeWebinars(t *testing.T) {
	ws := mustWebinars(t)
	if len(ws) != 3 {
		t.Fatalf("got %d webinars, want 3", len(ws))
	}
	titles := map[string]bool{}
	for _, w := range ws {
		if titles[w.Title] {
			t.Errorf("duplicate title %q", w.Title)
		}
		titles[w.Title] = true
	}
}

func TestSvensktVatten(t *testing.T) {
	const title = "Sveriges nästa potentiella samhällskris – vattenförsörjningen"
	var found *Webinar
	ws := mustWebinars(t)
	for i := range ws {
		if ws[i].Title == title {
			found = &ws[i]
		}
	}
	if found == nil {
		t.Fatalf("no webinar titled %q", title)
	}
	w := *found
	if want := time.Date(2024, time.May, 6, 0, 0, 0, 0, time.UTC); !w.HeldAt.Equal(want) {
		t.Errorf("HeldAt = %v, want %v", w.HeldAt, want)
	}
	if got := w.HeldAt.Format("2006-01-02"); got != "2024-05-06" {
		t.Errorf("HeldAt date = %s, want 2024-05-06", got)
	}
	if len(w.Speakers) != 1 {
		t.Fatalf("speakers = %+v, want one", w.Speakers)
	}
	want := Speaker{Name: "Ulf Thysell", Role: "strateg", Organisation: "Svenskt Vatten"}
	if w.Speakers[0] != want {
		t.Errorf("speaker = %+v, want %+v", w.Speakers[0], want)
	}
	if w.Organiser != "SmåKom" {
		t.Errorf("Organiser = %q, want SmåKom", w.Organiser)
	}
	if strings.Join(w.Topics, "|") != "Vatten och avlopp|Krisberedskap" {
		t.Errorf("Topics = %q", w.Topics)
	}
	if _, ok := w.Subtitles["en"]; !ok {
		t.Error(`no "en" subtitles`)
	}
}

func TestMetadata(t *testing.T) {
	for _, w := range mustWebinars(t) {
		if !strings.HasPrefix(w.Summary, "Demo: ") {
			t.Errorf("%q: Summary %q does not start with \"Demo: \"", w.Title, w.Summary)
		}
		if !strings.Contains(strings.ToLower(w.Description), "demo") {
			t.Errorf("%q: Description does not say it is demo content", w.Title)
		}
		if w.Language != "sv" {
			t.Errorf("%q: Language = %q, want sv", w.Title, w.Language)
		}
		if w.Organiser == "" || len(w.Speakers) == 0 || len(w.Topics) == 0 {
			t.Errorf("%q: missing organiser, speakers or topics", w.Title)
		}
		h := w.HeldAt
		if h.IsZero() || h.Location() != time.UTC || h.Hour() != 0 || h.Minute() != 0 || h.Second() != 0 || h.Nanosecond() != 0 {
			t.Errorf("%q: HeldAt %v is not a UTC midnight date", w.Title, h)
		}
		if !strings.HasSuffix(w.SlidesFilename, ".pdf") {
			t.Errorf("%q: SlidesFilename %q", w.Title, w.SlidesFilename)
		}
	}
}

func TestVideo(t *testing.T) {
	for _, w := range mustWebinars(t) {
		v := w.Video
		if len(v) < 12 || string(v[4:8]) != "ftyp" {
			t.Errorf("%q: video does not start with an MP4 ftyp box", w.Title)
			continue
		}
		if len(v) > 400<<10 {
			t.Errorf("%q: video is %d bytes, want under 400 KiB", w.Title, len(v))
		}
		// faststart: the moov box comes before mdat.
		if m, d := bytes.Index(v, []byte("moov")), bytes.Index(v, []byte("mdat")); m < 0 || d < 0 || m > d {
			t.Errorf("%q: moov (at %d) is not before mdat (at %d)", w.Title, m, d)
		}
		if w.VideoDuration < 10*time.Second || w.VideoDuration > 20*time.Second {
			t.Errorf("%q: VideoDuration = %v", w.Title, w.VideoDuration)
		}
	}
}

func TestSlides(t *testing.T) {
	for _, w := range mustWebinars(t) {
		if !bytes.HasPrefix(w.Slides, []byte("%PDF-")) {
			t.Errorf("%q: slides do not start with %%PDF-", w.Title)
		}
		if !bytes.Contains(w.Slides[len(w.Slides)-32:], []byte("%%EOF")) {
			t.Errorf("%q: slides do not end with %%%%EOF", w.Title)
		}
	}
	// Rendering is deterministic.
	a, b := mustWebinars(t), mustWebinars(t)
	for i := range a {
		if !bytes.Equal(a[i].Slides, b[i].Slides) {
			t.Errorf("%q: slides differ between calls", a[i].Title)
		}
	}
}

var srtTiming = regexp.MustCompile(`^(\d{2}):(\d{2}):(\d{2}),(\d{3}) --> (\d{2}):(\d{2}):(\d{2}),(\d{3})$`)

func TestSubtitles(t *testing.T) {
	for _, w := range mustWebinars(t) {
		sv, ok := w.Subtitles["sv"]
		if !ok {
			t.Errorf("%q: no sv subtitles", w.Title)
			continue
		}
		if !strings.ContainsAny(string(sv), "åäö") {
			t.Errorf("%q: sv subtitles have no å, ä or ö", w.Title)
		}
		for lang, srt := range w.Subtitles {
			if !utf8.Valid(srt) {
				t.Errorf("%q/%s: subtitles are not valid UTF-8", w.Title, lang)
			}
			if !bytes.Contains(srt, []byte("-->")) {
				t.Errorf("%q/%s: subtitles have no cue timing", w.Title, lang)
			}
			cues := 0
			var prevEnd time.Duration
			for _, line := range strings.Split(string(srt), "\n") {
				m := srtTiming.FindStringSubmatch(strings.TrimRight(line, "\r"))
				if m == nil {
					continue
				}
				cues++
				start, end := srtTime(m[1:5]), srtTime(m[5:9])
				if start < prevEnd || end <= start || end > w.VideoDuration {
					t.Errorf("%q/%s: bad cue timing %q", w.Title, lang, line)
				}
				prevEnd = end
			}
			if cues < 6 || cues > 8 {
				t.Errorf("%q/%s: %d cues, want 6-8", w.Title, lang, cues)
			}
		}
	}
}

func srtTime(f []string) time.Duration {
	n := func(s string) time.Duration {
		var v time.Duration
		for _, c := range s {
			v = v*10 + time.Duration(c-'0')
		}
		return v
	}
	return n(f[0])*time.Hour + n(f[1])*time.Minute + n(f[2])*time.Second + n(f[3])*time.Millisecond
}

func TestFreshCopies(t *testing.T) {
	a := mustWebinars(t)
	a[0].Video[0] = 0xff
	a[0].Subtitles["sv"][0] = 'x'
	b := mustWebinars(t)
	if b[0].Video[0] == 0xff || b[0].Subtitles["sv"][0] == 'x' {
		t.Error("Webinars shares its embedded bytes between calls")
	}
}

func TestPosters(t *testing.T) {
	for _, w := range mustWebinars(t) {
		if len(w.Poster) < 1000 || w.Poster[0] != 0xFF || w.Poster[1] != 0xD8 {
			t.Errorf("%q: poster is not a JPEG (%d bytes)", w.Title, len(w.Poster))
		}
	}
}

// TestChapters: the demo chapters pass the checks staff input gets, and
// each names a slide the deck has (title slide, bullet slides, "Tack!").
func TestChapters(t *testing.T) {
	withChapters := 0
	for i, e := range entries() {
		w := mustWebinars(t)[i]
		if len(w.Chapters) == 0 {
			continue
		}
		withChapters++
		rows := make([]webinar.ChapterRow, len(w.Chapters))
		for j, c := range w.Chapters {
			rows[j] = webinar.ChapterRow{Start: webinar.FormatClock(c.Start), Title: c.Title, Slide: strconv.Itoa(c.Slide)}
			if c.Slide < 1 || c.Slide > len(e.slides)+2 {
				t.Errorf("%q chapter %q names slide %d; the deck has %d", w.Title, c.Title, c.Slide, len(e.slides)+2)
			}
		}
		if _, errs := webinar.CheckChapters(rows, w.VideoDuration); errs != nil {
			t.Errorf("%q chapters: %v", w.Title, errs)
		}
	}
	if withChapters == 0 {
		t.Error("no demo webinar has chapters")
	}
}
