package server

import (
	"errors"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/account"
	"github.com/smakom/webinar-portal/internal/apperr"
)

// setPasswordPage sets a password through an invite or reset link. The
// link's secret travels in the query and a hidden field, never in the
// path, so the request log does not keep it.
type setPasswordPage struct {
	Base
	Kind      string // "invite" or "reset"
	Token     string
	Email     string
	Errors    map[string]string
	ErrorList []fieldError
}

// linkError is the page for a link that cannot be used: 410 when it has
// expired or was used, 400 when it is not a link at all. Nothing changes.
func linkError(err error) error {
	switch {
	case errors.Is(err, account.ErrLinkExpired):
		return apperr.New(http.StatusGone, "link_expired",
			"Länken har gått ut. Be SmåKoms redaktion om en ny länk, eller begär en ny på sidan ”Glömt lösenordet”.")
	case errors.Is(err, account.ErrLinkUsed):
		return apperr.New(http.StatusGone, "link_used",
			"Länken har redan använts och fungerar bara en gång. Logga in, eller begär en ny länk på sidan ”Glömt lösenordet”.")
	case errors.Is(err, account.ErrLinkUnknown):
		return apperr.New(http.StatusBadRequest, "link_unknown",
			"Länken är ogiltig. Kontrollera att du har fått med hela adressen från mejlet.")
	}
	return err
}

func (s *Server) setPasswordBase(c *fiber.Ctx, kind account.LinkKind) Base {
	return s.localBase(c, "setpw.title_"+string(kind), "login")
}

// showSetPassword shows the form when the link is still good.
func (s *Server) showSetPassword(kind account.LinkKind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, cancel := requestContext(c)
		defer cancel()
		token := c.Query("token")
		u, err := s.deps.Accounts.CheckLink(ctx, kind, token)
		if err != nil {
			return linkError(err)
		}
		return s.render(c, http.StatusOK, "set_password", setPasswordPage{Base: s.setPasswordBase(c, kind),
			Kind: string(kind), Token: token, Email: u.Email})
	}
}

// setPasswordByLink sets the password, uses up the link, ends every
// other session of the account and logs the browser in.
func (s *Server) setPasswordByLink(kind account.LinkKind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, cancel := requestContext(c)
		defer cancel()
		token, password, repeat := c.FormValue("token"), c.FormValue("password"), c.FormValue("repeat")
		u, err := s.deps.Accounts.CheckLink(ctx, kind, token)
		if err != nil {
			return linkError(err)
		}
		b := s.setPasswordBase(c, kind)
		fail := func(field, key string) error {
			msg := b.T(key)
			label := b.T(map[string]string{"password": "acct.new", "repeat": "acct.repeat"}[field])
			return s.render(c, http.StatusUnprocessableEntity, "set_password", setPasswordPage{Base: b, Kind: string(kind), Token: token,
				Email: u.Email, Errors: map[string]string{field: msg}, ErrorList: []fieldError{{field, label, msg}}})
		}
		if password != repeat {
			return fail("repeat", "acct.err_mismatch")
		}
		// UseLink gives no account on error: the form keeps showing the
		// one CheckLink found.
		used, err := s.deps.Accounts.UseLink(ctx, kind, token, password)
		if k, ok := passwordErrorKey(err); ok {
			return fail("password", k)
		}
		u = used
		if err != nil {
			return linkError(err)
		}
		// A reset also lifts the login back-off: the owner proved who
		// they are another way.
		s.deps.LoginThrottle.Account.Success(throttleKey(u.Email))
		if err := s.startSession(c, u.ID); err != nil {
			return err
		}
		s.setFlash(c, b.T("flash.password_set_"+string(kind)))
		if u.Role.IsStaff() {
			return c.Redirect("/staff", http.StatusSeeOther)
		}
		return c.Redirect("/", http.StatusSeeOther)
	}
}

// forgotPage asks for an address to mail a reset link to.
type forgotPage struct {
	Base
	MailOn bool
	Sent   bool
	Email  string
}

func (s *Server) showForgot(c *fiber.Ctx) error {
	return s.render(c, http.StatusOK, "forgot", forgotPage{Base: s.localBase(c, "forgot.title", "login"), MailOn: s.mailOn()})
}

// mailOn reports whether reset links can be mailed (a mailer and the
// PUBLIC_URL to build them from).
func (s *Server) mailOn() bool { return s.deps.Mailer != nil && s.deps.PublicURL != "" }

// forgot mails a reset link when the address has an active account, and
// answers the same whether or not it does (no way to learn who has an
// account here). The mail goes out in the background, so the answer
// takes as long either way.
func (s *Server) forgot(c *fiber.Ctx) error {
	email := c.FormValue("email")
	b := s.localBase(c, "forgot.title", "login")
	if s.mailOn() {
		ctx, cancel := requestContext(c)
		defer cancel()
		u, err := s.deps.Accounts.UserByEmail(ctx, email)
		switch {
		case errors.Is(err, account.ErrNotFound):
		case err != nil:
			s.log.Error("forgot password: look up", "err", err)
		case u.Disabled:
		default:
			u, secret, err := s.deps.Accounts.ResetLink(ctx, u.ID, s.deps.ResetTTL)
			if err != nil {
				s.log.Error("forgot password: reset link", "err", err)
				break
			}
			path := "/reset"
			if u.Status() == account.StatusInvited {
				path = "/invite"
			}
			link, _ := s.mailableURL(path, secret)
			s.sendMail(u.Email, resetSubject, resetMail(link, s.deps.ResetTTL))
		}
	}
	return s.render(c, http.StatusOK, "forgot", forgotPage{Base: b, MailOn: s.mailOn(), Sent: true})
}
