package main

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestSearchToMomentInBrowser: a visitor filters the catalogue by topic,
// types a word into its search box, gets the webinar with the moments its transcript says it,
// follows one, and the watch page starts the video there; the player asks
// the server for byte ranges (206 answers), and seeking asks again.
func TestSearchToMomentInBrowser(t *testing.T) {
	dataDir := t.TempDir()
	setCleanEnv(t, "DATA_DIR="+dataDir, "LOG_LEVEL=error")
	p := startServe(t, dataDir, "serve", "--demo")
	tab := openTab(t, 3*time.Minute)
	if tab == nil {
		return
	}
	ctx := tab.ctx
	var (
		mu     sync.Mutex
		ranged []int64 // status of each recording response
	)
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventResponseReceived); ok && strings.HasSuffix(strings.SplitN(e.Response.URL, "?", 2)[0], "/recording") {
			mu.Lock()
			ranged = append(ranged, e.Response.Status)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}

	if resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(p.url+"/")); err != nil || resp.Status != http.StatusOK {
		t.Fatalf("GET /: %v %v", resp, err)
	}
	// Filtering by a topic narrows the catalogue to its webinars.
	cards := func() []string {
		t.Helper()
		titles, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('ul.cards li.card h2')).map(h => h.textContent.trim())`))
		if err != nil {
			t.Fatal(err)
		}
		return titles
	}
	all := cards()
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("topic"), "Vatten och avlopp")); err != nil {
		t.Fatal(err)
	}
	if resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`main form button[type=submit]`))); err != nil || resp.Status != http.StatusOK {
		t.Fatalf("filter by topic: %v %v", resp, err)
	}
	filtered := cards()
	t.Logf("catalogue: %d webinars, %d with the topic Vatten och avlopp: %v", len(all), len(filtered), filtered)
	if len(filtered) == 0 || len(filtered) >= len(all) || !strings.Contains(strings.Join(filtered, "|"), "vattenförsörjningen") {
		t.Errorf("filtering by topic: %v of %v", filtered, all)
	}

	// Typed as a person would: an inflected form the transcript does not
	// contain word for word.
	if resp, err := chromedp.RunResponse(ctx, chromedp.SendKeys(chromedp.ID("q"), "översvämning\n")); err != nil || resp.Status != http.StatusOK {
		t.Fatalf("search: %v %v", resp, err)
	}
	// Right after the start the index may still be built (the page then
	// matches titles only): reload until the moments are there.
	for deadline := time.Now().Add(30 * time.Second); ; {
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('ul.moments a').length`))
		if err == nil && n > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
		if _, err := chromedp.Run(ctx, chromedp.Reload()); err != nil {
			t.Fatal(err)
		}
	}
	// The first moment past the opening second (t=0 would prove nothing).
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
		const a = Array.from(document.querySelectorAll('ul.moments a')).find(a => +new URL(a.href).searchParams.get('t') > 0);
		if (a) a.dataset.pick = '1';
		return !!a; })()`)); err != nil {
		t.Fatal(err)
	}
	first := `document.querySelector('ul.moments a[data-pick]')`
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](first+`?.textContent || ''`))
	if err != nil || text == "" {
		page, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + '\n' + document.body.innerText`))
		t.Fatalf("no transcript moment among the hits (%v):\n%s", err, page)
	}
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](first+`.getAttribute('href')`))
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(href)
	if err != nil {
		t.Fatal(err)
	}
	at, err := strconv.ParseFloat(u.Query().Get("t"), 64)
	if err != nil || at <= 0 {
		t.Fatalf("moment link %q has no start time", href)
	}
	if !strings.Contains(strings.ToLower(text), "översvämning") {
		t.Errorf("the moment %q does not show the word searched for", text)
	}
	t.Logf("first moment: %q → %s", strings.TrimSpace(text), href)

	if resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`ul.moments a[data-pick]`))); err != nil || resp.Status != http.StatusOK {
		t.Fatalf("follow the moment: %v %v", resp, err)
	}
	got, err := chromedp.Run(ctx, chromedp.Poll[float64](`(() => { const v = document.getElementById('player');
		return v && v.readyState >= 1 && v.currentTime > 0 ? v.currentTime : 0; })()`, chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil {
		t.Fatalf("the video did not start at the moment: %v", err)
	}
	if got < at-0.5 || got > at+0.5 {
		t.Errorf("the video starts at %.2f s; the moment is at %.2f s", got, at)
	}
	// Seeking elsewhere plays from there.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](`(() => { const v = document.getElementById('player'); v.muted = true; v.currentTime = 2; v.play(); })()`)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById('player').currentTime > 2.5`, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("the video did not play after seeking: %v", err)
	}
	mu.Lock()
	statuses := append([]int64(nil), ranged...)
	mu.Unlock()
	partial := 0
	for _, s := range statuses {
		if s == http.StatusPartialContent {
			partial++
		}
	}
	t.Logf("started at %.2f s for a moment at %.2f s; recording answers: %v", got, at, statuses)
	if partial == 0 {
		t.Errorf("the player got no 206 (byte range) answer for the recording: %v", statuses)
	}
	tab.checkProblems(t)
}
