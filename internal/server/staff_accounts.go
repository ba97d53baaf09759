package server

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/account"
	"github.com/smakom/webinar-portal/internal/apperr"
)

// staffAccountsPage lists accounts, invites members and shows a new
// invite or reset link to copy.
type staffAccountsPage struct {
	Base
	Users []account.User
	Me    string // the viewer's id: no actions on one's own account
	// Form values and errors of the invite form.
	Email, Municipality string
	Errors              map[string]string
	// A link just made, to copy.
	Link, LinkFor, LinkKind string
	LinkExpires             time.Time
	Mailed                  bool
}

func (p staffAccountsPage) CanManage(u account.User) bool { return canManage(p.User, u) }

// canManage: admins manage every other account, staff manage members.
// Nobody disables or resets their own account here (/account does that).
func canManage(actor *account.User, target account.User) bool {
	if actor == nil || actor.ID == target.ID {
		return false
	}
	return actor.Role == account.RoleAdmin || target.Role == account.RoleMember
}

func (s *Server) renderAccounts(c *fiber.Ctx, status int, page staffAccountsPage) error {
	ctx, cancel := requestContext(c)
	defer cancel()
	users, err := s.deps.Accounts.ListUsers(ctx)
	if err != nil {
		return err
	}
	page.Base = s.localBase(c, "staff.title_accounts", "staff")
	page.Users = users
	page.Me = currentUser(c).ID
	return s.render(c, status, "staff_accounts", page)
}

func (s *Server) listAccounts(c *fiber.Ctx) error {
	return s.renderAccounts(c, http.StatusOK, staffAccountsPage{})
}

// inviteMember creates a member account and shows its invite link; with
// mail configured the link is also mailed to the member.
func (s *Server) inviteMember(c *fiber.Ctx) error {
	email, municipality := strings.TrimSpace(c.FormValue("email")), strings.TrimSpace(c.FormValue("municipality"))
	errs := map[string]string{}
	if _, err := account.NormalizeEmail(email); err != nil {
		errs["email"] = "sacct.err_email"
	}
	if _, err := account.NormalizeMunicipality(municipality); err != nil {
		errs["municipality"] = "sacct.err_municipality"
	}
	page := staffAccountsPage{Email: email, Municipality: municipality, Errors: errs}
	if len(errs) > 0 {
		return s.renderAccounts(c, http.StatusUnprocessableEntity, page)
	}
	ctx, cancel := requestContext(c)
	defer cancel()
	u, secret, err := s.deps.Accounts.Invite(ctx, email, municipality, s.deps.InviteTTL)
	if errors.Is(err, account.ErrExists) {
		page.Errors["email"] = "sacct.err_exists"
		return s.renderAccounts(c, http.StatusConflict, page)
	}
	if err != nil {
		return err
	}
	c.Locals(auditLocal, fmt.Sprintf("bjöd in medlemmen %s (%s)", u.Email, u.Municipality))
	page = staffAccountsPage{Link: s.linkURL(c, "/invite", secret), LinkFor: u.Email, LinkKind: "sacct.kind_invite",
		LinkExpires: time.Now().Add(s.deps.InviteTTL)}
	if link, ok := s.mailableURL("/invite", secret); ok && s.deps.Mailer != nil {
		s.sendMail(u.Email, inviteSubject, inviteMail(link, u.Municipality, s.deps.InviteTTL))
		page.Mailed = true
	}
	return s.renderAccounts(c, http.StatusOK, page)
}

// managedAccount is the account named by :id, if the viewer may manage it.
func (s *Server) managedAccount(c *fiber.Ctx) (account.User, error) {
	ctx, cancel := requestContext(c)
	defer cancel()
	u, err := s.deps.Accounts.UserByID(ctx, c.Params("id"))
	if errors.Is(err, account.ErrNotFound) {
		return account.User{}, apperr.New(http.StatusNotFound, "not_found", "Kontot finns inte.")
	}
	if err != nil {
		return account.User{}, err
	}
	if !canManage(currentUser(c), u) {
		return account.User{}, apperr.New(http.StatusForbidden, "forbidden",
			"Du kan inte ändra det här kontot: redaktionen hanterar medlemskonton, administratörer alla konton, och ingen sitt eget här.")
	}
	return u, nil
}

// setAccountDisabled disables (ending its sessions at once) or enables
// an account.
func (s *Server) setAccountDisabled(disabled bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u, err := s.managedAccount(c)
		if err != nil {
			return err
		}
		ctx, cancel := requestContext(c)
		defer cancel()
		if _, err := s.deps.Accounts.SetDisabled(ctx, u.ID, disabled); err != nil {
			return err
		}
		verb, flash := "stängde av kontot ", s.tr(c, "flash.account_disabled", u.Email)
		if !disabled {
			verb, flash = "aktiverade kontot ", s.tr(c, "flash.account_enabled", u.Email)
		}
		c.Locals(auditLocal, verb+u.Email)
		s.setFlash(c, flash)
		return c.Redirect("/staff/accounts", http.StatusSeeOther)
	}
}

// issueResetLink makes a password-reset link (an invite link for an
// account that has not set a password yet) and shows it to copy.
func (s *Server) issueResetLink(c *fiber.Ctx) error {
	u, err := s.managedAccount(c)
	if err != nil {
		return err
	}
	if u.Disabled {
		return apperr.New(http.StatusConflict, "disabled", "Kontot är avstängt. Aktivera det först.")
	}
	ctx, cancel := requestContext(c)
	defer cancel()
	u, secret, err := s.deps.Accounts.ResetLink(ctx, u.ID, s.deps.ResetTTL)
	if err != nil {
		return err
	}
	path, kind, ttl := "/reset", "sacct.kind_reset", s.deps.ResetTTL
	if u.Status() == account.StatusInvited {
		path, kind = "/invite", "sacct.kind_reinvite"
	}
	c.Locals(auditLocal, "skapade en återställningslänk för "+u.Email)
	page := staffAccountsPage{Link: s.linkURL(c, path, secret), LinkFor: u.Email, LinkKind: kind, LinkExpires: time.Now().Add(ttl)}
	if link, ok := s.mailableURL(path, secret); ok && s.deps.Mailer != nil {
		if path == "/invite" {
			s.sendMail(u.Email, inviteSubject, inviteMail(link, u.Municipality, ttl))
		} else {
			s.sendMail(u.Email, resetSubject, resetMail(link, ttl))
		}
		page.Mailed = true
	}
	return s.renderAccounts(c, http.StatusOK, page)
}

const (
	inviteSubject = "Inbjudan till SmåKoms webbinariearkiv"
	resetSubject  = "Nytt lösenord till SmåKoms webbinariearkiv"
)

// ttlText says a link's lifetime in Swedish and English.
func ttlText(d time.Duration) (sv, en string) {
	if d >= 48*time.Hour && d%(24*time.Hour) == 0 {
		n := int(d / (24 * time.Hour))
		return fmt.Sprintf("%d dagar", n), fmt.Sprintf("%d days", n)
	}
	h := int((d + time.Hour - 1) / time.Hour)
	return fmt.Sprintf("%d timmar", h), fmt.Sprintf("%d hours", h)
}

func inviteMail(link, municipality string, ttl time.Duration) string {
	sv, en := ttlText(ttl)
	return fmt.Sprintf("Hej!\n\nDu är inbjuden som medlem (%s) till SmåKoms webbinariearkiv. "+
		"Öppna länken och välj ett lösenord:\n\n%s\n\nLänken gäller i %s och fungerar en gång.\n\n"+
		"--\n\nYou are invited as a member to SmåKom's webinar archive. Open the link above and choose a password. "+
		"The link works once, for %s.\n", municipality, link, sv, en)
}

func resetMail(link string, ttl time.Duration) string {
	sv, en := ttlText(ttl)
	return fmt.Sprintf("Hej!\n\nNågon (förhoppningsvis du) har bett om ett nytt lösenord till SmåKoms webbinariearkiv. "+
		"Öppna länken och välj ett nytt lösenord:\n\n%s\n\nLänken gäller i %s och fungerar en gång. "+
		"Har du inte bett om det kan du strunta i det här mejlet; ditt lösenord är oförändrat.\n\n"+
		"--\n\nSomeone (hopefully you) asked for a new password for SmåKom's webinar archive. Open the link above "+
		"to choose one. It works once, for %s. If it was not you, ignore this mail.\n", link, sv, en)
}
