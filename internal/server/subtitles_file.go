package server

import (
	"bytes"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/apperr"
	"github.com/smakom/webinar-portal/internal/subtitle"
)

// serveSubtitles answers /webinars/{slug}/subtitles/{lang}.vtt or .srt,
// generated from the stored cues.
func (s *Server) serveSubtitles(c *fiber.Ctx) error {
	file := c.Params("file")
	lang, ext, ok := strings.Cut(file, ".")
	if !ok || (ext != "vtt" && ext != "srt") {
		return apperr.NotFound("Undertexter finns som .vtt eller .srt.")
	}
	w, err := s.visibleWebinar(c)
	if err != nil {
		return err
	}
	ctx, cancel := requestContext(c)
	defer cancel()
	cues, err := s.deps.Webinars.Cues(ctx, w, lang)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if ext == "vtt" {
		err = subtitle.WriteVTT(&buf, cues)
		c.Set(fiber.HeaderContentType, "text/vtt; charset=utf-8")
	} else {
		err = subtitle.WriteSRT(&buf, cues)
		c.Set(fiber.HeaderContentType, "application/x-subrip; charset=utf-8")
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+w.Slug+"."+lang+`.srt"`)
	}
	if err != nil {
		return err
	}
	fileHeaders(c, "text/vtt")
	if !isPublic(w) {
		c.Set(fiber.HeaderCacheControl, "private, no-store")
	}
	return c.Send(buf.Bytes())
}
