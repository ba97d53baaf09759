package server

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
)

// TestSecurityHeaders: every kind of answer carries the security
// headers, and only the embed page may be framed by other sites.
func TestSecurityHeaders(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	slug := api.createWebinar("Rubriker", "public")
	video := fakeMP4(300_000)
	expectStatus(t, api.put("/api/v1/webinars/"+slug+"/recording", bytes.NewReader(video), int64(len(video))), http.StatusOK)
	expectStatus(t, api.put("/api/v1/webinars/"+slug+"/slides?filename=bilder.pdf", strings.NewReader(tinyPDF), int64(len(tinyPDF))), http.StatusOK)
	anon := p.anonymous()

	framed := map[string]bool{"/webinars/" + slug + "/embed": true}
	for _, path := range []string{
		"/", "/webinars/" + slug, "/webinars/finns-inte", "/wishes/new", "/login", "/static/portal.css",
		"/api/v1/webinars", "/api/v1/webinars/finns-inte", "/feeds/webinars.rss", "/webinars/" + slug + "/recording",
		"/webinars/" + slug + "/poster", "/webinars/" + slug + "/embed", "/webinars/" + slug + "/slides/1",
	} {
		r := anon.get(path)
		if r.StatusCode >= 500 {
			t.Errorf("GET %s: %d", path, r.StatusCode)
			continue
		}
		h := r.Header
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "same-origin" {
			t.Errorf("GET %s (%d): X-Content-Type-Options %q, Referrer-Policy %q", path, r.StatusCode, h.Get("X-Content-Type-Options"), h.Get("Referrer-Policy"))
		}
		csp := h.Get("Content-Security-Policy")
		if strings.HasPrefix(h.Get("Content-Type"), "application/pdf") {
			if csp != "" {
				t.Errorf("GET %s: a PDF with a page policy (%q) would not open in the browser's viewer", path, csp)
			}
			continue
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") || !strings.Contains(csp, "default-src 'self'") {
			t.Errorf("GET %s: Content-Security-Policy %q", path, csp)
		}
		if framed[path] {
			if !strings.Contains(csp, "frame-ancestors *") || h.Get("X-Frame-Options") != "" {
				t.Errorf("GET %s: the embed page cannot be framed: CSP %q, X-Frame-Options %q", path, csp, h.Get("X-Frame-Options"))
			}
		} else if !strings.Contains(csp, "frame-ancestors 'self'") || h.Get("X-Frame-Options") != "SAMEORIGIN" {
			t.Errorf("GET %s: other sites may frame it: CSP %q, X-Frame-Options %q", path, csp, h.Get("X-Frame-Options"))
		}
	}
	if hsts := anon.get("/").Header.Get("Strict-Transport-Security"); hsts != "" {
		t.Errorf("HSTS over plain HTTP: %q", hsts)
	}
}
