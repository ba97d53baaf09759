package server

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/smakom/webinar-portal/internal/account"
)

func TestAccessControl(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	draft := api.createWebinar("Utkast om vatten", "draft")
	members := api.createWebinar("Endast för medlemmar", "members")
	clip := fakeMP4(0)
	for _, slug := range []string{draft, members} {
		expectStatus(t, api.put("/api/v1/webinars/"+slug+"/recording", bytes.NewReader(clip), int64(len(clip))), http.StatusOK)
		expectStatus(t, api.put("/api/v1/webinars/"+slug+"/subtitles/sv", strings.NewReader(svSRT), int64(len(svSRT))), http.StatusOK)
		expectStatus(t, api.put("/api/v1/webinars/"+slug+"/slides?filename=bilder.pdf", strings.NewReader("%PDF-1.4\nx"), 10), http.StatusOK)
	}
	anon := p.anonymous()
	member := p.loginAs(account.RoleMember)
	staff := p.loginAs(account.RoleStaff)

	paths := func(slug string) []string {
		return []string{"/webinars/" + slug, "/webinars/" + slug + "/recording", "/webinars/" + slug + "/slides/1",
			"/webinars/" + slug + "/subtitles/sv.vtt", "/webinars/" + slug + "/subtitles/sv.srt", "/webinars/" + slug + "/poster",
			"/api/v1/webinars/" + slug}
	}
	t.Run("draft hidden from anonymous and members", func(t *testing.T) {
		for _, path := range paths(draft) {
			expectStatus(t, anon.get(path), http.StatusNotFound)
			expectStatus(t, member.get(path), http.StatusNotFound)
			expectStatus(t, staff.get(path), http.StatusOK)
		}
	})
	t.Run("members-only hidden from anonymous", func(t *testing.T) {
		for _, path := range paths(members) {
			expectStatus(t, anon.get(path), http.StatusNotFound)
			expectStatus(t, member.get(path), http.StatusOK)
		}
		if strings.Contains(anon.get("/").text(), members) {
			t.Error("catalogue lists a members-only webinar to an anonymous visitor")
		}
		if !strings.Contains(member.get("/").text(), members) {
			t.Error("catalogue hides a members-only webinar from a member")
		}
		if strings.Contains(member.get("/").text(), draft) {
			t.Error("catalogue lists a draft to a member")
		}
	})
	t.Run("staff pages refused", func(t *testing.T) {
		for _, path := range []string{"/staff", "/staff/webinars/new", "/staff/wishes", "/staff/webinars/" + draft + "/edit"} {
			r := anon.get(path)
			expectStatus(t, r, http.StatusSeeOther)
			expectStatus(t, member.get(path), http.StatusForbidden)
		}
		r := member.postForm("/staff/webinars/"+draft+"/publish", url.Values{})
		expectStatus(t, r, http.StatusForbidden)
		r = member.postFile("/staff/webinars/"+draft+"/recording", nil, "x.mp4", fakeMP4(1000), true)
		expectStatus(t, r, http.StatusForbidden)
	})
	t.Run("staff API refused", func(t *testing.T) {
		r := anon.sendJSON(http.MethodPost, "/api/v1/webinars", map[string]string{"title": "x"})
		expectStatus(t, r, http.StatusUnauthorized)
		expectContains(t, r, `"error"`, `"code":"unauthorized"`)
		expectStatus(t, anon.put("/api/v1/webinars/"+draft+"/recording", strings.NewReader("x"), 1), http.StatusUnauthorized)
		expectStatus(t, anon.get("/api/v1/wishes"), http.StatusUnauthorized)
		bad := &client{p: p, cookies: map[string]string{}, token: "smk_not-a-token"}
		expectStatus(t, bad.get("/api/v1/wishes"), http.StatusUnauthorized)
		r = member.sendJSON(http.MethodDelete, "/api/v1/webinars/"+draft, nil)
		expectStatus(t, r, http.StatusForbidden)
	})
	t.Run("missing CSRF token refused", func(t *testing.T) {
		r := staff.postForm("/staff/webinars/"+draft+"/publish", url.Values{"_csrf": {""}})
		expectStatus(t, r, http.StatusForbidden)
		expectContains(t, r, "säkerhetskod")
		r = staff.postForm("/staff/webinars/"+draft+"/publish", url.Values{"_csrf": {"wrong-token-wrong-token-wrong-token"}})
		expectStatus(t, r, http.StatusForbidden)
		r = staff.postFile("/staff/webinars/"+draft+"/recording", nil, "x.mp4", fakeMP4(1000), false)
		expectStatus(t, r, http.StatusForbidden)
		r = anon.postForm("/wishes", url.Values{"topic": {"Vatten"}, "_csrf": {""}})
		expectStatus(t, r, http.StatusForbidden)
		// A session-authenticated API call needs the header.
		r = staff.sendJSON(http.MethodPatch, "/api/v1/webinars/"+draft, map[string]string{"title": "Ny"})
		expectStatus(t, r, http.StatusForbidden)
		// The draft is still a draft.
		expectStatus(t, anon.get("/webinars/"+draft), http.StatusNotFound)
	})
	t.Run("staff with CSRF publishes", func(t *testing.T) {
		r := staff.postForm("/staff/webinars/"+draft+"/publish", url.Values{})
		expectStatus(t, r, http.StatusSeeOther)
		expectStatus(t, anon.get("/webinars/"+draft), http.StatusOK)
		r = staff.postForm("/staff/webinars/"+draft+"/unpublish", url.Values{})
		expectStatus(t, r, http.StatusSeeOther)
		expectStatus(t, anon.get("/webinars/"+draft), http.StatusNotFound)
	})
}
