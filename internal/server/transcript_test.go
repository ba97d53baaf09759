package server

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/smakom/webinar-portal/internal/account"
)

const enSRT = "1\n00:00:01,000 --> 00:00:03,500\nWelcome to the webinar on water supply.\n\n2\n00:00:04,000 --> 00:00:06,000\nMeasures for small municipalities.\n"

// watchable makes a public webinar with the demo clip (14 s) and the
// given subtitle tracks (lang -> SRT).
func watchable(t *testing.T, api *client, title string, tracks map[string]string) string {
	t.Helper()
	slug := api.createWebinar(title, "public")
	expectStatus(t, api.put("/api/v1/webinars/"+slug+"/recording", bytes.NewReader(demoClip), int64(len(demoClip))), http.StatusOK)
	for _, lang := range []string{"sv", "en"} {
		if srt, ok := tracks[lang]; ok {
			expectStatus(t, api.put("/api/v1/webinars/"+slug+"/subtitles/"+lang, strings.NewReader(srt), int64(len(srt))), http.StatusOK)
		}
	}
	return slug
}

var cueItem = regexp.MustCompile(`<li data-start="[0-9.]+" data-end="[0-9.]+"`)

func TestWatchPageTranscript(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	// WebVTT entities: the stored cue text holds a literal <script> tag
	// (tags written as tags are stripped on import).
	evilVTT := "WEBVTT\n\n00:00:01.000 --> 00:00:03.500\nVälkommen till webbinariet om vattenförsörjning.\n\n" +
		"00:00:04.000 --> 00:00:06.000\nÅtgärder för små kommuner.\n\n" +
		"00:00:07.000 --> 00:00:08.000\n&lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; <b>fet</b>\n"
	slug := watchable(t, api, "Utskrift", map[string]string{"sv": evilVTT, "en": enSRT})
	anon := p.anonymous()

	t.Run("cues as text with ?t= links, escaped", func(t *testing.T) {
		r := anon.get("/webinars/" + slug)
		expectStatus(t, r, http.StatusOK)
		expectContains(t, r,
			`<section class="transcript" id="transcript" aria-labelledby="h-transcript" data-lang="sv"`,
			`<h2 id="h-transcript">Utskrift <span class="transcript-label">(Svenska)</span></h2>`,
			`<li data-start="1.000" data-end="3.500"><a href="?t=1"><span class="visually-hidden">Spela från </span>0:01</a> <span class="cue-text">Välkommen till webbinariet om vattenförsörjning.</span></li>`,
			`<li data-start="4.000" data-end="6.000"><a href="?t=4">`,
			`&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; fet</span>`,
			`<script src="`+staticURL("player.js")+`" defer></script>`,
			`<label for="transcript-q">Sök i utskriften</label>`,
			`Utskriften på:`, `href="?transcript=en#transcript" hreflang="en" data-lang="en">Engelska</a>`,
			`<button type="button" id="cc-toggle" class="cc-toggle" aria-pressed="true">Undertexter <span class="cc-state"`,
			`<select id="cc-size">`, `<select id="cc-colours">`, `<option value="yellow">Gul text på svart</option>`,
		)
		if n := len(cueItem.FindAllString(r.text(), -1)); n != 3 {
			t.Errorf("transcript has %d cues; want 3", n)
		}
		if strings.Contains(r.text(), "<script>alert") || strings.Contains(r.text(), "<b>fet") {
			t.Error("markup from a cue reached the page unescaped")
		}
		if strings.Contains(r.text(), `aria-current="true"><a href="?t=`) {
			t.Error("a cue is marked current without ?t=")
		}
	})
	t.Run("?t= starts the video there and marks the cue", func(t *testing.T) {
		r := anon.get("/webinars/" + slug + "?t=5")
		expectContains(t, r, `src="/webinars/`+slug+`/recording#t=5"`, "Uppspelningen börjar vid 0:05.",
			`<li data-start="4.000" data-end="6.000" aria-current="true">`)
		// In a pause between cues the next cue is the current one.
		r = anon.get("/webinars/" + slug + "?t=3.75")
		expectContains(t, r, `recording#t=3.75"`, `<li data-start="4.000" data-end="6.000" aria-current="true">`)
		expectContains(t, anon.get("/webinars/"+slug+"?t=0m7s"), `recording#t=7"`, `<li data-start="7.000" data-end="8.000" aria-current="true">`)
		for _, bad := range []string{"abc", "99", "-3", "0", "1:75", "%3Cscript%3E"} {
			r := anon.get("/webinars/" + slug + "?t=" + bad)
			expectStatus(t, r, http.StatusOK)
			if strings.Contains(r.text(), "recording#t=") || strings.Contains(r.text(), "aria-current=\"true\"><a") {
				t.Errorf("?t=%s: the page starts the video somewhere", bad)
			}
		}
	})
	t.Run("English page: English transcript and captions", func(t *testing.T) {
		r := anon.get("/webinars/" + slug + "?lang=en")
		expectContains(t, r, `<h2 id="h-transcript">Transcript <span class="transcript-label">(English)</span></h2>`,
			`<span class="cue-text">Welcome to the webinar on water supply.</span>`, "Search the transcript", `srclang="en" label="English" src="/webinars/`+slug+`/subtitles/en.vtt" default`,
			`<button type="button" id="cc-toggle" class="cc-toggle" aria-pressed="true">Captions`,
			// Every language named in English, from the track's code.
			`srclang="sv" label="Swedish"`, `data-lang="sv">Swedish</a>`, `<option value="sv">Swedish</option>`, `<li>Swedish: <a`)
		if strings.Contains(r.text(), "Engelska") || strings.Contains(r.text(), "Svenska") {
			t.Error("the English page names a subtitle language in Swedish")
		}
		// Swedish cues on an English page are marked as Swedish.
		r = anon.get("/webinars/" + slug + "?transcript=sv")
		expectContains(t, r, `<span class="cue-text" lang="sv">Välkommen`, `<a href="?transcript=sv&amp;t=1">`)
		anon.get("/?lang=sv")
	})
	t.Run("?transcript= picks the transcript and caption language", func(t *testing.T) {
		r := anon.get("/webinars/" + slug + "?transcript=en")
		expectContains(t, r, `data-lang="en"`, `<a href="?transcript=en&amp;t=1">`, `Welcome to the webinar`,
			`srclang="en" label="Engelska" src="/webinars/`+slug+`/subtitles/en.vtt" default`,
			`hreflang="en" data-lang="en" aria-current="true">Engelska</a>`)
		if strings.Contains(r.text(), `sv.vtt" default`) {
			t.Error("Swedish captions stay the default when the transcript is English")
		}
		// An unknown language is ignored.
		expectContains(t, anon.get("/webinars/"+slug+"?transcript=%22%3E"), `data-lang="sv"`)
	})
	t.Run("no subtitles: no transcript, no caption settings", func(t *testing.T) {
		bare := watchable(t, api, "Utan text", nil)
		r := anon.get("/webinars/" + bare)
		expectStatus(t, r, http.StatusOK)
		if strings.Contains(r.text(), `id="transcript"`) || strings.Contains(r.text(), "cc-toggle") {
			t.Error("a webinar without subtitles shows a transcript or caption settings")
		}
	})
}

// TestLongTranscript: a one-hour webinar's 1,500 cues render on the page.
func TestLongTranscript(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	var srt strings.Builder
	for i := range 1500 {
		start := time.Duration(i) * 2400 * time.Millisecond
		fmt.Fprintf(&srt, "%d\n%s --> %s\nRad %d om vattenförsörjning i små kommuner, med å, ä och ö.\n\n", i+1, srtTime(start), srtTime(start+2*time.Second), i+1)
	}
	slug := watchable(t, api, "En timme", map[string]string{"sv": srt.String()})
	anon := p.anonymous()
	anon.get("/webinars/" + slug) // warm the caches
	const runs = 5
	began := time.Now()
	var r response
	for range runs {
		r = anon.get("/webinars/" + slug)
	}
	perPage := time.Since(began) / runs
	expectStatus(t, r, http.StatusOK)
	if n := len(cueItem.FindAllString(r.text(), -1)); n != 1500 {
		t.Errorf("transcript has %d cues; want 1500", n)
	}
	expectContains(t, r, `<a href="?t=3597.6"><span class="visually-hidden">Spela från </span>59:57</a>`)
	t.Logf("watch page with 1500 cues: %d KB, %v per request (through app.Test)", len(r.Body)>>10, perPage)
}

func srtTime(d time.Duration) string {
	ms := d.Milliseconds()
	return fmt.Sprintf("%02d:%02d:%02d,%03d", ms/3_600_000, ms/60_000%60, ms/1000%60, ms%1000)
}

func TestChapters(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	slug := watchable(t, api, "Kapitelwebbinarium", map[string]string{"sv": svSRT})
	staff := p.loginAs(account.RoleStaff)
	anon := p.anonymous()
	form := func(version string, rows ...[3]string) url.Values {
		v := url.Values{"updated_at": {version}}
		for _, r := range rows {
			v.Add("chapter_start", r[0])
			v.Add("chapter_title", r[1])
			v.Add("chapter_slide", r[2])
		}
		return v
	}
	versionOf := func(r response) string {
		m := regexp.MustCompile(`name="updated_at" value="([^"]+)"`).FindStringSubmatch(r.text())
		if m == nil {
			t.Fatalf("no updated_at in the form: %.300s", r.Body)
		}
		return m[1]
	}

	r := staff.get("/staff/webinars/" + slug + "/chapters")
	expectStatus(t, r, http.StatusOK)
	expectContains(t, r, `<html lang="sv">`, "<h1>Kapitel: ”Kapitelwebbinarium”</h1>", "Inspelningen är <strong>0:14</strong> lång.",
		`<label for="chapter-0-start">Start</label>`, `<label for="chapter-2-title">Rubrik</label>`, "Lägg till rad", "Spara kapitel")
	expectContains(t, staff.get("/staff/webinars/"+slug+"/edit"), `<a href="/staff/webinars/`+slug+`/chapters">Kapitel (0)</a>`)
	version := versionOf(r)
	expectStatus(t, anon.get("/webinars/"+slug+"/chapters.vtt"), http.StatusNotFound)

	t.Run("errors beside the fields, nothing stored", func(t *testing.T) {
		r := staff.postForm("/staff/webinars/"+slug+"/chapters", form(version,
			[3]string{"0:05", "Inledning", ""}, [3]string{"0:03", "", "x"}, [3]string{"0:20", "Efter slutet", ""}, [3]string{"", "", ""}))
		expectStatus(t, r, http.StatusUnprocessableEntity)
		expectContains(t, r, `role="alert"`, "Kapitlen behöver rättas.",
			`<a href="#chapter-1-start">Rad 2, start: Kapitlen ska komma i tidsordning: 0:03 är inte efter föregående kapitel (0:05).</a>`,
			`<a href="#chapter-1-title">Rad 2, rubrik: Ge kapitlet en rubrik.</a>`,
			`<p class="field-error" id="chapter-1-slide-error">Bild: Bildnumret ska vara ett heltal från 1, eller tomt.</p>`,
			`id="chapter-1-start" name="chapter_start" value="0:03"`, `aria-invalid="true" aria-describedby="chapter-1-start-error"`,
			`Tiden 0:20 ligger utanför inspelningen, som är 0:14 lång.`,
			// What was typed stays, so nothing is lost.
			`value="Efter slutet"`)
		expectStatus(t, anon.get("/webinars/"+slug+"/chapters.vtt"), http.StatusNotFound)
	})
	t.Run("row actions rearrange without saving", func(t *testing.T) {
		rows := [][3]string{{"0:05", "B", ""}, {"0", "A", "1"}}
		r := staff.postForm("/staff/webinars/"+slug+"/chapters", withOp(form(version, rows...), "up:1"))
		expectStatus(t, r, http.StatusOK)
		expectContains(t, r, "Raden är flyttad till plats 1.", `id="chapter-0-title" name="chapter_title" value="A"`, `id="chapter-1-title" name="chapter_title" value="B"`,
			`id="chapter-0-start" name="chapter_start" value="0"`, `name="updated_at" value="`+version+`"`)
		expectContains(t, staff.postForm("/staff/webinars/"+slug+"/chapters", withOp(form(version, rows...), "add")),
			"Rad 3 är tillagd.", `id="chapter-2-start" name="chapter_start" value="" size="9" maxlength="16" inputmode="decimal" autocomplete="off" autofocus>`)
		r = staff.postForm("/staff/webinars/"+slug+"/chapters", withOp(form(version, rows...), "remove:0"))
		expectContains(t, r, "Rad 1 är borttagen.", `id="chapter-0-title" name="chapter_title" value="A"`)
		if strings.Contains(r.text(), `value="B"`) {
			t.Error("the removed row is still there")
		}
		expectStatus(t, staff.postForm("/staff/webinars/"+slug+"/chapters", withOp(form(version, rows...), "down:1")), http.StatusBadRequest)
		expectStatus(t, staff.postForm("/staff/webinars/"+slug+"/chapters", withOp(form(version, rows...), "remove:9")), http.StatusBadRequest)
		expectStatus(t, anon.get("/webinars/"+slug+"/chapters.vtt"), http.StatusNotFound)
	})
	t.Run("save, then the track, the list and the slide links", func(t *testing.T) {
		r := staff.postForm("/staff/webinars/"+slug+"/chapters", form(version,
			[3]string{"0", "Inledning", "1"}, [3]string{"0:04", `Vattnet <script>alert(1)</script>`, ""}, [3]string{"10,5", "Frågor", "7"}, [3]string{"", "", ""}))
		expectStatus(t, r, http.StatusSeeOther)
		r = staff.get("/staff/webinars/" + slug + "/chapters")
		expectContains(t, r, "3 kapitel är sparade.", `id="chapter-2-start" name="chapter_start" value="0:10,5"`, `id="chapter-3-start" name="chapter_start" value=""`)
		version = versionOf(r)

		vtt := anon.get("/webinars/" + slug + "/chapters.vtt")
		expectStatus(t, vtt, http.StatusOK)
		if ct := vtt.Header.Get("Content-Type"); ct != "text/vtt; charset=utf-8" {
			t.Errorf("chapters.vtt content type %q", ct)
		}
		want := "WEBVTT\n\nchapter-1\n00:00:00.000 --> 00:00:04.000\nInledning\n\n" +
			"chapter-2\n00:00:04.000 --> 00:00:10.500\nVattnet &lt;script&gt;alert(1)&lt;/script&gt;\n\n" +
			"chapter-3\n00:00:10.500 --> 00:00:14.000\nFrågor\n"
		if vtt.text() != want {
			t.Errorf("chapters.vtt:\n%s\nwant\n%s", vtt.Body, want)
		}

		page := anon.get("/webinars/" + slug)
		expectContains(t, page, `<track kind="chapters" label="Kapitel" src="/webinars/`+slug+`/chapters.vtt">`,
			`<nav class="chapters" aria-labelledby="h-chapters">`,
			`<li data-start="0"><a href="?t=0" data-seek="0"><span class="chapter-time">0:00</span> <span class="chapter-title">Inledning</span> <span class="chapter-slide">Bild 1</span></a></li>`,
			`<a href="?t=4" data-seek="4"><span class="chapter-time">0:04</span> <span class="chapter-title">Vattnet &lt;script&gt;alert(1)&lt;/script&gt;</span></a>`,
			`<a href="?t=10.5" data-seek="10.5"><span class="chapter-time">0:10</span>`,
		)
		if strings.Contains(page.text(), "<script>alert(1)") {
			t.Error("a chapter title reached the page unescaped")
		}
		// The slides list needs a deck: without one, the moments are not listed.
		if strings.Contains(page.text(), "Bilderna i inspelningen") {
			t.Error("slide moments listed for a webinar without slides")
		}
		en := anon.get("/webinars/" + slug + "?lang=en")
		expectContains(t, en, `<h2 id="h-chapters">Chapters</h2>`, `<ol lang="sv">`, `<span class="chapter-slide" lang="en">Slide 1</span>`)
		anon.get("/?lang=sv")
		expectContains(t, staff.get("/staff/webinars/"+slug+"/edit"), `Kapitel (3)</a>`)
	})
	t.Run("the slides list links each slide to its moment", func(t *testing.T) {
		pdf := "%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
		expectStatus(t, api.put("/api/v1/webinars/"+slug+"/slides?filename=bilder.pdf", strings.NewReader(pdf), int64(len(pdf))), http.StatusOK)
		r := anon.get("/webinars/" + slug)
		expectContains(t, r, `<h3 id="h-slide-moments">Bilderna i inspelningen</h3>`,
			`<li><a href="?t=0" data-seek="0">Bild 1</a>: <span>Inledning</span> (0:00)</li>`,
			`<li><a href="?t=10.5" data-seek="10.5">Bild 7</a>: <span>Frågor</span> (0:10)</li>`)
		if strings.Contains(r.text(), `data-seek="4">Bild`) {
			t.Error("a chapter without a slide is listed among the slides")
		}
	})
	t.Run("a stale form is a conflict, and keeps what was typed", func(t *testing.T) {
		stale := versionOf(staff.get("/staff/webinars/" + slug + "/chapters"))
		expectStatus(t, staff.postForm("/staff/webinars/"+slug+"/chapters", form(stale, [3]string{"0", "Ny rubrik", ""})), http.StatusSeeOther)
		r := staff.postForm("/staff/webinars/"+slug+"/chapters", form(stale, [3]string{"0", "Min rubrik", ""}))
		expectStatus(t, r, http.StatusConflict)
		expectContains(t, r, "Någon annan har ändrat webbinariet", "Sparade kapitel just nu: 0:00 Ny rubrik", `value="Min rubrik"`)
		// The form now carries the current version: saving again is a choice.
		expectStatus(t, staff.postForm("/staff/webinars/"+slug+"/chapters", form(versionOf(r), [3]string{"0", "Min rubrik", ""})), http.StatusSeeOther)
		expectContains(t, anon.get("/webinars/"+slug+"/chapters.vtt"), "Min rubrik")
	})
	t.Run("only staff", func(t *testing.T) {
		r := anon.get("/staff/webinars/" + slug + "/chapters")
		expectStatus(t, r, http.StatusSeeOther)
		member := p.loginAs(account.RoleMember)
		expectStatus(t, member.get("/staff/webinars/"+slug+"/chapters"), http.StatusForbidden)
		noCSRF := form(version, [3]string{"0", "X", ""})
		noCSRF.Set("_csrf", "fel")
		expectStatus(t, staff.postForm("/staff/webinars/"+slug+"/chapters", noCSRF), http.StatusForbidden)
		expectStatus(t, staff.get("/staff/webinars/finns-inte/chapters"), http.StatusNotFound)
	})
	t.Run("a draft's chapters are not public", func(t *testing.T) {
		expectStatus(t, api.sendJSON(http.MethodPatch, "/api/v1/webinars/"+slug, map[string]any{"visibility": "draft"}), http.StatusOK)
		expectStatus(t, anon.get("/webinars/"+slug+"/chapters.vtt"), http.StatusNotFound)
		r := staff.get("/webinars/" + slug + "/chapters.vtt")
		expectStatus(t, r, http.StatusOK)
		if cc := r.Header.Get("Cache-Control"); cc != "private, no-store" {
			t.Errorf("draft chapters Cache-Control %q", cc)
		}
	})
}

func withOp(v url.Values, op string) url.Values {
	v.Set("op", op)
	return v
}
