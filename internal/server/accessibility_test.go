package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestAccessibilityStatement(t *testing.T) {
	p := newPortal(t)
	anon := p.anonymous()

	t.Run("Swedish statement with DIGG's parts", func(t *testing.T) {
		r := anon.get("/tillganglighet")
		expectStatus(t, r, http.StatusOK)
		expectContains(t, r, `<html lang="sv">`, "<h1>Tillgänglighet för SmåKoms webbinariearkiv</h1>",
			"delvis förenlig med lagen", "Innehåll som inte är tillgängligt", "Presentationer (PDF och PowerPoint)",
			`<h2 id="h-report">`, `action="/wishes"`, `name="category" value="a11y"`,
			`href="https://www.digg.se/tdosanmalan"`, `<time datetime="2026-11-26">26 november 2026</time>`,
			`<a href="/tillganglighet" aria-current="page">Tillgänglighetsredogörelse</a>`)
	})
	t.Run("English with ?lang=en", func(t *testing.T) {
		r := p.anonymous().get("/tillganglighet?lang=en")
		expectStatus(t, r, http.StatusOK)
		expectContains(t, r, `<html lang="en">`, "<h1>Accessibility of SmåKom’s webinar archive</h1>",
			"partially compliant", "Enforcement procedure", "26 November 2026", ">Accessibility statement</a>")
	})
	t.Run("every page's footer links to it", func(t *testing.T) {
		for _, path := range []string{"/", "/wishes/new", "/wishes", "/login", "/no-such-page"} {
			r := anon.get(path)
			if !strings.Contains(r.text(), `<a href="/tillganglighet">Tillgänglighetsredogörelse</a>`) {
				t.Errorf("%s (%d) has no footer link to the accessibility statement", path, r.StatusCode)
			}
		}
	})
	t.Run("a report becomes a wish marked for accessibility", func(t *testing.T) {
		r := anon.postForm("/wishes", url.Values{"category": {"a11y"}, "topic": {"Sökrutan"}, "details": {"Ingen etikett i skärmläsaren."}})
		expectStatus(t, r, http.StatusSeeOther)
		list, err := p.srv.deps.Wishes.List(t.Context(), "")
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, w := range list {
			found = found || w.Topic == "Tillgänglighet: Sökrutan"
		}
		if !found {
			t.Errorf("no wish with topic %q among %+v", "Tillgänglighet: Sökrutan", list)
		}
		// An empty report is refused like an empty wish.
		r = anon.postForm("/wishes", url.Values{"category": {"a11y"}, "topic": {""}})
		expectStatus(t, r, http.StatusUnprocessableEntity)
	})
}
