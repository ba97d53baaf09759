package server

import (
	"bytes"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/smakom/webinar-portal/internal/apperr"
	"github.com/smakom/webinar-portal/internal/wish"
	"github.com/smakom/webinar-portal/web"
)

func TestLanguageChoice(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	slug := api.createWebinar("Sveriges nästa potentiella samhällskris – vattenförsörjningen", "public")
	anon := p.anonymous()

	t.Run("Swedish without a choice, whatever the browser prefers", func(t *testing.T) {
		r := anon.get("/", "Accept-Language", "en-GB,en;q=0.9")
		expectStatus(t, r, http.StatusOK)
		expectContains(t, r, `<html lang="sv">`, ">Webbinarier</a>", "Önska ett webbinarium", `lang="en" hreflang="en">In English</a>`, "6 maj 2024")
		if strings.Contains(strings.Join(r.Header.Values("Set-Cookie"), "\n"), langCookie) {
			t.Error("a language cookie was set without a choice")
		}
	})
	t.Run("?lang=en switches and sets the cookie", func(t *testing.T) {
		r := anon.get("/?lang=en")
		expectStatus(t, r, http.StatusOK)
		expectContains(t, r, `<html lang="en">`, ">Webinars</a>", ">Suggest a webinar</a>", "<title>Webinars – SmåKom webinar archive</title>",
			`lang="sv" hreflang="sv">På svenska</a>`, "Skip to content", "6 May 2024", "1 webinar</p>",
			// Swedish content on an English page is marked (WCAG 3.1.2).
			`<h2 lang="sv">Sveriges nästa potentiella samhällskris`)
		if got := r.Header.Get("Content-Language"); got != "en" {
			t.Errorf("Content-Language %q, want en", got)
		}
		var ck *http.Cookie
		for _, c := range r.Cookies() {
			if c.Name == langCookie {
				ck = c
			}
		}
		if ck == nil || ck.Value != "en" || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.MaxAge < 364*24*3600 || ck.Path != "/" {
			t.Errorf("language cookie %+v; want en, HttpOnly, SameSite=Lax, a year, Path=/", ck)
		}
	})
	t.Run("the cookie keeps English on the next pages", func(t *testing.T) {
		r := anon.get("/webinars/" + slug)
		expectStatus(t, r, http.StatusOK)
		expectContains(t, r, `<html lang="en">`, "<dt>Date</dt>", "6 May 2024", "<h2>Speakers</h2>", `<h1 lang="sv">Sveriges nästa`, `<ul class="speakers" lang="sv">`)
		r = anon.get("/wishes/new")
		expectContains(t, r, `<html lang="en">`, "<h1>Suggest a webinar</h1>", "(required)", "Send suggestion")
		r = anon.get("/login")
		expectContains(t, r, `<html lang="en">`, "<h1>Log in</h1>", "Password")
	})
	t.Run("an unknown lang value is ignored", func(t *testing.T) {
		r := anon.get("/?lang=de")
		expectContains(t, r, `<html lang="en">`)
		if strings.Contains(strings.Join(r.Header.Values("Set-Cookie"), "\n"), langCookie) {
			t.Error("?lang=de set the language cookie")
		}
		r = p.anonymous().get("/?lang=%22%3E%3Cscript%3E")
		expectContains(t, r, `<html lang="sv">`)
		if strings.Contains(r.text(), "<script>") {
			t.Error("the lang parameter is echoed unescaped")
		}
	})
	t.Run("the switch link keeps path and query", func(t *testing.T) {
		r := anon.get("/?topic=Vatten&year=2024&lang=en&page=1")
		expectContains(t, r, `href="/?topic=Vatten&amp;year=2024&amp;page=1&amp;lang=sv"`)
		r = anon.get("/webinars/" + slug)
		expectContains(t, r, `href="/webinars/`+slug+`?lang=sv"`)
		// The path is escaped once, and a path cannot lead off the site.
		expectContains(t, anon.get("/webinars/%C3%A5%20x?a=%C3%A5"), `href="/webinars/%C3%A5%20x?a=%C3%A5&amp;lang=sv"`)
		expectContains(t, anon.get("//evil.example/x"), `href="/?lang=sv"`)
		// Query text is escaped in the link, never echoed as markup.
		r = anon.get("/?q=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E")
		if strings.Contains(r.text(), "<script>alert") {
			t.Error("the switch link echoes the query unescaped")
		}
		expectContains(t, r, `href="/?q=%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E&amp;lang=sv"`)
	})
	t.Run("English wish form errors", func(t *testing.T) {
		r := anon.postForm("/wishes", url.Values{"topic": {" "}, "details": {strings.Repeat("x", 4001)}, "email": {"inte-en-adress"}})
		expectStatus(t, r, http.StatusUnprocessableEntity)
		expectContains(t, r, `<html lang="en">`, "The form needs correcting",
			`href="#topic">Topic: This field is required.`,
			`href="#details">Description: At most 4000 characters (you have typed 4001).`,
			`id="email-error">Enter a valid email address`,
			// A form page reached by POST switches to its GET page.
			`href="/wishes/new?lang=sv"`)
		if strings.Contains(r.text(), "Fältet måste fyllas i") {
			t.Error("the English form shows a Swedish field error")
		}
	})
	t.Run("English thank-you page", func(t *testing.T) {
		r := anon.postForm("/wishes", url.Values{"topic": {"Reservvatten"}})
		expectStatus(t, r, http.StatusSeeOther)
		r = anon.get("/wishes/thanks")
		expectContains(t, r, "<h1>Thank you for your suggestion!</h1>", "We have received your suggestion <strong>“Reservvatten”</strong>.")
	})
	t.Run("English login error", func(t *testing.T) {
		r := anon.postForm("/login", url.Values{"email": {"nobody@kommun.se"}, "password": {"fel lösenord!!"}})
		expectStatus(t, r, http.StatusUnauthorized)
		expectContains(t, r, "Wrong email address or password.", `href="/login?lang=sv"`)
	})
	t.Run("English 404 page", func(t *testing.T) {
		r := anon.get("/webinars/finns-inte")
		expectStatus(t, r, http.StatusNotFound)
		expectContains(t, r, `<html lang="en">`, "<h1>Page not found</h1>", "<title>Page not found – SmåKom webinar archive</title>", "The page does not exist", "Go to the start page")
		expectContains(t, anon.get("/nowhere"), "<h1>Page not found</h1>")
	})
	t.Run("JSON errors stay as they are", func(t *testing.T) {
		r := anon.sendJSON(http.MethodPost, "/api/v1/wishes", map[string]string{"topic": ""})
		expectStatus(t, r, http.StatusUnprocessableEntity)
		expectContains(t, r, "Fältet måste fyllas i.")
	})
	t.Run("?lang=sv switches back", func(t *testing.T) {
		r := anon.get("/wishes/new?lang=sv")
		expectContains(t, r, `<html lang="sv">`, "<h1>Önska ett webbinarium</h1>", `lang="en" hreflang="en">In English</a>`)
		r = anon.get("/")
		expectContains(t, r, `<html lang="sv">`, "6 maj 2024", "1 webbinarium</p>")
	})
}

// TestErrorTexts: every message the wish form can give has an English
// version, so an English page never mixes in Swedish by accident.
func TestErrorTexts(t *testing.T) {
	inputs := []wish.Input{
		{Topic: ""},
		{Topic: strings.Repeat("å", 201)},
		{Topic: "x", Details: strings.Repeat("x", 4001), Name: strings.Repeat("n", 201), Municipality: strings.Repeat("m", 101)},
		{Topic: "x", Email: "inte-en-adress"},
		{Topic: "x", Email: strings.Repeat("e", 250) + "@kommun.se"},
		{Topic: "x\xff"},
	}
	for _, in := range inputs {
		var fields map[string]string
		if ae, ok := apperr.As(in.Validate()); ok {
			fields = ae.Fields
		}
		if len(fields) == 0 {
			t.Fatalf("%+v: no field errors", in)
		}
		for field, sv := range fields {
			en, ok := fieldErrorText(langEN, sv)
			if !ok || en == sv {
				t.Errorf("%s: no English for %q", field, sv)
			}
			if got, _ := fieldErrorText(langSV, sv); got != sv {
				t.Errorf("Swedish %q changed to %q", sv, got)
			}
		}
	}
	if en, _ := fieldErrorText(langEN, "Högst 200 tecken (du har skrivit 201)."); en != "At most 200 characters (you have typed 201)." {
		t.Errorf("too long: %q", en)
	}
	if en, ok := fieldErrorText(langEN, "Något helt nytt."); ok || en != "Något helt nytt." {
		t.Errorf("an unknown message gave %q, %v; want the Swedish text", en, ok)
	}

	cases := []struct {
		lang, code, msg string
		fields          map[string]string
		want, wantLang  string
	}{
		{langSV, "not_found", "Webbinariet finns inte.", nil, "Webbinariet finns inte.", langSV},
		{langEN, "not_found", "Webbinariet finns inte.", nil, englishErrors["not_found"], langEN},
		{langEN, "csrf", "Formuläret har gått ut.", nil, englishErrors["csrf"], langEN},
		{langEN, "no_such_code", "Fel filtyp.", nil, "Fel filtyp.", langSV},
		{langEN, "wrong_type", "Inspelningen måste vara en MP4- eller WebM-video.", nil, "The recording must be an MP4 or WebM video.", langEN},
		{langEN, "declined", "Önskemålet är avböjt och kan inte stödjas.", nil, "The suggestion has been declined and cannot be supported.", langEN},
		{langEN, "search_unavailable", "Sökningen är inte tillgänglig just nu.", nil, "Search is not available right now.", langEN},
		{langEN, "bad_request", "Okänd rad.", nil, "Unknown row.", langEN},
		{langEN, "conflict", "Undertexterna har ändrats av någon annan sedan du öppnade dem (de är nu version 7). Dina ändringar är inte sparade.", nil,
			"Someone else has changed the subtitles since you opened them (they are now version 7). Your changes are not saved.", langEN},
		{langSV, "declined", "Önskemålet är avböjt och kan inte stödjas.", nil, "Önskemålet är avböjt och kan inte stödjas.", langSV},
		{langEN, "invalid_input", "Några fält behöver rättas.", map[string]string{"topic": "Fältet måste fyllas i.", "email": "Texten innehåller ogiltiga tecken."},
			"Some fields need correcting. The text contains invalid characters. This field is required.", langEN},
		{langEN, "invalid_input", "Några fält behöver rättas.", map[string]string{"title": "Okänt fel."},
			"Några fält behöver rättas. Okänt fel.", langSV},
	}
	for _, tc := range cases {
		got, gotLang := errorPageText(tc.lang, tc.code, tc.msg, tc.fields)
		if got != tc.want || gotLang != tc.wantLang {
			t.Errorf("%s %s: %q (%s); want %q (%s)", tc.lang, tc.code, got, gotLang, tc.want, tc.wantLang)
		}
	}
}

func TestDatesAndDurations(t *testing.T) {
	sv, en := Base{Lang: langSV}, Base{Lang: langEN}
	day := time.Date(2024, time.May, 6, 10, 0, 0, 0, time.UTC)
	cases := []struct{ got, want string }{
		{sv.Date(day), "6 maj 2024"},
		{en.Date(day), "6 May 2024"},
		{sv.Duration(14 * time.Second), "14 s"},
		{en.Duration(14 * time.Second), "14 s"},
		{sv.Duration(65*time.Minute + 3*time.Second), "1 tim 5 min"},
		{en.Duration(65*time.Minute + 3*time.Second), "1 h 5 min"},
		{en.Duration(5*time.Minute + 3*time.Second), "5 min 3 s"},
		{sv.Bytes(1536), "1,5 KB"},
		{en.Bytes(1536), "1.5 KB"},
		{en.Bytes(10), "10 bytes"},
		{string(en.LangAttr("sv")), ` lang="sv"`},
		{string(en.LangAttr("en")), ""},
		{string(en.LangAttr(`x" onload="`)), ""},
		{catalogueTitle(langEN, "Webbinarier, sida 3"), "Webinars, page 3"},
		{catalogueTitle(langEN, "Webbinarier"), "Webinars"},
		{catalogueTitle(langSV, "Webbinarier, sida 3"), "Webbinarier, sida 3"},
	}
	for i, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("%d: %q, want %q", i, tc.got, tc.want)
		}
	}
}

// TestTemplateKeysExist: every key a template asks for has both languages.
func TestTemplateKeysExist(t *testing.T) {
	for key, m := range messages {
		if m.sv == "" || m.en == "" {
			t.Errorf("message %q lacks a language: %+v", key, m)
		}
	}
	keyRef := regexp.MustCompile(`\.Tf? "([^"]+)"`)
	files, err := fs.Glob(web.FS, "templates/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("templates: %v", err)
	}
	used := 0
	for _, f := range files {
		b, err := fs.ReadFile(web.FS, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRef.FindAllStringSubmatch(string(b), -1) {
			used++
			if _, ok := messages[m[1]]; !ok {
				t.Errorf("%s uses unknown message key %q", f, m[1])
			}
		}
	}
	if used < 50 {
		t.Errorf("found only %d message keys in the templates", used)
	}
}

// TestDefaultCaptionsFollowUILanguage: English pages turn on English
// captions when they exist; Swedish pages Swedish ones.
func TestDefaultCaptionsFollowUILanguage(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	slug := api.createWebinar("Två språk", "public")
	expectStatus(t, api.put("/api/v1/webinars/"+slug+"/subtitles/sv", strings.NewReader(svSRT), int64(len(svSRT))), http.StatusOK)
	expectStatus(t, api.put("/api/v1/webinars/"+slug+"/subtitles/en", strings.NewReader(svSRT), int64(len(svSRT))), http.StatusOK)
	clip := fakeMP4(0)
	expectStatus(t, api.put("/api/v1/webinars/"+slug+"/recording", bytes.NewReader(clip), int64(len(clip))), http.StatusOK)
	anon := p.anonymous()
	sv := anon.get("/webinars/" + slug)
	expectContains(t, sv, `srclang="sv" label="Svenska" src="/webinars/`+slug+`/subtitles/sv.vtt" default`)
	en := anon.get("/webinars/" + slug + "?lang=en")
	expectContains(t, en, `srclang="en" label="English" src="/webinars/`+slug+`/subtitles/en.vtt" default`)
	if strings.Contains(en.text(), `sv.vtt" default`) {
		t.Error("English page turns on Swedish captions too")
	}
}
