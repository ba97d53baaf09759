package server

import (
	"bytes"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/apperr"
	"github.com/smakom/webinar-portal/internal/webinar"
)

// chapterRoutes adds the chapters track and the staff chapter editor.
func (s *Server) chapterRoutes(app *fiber.App, staff fiber.Router) {
	app.Get("/webinars/:slug/chapters.vtt", s.serveChapters)
	staff.Get("/webinars/:slug/chapters", s.editChaptersForm)
	staff.Post("/webinars/:slug/chapters", s.saveChaptersForm)
}

// serveChapters answers /webinars/{slug}/chapters.vtt, the source of the
// player's <track kind="chapters">.
func (s *Server) serveChapters(c *fiber.Ctx) error {
	w, err := s.visibleWebinar(c)
	if err != nil {
		return err
	}
	if len(w.Chapters) == 0 {
		return apperr.NotFound("Webbinariet har inga kapitel.")
	}
	var buf bytes.Buffer
	if err := webinar.WriteChaptersVTT(&buf, w.Chapters, w.Length()); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/vtt; charset=utf-8")
	fileHeaders(c, "text/vtt")
	if !isPublic(w) {
		c.Set(fiber.HeaderCacheControl, "private, no-store")
	}
	return c.Send(buf.Bytes())
}
