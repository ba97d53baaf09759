package server

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"github.com/smakom/webinar-portal/internal/account"
	"github.com/smakom/webinar-portal/internal/apperr"
	"github.com/smakom/webinar-portal/internal/reqid"
	"github.com/smakom/webinar-portal/internal/webinar"
)

const (
	sessionCookie = "portal_session"
	csrfCookie    = "portal_csrf"
	flashCookie   = "portal_flash"
)

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// requestLog gives each request an id (the X-Request-Id header, the
// context every log line of the request is written with, and the error
// page), logs one line and records the metrics when it ends.
func (s *Server) requestLog(c *fiber.Ctx) error {
	id := randomToken()[:16]
	c.Locals("request_id", id)
	c.Locals("call_timeout", s.deps.CallTimeout)
	c.SetUserContext(reqid.With(c.UserContext(), id))
	c.Set("X-Request-Id", id)
	start := time.Now()
	err := c.Next()
	if err != nil {
		if herr := s.app.ErrorHandler(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	took := time.Since(start)
	s.log.Info("request", "request_id", id, "method", c.Method(), "path", c.Path(),
		"status", c.Response().StatusCode(), "duration_ms", took.Milliseconds(), "ip", c.IP())
	// Fiber's strings live in buffers reused by the next request: the
	// metric labels, which are kept, get copies.
	s.deps.Metrics.ObserveRequest(strings.Clone(routeLabel(c)), strings.Clone(c.Method()), c.Response().StatusCode(), took)
	return nil
}

func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals("request_id").(string)
	return id
}

func (s *Server) logPanic(c *fiber.Ctx, e any) {
	s.log.Error("panic", "request_id", requestID(c), "panic", fmt.Sprint(e), "stack", string(debug.Stack()))
}

// limitBody stops a body that a handler would read whole from growing
// past Deps.FormBodyLimit; streaming upload routes enforce their own limits.
func (s *Server) limitBody(c *fiber.Ctx) error {
	if streamingRoute(c) {
		return c.Next()
	}
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	limit := s.deps.FormBodyLimit
	n := c.Request().Header.ContentLength()
	if int64(n) > limit {
		return tooLargeRequest(limit)
	}
	if n < 0 { // chunked: read at most the limit
		stream := c.Context().RequestBodyStream()
		if stream != nil {
			b, err := io.ReadAll(io.LimitReader(stream, limit+1))
			if err != nil {
				return apperr.New(http.StatusBadRequest, "bad_body", "Förfrågan kunde inte läsas.")
			}
			if int64(len(b)) > limit {
				return tooLargeRequest(limit)
			}
			c.Request().SetBody(b)
		}
	}
	return c.Next()
}

func tooLargeRequest(limit int64) error {
	return apperr.New(http.StatusRequestEntityTooLarge, "too_large",
		fmt.Sprintf("Förfrågan är för stor: formulär får vara högst %s.", webinar.HumanBytes(limit)))
}

// loadUser finds the user behind a session cookie or an API token.
func (s *Server) loadUser(c *fiber.Ctx) error {
	if strings.HasPrefix(c.Path(), "/static/") || c.Path() == "/healthz" {
		return c.Next()
	}
	ctx, cancel := requestContext(c)
	defer cancel()
	if auth := c.Get(fiber.HeaderAuthorization); auth != "" {
		token, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok || token == "" {
			return apperr.New(http.StatusUnauthorized, "unauthorized", "Authorization måste vara \"Bearer <token>\".")
		}
		u, err := s.deps.Accounts.TokenUser(ctx, strings.TrimSpace(token))
		if errors.Is(err, account.ErrNotFound) {
			return apperr.New(http.StatusUnauthorized, "invalid_token", "API-nyckeln är ogiltig eller återkallad.")
		}
		if err != nil {
			return err
		}
		c.Locals("user", &u)
		c.Locals("auth", "token")
		return c.Next()
	}
	if secret := c.Cookies(sessionCookie); secret != "" {
		u, err := s.deps.Accounts.SessionUser(ctx, secret)
		switch {
		case err == nil:
			c.Locals("user", &u)
			c.Locals("auth", "session")
		case errors.Is(err, account.ErrNotFound):
			s.clearCookie(c, sessionCookie)
		default:
			return err
		}
	}
	return c.Next()
}

func currentUser(c *fiber.Ctx) *account.User {
	u, _ := c.Locals("user").(*account.User)
	return u
}

func viewer(c *fiber.Ctx) webinar.Viewer {
	u := currentUser(c)
	if u == nil {
		return webinar.Viewer{}
	}
	return webinar.Viewer{LoggedIn: true, Staff: u.Role.IsStaff()}
}

func (s *Server) secure(c *fiber.Ctx) bool { return s.deps.CookieSecure || c.Protocol() == "https" }

func (s *Server) setCookie(c *fiber.Ctx, name, value string, maxAge time.Duration) {
	c.Cookie(&fiber.Cookie{Name: name, Value: value, Path: "/", HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode,
		Secure: s.secure(c), MaxAge: int(maxAge.Seconds())})
}

func (s *Server) clearCookie(c *fiber.Ctx, name string) {
	c.Cookie(&fiber.Cookie{Name: name, Value: "", Path: "/", HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode,
		Secure: s.secure(c), MaxAge: -1, Expires: time.Unix(1, 0)})
}

// csrf protects every state-changing request that a browser could send
// with the visitor's cookies: the form field _csrf or the X-CSRF-Token
// header must equal the value of the CSRF cookie (double submit, with a
// SameSite cookie). Requests authorised by an API token carry no cookies
// and need no token.
func (s *Server) csrf(c *fiber.Ctx) error {
	token := c.Cookies(csrfCookie)
	if len(token) < 32 {
		token = randomToken()
		s.setCookie(c, csrfCookie, token, 365*24*time.Hour)
	}
	c.Locals("csrf", token)
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	if c.Locals("auth") == "token" {
		return c.Next()
	}
	if strings.HasPrefix(c.Path(), "/api/") && c.Locals("auth") == nil && c.Cookies(sessionCookie) == "" {
		// Anonymous API calls (wishes) change no one's account; the JSON
		// content type they need cannot be sent cross-site without CORS.
		return c.Next()
	}
	sent := c.Get("X-CSRF-Token")
	if sent == "" && streamingRoute(c) && strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm) {
		// Multipart upload forms send _csrf as their first field; the
		// handler checks it before reading the file.
		c.Locals("csrf_pending", true)
		return c.Next()
	}
	if sent == "" && !strings.HasPrefix(c.Path(), "/api/") {
		sent = c.FormValue("_csrf")
	}
	if !tokensEqual(sent, token) {
		return csrfError()
	}
	return c.Next()
}

func tokensEqual(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func csrfError() error {
	return apperr.New(http.StatusForbidden, "csrf",
		"Formuläret har gått ut eller saknar säkerhetskod. Ladda om sidan och försök igen.")
}

func csrfToken(c *fiber.Ctx) string {
	t, _ := c.Locals("csrf").(string)
	return t
}

func (s *Server) requireStaffPage(c *fiber.Ctx) error {
	u := currentUser(c)
	if u == nil {
		if streamingRoute(c) {
			// The unread upload is still on the wire: close the
			// connection rather than read it as the next request.
			c.Context().SetConnectionClose()
		}
		return c.Redirect("/login?next="+url.QueryEscape(c.OriginalURL()), http.StatusSeeOther)
	}
	if !u.Role.IsStaff() {
		return apperr.New(http.StatusForbidden, "forbidden", "Den här sidan är bara för SmåKoms redaktion.")
	}
	return c.Next()
}

func (s *Server) requireStaffAPI(c *fiber.Ctx) error {
	u := currentUser(c)
	if u == nil {
		return apperr.New(http.StatusUnauthorized, "unauthorized", "Logga in eller skicka en API-nyckel: Authorization: Bearer <token>.")
	}
	if !u.Role.IsStaff() {
		return apperr.New(http.StatusForbidden, "forbidden", "Bara redaktionen (staff eller admin) får göra detta.")
	}
	return c.Next()
}

// setFlash leaves a one-time message for the next page.
func (s *Server) setFlash(c *fiber.Ctx, msg string) {
	s.setCookie(c, flashCookie, url.QueryEscape(msg), time.Minute)
}

func takeFlash(c *fiber.Ctx) string {
	v := c.Cookies(flashCookie)
	if v == "" {
		return ""
	}
	c.Cookie(&fiber.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, Expires: time.Unix(1, 0), HTTPOnly: true})
	msg, err := url.QueryUnescape(v)
	if err != nil || len(msg) > 300 {
		return ""
	}
	return msg
}

// wishLimiter allows a few wishes per IP and hour, against spam. routes
// makes one and puts it on both the form and the API, so the two share
// one budget per IP (two limiters would let an IP send twice as many).
// Honeypot posts count too: a bot spends the same budget. A form shown
// again with its errors (422) does not: a person correcting a field
// should not run out of wishes.
func (s *Server) wishLimiter() fiber.Handler {
	return limiter.New(limiter.Config{
		Max:                s.deps.WishesPerHour,
		SkipFailedRequests: true,
		Expiration:         time.Hour,
		LimitReached: func(c *fiber.Ctx) error {
			return apperr.New(http.StatusTooManyRequests, "rate_limited",
				"Du har skickat många önskemål på kort tid. Vänta en stund och försök igen.")
		},
	})
}

// forgotLimiter bounds the reset mails one IP can cause. Logins are
// slowed by the back-off in internal/throttle instead.
func (s *Server) forgotLimiter() fiber.Handler {
	return limiter.New(limiter.Config{
		Max:        5,
		Expiration: 15 * time.Minute,
		LimitReached: func(c *fiber.Ctx) error {
			return apperr.New(http.StatusTooManyRequests, "rate_limited",
				"Du har bett om många länkar på kort tid. Vänta en stund och försök igen.")
		},
	})
}

// requireLogin sends visitors without a session (API tokens included)
// to the login page, and back to the account page after it.
func (s *Server) requireLogin(c *fiber.Ctx) error {
	if u := currentUser(c); u == nil || c.Locals("auth") != "session" {
		return c.Redirect("/login?next="+url.QueryEscape("/account"), http.StatusSeeOther)
	}
	return c.Next()
}
