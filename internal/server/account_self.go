package server

import (
	"errors"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/account"
)

// accountPage is a logged-in user's own page: change the password, log
// out everywhere.
type accountPage struct {
	Base
	Errors    map[string]string
	ErrorList []fieldError
}

func (s *Server) showAccount(c *fiber.Ctx) error {
	return s.render(c, http.StatusOK, "account", accountPage{Base: s.localBase(c, "acct.title", "account")})
}

// passwordErrorKey maps the account package's password errors to
// message keys.
func passwordErrorKey(err error) (string, bool) {
	switch {
	case errors.Is(err, account.ErrPasswordTooShort):
		return "acct.err_short", true
	case errors.Is(err, account.ErrPasswordTooLong):
		return "acct.err_long", true
	}
	return "", false
}

// changePassword needs the current password; it ends every session of
// the user and starts a new one here (a new session id as at login).
func (s *Server) changePassword(c *fiber.Ctx) error {
	u := currentUser(c)
	current, password, repeat := c.FormValue("current"), c.FormValue("password"), c.FormValue("repeat")
	b := s.localBase(c, "acct.title", "account")
	fail := func(status int, field, key string) error {
		msg := b.T(key)
		return s.render(c, status, "account", accountPage{Base: b, Errors: map[string]string{field: msg},
			ErrorList: []fieldError{{field, b.T(map[string]string{"current": "acct.current", "password": "acct.new", "repeat": "acct.repeat"}[field]), msg}}})
	}
	if password != repeat {
		return fail(http.StatusUnprocessableEntity, "repeat", "acct.err_mismatch")
	}
	// Guessing the current password is throttled like logins.
	key := throttleKey(u.Email)
	if wait := s.deps.LoginThrottle.Attempt(key, c.IP()); wait > 0 {
		c.Set(fiber.HeaderRetryAfter, retryAfter(wait))
		return fail(http.StatusTooManyRequests, "current", "acct.err_throttled")
	}
	ctx, cancel := requestContext(c)
	defer cancel()
	err := s.deps.Accounts.ChangePassword(ctx, u.ID, current, password, "")
	if errors.Is(err, account.ErrWrongPassword) {
		return fail(http.StatusUnprocessableEntity, "current", "acct.err_current")
	}
	if k, ok := passwordErrorKey(err); ok {
		s.deps.LoginThrottle.Success(key, c.IP())
		return fail(http.StatusUnprocessableEntity, "password", k)
	}
	if err != nil {
		return err
	}
	s.deps.LoginThrottle.Success(key, c.IP())
	if err := s.startSession(c, u.ID); err != nil {
		return err
	}
	s.setFlash(c, b.T("flash.password_changed"))
	return c.Redirect("/account", http.StatusSeeOther)
}

// logoutEverywhere ends every session of the user, this one too.
func (s *Server) logoutEverywhere(c *fiber.Ctx) error {
	ctx, cancel := requestContext(c)
	defer cancel()
	if err := s.deps.Accounts.EndUserSessions(ctx, currentUser(c).ID, ""); err != nil {
		return err
	}
	s.clearCookie(c, sessionCookie)
	s.setFlash(c, translate(s.pageLang(c), "flash.logged_out_everywhere"))
	return c.Redirect("/", http.StatusSeeOther)
}

// startSession logs the browser in as userID with a new session id and a
// new CSRF token, ending the session it carried.
func (s *Server) startSession(c *fiber.Ctx, userID string) error {
	ctx, cancel := requestContext(c)
	defer cancel()
	secret, err := s.deps.Accounts.RotateSession(ctx, c.Cookies(sessionCookie), userID)
	if err != nil {
		return err
	}
	s.setCookie(c, sessionCookie, secret, s.deps.SessionTTL)
	s.setCookie(c, csrfCookie, randomToken(), 365*24*time.Hour)
	return nil
}
