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
	// Category is a11yCategory when the form came from the accessibility
	// statement: shown again after an error it stays a report.
	Category string
}

// fieldError is one message for the error summary at the top of a form.
type fieldError struct {
	Field, Label, Message string
}

// wishFields are the form's fields in order, with the message key of the
// name the error summary gives them.
var wishFields = []struct{ name, labelKey string }{
	{"topic", "wish.topic"}, {"details", "wish.details_short"}, {"name", "wish.name"}, {"email", "wish.email"}, {"municipality", "wish.municipality"},
}

// wishErrors puts the wish package's Swedish field messages into the
// page's language: per field for the form, and in form order for the
// summary.
func wishErrors(b Base, errs map[string]string, category string) (map[string]string, []fieldError) {
	byField := make(map[string]string, len(errs))
	var list []fieldError
	for _, f := range wishFields {
		if m, ok := errs[f.name]; ok {
			m, _ = fieldErrorText(b.Lang, m) // untranslated: Swedish
			byField[f.name] = m
			label := f.labelKey
			if category != "" && f.name == "topic" { // named as on the report form
				label = "a11y.report_where"
			} else if category != "" && f.name == "details" {
				label = "a11y.report_what"
			}
			list = append(list, fieldError{f.name, b.T(label), m})
		}
	}
	for name, m := range errs { // a field the form does not know
		if _, ok := byField[name]; !ok {
			byField[name] = m
		}
	}
	return byField, list
}

type wishThanksPage struct {
	Base
	Topic string
}

func (s *Server) newWish(c *fiber.Ctx) error {
	return s.render(c, http.StatusOK, "wish_new", wishFormPage{Base: s.localBase(c, "wish.title", "wish")})
}

// createWish stores a wish from the form. Errors are shown beside the
// fields with what was typed kept.
func (s *Server) createWish(c *fiber.Ctx) error {
	category, typed := c.FormValue("category"), c.FormValue("topic")
	if category != a11yCategory {
		category = ""
	}
	in := wish.Input{Topic: a11yTopic(category, typed), Details: c.FormValue("details"), Name: c.FormValue("name"),
		Email: c.FormValue("email"), Municipality: c.FormValue("municipality")}
	if c.FormValue("website") != "" {
		// The honeypot was filled in: a bot. Answer as if all went well.
		s.log.Info("wish honeypot triggered", "request_id", requestID(c))
		return s.render(c, http.StatusOK, "wish_thanks", wishThanksPage{Base: s.localBase(c, "thanks.title_short", "wish")})
	}
	ctx, cancel := requestContext(c)
	defer cancel()
	w, err := s.deps.Wishes.Create(ctx, in)
	if ae, ok := apperr.As(err); ok && ae.Fields != nil {
		titleKey := "wish.title_invalid"
		if category != "" {
			titleKey = "a11y.title_invalid"
		}
		b := s.localBase(c, titleKey, "wish")
		errs, list := wishErrors(b, ae.Fields, category)
		shown := in
		shown.Topic = typed // the prefix is added again when it is sent
		return s.render(c, ae.Status, "wish_new", wishFormPage{Base: b, Input: shown, Errors: errs, ErrorList: list, Category: category})
	}
	if err != nil {
		return err
	}
	s.notifyStaffOfWish(w)
	// Post/redirect/get: reloading the thank-you page sends nothing twice.
	s.setCookie(c, wishTopicCookie, url.QueryEscape(truncate(w.Topic, 200)), time.Minute)
	return c.Redirect("/wishes/thanks", http.StatusSeeOther)
}

const wishTopicCookie = "portal_wish"

func (s *Server) showWishThanks(c *fiber.Ctx) error {
	topic, _ := url.QueryUnescape(c.Cookies(wishTopicCookie))
	s.clearCookie(c, wishTopicCookie)
	return s.render(c, http.StatusOK, "wish_thanks", wishThanksPage{Base: s.localBase(c, "thanks.title", "wish"), Topic: topic})
}
