package server

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/account"
)

type loginPage struct {
	Base
	Email, Next, Error string
}

// safeNext keeps redirects after login on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

func (s *Server) showLogin(c *fiber.Ctx) error {
	return s.render(c, http.StatusOK, "login", loginPage{Base: s.localBase(c, "login.title", "login"), Next: safeNext(c.Query("next"))})
}

func (s *Server) login(c *fiber.Ctx) error {
	email, password, next := c.FormValue("email"), c.FormValue("password"), safeNext(c.FormValue("next"))
	ctx, cancel := requestContext(c)
	defer cancel()
	u, err := s.deps.Accounts.Authenticate(ctx, email, password)
	if errors.Is(err, account.ErrBadCredentials) {
		b := s.localBase(c, "login.title", "login")
		return s.render(c, http.StatusUnauthorized, "login", loginPage{Base: b,
			Email: email, Next: next, Error: b.T("login.bad_credentials")})
	}
	if err != nil {
		return err
	}
	// A new session id and a new CSRF token at every login: whatever the
	// browser carried before may have been planted.
	secret, err := s.deps.Accounts.RotateSession(ctx, c.Cookies(sessionCookie), u.ID)
	if err != nil {
		return err
	}
	s.setCookie(c, sessionCookie, secret, s.deps.SessionTTL)
	s.setCookie(c, csrfCookie, randomToken(), 365*24*time.Hour)
	if next == "/" && u.Role.IsStaff() {
		next = "/staff"
	}
	return c.Redirect(next, http.StatusSeeOther)
}

func (s *Server) logout(c *fiber.Ctx) error {
	if secret := c.Cookies(sessionCookie); secret != "" {
		ctx, cancel := requestContext(c)
		defer cancel()
		if err := s.deps.Accounts.EndSession(ctx, secret); err != nil {
			return err
		}
	}
	s.clearCookie(c, sessionCookie)
	s.setFlash(c, translate(s.pageLang(c), "flash.logged_out"))
	return c.Redirect("/", http.StatusSeeOther)
}
