package server

import (
	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/apperr"
	"github.com/smakom/webinar-portal/internal/webinar"
)

func init() {
	messages["watch.views"] = message{"Visningar", "Views"}
	messages["embed.more"] = message{"transkription, kapitel och presentation i SmåKoms webbinariearkiv",
		"transcript, chapters and slides in SmåKom’s webinar archive"}
}

type embedPage struct {
	Base
	Webinar      *webinar.Webinar
	DefaultTrack string
	StartAt      string
	WatchURL     string
	NoIndex      bool // unlisted: not for search engines
}

// showEmbed is the player alone, for an iframe on another site: only for
// webinars anyone may watch (public or unlisted) that have a recording,
// with captions in the page's language on by default and ?t= honoured.
func (s *Server) showEmbed(c *fiber.Ctx) error {
	ctx, cancel := requestContext(c)
	defer cancel()
	// As an anonymous visitor: an embed must never show what only the
	// person who copied the link may see.
	w, err := s.deps.Webinars.Get(ctx, c.Params("slug"), webinar.Viewer{})
	if err != nil {
		return err
	}
	if !isPublic(w) || w.Recording == nil {
		return apperr.NotFound("Webbinariet kan inte bäddas in.")
	}
	page := embedPage{Base: s.base(c, w.Title, "embed"), Webinar: w, WatchURL: c.BaseURL() + "/webinars/" + w.Slug,
		NoIndex: unlisted(w)}
	markNoindex(c, w)
	page.DefaultTrack = defaultTrack(w, page.Lang)
	if start, ok := startParam(c.Query("t"), w.Length()); ok {
		page.StartAt = seconds(start)
	}
	if err := s.render(c, fiber.StatusOK, "embed", page); err != nil {
		return err
	}
	// Any site may frame the player; nothing on it acts for a signed-in
	// visitor (no forms, no account links).
	allowFraming(c)
	return nil
}
