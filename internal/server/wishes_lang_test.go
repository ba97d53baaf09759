package server

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/smakom/webinar-portal/internal/account"
	"github.com/smakom/webinar-portal/internal/wish"
)

// The webinar that answers a wish is linked with its own language, not
// a fixed Swedish one (WCAG 3.1.2).
func TestWishAnswerLinksWebinarInItsOwnLanguage(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	english := api.createWebinar("Water supply in small municipalities", "public")
	expectStatus(t, api.sendJSON(http.MethodPatch, "/api/v1/webinars/"+english, map[string]any{"language": "en"}), http.StatusOK)
	swedish := api.createWebinar("Reservvatten i praktiken", "public")
	first := p.addWish(wish.Input{Topic: "Vatten på engelska"})
	second := p.addWish(wish.Input{Topic: "Vatten på svenska"})
	staff := p.loginAs(account.RoleStaff)
	expectStatus(t, staff.postForm("/staff/wishes/"+first, url.Values{"status": {"done"}, "webinar": {english}}), http.StatusSeeOther)
	expectStatus(t, staff.postForm("/staff/wishes/"+second, url.Values{"status": {"done"}, "webinar": {swedish}}), http.StatusSeeOther)

	anon := p.anonymous()
	expectContains(t, anon.get("/wishes?lang=sv"), `<a href="/webinars/`+english+`" lang="en">`, `<a href="/webinars/`+swedish+`">`)
	expectContains(t, anon.get("/wishes?lang=en"), `<a href="/webinars/`+english+`">`, `<a href="/webinars/`+swedish+`" lang="sv">`)
}
