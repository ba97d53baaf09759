package webinar

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/smakom/webinar-portal/internal/apperr"
)

// Limits on chapters.
const (
	maxChapters     = 200
	maxChapterTitle = 200
	maxSlidePage    = 9999
	maxClock        = 24 * time.Hour
)

// Start is the chapter's start time.
func (c Chapter) Start() time.Duration { return time.Duration(c.StartMS) * time.Millisecond }

// Length is how long the recording is: the probed length of the file,
// else the length staff gave; zero when neither is known.
func (w *Webinar) Length() time.Duration {
	if w.Recording != nil && w.Recording.DurationMS > 0 {
		return w.Recording.Duration()
	}
	return w.Duration()
}

// ChapterRow is one chapter as typed into the staff form.
type ChapterRow struct {
	Start string `json:"start"` // 12:34, 1:02:03 or seconds
	Title string `json:"title"`
	Slide string `json:"slide"` // slide page number, may be empty
}

// ChapterField is the form field (and error key) of row i: "start",
// "title" or "slide".
func ChapterField(i int, name string) string { return fmt.Sprintf("chapter-%d-%s", i, name) }

var (
	clockForm = regexp.MustCompile(`^(?:(\d+):)?(\d+):(\d{2})(?:[.,](\d{1,3}))?$`)
	secsForm  = regexp.MustCompile(`^(\d+)(?:[.,](\d{1,3}))?$`)
	unitForm  = regexp.MustCompile(`^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)(?:[.,](\d{1,3}))?s)?$`)
)

// errClock is ParseClock's error; its text is shown beside the field.
var errClock = errors.New("Skriv tiden som 12:34, 1:02:03 eller antal sekunder.")

// ParseClock reads a moment of a recording written as seconds ("754",
// "754.5"), a clock ("12:34", "1:02:03", "12:34,5") or with units
// ("12m34s", "1h2m3s"): the forms staff type and deep links use. With
// hours, minutes must be below 60; seconds always are.
func ParseClock(s string) (time.Duration, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	var h, m, sec, frac string
	if g := clockForm.FindStringSubmatch(s); g != nil {
		h, m, sec, frac = g[1], g[2], g[3], g[4]
	} else if g := secsForm.FindStringSubmatch(s); g != nil {
		sec, frac = g[1], g[2]
	} else if g := unitForm.FindStringSubmatch(s); g != nil && s != "" {
		h, m, sec, frac = g[1], g[2], g[3], g[4]
	} else {
		return 0, errClock
	}
	num := func(v string) (int64, bool) {
		if v == "" {
			return 0, true
		}
		if len(v) > 6 {
			return 0, false
		}
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil
	}
	hours, okH := num(h)
	mins, okM := num(m)
	secs, okS := num(sec)
	if !okH || !okM || !okS {
		return 0, errClock
	}
	// Below a larger unit, minutes and seconds stay below 60.
	if (m != "" || h != "") && secs >= 60 || h != "" && mins >= 60 {
		return 0, errClock
	}
	ms := int64(0)
	if frac != "" {
		f, _ := strconv.ParseInt((frac + "00")[:3], 10, 64)
		ms = f
	}
	d := time.Duration(hours)*time.Hour + time.Duration(mins)*time.Minute + time.Duration(secs)*time.Second + time.Duration(ms)*time.Millisecond
	if d > maxClock {
		return 0, errClock
	}
	return d, nil
}

// FormatClock writes d as ParseClock reads it back: 0:05, 12:34, 1:02:03,
// with ",250" when it has milliseconds.
func FormatClock(d time.Duration) string {
	ms := max(d.Milliseconds(), 0)
	sec := ms / 1000
	h, m, s := sec/3600, sec/60%60, sec%60
	out := fmt.Sprintf("%d:%02d", m, s)
	if h > 0 {
		out = fmt.Sprintf("%d:%02d:%02d", h, m, s)
	}
	if ms%1000 != 0 {
		out += fmt.Sprintf(",%03d", ms%1000)
		out = strings.TrimRight(out, "0")
	}
	return out
}

// CheckChapters turns the form rows into chapters. Rows left blank are
// skipped. Errors are Swedish, keyed by ChapterField: a start that is not
// a time, outside the recording (when its length is known) or not after
// the chapter before; an empty or too long title; a slide that is not a
// page number.
func CheckChapters(rows []ChapterRow, length time.Duration) ([]Chapter, map[string]string) {
	errs := map[string]string{}
	chapters := []Chapter{}
	var prev *Chapter
	for i, r := range rows {
		start, title, slide := strings.TrimSpace(r.Start), strings.TrimSpace(r.Title), strings.TrimSpace(r.Slide)
		if start == "" && title == "" && slide == "" {
			continue
		}
		c := Chapter{Title: title}
		ok := true
		d, err := ParseClock(start)
		switch {
		case start == "":
			errs[ChapterField(i, "start")] = "Ange när kapitlet börjar, till exempel 12:34."
			ok = false
		case err != nil:
			errs[ChapterField(i, "start")] = err.Error()
			ok = false
		case length > 0 && d >= length:
			errs[ChapterField(i, "start")] = fmt.Sprintf("Tiden %s ligger utanför inspelningen, som är %s lång.", FormatClock(d), FormatClock(length))
			ok = false
		case prev != nil && d <= prev.Start():
			errs[ChapterField(i, "start")] = fmt.Sprintf("Kapitlen ska komma i tidsordning: %s är inte efter föregående kapitel (%s).", FormatClock(d), FormatClock(prev.Start()))
			ok = false
		}
		c.StartMS = d.Milliseconds()
		switch n := utf8.RuneCountInString(title); {
		case title == "":
			errs[ChapterField(i, "title")] = "Ge kapitlet en rubrik."
		case !utf8.ValidString(title) || strings.ContainsFunc(title, unicode.IsControl):
			errs[ChapterField(i, "title")] = "Rubriken innehåller ogiltiga tecken."
		case n > maxChapterTitle:
			errs[ChapterField(i, "title")] = fmt.Sprintf("Högst %d tecken (nu %d).", maxChapterTitle, n)
		}
		if slide != "" {
			n, err := strconv.Atoi(slide)
			if err != nil || n < 1 || n > maxSlidePage {
				errs[ChapterField(i, "slide")] = "Bildnumret ska vara ett heltal från 1, eller tomt."
			} else {
				c.Slide = n
			}
		}
		chapters = append(chapters, c)
		if ok {
			prev = &chapters[len(chapters)-1]
		}
	}
	if len(chapters) > maxChapters {
		errs["chapters"] = fmt.Sprintf("Högst %d kapitel (nu %d).", maxChapters, len(chapters))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return chapters, nil
}

// SetChapters replaces a webinar's chapters with the rows staff typed,
// after CheckChapters. expectedUpdatedAt works as in Update.
func (s *Service) SetChapters(ctx context.Context, slug string, rows []ChapterRow, expectedUpdatedAt *time.Time) (*Webinar, error) {
	return s.modify(ctx, slug, expectedUpdatedAt, func(w *Webinar) error {
		chapters, errs := CheckChapters(rows, w.Length())
		if errs != nil {
			return &apperr.Error{Status: http.StatusUnprocessableEntity, Code: "invalid_input",
				Message: "Kapitlen behöver rättas.", Fields: errs}
		}
		w.Chapters = chapters
		return nil
	})
}

// WriteChaptersVTT writes chapters as a WebVTT chapters track (the
// source of <track kind="chapters">): each chapter lasts until the next
// one, the last until the end of the recording.
func WriteChaptersVTT(w io.Writer, chapters []Chapter, length time.Duration) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("WEBVTT\n")
	for i, c := range chapters {
		end := length
		if i+1 < len(chapters) {
			end = chapters[i+1].Start()
		}
		if end <= c.Start() {
			// Length unknown (or shorter than the chapters say): the last
			// chapter lasts until the longest recording allowed.
			end = max(maxClock, c.Start()+time.Second)
		}
		fmt.Fprintf(bw, "\nchapter-%d\n%s --> %s\n%s\n", i+1, vttTime(c.Start()), vttTime(end), vttText(c.Title))
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write chapters: %w", err)
	}
	return nil
}

func vttTime(d time.Duration) string {
	ms := max(d.Milliseconds(), 0)
	return fmt.Sprintf("%02d:%02d:%02d.%03d", ms/3_600_000, ms/60_000%60, ms/1000%60, ms%1000)
}

// vttText escapes a title for a cue: no markup, and on one line so that
// nothing in it can read as a timing line or end the cue.
var vttEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\r", " ", "\n", " ")

func vttText(s string) string { return vttEscaper.Replace(s) }
