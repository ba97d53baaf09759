package main

// TestKeyboardJourney uses the demo portal with the keyboard alone, as
// someone who cannot use a mouse: from the top of the page the first Tab
// stop is the skip link, which moves focus to the main content; the
// search box, a result, the player's controls, the captions button and a
// transcript line are reached with Tab and used with Enter; every stop
// shows a focus ring; and tabbing through the whole watch page leaves it
// (focus returns to the browser) after a bounded number of steps, so there
// is no focus trap.

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/smakom/webinar-portal/internal/pagetour"
)

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

func TestKeyboardJourney(t *testing.T) {
	p := startPortal(t)
	tab := openTab(t, 4*time.Minute)
	if tab == nil {
		return
	}
	ctx := tab.ctx
	focus := func(t *testing.T) focusState {
		t.Helper()
		st, err := chromedp.Run(ctx, chromedp.Evaluate[focusState](focusStateJS))
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	press := func(t *testing.T, key string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.KeyEvent(key)); err != nil {
			t.Fatal(err)
		}
	}
	// tabTo presses Tab until want holds, at most limit times, checking
	// that every element on the way shows a focus ring. The player's own
	// controls live in its shadow tree and draw their own ring.
	tabTo := func(t *testing.T, what string, limit int, want func(focusState) bool) focusState {
		t.Helper()
		var seen []string
		for i := 0; i < limit; i++ {
			press(t, kb.Tab)
			st := focus(t)
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
	load := func(t *testing.T, u string) {
		t.Helper()
		if _, err := chromedp.RunResponse(ctx, chromedp.Navigate(u)); err != nil {
			t.Fatal(err)
		}
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
