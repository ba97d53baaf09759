package server

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/apperr"
	"github.com/smakom/webinar-portal/internal/wish"
)

type wishFormPage struct {
	Base
	Input     wish.Input
	Errors    map[string]string
	ErrorList []fieldError // in form order, for the summary
}

// fieldError is one message for the error summary at the top of a form.
type fieldError struct {
	Field, Label, Message string
}

var wishFields = []struct{ name, label string }{
	{"topic", "Ämne"}, {"details", "Beskrivning"}, {"name", "Ditt namn"}, {"email", "E-post"}, {"municipality", "Kommun"},
}

func wishErrorList(errs map[string]string) []fieldError {
	var out []fieldError
	for _, f := range wishFields {
		if m, ok := errs[f.name]; ok {
			out = append(out, fieldError{f.name, f.label, m})
		}
	}
	return out
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
			Input: in, Errors: ae.Fields, ErrorList: wishErrorList(ae.Fields)})
	}
	if err != nil {
		return err
	}
	// Post/redirect/get: reloading the thank-you page sends nothing twice.
	s.setCookie(c, wishTopicCookie, url.QueryEscape(truncate(w.Topic, 200)), time.Minute)
	return c.Redirect("/wishes/thanks", http.StatusSeeOther)
}

const wishTopicCookie = "portal_wish"

func (s *Server) showWishThanks(c *fiber.Ctx) error {
	topic, _ := url.QueryUnescape(c.Cookies(wishTopicCookie))
	s.clearCookie(c, wishTopicCookie)
	return s.render(c, http.StatusOK, "wish_thanks", wishThanksPage{Base: s.base(c, "Tack för ditt önskemål", "wish"), Topic: topic})
}
