package main

// End-to-end test of member accounts in a browser, without JavaScript
// (plain forms): staff invite a member, the invite is mailed through a
// real SMTP dialogue (a test server on loopback), the member opens the
// mailed link, chooses a password and sees a members-only webinar. Later
// the member logs in through /login, finds that webinar's card (with its
// members badge) in the catalogue, which a visitor's catalogue lacks,
// opens it and the video plays.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/smakom/webinar-portal/internal/mail/mailtest"
)

func TestMemberInviteInBrowser(t *testing.T) {
	shots := screenshotDir(t)
	const (
		staffEmail  = "redaktor@smakom.example"
		memberEmail = "ny.medlem@ydre.example"
		password    = "korrekt-häst-batteri-staple"
		memberPass  = "mitt eget långa lösenord"
		title       = "Krisberedskap för medlemmar"
	)
	// Read before serve starts: the embedded S3 server moves the working
	// directory.
	clip, err := os.ReadFile(filepath.Join("..", "..", "internal", "demo", "assets", "vattenforsorjning.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	smtpd := mailtest.Start(t, false)
	dataDir := t.TempDir()
	setCleanEnv(t, "DATA_DIR="+dataDir, "LOG_LEVEL=error")
	addUser(t, staffEmail, "staff", password)
	token, err := runCommand(t, "", "token", "create", "--email", staffEmail, "--name", "test")
	if err != nil {
		t.Fatal(err)
	}
	p := startServeEnv(t, dataDir, func(port int) []string {
		return []string{fmt.Sprintf("SMTP_HOST=%s", smtpd.Host), fmt.Sprintf("SMTP_PORT=%d", smtpd.Port),
			"SMTP_FROM=SmåKom <arkiv@smakom.example>", fmt.Sprintf("PUBLIC_URL=http://127.0.0.1:%d", port)}
	}, "serve")

	// A members-only webinar, made through the API.
	body, _ := json.Marshal(map[string]any{"title": title, "held_at": "2024-05-06", "visibility": "members", "summary": "Bara för inloggade medlemmar."})
	req, _ := http.NewRequest(http.MethodPost, p.url+"/api/v1/webinars", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(token))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("create webinar: %v %v", resp, err)
	}
	var w struct{ Slug string }
	_ = json.NewDecoder(resp.Body).Decode(&w)
	resp.Body.Close()
	// Its recording: the demo clip.
	req, _ = http.NewRequest(http.MethodPut, p.url+"/api/v1/webinars/"+w.Slug+"/recording", bytes.NewReader(clip))
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(token))
	req.Header.Set("Content-Type", "video/mp4")
	resp, err = http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode/100 != 2 {
		t.Fatalf("upload the recording: %v %v", resp, err)
	}
	resp.Body.Close()

	tab := openTab(t, 3*time.Minute)
	if tab == nil {
		return
	}
	ctx := tab.ctx
	// Without a login the members-only webinar is hidden.
	tab.problems.allow(http.StatusNotFound, p.url+"/webinars/"+w.Slug)
	click := func(t *testing.T, what, xpath string) int64 {
		t.Helper()
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		resp, err := chromedp.RunResponse(cctx, chromedp.Click(xpath))
		if err != nil {
			t.Fatalf("click %s: %v", what, err)
		}
		return resp.Status
	}
	open := func(t *testing.T, url string) int64 {
		t.Helper()
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		return resp.Status
	}
	text := func(t *testing.T, css string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
		if err != nil {
			t.Fatalf("read %s: %v", css, err)
		}
		return strings.Join(strings.Fields(s), " ")
	}
	shot := func(t *testing.T, name string) { saveScreenshot(t, ctx, shots, name) }
	step := func(name string, f func(t *testing.T)) {
		t.Helper()
		if !t.Run(name, f) {
			t.Fatalf("step %q failed; the later steps build on it", name)
		}
		tab.checkProblems(t)
	}

	var shown string
	step("staff invite a member", func(t *testing.T) {
		if st := open(t, p.url+"/login?next=/staff/accounts"); st != http.StatusOK {
			t.Fatalf("login page: %d", st)
		}
		if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("email"), staffEmail), chromedp.SendKeys(chromedp.ID("password"), password)); err != nil {
			t.Fatal(err)
		}
		if st := click(t, "Logga in", `//form[@action="/login"]//button`); st != http.StatusOK {
			t.Fatalf("after login: %d", st)
		}
		if h1 := text(t, "h1"); h1 != "Konton" {
			t.Fatalf("after login h1 %q, want Konton", h1)
		}
		if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("invite-email"), memberEmail), chromedp.SendKeys(chromedp.ID("invite-municipality"), "Ydre")); err != nil {
			t.Fatal(err)
		}
		if st := click(t, "Skapa inbjudan", `//button[normalize-space()="Skapa inbjudan"]`); st != http.StatusOK {
			t.Fatalf("after inviting: %d", st)
		}
		v, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("new-link")))
		if err != nil {
			t.Fatal(err)
		}
		shown = v
		if !strings.HasPrefix(shown, p.url+"/invite?token=") {
			t.Fatalf("shown link %q", shown)
		}
		if status := text(t, ".link-box p[role=status]"); !strings.Contains(status, "Länken har också mejlats till "+memberEmail) {
			t.Errorf("status %q", status)
		}
		if row := text(t, "table.accounts tbody"); !strings.Contains(row, memberEmail+" Medlem Ydre Inbjudet Aldrig") {
			t.Errorf("account list: %q", row)
		}
		shot(t, "members-staff-invite.png")
		click(t, "Logga ut", `//form[@action="/logout"]//button`)
	})

	var mailed string
	step("the invite arrives by mail", func(t *testing.T) {
		m := smtpd.Wait(t, time.Minute)
		if m.To != memberEmail || !strings.Contains(m.Subject, "Inbjudan") {
			t.Fatalf("mail to %q: %q", m.To, m.Subject)
		}
		for _, f := range strings.Fields(m.Body) {
			if strings.Contains(f, "/invite?token=") {
				mailed = f
			}
		}
		if mailed != shown {
			t.Fatalf("mailed link %q, shown %q\n%s", mailed, shown, m.Body)
		}
	})

	step("the member sets a password and sees the members-only webinar", func(t *testing.T) {
		if st := open(t, p.url+"/webinars/"+w.Slug); st != http.StatusNotFound {
			t.Fatalf("members-only webinar before login: %d, want 404", st)
		}
		if st := open(t, mailed); st != http.StatusOK {
			t.Fatalf("invite link: %d", st)
		}
		if h1 := text(t, "h1"); h1 != "Välkommen – välj ett lösenord" {
			t.Errorf("invite page h1 %q", h1)
		}
		if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("password"), memberPass), chromedp.SendKeys(chromedp.ID("repeat"), memberPass)); err != nil {
			t.Fatal(err)
		}
		shot(t, "members-set-password.png")
		if st := click(t, "Spara och logga in", `//button[normalize-space()="Spara och logga in"]`); st != http.StatusOK {
			t.Fatalf("after setting the password: %d", st)
		}
		if flash := text(t, ".flash"); flash != "Välkommen! Ditt lösenord är sparat och du är inloggad." {
			t.Errorf("flash %q", flash)
		}
		if who := text(t, ".account .who"); who != "Inloggad som "+memberEmail {
			t.Errorf("header says %q", who)
		}
		if st := open(t, p.url+"/webinars/"+w.Slug); st != http.StatusOK {
			t.Fatalf("members-only webinar as the member: %d", st)
		}
		if h1 := text(t, "h1"); h1 != title {
			t.Errorf("webinar h1 %q", h1)
		}
		shot(t, "members-webinar.png")
		// The link works once.
		tab.problems.allow(http.StatusGone, mailed)
		if st := open(t, mailed); st != http.StatusGone {
			t.Errorf("the invite link a second time: %d, want 410", st)
		}
		shot(t, "members-link-used.png")
	})

	step("the member's own account page, in English", func(t *testing.T) {
		if st := open(t, p.url+"/account?lang=en"); st != http.StatusOK {
			t.Fatalf("/account: %d", st)
		}
		if h1 := text(t, "h1"); h1 != "My account" {
			t.Errorf("h1 %q", h1)
		}
		if dd := text(t, "dl.account-facts"); dd != "Email "+memberEmail+" Municipality Ydre" {
			t.Errorf("account facts %q", dd)
		}
		shot(t, "members-account-en.png")
		click(t, "Log out everywhere", `//form[@action="/account/logout-all"]//button`)
		if flash := text(t, ".flash"); flash != "You are logged out everywhere." {
			t.Errorf("flash %q", flash)
		}
		if st := open(t, p.url+"/webinars/"+w.Slug); st != http.StatusNotFound {
			t.Errorf("members-only webinar after logging out everywhere: %d", st)
		}
	})
	// cards reads the catalogue's cards as a person sees them.
	type card struct {
		Title   string   `json:"title"`
		Href    string   `json:"href"`
		Badges  []string `json:"badges"`
		Visible bool     `json:"visible"`
	}
	cards := func(t *testing.T) map[string]card {
		t.Helper()
		if st := open(t, p.url+"/"); st != http.StatusOK {
			t.Fatalf("GET /: %d", st)
		}
		list, err := chromedp.Run(ctx, chromedp.Evaluate[[]card](`[...document.querySelectorAll('ul.cards > li.card')].map(li => {
			const r = li.getBoundingClientRect();
			return {title: (li.querySelector('h2') || {}).textContent?.trim() || '',
				href: (li.querySelector('a.card-link') || {getAttribute: () => ''}).getAttribute('href'),
				badges: [...li.querySelectorAll('.badge')].filter(b => b.getBoundingClientRect().width > 0).map(b => b.innerText.trim()),
				visible: r.width > 0 && r.height > 0};
		})`))
		if err != nil {
			t.Fatal(err)
		}
		byTitle := map[string]card{}
		for _, c := range list {
			byTitle[c.Title] = c
		}
		return byTitle
	}

	step("the member logs in with the password and watches the members-only webinar", func(t *testing.T) {
		// Back to Swedish (the step above switched to English).
		if st := open(t, p.url+"/?lang=sv"); st != http.StatusOK {
			t.Fatalf("/?lang=sv: %d", st)
		}
		// Logged out (everywhere, above): the catalogue does not list it.
		if who, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.querySelector('.account .who')`)); err != nil || who {
			t.Fatalf("still logged in before the login step (%v)", err)
		}
		if c, ok := cards(t)[title]; ok {
			t.Errorf("a visitor's catalogue lists the members-only webinar: %+v", c)
		}
		shot(t, "members-catalogue-visitor.png")
		if st := open(t, p.url+"/login"); st != http.StatusOK {
			t.Fatalf("/login: %d", st)
		}
		if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("email"), memberEmail), chromedp.SendKeys(chromedp.ID("password"), memberPass)); err != nil {
			t.Fatal(err)
		}
		if st := click(t, "Logga in", `//form[@action="/login"]//button[normalize-space()="Logga in"]`); st != http.StatusOK {
			t.Fatalf("after login: %d", st)
		}
		if who := text(t, ".account .who"); who != "Inloggad som "+memberEmail {
			t.Errorf("after logging in the header says %q", who)
		}
		c, ok := cards(t)[title]
		if !ok || !c.Visible {
			t.Fatalf("the member's catalogue has no visible card %q", title)
		}
		members := false
		for _, b := range c.Badges {
			members = members || b == "Medlemmar"
		}
		if !members {
			t.Errorf("the card %q has the badges %q; want Medlemmar", title, c.Badges)
		}
		if c.Href != "/webinars/"+w.Slug {
			t.Errorf("the card links to %q; want /webinars/%s", c.Href, w.Slug)
		}
		shot(t, "members-catalogue-member.png")
		if st := click(t, "the card", `//li[contains(@class,"card")][.//h2[normalize-space()="`+title+`"]]//a[contains(@class,"card-link")]`); st != http.StatusOK {
			t.Fatalf("opening the card: %d", st)
		}
		if h1 := text(t, "h1"); h1 != title {
			t.Errorf("watch page h1 %q; want %q", h1, title)
		}
		playCtx, cancelPlay := context.WithTimeout(ctx, 30*time.Second)
		started, err := chromedp.Run(playCtx, chromedp.Evaluate[string](`Promise.race([
				(v => { v.muted = true; v.loop = true; return v.play(); })(document.getElementById('player')).then(() => 'playing', e => 'play() rejected: ' + e.name + ': ' + e.message),
				new Promise(r => setTimeout(() => r('play() still pending after 15 s'), 15000))])`,
			chromedp.EvalAwaitPromise))
		cancelPlay()
		if err != nil || started != "playing" {
			t.Fatalf("video.play(): %q %v", started, err)
		}
		type video struct {
			Time   float64 `json:"time"`
			Paused bool    `json:"paused"`
			Width  int     `json:"width"`
			Error  string  `json:"error"`
		}
		v := pollState(t, ctx, `(v => ({time: v.currentTime, paused: v.paused, width: v.videoWidth, error: v.error ? v.error.message : ''}))(document.getElementById('player'))`,
			"the members-only video plays past 1 s", 30*time.Second, func(v video) bool { return v.Error != "" || v.Time > 1 })
		if v.Error != "" || v.Paused || v.Width == 0 {
			t.Errorf("the members-only video: %+v; want it playing with a picture", v)
		}
		shot(t, "members-video-playing.png")
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('player').pause(), true`)); err != nil {
			t.Error(err)
		}
	})
}
