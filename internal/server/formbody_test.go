package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestFormBodyLimitIsConfigurable: FORM_BODY_LIMIT (Deps.FormBodyLimit)
// bounds forms and JSON bodies read whole: past it a
// 413 names the limit (JSON under /api/), and nothing is stored; below it
// the request goes through. Without the setting the limit is 1 MiB.
func TestFormBodyLimitIsConfigurable(t *testing.T) {
	p := newPortal(t, func(d *Deps) { d.FormBodyLimit = 16 << 10 })
	anon := p.anonymous()
	anon.get("/wishes/new")

	r := anon.postForm("/wishes", url.Values{"topic": {"Stort formulär"}, "email": {"a@kommun.se"}, "details": {strings.Repeat("x", 20<<10)}})
	expectStatus(t, r, http.StatusRequestEntityTooLarge)
	expectContains(t, r, "högst 16 KB")
	r = anon.postForm("/wishes", url.Values{"topic": {"Litet formulär"}, "details": {strings.Repeat("x", 8<<10)}})
	if r.StatusCode == http.StatusRequestEntityTooLarge {
		t.Fatalf("an 8 KiB form under a 16 KiB limit: %d", r.StatusCode)
	}

	api := p.apiClient()
	r = api.sendJSON(http.MethodPost, "/api/v1/webinars", map[string]string{"title": "För stor", "summary": strings.Repeat("å", 10<<10)})
	expectStatus(t, r, http.StatusRequestEntityTooLarge)
	expectContains(t, r, `"code":"too_large"`, "högst 16 KB")
	if list := api.get("/api/v1/webinars"); strings.Contains(list.text(), "För stor") {
		t.Errorf("a refused body was stored: %.500s", list.Body)
	}
	r = api.sendJSON(http.MethodPost, "/api/v1/webinars", map[string]string{"title": "Lagom", "summary": strings.Repeat("x", 400)})
	expectStatus(t, r, http.StatusCreated)

	// The default: 1 MiB, so the same 20 KiB form is no problem.
	d := newPortal(t).anonymous()
	d.get("/wishes/new")
	r = d.postForm("/wishes", url.Values{"topic": {"Stort formulär"}, "details": {strings.Repeat("x", 20<<10)}})
	if r.StatusCode == http.StatusRequestEntityTooLarge {
		t.Errorf("a 20 KiB form under the default limit: %d", r.StatusCode)
	}
	r = d.postForm("/wishes", url.Values{"topic": {"x"}, "details": {strings.Repeat("x", 2<<20)}})
	expectStatus(t, r, http.StatusRequestEntityTooLarge)
	expectContains(t, r, "högst 1 MB")
}
