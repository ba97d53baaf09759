package server

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/wish"
)

// Mailer sends one plain-text mail (internal/mail.Sender).
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// mailTimeout bounds one mail in the background.
const mailTimeout = time.Minute

// sendMail mails in the background: a slow or broken SMTP server never
// holds up a page, and a failure is logged (the link is still shown).
func (s *Server) sendMail(to, subject, body string) {
	if s.deps.Mailer == nil {
		return
	}
	// Strings from a request may alias Fiber's reused buffers: copy
	// them before the request ends.
	to, subject, body = strings.Clone(to), strings.Clone(subject), strings.Clone(body)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), mailTimeout)
		defer cancel()
		if err := s.deps.Mailer.Send(ctx, to, subject, body); err != nil {
			s.log.Error("mail not sent", "to", to, "subject", subject, "err", err)
			return
		}
		s.log.Info("mail sent", "to", to, "subject", subject)
	}()
}

// siteURL is the portal's address for links: PUBLIC_URL, or (only for
// links shown on a page, never mailed) the address of the request.
func (s *Server) siteURL(c *fiber.Ctx) string {
	if s.deps.PublicURL != "" {
		return strings.TrimRight(s.deps.PublicURL, "/")
	}
	return c.BaseURL()
}

// linkURL is a one-time link with its secret in the query, which the
// request log leaves out.
func (s *Server) linkURL(c *fiber.Ctx, path, secret string) string {
	return s.siteURL(c) + path + "?token=" + url.QueryEscape(secret)
}

// mailableURL is like linkURL but only with PUBLIC_URL set: a link built
// from a request's Host header must never be mailed (it could point a
// reset link at someone else's site).
func (s *Server) mailableURL(path, secret string) (string, bool) {
	if s.deps.PublicURL == "" {
		return "", false
	}
	return strings.TrimRight(s.deps.PublicURL, "/") + path + "?token=" + url.QueryEscape(secret), true
}

// notifyStaffOfWish mails every active staff and admin account about a
// new wish, in the background.
func (s *Server) notifyStaffOfWish(w *wish.Wish) {
	if s.deps.Mailer == nil || w == nil {
		return
	}
	// Built now: the wish's strings may alias the request's buffers.
	var b strings.Builder
	fmt.Fprintf(&b, "Ett nytt önskemål har kommit in till SmåKoms webbinariearkiv.\n\nÄmne: %s\n", w.Topic)
	if w.Municipality != "" {
		fmt.Fprintf(&b, "Kommun: %s\n", w.Municipality)
	}
	if w.Name != "" {
		fmt.Fprintf(&b, "Namn: %s\n", w.Name)
	}
	if w.Email != "" {
		fmt.Fprintf(&b, "E-post: %s\n", w.Email)
	}
	if w.Details != "" {
		fmt.Fprintf(&b, "\n%s\n", w.Details)
	}
	if s.deps.PublicURL != "" {
		fmt.Fprintf(&b, "\nSe och hantera önskemålen: %s/staff/wishes\n", strings.TrimRight(s.deps.PublicURL, "/"))
	}
	body, subject := b.String(), "Nytt önskemål: "+strings.Clone(truncate(w.Topic, 80))
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), mailTimeout)
		defer cancel()
		to, err := s.deps.Accounts.StaffEmails(ctx)
		if err != nil {
			s.log.Error("wish notice: list staff", "err", err)
			return
		}
		for _, addr := range to {
			s.sendMail(addr, subject, body)
		}
	}()
}
