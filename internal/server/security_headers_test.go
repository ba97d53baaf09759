package server

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/smakom/webinar-portal/internal/webinar"
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
	expectStatus(t, api.put("/api/v1/webinars/"+slug+"/subtitles/sv", strings.NewReader(svSRT), int64(len(svSRT))), http.StatusOK)
	if _, err := p.webinars.SetChapters(context.Background(), slug, []webinar.ChapterRow{{Start: "0:00", Title: "Inledning"}}, nil); err != nil {
		t.Fatal(err)
	}
	anon := p.anonymous()

	framed := map[string]bool{"/webinars/" + slug + "/embed": true}
	base := "/webinars/" + slug
	// Files get a policy of their own: nothing runs, nothing loads, a
	// sandbox when opened alone, framed only by the portal.
	files := map[string]bool{base + "/recording": true, base + "/poster": true, base + "/slides/1": true,
		base + "/slides/1?download=1": true, base + "/subtitles/sv.vtt": true, base + "/subtitles/sv.srt": true,
		base + "/chapters.vtt": true}
	paths := []string{"/", base, "/webinars/finns-inte", "/wishes/new", "/login", "/static/portal.css",
		"/api/v1/webinars", "/api/v1/webinars/finns-inte", "/feeds/webinars.rss", base + "/embed",
		base + "/slides/9", base + "/subtitles/de.vtt"}
	for f := range files {
		paths = append(paths, f)
	}
	for _, path := range paths {
		r := anon.get(path)
		if r.StatusCode >= 500 {
			t.Errorf("GET %s: %d", path, r.StatusCode)
			continue
		}
		if files[path] && r.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d, want the file", path, r.StatusCode)
		}
		h := r.Header
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "same-origin" {
			t.Errorf("GET %s (%d): X-Content-Type-Options %q, Referrer-Policy %q", path, r.StatusCode, h.Get("X-Content-Type-Options"), h.Get("Referrer-Policy"))
		}
		csp := h.Get("Content-Security-Policy")
		if files[path] {
			want := []string{"default-src 'none'", "sandbox", "frame-ancestors 'self'", "form-action 'none'", "base-uri 'none'"}
			ct := h.Get("Content-Type")
			if strings.HasPrefix(ct, "video/") {
				// Without the sandbox, which would stop a video opened alone.
				want = []string{"default-src 'none'", "media-src 'self'", "frame-ancestors 'self'", "form-action 'none'", "base-uri 'none'"}
			}
			for _, d := range want {
				if !strings.Contains(csp, d) {
					t.Errorf("GET %s (%s): Content-Security-Policy %q lacks %s", path, ct, csp, d)
				}
			}
			unsafe := strings.Contains(csp, "unsafe")
			if strings.HasPrefix(ct, "image/") {
				// The browser's page for an image styles it inline.
				unsafe = strings.Count(csp, "unsafe") != 1 || !strings.Contains(csp, "style-src 'unsafe-inline'")
			}
			if strings.Contains(csp, "script-src") || unsafe || strings.Contains(csp, "allow-") {
				t.Errorf("GET %s: the file's policy lets something run: %q", path, csp)
			}
			if h.Get("X-Frame-Options") != "SAMEORIGIN" {
				t.Errorf("GET %s: X-Frame-Options %q", path, h.Get("X-Frame-Options"))
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
	// HEAD and ranges of a file carry the same policy.
	for _, c := range []struct {
		r    response
		want string
	}{{anon.head(base + "/recording"), recordingCSP}, {anon.get(base+"/recording", "Range", "bytes=0-99"), recordingCSP},
		{anon.get(base+"/slides/1", "Range", "bytes=0-9"), fileCSP}} {
		if r, csp := c.r, c.r.Header.Get("Content-Security-Policy"); csp != c.want {
			t.Errorf("%s %s (%d): Content-Security-Policy %q", r.Request.Method, r.Request.URL, r.StatusCode, csp)
		}
	}
	// A page's <object> may show only the portal's own files (the slide
	// PDF on the watch page); scripts and plugins from elsewhere never.
	if csp := anon.get(base).Header.Get("Content-Security-Policy"); !strings.Contains(csp, "object-src 'self'") {
		t.Errorf("watch page: Content-Security-Policy %q", csp)
	}
	if hsts := anon.get("/").Header.Get("Strict-Transport-Security"); hsts != "" {
		t.Errorf("HSTS over plain HTTP: %q", hsts)
	}
}
