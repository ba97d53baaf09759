package main

// TestKeyboardJourney uses the demo portal with the keyboard alone, as
// someone who cannot use a mouse: from the top of the page the first Tab
// stop is the skip link, which moves focus to the main content; the
// search box, a result, the player's controls, the captions button and a
// transcript line are reached with Tab and used with Enter; every stop
// shows a focus ring; and tabbing through the whole watch page leaves it
// (focus returns to the browser) after a bounded number of steps, so there
// is no focus trap. The arrow keys on the focused player seek; Tab goes
// through the catalogue's header, navigation, search form, cards and
// footer in a fixed order; and a wish is sent with the keyboard alone,
// from the header's link to the thank-you page.

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/smakom/webinar-portal/internal/pagetour"
)

// catalogueTabStops are the catalogue's Tab stops in order for a visitor
// of the demo portal: tag#id or tag and text.
var catalogueTabStops = []string{
	"a Hoppa till innehållet",
	// header and navigation
	"a SmåKom webbinariearkiv",
	"a Webbinarier",
	"a Önska ett webbinarium",
	"a Önskemål och svar",
	"a In English",
	"a Logga in",
	// main: the search form, then the cards (newest first)
	"input#q",
	"select#topic",
	"select#year",
	"button Visa",
	"a Kompetensförsörjning i små kommuner 2024",
	"a Sveriges nästa potentiella samhällskris – vattenförsörjningen",
	"a Digitalisering och e-tjänster i små kommuner",
	// footer
	"a Saknar du ett ämne? Skicka ett önskemål.",
	"a Tillgänglighetsredogörelse",
}

// focusState describes document.activeElement.
type focusState struct {
	Desc     string  `json:"desc"` // tag#id.class "text"
	Tag      string  `json:"tag"`
	ID       string  `json:"id"`
	Href     string  `json:"href"`
	Text     string  `json:"text"`
	Ring     bool    `json:"ring"`    // outline or box-shadow drawn
	OnScreen bool    `json:"visible"` // inside the viewport with a size
	Pressed  string  `json:"pressed"`
	Time     float64 `json:"time"` // the player's currentTime
	Paused   bool    `json:"paused"`
	URL      string  `json:"url"`
}

const focusStateJS = `(() => {
	const e = document.activeElement, v = document.getElementById('player');
	const base = {time: v ? v.currentTime : -1, paused: v ? v.paused : true, url: location.href};
	if (!e || e === document.body || e === document.documentElement) return {...base, desc: 'body', tag: 'BODY'};
	const cs = getComputedStyle(e), r = e.getBoundingClientRect();
	return {...base,
		desc: e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '') +
			' "' + e.textContent.replace(/\s+/g, ' ').trim().slice(0, 40) + '"',
		tag: e.tagName, id: e.id, href: e.getAttribute('href') || '', text: e.textContent.replace(/\s+/g, ' ').trim(),
		ring: (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) || cs.boxShadow !== 'none',
		visible: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth,
		pressed: e.getAttribute('aria-pressed') || ''};
})()`

// keyboardTab drives a browser tab by keyboard and reads where its
// focus is.
type keyboardTab struct{ ctx context.Context }

func (k keyboardTab) focus(t *testing.T) focusState {
	t.Helper()
	st, err := chromedp.Run(k.ctx, chromedp.Evaluate[focusState](focusStateJS))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func (k keyboardTab) press(t *testing.T, key string) {
	t.Helper()
	if err := chromedp.Do(k.ctx, chromedp.KeyEvent(key)); err != nil {
		t.Fatal(err)
	}
}

// tabTo presses Tab until want holds, at most limit times, checking that
// every element on the way shows a focus ring. The player's own controls
// live in its shadow tree and draw their own ring.
func (k keyboardTab) tabTo(t *testing.T, what string, limit int, want func(focusState) bool) focusState {
	t.Helper()
	var seen []string
	for i := 0; i < limit; i++ {
		k.press(t, kb.Tab)
		st := k.focus(t)
		seen = append(seen, st.Desc)
		if st.Tag != "BODY" && st.ID != "player" && !st.Ring {
			t.Errorf("no visible focus ring on %s", st.Desc)
		}
		if want(st) {
			return st
		}
	}
	t.Fatalf("%d Tabs did not reach %s; focus went through %s", limit, what, strings.Join(seen, " → "))
	return focusState{}
}

func TestKeyboardJourney(t *testing.T) {
	p := startPortal(t)
	tab := openTab(t, 4*time.Minute)
	if tab == nil {
		return
	}
	ctx := tab.ctx
	kt := keyboardTab{ctx}
	focus, press, tabTo := kt.focus, kt.press, kt.tabTo
	load := func(t *testing.T, u string) {
		t.Helper()
		if _, err := chromedp.RunResponse(ctx, chromedp.Navigate(u)); err != nil {
			t.Fatal(err)
		}
	}
	shots := screenshotDir(t)
	shot := func(t *testing.T, name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(shots, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot %s (%d KB)", filepath.Join(shots, name), len(png)>>10)
	}
	skipLink := func(st focusState) bool { return st.Tag == "A" && st.Href == "#main" }

	t.Run("skip link, search and a result", func(t *testing.T) {
		load(t, p.url+"/")
		st := tabTo(t, "the skip link", 1, skipLink)
		if st.Text != "Hoppa till innehållet" || !st.OnScreen {
			t.Errorf("first Tab stop %s (on screen %v); want the visible skip link", st.Desc, st.OnScreen)
		}
		press(t, kb.Enter)
		if err := pagetour.WaitFor(ctx, `document.activeElement.id === 'main'`, 5*time.Second); err != nil {
			t.Fatalf("Enter on the skip link did not move focus to <main>: %v (focus on %s)", err, focus(t).Desc)
		}
		// The search box is the first stop in the main content.
		tabTo(t, "the search box", 1, func(st focusState) bool { return st.ID == "q" })
		if err := chromedp.Do(ctx, chromedp.KeyEvent("vatten")); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.RunResponse(ctx, chromedp.KeyEvent(kb.Enter)); err != nil {
			t.Fatal(err)
		}
		if st := focus(t); !strings.Contains(st.URL, "q=vatten") {
			t.Fatalf("Enter in the search box led to %s; want a search for vatten", st.URL)
		}
		res := tabTo(t, "the first result", 30, func(st focusState) bool {
			return st.Tag == "A" && strings.HasPrefix(st.Href, "/webinars/") && strings.Contains(st.Text, "vattenförsörjningen")
		})
		if _, err := chromedp.RunResponse(ctx, chromedp.KeyEvent(kb.Enter)); err != nil {
			t.Fatal(err)
		}
		if u, _ := url.Parse(focus(t).URL); u == nil || !strings.HasPrefix(u.Path, "/webinars/") {
			t.Fatalf("Enter on %s did not open the watch page", res.Desc)
		}
		tab.checkProblems(t)
	})

	slug, err := pagetour.SlugByTitle(p.url, pagetour.DemoTitle)
	if err != nil {
		t.Fatal(err)
	}
	watch := p.url + "/webinars/" + slug
	watchReady := func(t *testing.T) {
		t.Helper()
		if err := pagetour.WaitFor(ctx, `/cc-colours-/.test(document.getElementById('player').className) && document.getElementById('player').readyState >= 1`, 20*time.Second); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("player, captions button and transcript", func(t *testing.T) {
		load(t, watch)
		watchReady(t)
		tabTo(t, "the skip link", 1, skipLink)
		press(t, kb.Enter)
		tabTo(t, "the player", 5, func(st focusState) bool { return st.ID == "player" })
		// Space in the native controls (focus starts on play) plays.
		press(t, " ")
		if err := pagetour.WaitFor(ctx, `!document.getElementById('player').paused`, 10*time.Second); err != nil {
			t.Errorf("Space on the player's first control did not play: %v", err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('player').pause(), true`)); err != nil {
			t.Fatal(err)
		}
		st := tabTo(t, "the captions button", 20, func(st focusState) bool { return st.ID == "cc-toggle" })
		if st.Pressed != "true" {
			t.Errorf("captions button aria-pressed=%q; want true (captions on by default)", st.Pressed)
		}
		press(t, kb.Enter)
		if st := focus(t); st.Pressed != "false" {
			t.Errorf("after Enter the captions button has aria-pressed=%q; want false", st.Pressed)
		}
		press(t, kb.Enter)
		cue := tabTo(t, "a transcript line at 0:04", 40, func(st focusState) bool {
			return st.Tag == "A" && strings.Contains(st.Text, "0:04")
		})
		press(t, kb.Enter)
		after, err := chromedp.Run(ctx, chromedp.Poll[focusState](`(() => { const s = `+focusStateJS+`; return s.time >= 4 && s.time < 6 ? s : null; })()`,
			chromedp.WithPollingTimeout(10*time.Second)))
		if err != nil {
			t.Errorf("Enter on the transcript line %s did not seek to 0:04: %v (now %+v)", cue.Desc, err, focus(t))
		} else if u, _, _ := strings.Cut(after.URL, "#"); u != watch {
			t.Errorf("Enter on the transcript line navigated to %s; want it to seek in place", after.URL)
		}
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('player').pause(), true`)); err != nil {
			t.Fatal(err)
		}
		tab.checkProblems(t)
	})

	t.Run("seek with the arrow keys on the player", func(t *testing.T) {
		load(t, watch)
		watchReady(t)
		tabTo(t, "the skip link", 1, skipLink)
		press(t, kb.Enter)
		st := tabTo(t, "the player", 5, func(st focusState) bool { return st.ID == "player" })
		if st.Time != 0 || !st.Paused {
			t.Fatalf("the player before the arrow keys: at %.2f s, paused %v; want 0 and paused", st.Time, st.Paused)
		}
		// Chromium's controls step 1 % of the length per press (0.14 s
		// here): ten presses move the video more than a second.
		for i := 0; i < 10; i++ {
			press(t, kb.ArrowRight)
		}
		fwd, err := chromedp.Run(ctx, chromedp.Poll[focusState](`(() => { const s = `+focusStateJS+`; return s.time > 1 ? s : null; })()`,
			chromedp.WithPollingTimeout(10*time.Second)))
		if err != nil {
			t.Fatalf("ArrowRight on the focused player did not move the video past 1 s: %v (now %+v)", err, focus(t))
		}
		if fwd.ID != "player" || !fwd.Paused {
			t.Errorf("after ArrowRight: focus on %s, paused %v; want the player still focused and paused", fwd.Desc, fwd.Paused)
		}
		for i := 0; i < 5; i++ {
			press(t, kb.ArrowLeft)
		}
		back, err := chromedp.Run(ctx, chromedp.Poll[focusState](`(() => { const s = `+focusStateJS+`; return s.time < `+strconv.FormatFloat(fwd.Time-0.5, 'f', 3, 64)+` ? s : null; })()`,
			chromedp.WithPollingTimeout(10*time.Second)))
		if err != nil {
			t.Fatalf("ArrowLeft did not move the video back from %.2f s: %v (now %+v)", fwd.Time, err, focus(t))
		}
		shot(t, "keyboard-seek.png")
		t.Logf("10 × ArrowRight moved the video to %.2f s, 5 × ArrowLeft back to %.2f s", fwd.Time, back.Time)
		tab.checkProblems(t)
	})

	t.Run("tab order of the catalogue", func(t *testing.T) {
		load(t, p.url+"/")
		var stops []string
		left := false
		for i := 0; i < 80; i++ {
			press(t, kb.Tab)
			st := focus(t)
			if st.Tag == "BODY" || (i > 0 && skipLink(st)) {
				left = true // past the last stop: no focus trap
				break
			}
			if !st.Ring || !st.OnScreen && st.Href != "#main" {
				t.Errorf("stop %d, %s: focus ring %v, scrolled into view %v", i+1, st.Desc, st.Ring, st.OnScreen)
			}
			stop := strings.ToLower(st.Tag)
			if st.ID != "" {
				stop += "#" + st.ID
			} else {
				stop += " " + st.Text
			}
			stops = append(stops, stop)
		}
		if !left {
			t.Errorf("after 80 Tabs focus is still in the catalogue: a focus trap?")
		}
		want := catalogueTabStops
		if strings.Join(stops, "\n") != strings.Join(want, "\n") {
			t.Errorf("Tab goes through the catalogue as\n\t%s\nwant\n\t%s", strings.Join(stops, "\n\t"), strings.Join(want, "\n\t"))
		}
		tab.checkProblems(t)
	})

	t.Run("a wish sent with the keyboard alone", func(t *testing.T) {
		load(t, p.url+"/")
		// From the top of the catalogue to the header's wish link.
		tabTo(t, "the link Önska ett webbinarium", 10, func(st focusState) bool { return st.Tag == "A" && st.Text == "Önska ett webbinarium" })
		if _, err := chromedp.RunResponse(ctx, chromedp.KeyEvent(kb.Enter)); err != nil {
			t.Fatal(err)
		}
		if u, _ := url.Parse(focus(t).URL); u == nil || u.Path != "/wishes/new" {
			t.Fatalf("Enter on the wish link led to %s", focus(t).URL)
		}
		// Skip link, then into the form: each field is reached with Tab and
		// filled by typing.
		tabTo(t, "the skip link", 1, skipLink)
		press(t, kb.Enter)
		fields := []struct{ id, text string }{
			{"topic", "Tangentbordsvänliga webbinarier"},
			{"details", "Allt ska gå att nå med Tab."},
			{"name", "Åke Öst"},
			{"email", "ake.ost@example.se"},
			{"municipality", "Åre"},
		}
		for _, f := range fields {
			tabTo(t, "#"+f.id, 3, func(st focusState) bool { return st.ID == f.id })
			if err := chromedp.Do(ctx, chromedp.KeyEvent(f.text)); err != nil {
				t.Fatal(err)
			}
		}
		values, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](`Object.fromEntries(['topic','details','name','email','municipality','website'].map(id => [id, document.getElementById(id).value]))`))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fields {
			if values[f.id] != f.text {
				t.Errorf("#%s = %q after typing; want %q", f.id, values[f.id], f.text)
			}
		}
		if values["website"] != "" {
			t.Errorf("the hidden honeypot field got text: %q", values["website"])
		}
		// The next stop is the submit button (the honeypot is skipped); Enter sends.
		st := tabTo(t, "the submit button", 1, func(st focusState) bool { return st.Tag == "BUTTON" })
		if st.Text != "Skicka önskemål" {
			t.Errorf("after the last field Tab reached %s; want the button Skicka önskemål", st.Desc)
		}
		shot(t, "keyboard-wish-filled.png")
		if _, err := chromedp.RunResponse(ctx, chromedp.KeyEvent(kb.Enter)); err != nil {
			t.Fatal(err)
		}
		page, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[location.pathname, document.querySelector('h1').innerText.trim(), document.querySelector('main').innerText]`))
		if err != nil {
			t.Fatal(err)
		}
		if page[0] != "/wishes/thanks" || page[1] != "Tack för ditt önskemål!" || !strings.Contains(page[2], fields[0].text) {
			t.Errorf("after Enter on the button: %s, h1 %q, %q; want the thank-you page with the topic", page[0], page[1], page[2])
		}
		shot(t, "keyboard-wish-thanks.png")
		tab.checkProblems(t)
	})

	t.Run("no focus trap on the watch page", func(t *testing.T) {
		load(t, watch)
		watchReady(t)
		const limit = 250
		steps, left := 0, false
		var last string
		for ; steps < limit; steps++ {
			press(t, kb.Tab)
			st := focus(t)
			if st.Tag == "BODY" {
				left = true // past the last stop: focus went to the browser
				break
			}
			if steps > 0 && skipLink(st) {
				left = true // wrapped around to the top
				break
			}
			if st.ID != "player" && !st.Ring {
				t.Errorf("no visible focus ring on %s", st.Desc)
			}
			last = st.Desc
		}
		if !left {
			t.Fatalf("after %d Tabs focus is still inside the page (last on %s): a focus trap?", limit, last)
		}
		if !strings.Contains(last, "Tillgänglighetsredogörelse") {
			t.Errorf("the last Tab stop before leaving the page was %s; want the footer's accessibility statement link", last)
		}
		t.Logf("the watch page has %d Tab stops; the last is %s", steps, last)
		tab.checkProblems(t)
	})
}
