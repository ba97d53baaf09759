package main

// End-to-end test of wishes in a browser, without relying on JavaScript
// (the forms are plain POSTs): a visitor sends a wish, staff plan it, a
// member supports it on the public page /wishes, staff add a public
// reply, and the public page shows the reply and the member's vote.
// Like the other browser tests it never calls t.Parallel.

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// wishesState is what the public wishes page shows.
type wishesState struct {
	H1        string   `json:"h1"`
	Flash     string   `json:"flash"`
	Planned   []string `json:"planned"` // topics under "Planerade"
	Count     string   `json:"count"`   // the first planned wish's supporter count
	Reply     string   `json:"reply"`
	Supported string   `json:"supported"`
	Buttons   int      `json:"buttons"` // support buttons
	LoginLink bool     `json:"loginLink"`
}

const wishesStateJS = `(() => {
	const t = (el) => el ? el.textContent.replace(/\s+/g, ' ').trim() : '';
	const planned = document.querySelector('section[aria-labelledby="planned-heading"]');
	const first = planned && planned.querySelector('article.wish');
	return {
		h1: t(document.querySelector('h1')),
		flash: t(document.querySelector('.flash')),
		planned: planned ? [...planned.querySelectorAll('article.wish h3')].map(t) : [],
		count: t(first && first.querySelector('.supporters')),
		reply: t(first && first.querySelector('.reply div')),
		supported: t(first && first.querySelector('.supported')),
		buttons: document.querySelectorAll('form[action$="/support"] button').length,
		loginLink: !!document.querySelector('a[href="/login?next=%2Fwishes"]'),
	};
})()`

func TestWishesInBrowser(t *testing.T) {
	shots := screenshotDir(t)
	const (
		staffEmail  = "redaktor@smakom.example"
		memberEmail = "medlem@kommun.example"
		password    = "korrekt-häst-batteri-staple"
		topic       = "Reservvatten för små kommuner"
		reply       = "Vi ordnar ett webbinarium om reservvatten i mars."
	)
	dataDir := t.TempDir()
	setCleanEnv(t, "DATA_DIR="+dataDir, "LOG_LEVEL=error")
	for _, u := range [][2]string{{staffEmail, "staff"}, {memberEmail, "member"}} {
		addUser(t, u[0], u[1], password)
	}
	p := startServe(t, dataDir, "serve")

	tab := openTab(t, 3*time.Minute)
	if tab == nil {
		return
	}
	ctx := tab.ctx
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
	open := func(t *testing.T, path string) {
		t.Helper()
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(p.url+path))
		if err != nil || resp.Status != http.StatusOK {
			t.Fatalf("GET %s: %v %v", path, resp, err)
		}
	}
	text := func(t *testing.T, css string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
		if err != nil {
			t.Fatalf("read %s: %v", css, err)
		}
		return strings.Join(strings.Fields(s), " ")
	}
	state := func(t *testing.T) wishesState {
		t.Helper()
		st, err := chromedp.Run(ctx, chromedp.Evaluate[wishesState](wishesStateJS))
		if err != nil {
			t.Fatalf("read /wishes: %v", err)
		}
		return st
	}
	login := func(t *testing.T, email, next string) {
		t.Helper()
		open(t, "/login?next="+next)
		if err := chromedp.Do(ctx,
			chromedp.SendKeys(chromedp.ID("email"), email),
			chromedp.SendKeys(chromedp.ID("password"), password),
		); err != nil {
			t.Fatal(err)
		}
		if st := click(t, "Logga in", `//form[@action="/login"]//button[normalize-space()="Logga in"]`); st != http.StatusOK {
			t.Fatalf("after login: status %d", st)
		}
	}
	logout := func(t *testing.T) {
		t.Helper()
		click(t, "Logga ut", `//form[@action="/logout"]//button[normalize-space()="Logga ut"]`)
	}
	// triage fills in the first wish's staff form and saves it.
	triage := func(t *testing.T, status, replyText string) {
		t.Helper()
		open(t, "/staff/wishes")
		if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("form.triage select[name=status]"), status)); err != nil {
			t.Fatal(err)
		}
		if replyText != "" { // typed, as staff would (the field starts empty here)
			if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("form.triage textarea[name=reply]"), replyText)); err != nil {
				t.Fatal(err)
			}
		}
		if st := click(t, "Spara", `//form[contains(@class,"triage")]//button[normalize-space()="Spara"]`); st != http.StatusOK {
			t.Fatalf("after Spara: status %d", st)
		}
		if flash := text(t, ".flash"); !strings.HasPrefix(flash, "Önskemålet är sparat") {
			t.Fatalf("flash after Spara = %q", flash)
		}
	}
	shot := func(t *testing.T, name string) { saveScreenshot(t, ctx, shots, name) }
	step := func(name string, f func(t *testing.T)) {
		t.Helper()
		if !t.Run(name, f) {
			t.Fatalf("step %q failed; the later steps build on it", name)
		}
		tab.checkProblems(t)
	}

	step("a visitor sends a wish", func(t *testing.T) {
		open(t, "/wishes/new")
		if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("topic"), topic)); err != nil {
			t.Fatal(err)
		}
		click(t, "Skicka önskemål", `//button[normalize-space()="Skicka önskemål"]`)
		if h1 := text(t, "h1"); h1 != "Tack för ditt önskemål!" {
			t.Fatalf("after sending: h1 %q", h1)
		}
	})

	step("staff see it as new and plan it", func(t *testing.T) {
		login(t, staffEmail, "/staff")
		if nav := text(t, `header nav a[href="/staff/wishes"]`); nav != "Önskemål (1 nya)" {
			t.Errorf("staff menu says %q, want %q", nav, "Önskemål (1 nya)")
		}
		triage(t, "planned", "")
		if nav := text(t, `header nav a[href="/staff/wishes"]`); nav != "Önskemål (0 nya)" {
			t.Errorf("staff menu after planning says %q", nav)
		}
		logout(t)
	})

	step("a member supports it on the public page", func(t *testing.T) {
		open(t, "/wishes")
		if st := state(t); st.Buttons != 0 || !st.LoginLink || len(st.Planned) != 1 {
			t.Fatalf("public page before login: %+v; want the wish, a login link and no support button", st)
		}
		login(t, memberEmail, "%2Fwishes")
		st := state(t)
		if st.Count != "Antal som stöder: 0" || st.Buttons != 1 {
			t.Fatalf("after the member logged in: %+v", st)
		}
		shot(t, "wishes-member.png")
		click(t, "+1 Stöd önskemålet", `//form[contains(@action,"/support")]//button`)
		st = state(t)
		if st.Flash != "Tack! Ditt stöd är registrerat." || st.Count != "Antal som stöder: 1" || st.Supported != "Du stöder det här önskemålet." || st.Buttons != 0 {
			t.Errorf("after supporting: %+v", st)
		}
		logout(t)
	})

	step("staff add a public reply", func(t *testing.T) {
		login(t, staffEmail, "/staff")
		triage(t, "planned", reply)
		shot(t, "wishes-staff.png")
		logout(t)
	})

	step("the public page shows the reply and the vote", func(t *testing.T) {
		open(t, "/wishes")
		st := state(t)
		if st.H1 != "Önskemål och svar" || len(st.Planned) != 1 || st.Planned[0] != topic || st.Reply != reply || st.Count != "Antal som stöder: 1" {
			t.Errorf("public page: %+v", st)
		}
		shot(t, "wishes-public.png")
	})
}
