package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// englishEditorState is what the English caption editor and edit page
// show: their texts come from the JSON block the server renders.
type englishEditorState struct {
	Lang    string   `json:"lang"`
	Ready   bool     `json:"ready"`
	Buttons []string `json:"buttons"`
	Legends []string `json:"legends"`
	Help    string   `json:"help"`
	App     string   `json:"app"`
}

const englishEditorJS = `(() => {
  const app = document.getElementById("ce-app");
  const ready = !!app && !app.hidden && document.querySelectorAll("#ce-list li").length > 0;
  return {
    lang: document.documentElement.lang,
    ready: ready,
    buttons: ready ? Array.from(app.querySelectorAll("button")).slice(0, 12).map(b => b.textContent.trim()) : [],
    legends: ready ? Array.from(app.querySelectorAll("legend")).map(l => l.textContent) : [],
    help: ready ? document.getElementById("ce-help").textContent : "",
    app: ready ? app.innerText : ""
  };
})()`

// TestStaffPagesInEnglishInBrowser: a staff member chooses English with
// the switch in the header, and the staff pages and the caption editor's
// script then speak English, with no page problems (the JSON text block
// must not trip the Content-Security-Policy).
func TestStaffPagesInEnglishInBrowser(t *testing.T) {
	shots := screenshotDir(t)
	const (
		email    = "english@smakom.example"
		password = "undertexter-på-engelska-2024"
	)
	dataDir := t.TempDir()
	setCleanEnv(t, "DATA_DIR="+dataDir, "LOG_LEVEL=error")
	addUser(t, email, "staff", password)
	p := startServe(t, dataDir, "serve", "--demo")
	slug := slugByTitle(t, p, svensktVatten)

	tab := openTab(t, 4*time.Minute)
	if tab == nil {
		return
	}
	ctx := tab.ctx
	shot := func(t *testing.T, name string) { saveScreenshot(t, ctx, shots, name) }

	if err := chromedp.Do(ctx,
		chromedp.Navigate(p.url+"/login"),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.Search(`//form[@action="/login"]//button`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Redaktion: webbinarier"]`)),
		// The switch is an ordinary link in the header.
		chromedp.Click(chromedp.Search(`//a[@class="lang-switch" and normalize-space()="In English"]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Editorial: webinars"]`)),
	); err != nil {
		t.Fatalf("log in and switch to English: %v", err)
	}
	tab.checkProblems(t)

	if err := chromedp.Do(ctx,
		chromedp.Navigate(p.url+"/staff/webinars/"+slug+"/edit"),
		chromedp.WaitVisible(chromedp.Search(`//button[normalize-space()="Publish for everyone" or normalize-space()="Unpublish (make it a draft)"]`)),
		chromedp.WaitVisible(chromedp.Search(`//h2[normalize-space()="Poster image"]`)),
	); err != nil {
		t.Fatalf("English edit page: %v", err)
	}
	shot(t, "staff-edit-en.png")
	tab.checkProblems(t)

	if err := chromedp.Do(ctx, chromedp.Navigate(p.url+"/staff/webinars/"+slug+"/subtitles/sv/edit")); err != nil {
		t.Fatal(err)
	}
	st := pollState(t, ctx, englishEditorJS, "the English editor loads", time.Minute, func(st englishEditorState) bool { return st.Ready })
	if st.Lang != "en" || len(st.Buttons) < 3 || st.Buttons[0] != "Save changes" || st.Buttons[1] != "Discard unsaved changes" {
		t.Errorf("editor buttons %q on a page in %q", st.Buttons, st.Lang)
	}
	if len(st.Legends) == 0 || st.Legends[0] != "Cue 1" {
		t.Errorf("cue legends %q; want Cue 1 first", st.Legends)
	}
	if !strings.HasPrefix(st.Help, "Times are written as hours:minutes:seconds,milliseconds") {
		t.Errorf("help text %q", st.Help)
	}
	for _, sv := range []string{"Spara", "Släng", "Lägg till", "Texter", "Dela", "Spela", "Ta bort", "Slut", "starttid", "ändringar"} {
		if strings.Contains(st.App, sv) {
			t.Errorf("Swedish %q in the English editor", sv)
		}
	}
	shot(t, "staff-captions-en.png")
	tab.checkProblems(t)
}
