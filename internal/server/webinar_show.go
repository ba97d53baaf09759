package server

import (
	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/webinar"
)

type watchPage struct {
	Base
	Webinar      *webinar.Webinar
	DefaultTrack string // captions on by default in the UI language
	FirstPDF     int    // 1-based index of the first PDF deck, 0 when none
}

func (s *Server) showWebinar(c *fiber.Ctx) error {
	ctx, cancel := requestContext(c)
	defer cancel()
	w, err := s.deps.Webinars.Get(ctx, c.Params("slug"), viewer(c))
	if err != nil {
		return err
	}
	page := watchPage{Base: s.base(c, w.Title, "catalogue"), Webinar: w}
	// Captions in the UI language are on by default, then Swedish, then
	// whatever there is.
	for _, lang := range []string{page.Lang, "sv"} {
		if _, ok := w.Track(lang); ok && page.DefaultTrack == "" {
			page.DefaultTrack = lang
		}
	}
	if page.DefaultTrack == "" && len(w.Subtitles) > 0 {
		page.DefaultTrack = w.Subtitles[0].Lang
	}
	for i, d := range w.Slides {
		if d.IsPDF() {
			page.FirstPDF = i + 1
			break
		}
	}
	if w.Visibility != webinar.Public && w.Visibility != webinar.Unlisted {
		c.Set(fiber.HeaderCacheControl, "private, no-store")
	}
	return s.render(c, fiber.StatusOK, "watch", page)
}
