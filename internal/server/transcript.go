package server

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/smakom/webinar-portal/internal/subtitle"
	"github.com/smakom/webinar-portal/internal/webinar"
)

// The watch page's transcript, chapter list and deep links. The page is
// complete without JavaScript: every cue and chapter is a link to ?t=,
// which starts the video there; web/static/player.js makes the same links
// seek in place.

// transcriptParam picks the transcript (and caption) language.
const transcriptParam = "transcript"

// transcriptView is one language's cues as the page shows them.
type transcriptView struct {
	Lang, Label string
	Cues        []cueView
	Langs       []transcriptLang // every language, when there are several
	Missing     bool             // the track is listed but its cues could not be read
}

type transcriptLang struct {
	Lang, Label, Href string
	Current           bool
}

// cueView is a cue with its times as the page and player.js need them.
type cueView struct {
	Start, End string // seconds with milliseconds, for data-start/data-end
	Href       string // ?t=SECONDS
	Clock      string // 12:34
	Text       string // lines joined with spaces; escaped by the template
	Current    bool   // the cue at ?t=
}

// chapterView is a chapter as a link to its moment.
type chapterView struct {
	Title, Clock, Href, Seconds string
	Slide                       int
}

// seconds writes d as seconds, with up to three decimals and no
// trailing zeros: 754, 4.5.
func seconds(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Milliseconds())/1000, 'f', -1, 64)
}

// fixedSeconds is seconds with exactly three decimals (data attributes).
func fixedSeconds(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Milliseconds())/1000, 'f', 3, 64)
}

// startParam reads ?t= (754, 12:34, 12m34s); it is ignored when it is not
// a time or lies past the end of the recording.
func startParam(raw string, length time.Duration) (time.Duration, bool) {
	if raw == "" {
		return 0, false
	}
	d, err := webinar.ParseClock(raw)
	if err != nil || d <= 0 || (length > 0 && d >= length) {
		return 0, false
	}
	return d, true
}

// seekPrefix is the start of every ?t= link on the page: it keeps a
// transcript language chosen in the address.
func seekPrefix(transcriptLang string) string {
	if transcriptLang == "" {
		return "?t="
	}
	return "?" + transcriptParam + "=" + url.QueryEscape(transcriptLang) + "&t="
}

// newTranscript builds the view of cues. The cue at start (or, in a gap,
// the next one) is marked current when hasStart is set.
func newTranscript(track webinar.SubtitleTrack, cues []subtitle.Cue, prefix string, start time.Duration, hasStart bool) *transcriptView {
	v := &transcriptView{Lang: track.Lang, Label: track.Label, Cues: make([]cueView, len(cues))}
	marked := !hasStart
	for i, c := range cues {
		v.Cues[i] = cueView{Start: fixedSeconds(c.Start), End: fixedSeconds(c.End), Href: prefix + seconds(c.Start),
			Clock: webinar.FormatClock(c.Start.Truncate(time.Second)), Text: strings.Join(strings.Fields(c.Text), " ")}
		if !marked && c.End > start {
			v.Cues[i].Current, marked = true, true
		}
	}
	return v
}

// transcriptLangs lists the languages the transcript can be read in.
func transcriptLangs(w *webinar.Webinar, current string) []transcriptLang {
	if len(w.Subtitles) < 2 {
		return nil
	}
	out := make([]transcriptLang, len(w.Subtitles))
	for i, t := range w.Subtitles {
		out[i] = transcriptLang{Lang: t.Lang, Label: t.Label, Current: t.Lang == current,
			Href: "?" + transcriptParam + "=" + url.QueryEscape(t.Lang) + "#transcript"}
	}
	return out
}

// chapterViews are the chapters as links, in order.
func chapterViews(chapters []webinar.Chapter, prefix string) []chapterView {
	out := make([]chapterView, len(chapters))
	for i, c := range chapters {
		out[i] = chapterView{Title: c.Title, Clock: webinar.FormatClock(c.Start().Truncate(time.Second)),
			Href: prefix + seconds(c.Start()), Seconds: seconds(c.Start()), Slide: c.Slide}
	}
	return out
}
