package server

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/webinar"
)

type watchPage struct {
	Base
	Webinar      *webinar.Webinar
	DefaultTrack string // captions on by default in the UI language
	FirstPDF     int    // 1-based index of the first PDF deck, 0 when none
	// StartAt is the ?t= moment the video starts at ("" from the start),
	// in seconds for the media fragment, StartClock the same as 12:34.
	StartAt, StartClock string
	Transcript          *transcriptView // nil without subtitles
	Chapters            []chapterView
	SlideMoments        []chapterView // chapters tied to a slide
	// Shareable: anyone with the link may watch, so the page describes
	// itself for link previews (Open Graph) at PublicURL.
	Shareable bool
	PublicURL string
	Views     int64 // -1: not counted
	// Resumed: the video starts where this logged-in viewer stopped
	// (StartAt, StartClock); PositionURL is where the player saves it.
	Resumed     bool
	PositionURL string
	// NoIndex: the webinar is not public (say, unlisted), so search
	// engines are asked not to index the page; link previews still work.
	NoIndex bool
}

func (s *Server) showWebinar(c *fiber.Ctx) error {
	ctx, cancel := requestContext(c)
	defer cancel()
	w, err := s.webinarFor(ctx, c.Params("slug"), viewer(c))
	if err != nil {
		return err
	}
	page := watchPage{Base: s.base(c, w.Title, "catalogue"), Webinar: w, Shareable: isPublic(w), PublicURL: c.BaseURL(), Views: -1,
		NoIndex: unlisted(w)}
	markNoindex(c, w)
	if s.deps.Views != nil {
		if !viewer(c).Staff && w.Recording != nil {
			s.deps.Views.Add(w.ID)
		}
		if n, err := s.deps.Views.Count(ctx, w.ID); err == nil {
			page.Views = n
		}
	}
	// Captions are on by default in the language the visitor chose for
	// the transcript, else the UI language, then Swedish, then whatever
	// there is.
	chosen := ""
	if _, ok := w.Track(c.Query(transcriptParam)); ok {
		chosen = c.Query(transcriptParam)
	}
	page.DefaultTrack = defaultTrack(w, chosen, page.Lang)
	for i, d := range w.Slides {
		if d.IsPDF() {
			page.FirstPDF = i + 1
			break
		}
	}
	prefix := seekPrefix(chosen)
	start, hasStart := startParam(c.Query("t"), w.Length())
	if hasStart && w.Recording != nil {
		page.StartAt, page.StartClock = seconds(start), webinar.FormatClock(start.Truncate(time.Second))
	} else if at, ok := s.resumePosition(c, w); ok && c.Query("t") == "" {
		page.StartAt, page.StartClock, page.Resumed = seconds(at), webinar.FormatClock(at.Truncate(time.Second)), true
	}
	if currentUser(c) != nil && s.deps.Positions != nil && w.Recording != nil {
		page.PositionURL = "/api/v1/me/positions/" + w.Slug
	}
	page.Chapters = chapterViews(w.Chapters, prefix)
	for _, ch := range page.Chapters {
		if ch.Slide > 0 {
			page.SlideMoments = append(page.SlideMoments, ch)
		}
	}
	if track, ok := w.Track(page.DefaultTrack); ok {
		cues, err := s.cueCache.cues(ctx, w, track.Lang, s.deps.Webinars.Cues)
		if err != nil {
			// The page is still worth showing: the video and captions
			// may work even when the transcript cannot be read.
			s.log.Warn("transcript not shown", "request_id", requestID(c), "webinar", w.ID, "lang", track.Lang, "err", err)
			page.Transcript = &transcriptView{Lang: track.Lang, Label: track.Label, Missing: true}
		} else {
			page.Transcript = newTranscript(track, cues, prefix, start, hasStart)
		}
		page.Transcript.Label = page.TrackLabel(track)
		page.Transcript.Langs = transcriptLangs(w, track.Lang)
		for i := range page.Transcript.Langs {
			if t, ok := w.Track(page.Transcript.Langs[i].Lang); ok {
				page.Transcript.Langs[i].Label = page.TrackLabel(t)
			}
		}
	}
	if w.Visibility != webinar.Public && w.Visibility != webinar.Unlisted {
		c.Set(fiber.HeaderCacheControl, "private, no-store")
	}
	return s.render(c, fiber.StatusOK, "watch", page)
}

// defaultTrack is the subtitle language shown by default: the first of
// preferred the webinar has, else Swedish, else its first track ("" when
// it has none).
func defaultTrack(w *webinar.Webinar, preferred ...string) string {
	for _, lang := range append(preferred, "sv") {
		if _, ok := w.Track(lang); ok {
			return lang
		}
	}
	if len(w.Subtitles) > 0 {
		return w.Subtitles[0].Lang
	}
	return ""
}
