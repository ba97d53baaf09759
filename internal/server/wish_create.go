package server

import (
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/apperr"
	"github.com/smakom/webinar-portal/internal/wish"
)

type wishFormPage struct {
	Base
	Input  wish.Input
	Errors map[string]string
}

type wishThanksPage struct {
	Base
	Topic string
}

func (s *Server) newWish(c *fiber.Ctx) error {
	return s.render(c, http.StatusOK, "wish_new", wishFormPage{Base: s.base(c, "Önska ett webbinarium", "wish")})
}

// createWish stores a wish from the form. Errors are shown beside the
// fields with what was typed kept.
func (s *Server) createWish(c *fiber.Ctx) error {
	in := wish.Input{Topic: c.FormValue("topic"), Details: c.FormValue("details"), Name: c.FormValue("name"),
		Email: c.FormValue("email"), Municipality: c.FormValue("municipality")}
	if c.FormValue("website") != "" {
		// The honeypot was filled in: a bot. Answer as if all went well.
		s.log.Info("wish honeypot triggered", "request_id", requestID(c))
		return s.render(c, http.StatusOK, "wish_thanks", wishThanksPage{Base: s.base(c, "Tack!", "wish")})
	}
	ctx, cancel := requestContext(c)
	defer cancel()
	w, err := s.deps.Wishes.Create(ctx, in)
	if ae, ok := apperr.As(err); ok && ae.Fields != nil {
		return s.render(c, ae.Status, "wish_new", wishFormPage{Base: s.base(c, "Rätta formuläret – Önska ett webbinarium", "wish"),
			Input: in, Errors: ae.Fields})
	}
	if err != nil {
		return err
	}
	return s.render(c, http.StatusCreated, "wish_thanks", wishThanksPage{Base: s.base(c, "Tack för ditt önskemål", "wish"), Topic: w.Topic})
}
