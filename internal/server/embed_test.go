package server

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
)

func TestEmbedOnlyForWebinarsAnyoneMayWatch(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	clip := fakeMP4(2048)
	withRecording := func(title, vis string) string {
		slug := api.createWebinar(title, vis)
		expectStatus(t, api.put("/api/v1/webinars/"+slug+"/recording", bytes.NewReader(clip), int64(len(clip))), http.StatusOK)
		return slug
	}
	public := withRecording("Öppet webbinarium", "public")
	members := withRecording("Medlemsträff", "members")
	draft := withRecording("Utkast", "draft")
	empty := api.createWebinar("Utan inspelning", "public")
	srt := "1\n00:00:01,000 --> 00:00:02,000\nHej & välkomna <b>alla</b>\n"
	expectStatus(t, api.put("/api/v1/webinars/"+public+"/subtitles/sv", strings.NewReader(srt), int64(len(srt))), http.StatusOK)

	anon := p.anonymous()
	r := anon.get("/webinars/" + public + "/embed?t=1")
	expectStatus(t, r, http.StatusOK)
	body := string(r.Body)
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors *") {
		t.Errorf("embed CSP %q does not allow framing", csp)
	}
	for _, want := range []string{`/webinars/` + public + `/recording#t=1`, `srclang="sv"`, ` default>`, `target="_blank"`} {
		if !strings.Contains(body, want) {
			t.Errorf("embed lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "<header") || strings.Contains(body, "/logout") || strings.Contains(body, "<form") {
		t.Error("the embed carries the site's header or a form")
	}
	// The watch page itself may not be framed by others.
	if csp := anon.get("/webinars/" + public).Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'self'") {
		t.Errorf("watch page CSP %q", csp)
	}

	member := p.loginAs("member")
	for _, slug := range []string{members, draft, empty} {
		expectStatus(t, anon.get("/webinars/"+slug+"/embed"), http.StatusNotFound)
		// Not even for someone who may watch it on the site.
		expectStatus(t, member.get("/webinars/"+slug+"/embed"), http.StatusNotFound)
	}
}

func TestWatchPageDescribesItselfForLinkPreviews(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	public := api.createWebinar("Vatten & avlopp", "public")
	members := api.createWebinar("Medlemsträff", "members")
	clip := fakeMP4(2048)
	expectStatus(t, api.put("/api/v1/webinars/"+public+"/recording", bytes.NewReader(clip), int64(len(clip))), http.StatusOK)

	body := string(p.anonymous().get("/webinars/" + public).Body)
	for _, want := range []string{
		`<meta property="og:title" content="Vatten &amp; avlopp">`,
		`<meta property="og:image" content="http://example.com/webinars/` + public + `/poster">`,
		`<meta property="og:video" content="http://example.com/webinars/` + public + `/recording">`,
		`<meta property="og:description" content="Sammanfattning">`,
		`<link rel="alternate" type="application/rss+xml"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("watch page lacks %s", want)
		}
	}
	body = string(p.loginAs("member").get("/webinars/" + members).Body)
	if strings.Contains(body, "og:title") {
		t.Error("a members-only page describes itself for link previews")
	}
}
