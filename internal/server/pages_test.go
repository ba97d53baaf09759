package server

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/smakom/webinar-portal/internal/account"
)

func TestPublicPages(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	slug := api.createWebinar("Sveriges nästa potentiella samhällskris – vattenförsörjningen", "public")
	expectStatus(t, api.put("/api/v1/webinars/"+slug+"/recording", bytes.NewReader(demoClip), int64(len(demoClip))), http.StatusOK)
	expectStatus(t, api.put("/api/v1/webinars/"+slug+"/subtitles/sv", strings.NewReader(svSRT), int64(len(svSRT))), http.StatusOK)
	anon := p.anonymous()

	t.Run("catalogue", func(t *testing.T) {
		r := anon.get("/")
		expectStatus(t, r, http.StatusOK)
		expectContains(t, r, `<html lang="sv">`, "Sveriges nästa potentiella samhällskris", "Textad", "6 maj 2024", "/webinars/"+slug)
	})
	t.Run("catalogue filters", func(t *testing.T) {
		expectContains(t, anon.get("/?topic=Vatten"), "/webinars/"+slug)
		expectContains(t, anon.get("/?year=2024"), "/webinars/"+slug)
		r := anon.get("/?year=2019")
		expectStatus(t, r, http.StatusOK)
		if strings.Contains(r.text(), "/webinars/"+slug) {
			t.Error("year filter 2019 still lists a 2024 webinar")
		}
		expectStatus(t, anon.get("/?page=abc&year=x"), http.StatusOK)
	})
	t.Run("watch page", func(t *testing.T) {
		r := anon.get("/webinars/" + slug)
		expectStatus(t, r, http.StatusOK)
		expectContains(t, r, "<video", `src="/webinars/`+slug+`/recording"`, `srclang="sv"`, `/subtitles/sv.vtt`, " default", "Ulf Thysell", "strateg", "Svenskt Vatten")
	})
	t.Run("subtitles vtt and srt", func(t *testing.T) {
		r := anon.get("/webinars/" + slug + "/subtitles/sv.vtt")
		expectStatus(t, r, http.StatusOK)
		if ct := r.Header.Get("Content-Type"); ct != "text/vtt; charset=utf-8" {
			t.Errorf("content type %q", ct)
		}
		expectContains(t, r, "WEBVTT", "00:00:01.000 --> 00:00:03.500", "vattenförsörjning", "Åtgärder")
		r = anon.get("/webinars/" + slug + "/subtitles/sv.srt")
		expectStatus(t, r, http.StatusOK)
		expectContains(t, r, "00:00:01,000 --> 00:00:03,500", "Åtgärder")
		expectStatus(t, anon.get("/webinars/"+slug+"/subtitles/en.vtt"), http.StatusNotFound)
		expectStatus(t, anon.get("/webinars/"+slug+"/subtitles/sv.txt"), http.StatusNotFound)
	})
	t.Run("poster placeholder", func(t *testing.T) {
		// Without a recording (or ffmpeg to take a frame) there is no poster.
		bare := api.createWebinar("Utan inspelning", "public")
		r := anon.get("/webinars/" + bare + "/poster")
		expectStatus(t, r, http.StatusOK)
		expectContains(t, r, "<svg")
	})
	t.Run("unknown slug", func(t *testing.T) {
		r := anon.get("/webinars/finns-inte")
		expectStatus(t, r, http.StatusNotFound)
		expectContains(t, r, `lang="sv"`, "finns inte")
		expectStatus(t, anon.get("/webinars/finns-inte/recording"), http.StatusNotFound)
		expectStatus(t, anon.get("/nowhere"), http.StatusNotFound)
	})
	t.Run("static and health", func(t *testing.T) {
		r := anon.get("/static/portal.css")
		expectStatus(t, r, http.StatusOK)
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/css") {
			t.Errorf("css content type %q", r.Header.Get("Content-Type"))
		}
		expectStatus(t, anon.get("/static/../web.go"), http.StatusNotFound)
		expectContains(t, anon.get("/healthz"), `"ok"`)
		r = anon.get("/readyz")
		expectStatus(t, r, http.StatusOK)
		expectContains(t, r, "ready")
	})
	t.Run("login page", func(t *testing.T) {
		r := anon.get("/login")
		expectStatus(t, r, http.StatusOK)
		expectContains(t, r, "Logga in", `name="_csrf"`)
	})
}

func TestLoginLogout(t *testing.T) {
	p := newPortal(t)
	if _, err := p.accounts.AddUser(t.Context(), "redaktor@smakom.se", account.RoleStaff, "ett långt lösenord"); err != nil {
		t.Fatal(err)
	}
	c := p.anonymous()
	c.get("/login")
	r := c.postForm("/login", url.Values{"email": {"redaktor@smakom.se"}, "password": {"fel lösenord!!"}})
	expectStatus(t, r, http.StatusUnauthorized)
	expectContains(t, r, "Fel e-postadress eller lösenord")
	r = c.postForm("/login", url.Values{"email": {"Redaktor@Smakom.se"}, "password": {"ett långt lösenord"}})
	expectStatus(t, r, http.StatusSeeOther)
	if r.Header.Get("Location") != "/staff" {
		t.Errorf("staff login goes to %q", r.Header.Get("Location"))
	}
	setCookie := strings.Join(r.Header.Values("Set-Cookie"), "\n")
	if !strings.Contains(setCookie, "portal_session=") || !strings.Contains(setCookie, "HttpOnly") || !strings.Contains(setCookie, "SameSite=Lax") {
		t.Errorf("session cookie flags: %s", setCookie)
	}
	expectStatus(t, c.get("/staff"), http.StatusOK)
	r = c.postForm("/logout", url.Values{})
	expectStatus(t, r, http.StatusSeeOther)
	r = c.get("/staff")
	expectStatus(t, r, http.StatusSeeOther)
	if !strings.HasPrefix(r.Header.Get("Location"), "/login") {
		t.Errorf("after logout /staff redirects to %q", r.Header.Get("Location"))
	}
	// Password guessing is slowed down.
	var last response
	for i := 0; i < 12; i++ {
		last = c.postForm("/login", url.Values{"email": {"redaktor@smakom.se"}, "password": {"gissning nummer " + string(rune('a'+i))}})
	}
	expectStatus(t, last, http.StatusTooManyRequests)
	expectContains(t, last, "För många misslyckade inloggningar. Vänta")
	if last.Header.Get("Retry-After") == "" {
		t.Error("a throttled login has no Retry-After")
	}
	// Open redirects after login are refused.
	if safeNext("//evil.example") != "/" || safeNext("https://evil.example") != "/" || safeNext("/staff") != "/staff" {
		t.Error("safeNext lets an outside URL through")
	}
}
