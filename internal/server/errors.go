package server

import (
	"errors"
	"net/http"
	"sort"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/apperr"
	"github.com/smakom/webinar-portal/internal/media"
)

type errorPage struct {
	Base
	Heading string
	Message string
	// MessageLang is the message's language: Swedish when an English page
	// has no translation for it.
	MessageLang string
	// RequestID is shown on pages of errors on our side (5xx), so a
	// visitor can quote it ("Felkod"); a 4xx says what to do instead, and
	// a 404 must look the same whatever was asked (no guessing slugs).
	RequestID string
}

// handleError renders every error a handler returns: JSON (Swedish
// messages) under /api/, a page in the visitor's language elsewhere.
// Internal errors are logged and never shown.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	status, code, msg := http.StatusInternalServerError, "internal", "Något gick fel hos oss. Försök igen om en stund."
	var fields map[string]string
	var fe *fiber.Error
	clientGone := errors.Is(err, errClientBody)
	if clientGone {
		err = clientBodyError(err)
	} else if _, known := apperr.As(err); !known && media.IsStorageFull(err) {
		s.log.Error("storage full", "request_id", requestID(c), "method", c.Method(), "path", c.Path(), "err", err)
		err = apperr.New(http.StatusInsufficientStorage, "storage_full",
			"Lagringen är full, så filen kunde inte sparas. Inget sparades. Den som driver portalen behöver frigöra utrymme.")
	} else if !known && media.IsUnavailable(err) {
		s.log.Error("S3 unavailable", "request_id", requestID(c), "method", c.Method(), "path", c.Path(), "err", err)
		c.Set(fiber.HeaderRetryAfter, "30")
		msg := "Lagringen för inspelningar och bildspel svarar inte just nu. Försök igen om en stund."
		if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
			msg = "Lagringen för inspelningar och bildspel svarar inte just nu. Inget sparades; försök igen om en stund."
		}
		err = apperr.New(http.StatusServiceUnavailable, "storage_unavailable", msg)
	} else if !known && unavailable(err) {
		// MongoDB (or S3) did not answer in time: a page to retry, not
		// a bug. The cause is logged here, under the request id.
		s.log.Error("request failed: storage unavailable", "request_id", requestID(c), "method", c.Method(), "path", c.Path(), "err", err)
		err = unavailableError()
	}
	if ae, ok := apperr.As(err); ok {
		status, code, msg, fields = ae.Status, ae.Code, ae.Message, ae.Fields
	} else if errors.As(err, &fe) {
		status = fe.Code
		code, msg = fiberErrorText(fe.Code)
	}
	if status == http.StatusRequestEntityTooLarge || streamingRoute(c) {
		// The rest of the body may still be on the wire: close the
		// connection rather than read it as the next request.
		c.Context().SetConnectionClose()
		// Not a body refused for its size: that is not read at all.
		if st := c.Context().RequestBodyStream(); st != nil && !clientGone && streamingRoute(c) && status != http.StatusRequestEntityTooLarge {
			drainRefusedBody(c, st)
		}
	}
	if status == http.StatusServiceUnavailable {
		setRetryAfter(c)
	}
	if status >= 500 && code != "unavailable" && code != "storage_unavailable" && code != "too_many_uploads" {
		s.log.Error("request failed", "request_id", requestID(c), "method", c.Method(), "path", c.Path(), "err", err)
	}
	if wantsJSON(c) {
		if staffPath(c.Path()) {
			// The staff page's upload script shows this message: in the
			// page's language. The API under /api/ keeps Swedish.
			msg, _ = errorPageText(s.pageLang(c), code, msg, nil)
		}
		body := fiber.Map{"code": code, "message": msg, "request_id": requestID(c)}
		if len(fields) > 0 {
			body["fields"] = fields
		}
		return c.Status(status).JSON(fiber.Map{"error": body})
	}
	b := s.base(c, "", "")
	heading := b.T("error.heading")
	switch status {
	case http.StatusNotFound:
		heading = b.T("error.not_found")
	case http.StatusForbidden:
		heading = b.T("error.forbidden")
	case http.StatusGone:
		heading = b.T("error.link_gone")
	}
	b.Title = heading
	text, textLang := errorPageText(b.Lang, code, msg, fields)
	switch status {
	case http.StatusServiceUnavailable:
		heading = b.T("error.unavailable")
		b.Title = heading
	}
	page := errorPage{Base: b, Heading: heading, Message: text, MessageLang: textLang}
	if status >= 500 {
		page.RequestID = requestID(c)
	}
	if rerr := s.render(c, status, "error", page); rerr != nil {
		s.log.Error("render error page", "request_id", requestID(c), "err", rerr)
		return c.Status(status).SendString(msg)
	}
	return nil
}

// errorPageText is the error page's message in lang, with any field
// messages after it, and the language it is in. When an English page
// cannot translate every part, the whole message stays Swedish.
func errorPageText(lang, code, msg string, fields map[string]string) (text, textLang string) {
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names) // a stable order, not the map's
	if lang == langEN {
		if en, enLang := errorText(lang, code, msg); enLang == langEN {
			parts := []string{en}
			for _, name := range names {
				m, ok := fieldErrorText(lang, fields[name])
				if !ok {
					parts = nil
					break
				}
				parts = append(parts, m)
			}
			if parts != nil {
				return strings.Join(parts, " "), langEN
			}
		}
	}
	parts := []string{msg}
	for _, name := range names {
		parts = append(parts, fields[name])
	}
	return strings.Join(parts, " "), langSV
}

func wantsJSON(c *fiber.Ctx) bool {
	return strings.HasPrefix(c.Path(), "/api/") || c.Get(fiber.HeaderAccept) == fiber.MIMEApplicationJSON
}

func fiberErrorText(status int) (code, message string) {
	switch status {
	case http.StatusNotFound:
		return "not_found", "Sidan finns inte. Kontrollera adressen."
	case http.StatusMethodNotAllowed:
		return "method_not_allowed", "Metoden stöds inte här."
	case http.StatusRequestEntityTooLarge:
		return "too_large", "Förfrågan är för stor."
	case http.StatusTooManyRequests:
		return "rate_limited", "För många förfrågningar. Vänta en stund och försök igen."
	case http.StatusBadRequest:
		return "bad_request", "Felaktig förfrågan."
	case http.StatusUnauthorized:
		return "unauthorized", "Du behöver logga in."
	case http.StatusForbidden:
		return "forbidden", "Du har inte behörighet."
	}
	if status >= 500 {
		return "internal", "Något gick fel hos oss. Försök igen om en stund."
	}
	return "error", http.StatusText(status)
}
