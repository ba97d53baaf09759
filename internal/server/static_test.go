package server

import (
	"bytes"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// Static files are linked by content hash and cached for a year; text
// answers are compressed, media never.
func TestStaticCachingAndCompression(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	slug := api.createWebinar("Komprimering och cache", "public")
	anon := p.anonymous()

	if got := anon.get("/", "Accept-Encoding", "br, gzip").Header.Get("Content-Encoding"); got != "br" {
		t.Errorf("catalogue page Content-Encoding %q; want br", got)
	}
	page := anon.get("/")
	expectStatus(t, page, http.StatusOK)
	css := regexp.MustCompile(`href="(/static/portal\.[0-9a-f]{10}\.css)"`).FindStringSubmatch(page.text())
	if css == nil {
		t.Fatalf("the layout does not link a fingerprinted portal.css:\n%s", page.text())
	}
	r := anon.get(css[1], "Accept-Encoding", "gzip")
	expectStatus(t, r, http.StatusOK)
	if cc := r.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
		t.Errorf("%s Cache-Control %q; want a year, immutable", css[1], cc)
	}
	if ce := r.Header.Get("Content-Encoding"); ce != "gzip" {
		t.Errorf("%s Content-Encoding %q; want gzip", css[1], ce)
	}
	if !strings.Contains(r.Header.Get("Vary"), "Accept-Encoding") {
		t.Errorf("%s Vary %q; want Accept-Encoding", css[1], r.Header.Get("Vary"))
	}
	// The plain name still answers (pages rendered before a deploy), but
	// is not cached for long; a wrong hash is not found.
	r = anon.get("/static/portal.css")
	expectStatus(t, r, http.StatusOK)
	if cc := r.Header.Get("Cache-Control"); strings.Contains(cc, "immutable") {
		t.Errorf("/static/portal.css Cache-Control %q; want no immutable", cc)
	}
	expectStatus(t, anon.get("/static/portal.0000000000.css"), http.StatusNotFound)

	// Media go out as they are, whole or in ranges.
	clip := fakeMP4(256 << 10)
	expectStatus(t, api.put("/api/v1/webinars/"+slug+"/recording", bytes.NewReader(clip), int64(len(clip))), http.StatusOK)
	for _, h := range [][]string{{"Accept-Encoding", "br, gzip"}, {"Accept-Encoding", "br, gzip", "Range", "bytes=0-99"}} {
		r := anon.get("/webinars/"+slug+"/recording", h...)
		if r.StatusCode != http.StatusOK && r.StatusCode != http.StatusPartialContent {
			t.Fatalf("recording %v: %d", h, r.StatusCode)
		}
		if ce := r.Header.Get("Content-Encoding"); ce != "" {
			t.Errorf("recording %v has Content-Encoding %q; want none", h, ce)
		}
	}
}
