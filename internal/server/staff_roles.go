package server

import (
	"errors"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/account"
	"github.com/smakom/webinar-portal/internal/apperr"
)

// roleNames are the roles as the change log and API errors say them
// (both Swedish).
var roleNames = map[account.Role]string{
	account.RoleAdmin:  "Administratör",
	account.RoleStaff:  "Redaktion",
	account.RoleMember: "Medlem",
}

// RoleChoices are the roles in the order the role form offers them.
func (staffAccountsPage) RoleChoices() []account.Role {
	return []account.Role{account.RoleMember, account.RoleStaff, account.RoleAdmin}
}

// RoleName says a role in the page's language.
func (p staffAccountsPage) RoleName(r account.Role) string { return p.T("sacct.role_" + string(r)) }

// CanChangeRole: admins change the role of every account but their own.
func (p staffAccountsPage) CanChangeRole(u account.User) bool {
	return p.User != nil && p.User.Role == account.RoleAdmin && p.User.ID != u.ID
}

// changeRole gives an account another role (admins only, never their
// own, and never the last admin away). The account's sessions end, so
// the old role's rights do not linger in an open browser.
func (s *Server) changeRole(c *fiber.Ctx) error {
	me := currentUser(c)
	if me.Role != account.RoleAdmin {
		return apperr.New(http.StatusForbidden, "forbidden", "Bara administratörer kan ändra roller.")
	}
	ctx, cancel := requestContext(c)
	defer cancel()
	u, err := s.deps.Accounts.UserByID(ctx, c.Params("id"))
	if errors.Is(err, account.ErrNotFound) {
		return apperr.New(http.StatusNotFound, "not_found", "Kontot finns inte.")
	}
	if err != nil {
		return err
	}
	if u.ID == me.ID {
		return apperr.New(http.StatusForbidden, "forbidden", "Du kan inte ändra din egen roll. Be en annan administratör.")
	}
	role, err := account.ParseRole(c.FormValue("role"))
	if err != nil {
		return apperr.New(http.StatusUnprocessableEntity, "bad_role", "Välj rollen Medlem, Redaktion eller Administratör.")
	}
	old, err := s.deps.Accounts.SetRole(ctx, u.ID, role)
	switch {
	case errors.Is(err, account.ErrSameRole):
		return apperr.New(http.StatusConflict, "same_role", "Kontot "+u.Email+" har redan rollen "+roleNames[role]+".")
	case errors.Is(err, account.ErrLastAdmin):
		return apperr.New(http.StatusConflict, "last_admin", "Portalen behöver minst en aktiv administratör: ge först någon annan rollen Administratör.")
	case err != nil:
		return err
	}
	c.Locals(auditLocal, "ändrade rollen för "+u.Email+" från "+roleNames[old.Role]+" till "+roleNames[role])
	s.setFlash(c, s.tr(c, "flash.role_changed", u.Email, translate(s.pageLang(c), "sacct.role_"+string(role))))
	return c.Redirect("/staff/accounts", http.StatusSeeOther)
}
