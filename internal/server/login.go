package server

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
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

// throttleKey is the account a login names, whether it exists or not,
// so that unknown and real accounts are slowed alike.
func throttleKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// throttled answers 429 with Retry-After and the login page; the text
// depends only on the wait, never on whether the account exists.
func (s *Server) throttled(c *fiber.Ctx, wait time.Duration, email, next string) error {
	secs := waitSeconds(wait)
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
	b := s.localBase(c, "login.title", "login")
	return s.render(c, http.StatusTooManyRequests, "login", loginPage{Base: b,
		Email: email, Next: next, Error: b.Tf("login.throttled", waitText(b.Lang, secs))})
}

func waitSeconds(wait time.Duration) int { return int(math.Ceil(wait.Seconds())) }

func retryAfter(wait time.Duration) string { return strconv.Itoa(waitSeconds(wait)) }

// waitText says a wait in words: "45 sekunder", "3 minuter".
func waitText(lang string, secs int) string {
	if secs < 120 {
		return fmt.Sprintf(translate(lang, "login.wait_seconds"), secs)
	}
	return fmt.Sprintf(translate(lang, "login.wait_minutes"), (secs+59)/60)
}

func (s *Server) login(c *fiber.Ctx) error {
	email, password, next := c.FormValue("email"), c.FormValue("password"), safeNext(c.FormValue("next"))
	key := throttleKey(email)
	if wait := s.deps.LoginThrottle.Attempt(key, c.IP()); wait > 0 {
		return s.throttled(c, wait, email, next)
	}
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
	s.deps.LoginThrottle.Success(key, c.IP())
	// A new session id and a new CSRF token at every login: whatever the
	// browser carried before may have been planted.
	if err := s.startSession(c, u.ID); err != nil {
		return err
	}
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
