package server

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/account"
	"github.com/smakom/webinar-portal/internal/apperr"
)

// staffTokensPage lists API tokens (never a secret or a hash, only the
// reference), makes new ones and shows a new token once, to copy. Staff
// see their own tokens, admins everyone's.
type staffTokensPage struct {
	Base
	Tokens []account.TokenInfo
	All    bool // the viewer is an admin and sees every token
	// Form value and error of the create form.
	Name, NameError string
	// A token just made, shown this once.
	NewSecret, NewName string
}

// tokenRoutes adds the staff pages for API tokens.
func (s *Server) tokenRoutes(staff fiber.Router) {
	staff.Get("/tokens", s.listTokens)
	staff.Post("/tokens", s.createToken)
	staff.Post("/tokens/:ref/revoke", s.revokeToken)
}

// tokenOwnerFilter is whose tokens the viewer manages: an admin every
// token (""), staff their own.
func tokenOwnerFilter(c *fiber.Ctx) string {
	u := currentUser(c)
	if u.Role == account.RoleAdmin {
		return ""
	}
	return u.ID
}

func (s *Server) renderTokens(c *fiber.Ctx, status int, page staffTokensPage) error {
	ctx, cancel := requestContext(c)
	defer cancel()
	owner := tokenOwnerFilter(c)
	tokens, err := s.deps.Accounts.ListTokensOf(ctx, owner)
	if err != nil {
		return err
	}
	page.Base = s.base(c, s.tr(c, "staff.title_tokens"), "staff")
	page.Tokens, page.All = tokens, owner == ""
	return s.render(c, status, "staff_tokens", page)
}

func (s *Server) listTokens(c *fiber.Ctx) error {
	return s.renderTokens(c, http.StatusOK, staffTokensPage{})
}

// createToken makes a token for the viewer and shows it once; the page
// is not cached and the token is never stored or logged.
func (s *Server) createToken(c *fiber.Ctx) error {
	name := strings.TrimSpace(c.FormValue("name"))
	if name == "" || len([]rune(name)) > account.MaxTokenName {
		return s.renderTokens(c, http.StatusUnprocessableEntity, staffTokensPage{Name: name,
			NameError: s.tr(c, "stok.name_error", account.MaxTokenName)})
	}
	ctx, cancel := requestContext(c)
	defer cancel()
	secret, info, err := s.deps.Accounts.CreateTokenFor(ctx, currentUser(c).ID, name)
	if err != nil {
		return err
	}
	c.Locals(auditLocal, fmt.Sprintf("skapade API-nyckeln ”%s” (%s) för %s", info.Name, info.Ref, info.Email))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.renderTokens(c, http.StatusOK, staffTokensPage{NewSecret: secret, NewName: info.Name})
}

// revokeToken deletes a token; it stops working at once. Staff revoke
// their own tokens, admins anyone's.
func (s *Server) revokeToken(c *fiber.Ctx) error {
	ctx, cancel := requestContext(c)
	defer cancel()
	t, err := s.deps.Accounts.RevokeTokenOf(ctx, c.Params("ref"), tokenOwnerFilter(c))
	switch {
	case errors.Is(err, account.ErrNotOwner):
		return apperr.New(http.StatusForbidden, "forbidden", "Du kan bara återkalla dina egna API-nycklar. Be en administratör om hjälp.")
	case errors.Is(err, account.ErrNotFound):
		return apperr.New(http.StatusNotFound, "not_found", "API-nyckeln finns inte (den kan redan vara återkallad).")
	case errors.Is(err, account.ErrAmbiguous):
		return apperr.New(http.StatusBadRequest, "ambiguous", "Referensen passar flera nycklar.")
	case errors.Is(err, account.ErrBadRef):
		return apperr.New(http.StatusBadRequest, "bad_ref", "Ogiltig referens till en API-nyckel.")
	case err != nil:
		return err
	}
	c.Locals(auditLocal, fmt.Sprintf("drog in API-nyckeln ”%s” (%s) för %s", t.Name, t.Ref, t.Email))
	s.setFlash(c, s.tr(c, "flash.token_revoked", t.Name))
	return c.Redirect("/staff/tokens", http.StatusSeeOther)
}

func init() { pageNames = append(pageNames, "staff_tokens") }
