package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/smakom/webinar-portal/internal/account"
)

func TestMembersResumeWhereTheyStopped(t *testing.T) {
	p := newPortal(t) // with the portal's position store
	api := p.apiClient()
	slug := api.createWebinar("Långt webbinarium", "members")
	clip := fakeMP4(4096)
	expectStatus(t, api.put("/api/v1/webinars/"+slug+"/recording", bytes.NewReader(clip), int64(len(clip))), http.StatusOK)
	// The clip is 14 s long.

	member := p.loginAs(account.RoleMember)
	save := func(c *client, body string, csrf bool) response {
		req := httptest.NewRequest(http.MethodPut, "/api/v1/me/positions/"+slug, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if csrf {
			req.Header.Set("X-CSRF-Token", c.cookies[csrfCookie])
		}
		return c.do(req)
	}
	page := member.get("/webinars/" + slug)
	if !strings.Contains(string(page.Body), `data-position-url="/api/v1/me/positions/`+slug+`"`) {
		t.Fatal("the player of a logged-in member does not save its position")
	}
	expectStatus(t, save(member, `{"seconds": 7.5}`, false), http.StatusForbidden) // no CSRF token
	expectStatus(t, save(member, `{"seconds": 7.5}`, true), http.StatusNoContent)
	for _, bad := range []string{`{}`, `{"seconds": -1}`, `{"seconds": 16}`, `{"seconds": 99999}`, `nonsense`} {
		expectStatus(t, save(member, bad, true), http.StatusBadRequest)
	}
	page = member.get("/webinars/" + slug)
	body := string(page.Body)
	if !strings.Contains(body, `/recording#t=7.5"`) || !strings.Contains(body, "Du fortsätter där du slutade, vid 0:07.") || !strings.Contains(body, `href="?t=0"`) {
		t.Errorf("the page does not resume at 0:07:\n%s", body)
	}
	// ?t= wins over the saved position, and ?t=0 starts from the beginning.
	if body := string(member.get("/webinars/" + slug + "?t=0").Body); strings.Contains(body, "#t=") {
		t.Error("?t=0 still resumes")
	}

	// Positions are per person: another member starts from the start, and
	// an anonymous visitor can neither save nor see the members-only page.
	other := p.loginAs(account.RoleMember)
	if strings.Contains(string(other.get("/webinars/"+slug).Body), "#t=") {
		t.Error("another member resumes at the first member's position")
	}
	expectStatus(t, save(p.anonymous(), `{"seconds": 5}`, true), http.StatusUnauthorized)

	// Positions near the end are not worth resuming.
	expectStatus(t, save(member, `{"seconds": 13.5}`, true), http.StatusNoContent)
	if strings.Contains(string(member.get("/webinars/"+slug).Body), "#t=") {
		t.Error("resumes half a second before the end")
	}
	var res struct{ Error struct{ Code string } }
	_ = json.Unmarshal(save(member, `{"seconds": -3}`, true).Body, &res)
	if res.Error.Code != "seconds" {
		t.Errorf("error code %q", res.Error.Code)
	}
}
