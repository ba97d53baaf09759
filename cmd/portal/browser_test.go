package main

// End-to-end test: `portal serve --demo` on embedded storage, driven by a
// headless Chromium through chromedp, plus a few plain HTTP checks.
//
// The portal runs once, for TestPortalEndToEnd only: startPortal starts
// run(ctx, "serve", "--demo") in a goroutine and, at the end of the test,
// cancels it and waits until run has returned (graceful shutdown, embedded
// servers stopped, data directory unlocked). See the comment at the top of cli_test.go for
// why it is not started in TestMain.
//
// Screenshots go to $SCREENSHOT_DIR when it is set (e.g.
// SCREENSHOT_DIR=/tmp/shots go test ./cmd/portal/), otherwise into a
// temporary directory.
//
// Chromium: the test looks for chromium, chromium-browser, google-chrome or
// $CHROMIUM. Without one, it fails when $CI is set (install it with
// `make test-deps`, i.e. apt-get install chromium); on a developer machine
// it logs that the browser checks did not run, and still runs the HTTP checks.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/smakom/webinar-portal/internal/demo"
)

// svensktVatten is the title of the demo webinar the watch checks use.
const svensktVatten = "Sveriges nästa potentiella samhällskris – vattenförsörjningen"

type portal struct {
	url string // http://127.0.0.1:PORT, no trailing slash
}

func freeTCPPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startPortal runs `serve --demo` with a fresh DATA_DIR and a free PORT
// until the test ends, and returns once /readyz answers 200.
func startPortal(t *testing.T) *portal {
	t.Helper()
	return startServe(t, t.TempDir(), "serve", "--demo")
}

func TestPortalEndToEnd(t *testing.T) {
	p := startPortal(t)

	t.Run("admin command against the running portal's DATA_DIR", checkDataDirInUse)

	t.Run("slide deck is a PDF", func(t *testing.T) {
		slug := slugByTitle(t, p, svensktVatten)
		resp, err := http.Get(p.url + "/webinars/" + slug + "/slides/1")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET slides/1 = %d %s", resp.StatusCode, body)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/pdf") {
			t.Errorf("Content-Type = %q; want application/pdf", ct)
		}
		if !bytes.HasPrefix(body, []byte("%PDF-")) || len(body) < 1000 {
			t.Errorf("body (%d bytes) does not look like a PDF: %q", len(body), body[:min(len(body), 40)])
		}
		if n := resp.Header.Get("Content-Length"); n != "" && n != strconv.Itoa(len(body)) {
			t.Errorf("Content-Length %s, got %d bytes", n, len(body))
		}
		// A deck that does not exist is a 404, not a 500.
		resp2, err := http.Get(p.url + "/webinars/" + slug + "/slides/9")
		if err != nil {
			t.Fatal(err)
		}
		resp2.Body.Close()
		if resp2.StatusCode != http.StatusNotFound {
			t.Errorf("GET slides/9 = %d; want 404", resp2.StatusCode)
		}
	})

	t.Run("browser", func(t *testing.T) { testInBrowser(t, p) })
}

// pageText is what a person sees of a form page: its heading, the main
// content's text, the error summary and the form's values.
type pageText struct {
	Path     string            `json:"path"`
	H1       string            `json:"h1"`
	Main     string            `json:"main"`
	Errors   string            `json:"errors"`
	Category string            `json:"category"` // the hidden category of the form, if any
	Button   string            `json:"button"`
	Values   map[string]string `json:"values"`
}

func visibleText(t *testing.T, ctx context.Context) pageText {
	t.Helper()
	st, err := chromedp.Run(ctx, chromedp.Evaluate[pageText](`(() => {
		const t = e => e ? e.innerText.replace(/\s+/g, ' ').trim() : '';
		const f = document.querySelector('main form[action="/wishes"]');
		const values = {};
		if (f) for (const e of f.querySelectorAll('input:not([type=hidden]), textarea')) values[e.name] = e.value;
		return {path: location.pathname, h1: t(document.querySelector('h1')), main: t(document.querySelector('main')),
			errors: t(document.querySelector('.error-summary')),
			category: f && f.querySelector('input[name=category]') ? f.querySelector('input[name=category]').value : '',
			button: t(f && f.querySelector('button[type=submit]')), values};
	})()`))
	if err != nil {
		t.Fatalf("read the page: %v", err)
	}
	return st
}

// slugByTitle finds a published webinar's slug through the public JSON API.
func slugByTitle(t *testing.T, p *portal, title string) string {
	t.Helper()
	resp, err := http.Get(p.url + "/api/v1/webinars?per_page=100")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Items []struct{ Slug, Title string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatalf("GET /api/v1/webinars: %d: %v", resp.StatusCode, err)
	}
	for _, w := range list.Items {
		if w.Title == title {
			return w.Slug
		}
	}
	t.Fatalf("no webinar titled %q in /api/v1/webinars (%d items)", title, len(list.Items))
	return ""
}

func findChromium() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	return ""
}

// saveScreenshot writes a full-page screenshot of ctx's tab to dir/name
// and fails when it is not a PNG of a rendered page (a blank page is
// under 10 KB).
func saveScreenshot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || len(png) <= 10<<10 {
		t.Errorf("screenshot %s: %d bytes, not a PNG of a rendered page", name, len(png))
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s (%d KB)", path, len(png)>>10)
}

func screenshotDir(t *testing.T) string {
	dir := os.Getenv("SCREENSHOT_DIR")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("SCREENSHOT_DIR: %v", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// pageProblems collects what goes wrong in the page: script exceptions,
// console errors and HTTP errors of any request the page makes.
type pageProblems struct {
	mu       sync.Mutex
	problems []string
	allowed  map[string]bool // "STATUS URL" of expected error answers
}

func (pp *pageProblems) add(s string) {
	pp.mu.Lock()
	pp.problems = append(pp.problems, s)
	pp.mu.Unlock()
}

func (pp *pageProblems) allow(status int, u string) {
	pp.mu.Lock()
	pp.allowed[fmt.Sprintf("%d %s", status, u)] = true
	pp.mu.Unlock()
}

func (pp *pageProblems) listen(ev any) {
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg = d.Exception.Description
		}
		pp.add(fmt.Sprintf("script exception at %s:%d: %s", d.URL, d.LineNumber, msg))
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var parts []string
			for _, a := range ev.Args {
				parts = append(parts, strings.Trim(string(a.Value), `"`)+a.Description)
			}
			pp.add("console error: " + strings.Join(parts, " "))
		}
	case *cdplog.EventEntryAdded:
		// Browser-side errors such as CSP violations or media decode
		// problems; failed requests are reported below with their status.
		if e := ev.Entry; e != nil && e.Level == cdplog.EntryLevelError && !strings.HasPrefix(e.Text, "Failed to load resource") {
			pp.add(fmt.Sprintf("browser %s error: %s %s", e.Source, e.Text, e.URL))
		}
	case *network.EventResponseReceived:
		if ev.Response.Status >= 400 {
			key := fmt.Sprintf("%d %s", ev.Response.Status, ev.Response.URL)
			pp.mu.Lock()
			ok := pp.allowed[key]
			for allowed := range pp.allowed {
				// "STATUS URL*" allows every URL with that prefix.
				if prefix, isPrefix := strings.CutSuffix(allowed, "*"); isPrefix && strings.HasPrefix(key, prefix) {
					ok = true
				}
			}
			pp.mu.Unlock()
			if !ok {
				pp.add("HTTP " + key)
			}
		}
	case *network.EventLoadingFailed:
		if !ev.Canceled {
			pp.add(fmt.Sprintf("request %s failed: %s", ev.RequestID, ev.ErrorText))
		}
	}
}

func (pp *pageProblems) take() []string {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	p := pp.problems
	pp.problems = nil
	return p
}

// newBrowser starts headless Chromium for the test and returns its tab's
// context (already started) or nil when there is no Chromium outside CI.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	exe := findChromium()
	if exe == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("no Chromium found (looked for chromium, chromium-browser, google-chrome, $CHROMIUM): " +
				"install chromium: make test-deps (apt-get install chromium)")
		}
		t.Logf("BROWSER CHECKS NOT RUN: no Chromium found. install chromium: make test-deps (apt-get install chromium); " +
			"with CI set this is a failure")
		return nil
	}
	tmp := t.TempDir()
	for _, d := range []string{"profile", "config", "cache"} {
		if err := os.MkdirAll(filepath.Join(tmp, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "sv-SE"),
		chromedp.UserDataDir(filepath.Join(tmp, "profile")),
		chromedp.WindowSize(1280, 900),
		chromedp.WSURLReadTimeout(60 * time.Second), // slow starts on a busy 2-core machine
		chromedp.Env("XDG_CONFIG_HOME="+filepath.Join(tmp, "config"), "XDG_CACHE_HOME="+filepath.Join(tmp, "cache")),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
	})
	// The first Run starts the browser; it must not have a timeout.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start %s: %v", exe, err)
	}
	return bctx
}

func testInBrowser(t *testing.T, p *portal) {
	tab := openTab(t, 3*time.Minute)
	if tab == nil {
		return
	}
	ctx, problems := tab.ctx, tab.problems
	// The portal serves a favicon (linked from every page, and at
	// /favicon.ico for browsers that ask there): a 404 for it is a problem.
	checkProblems := tab.checkProblems
	shots := screenshotDir(t)
	shot := func(t *testing.T, name string) { saveScreenshot(t, ctx, shots, name) }
	navigate := func(t *testing.T, u string) {
		t.Helper()
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(u))
		if err != nil {
			t.Fatalf("navigate to %s: %v", u, err)
		}
		if resp.Status != http.StatusOK {
			t.Fatalf("GET %s = %d", u, resp.Status)
		}
	}
	waitImages := func(t *testing.T) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`[...document.images].every(i => i.complete)`,
			chromedp.WithPollingTimeout(10*time.Second))); err != nil {
			t.Errorf("images did not finish loading: %v", err)
		}
	}

	demoWebinars, err := demo.Webinars()
	if err != nil {
		t.Fatal(err)
	}

	var watchURL string
	t.Run("catalogue", func(t *testing.T) {
		navigate(t, p.url+"/")
		type card struct {
			Title   string   `json:"title"`
			Href    string   `json:"href"`
			Badges  []string `json:"badges"`
			PosterW int      `json:"posterW"`
		}
		var page struct {
			Lang  string `json:"lang"`
			Title string `json:"title"`
			Count string `json:"count"`
			Cards []card `json:"cards"`
		}
		waitImages(t)
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](`(() => ({
			lang: document.documentElement.lang,
			title: document.title,
			count: (document.querySelector('.count') || {}).textContent || '',
			cards: [...document.querySelectorAll('ul.cards > li.card')].map(li => ({
				title: (li.querySelector('h2') || {}).textContent?.trim() || '',
				href: (li.querySelector('a.card-link') || {getAttribute: () => ''}).getAttribute('href'),
				badges: [...li.querySelectorAll('.badge')].map(b => b.textContent.trim()),
				posterW: (li.querySelector('img') || {}).naturalWidth || 0,
			})),
		}))()`))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &page); err != nil {
			t.Fatalf("%v: %s", err, raw)
		}
		if page.Lang != "sv" {
			t.Errorf(`<html lang=%q>; want "sv"`, page.Lang)
		}
		if !strings.Contains(page.Title, "Webbinarier") {
			t.Errorf("document title %q", page.Title)
		}
		if strings.TrimSpace(page.Count) != "3 webbinarier" {
			t.Errorf("count line %q; want %q", page.Count, "3 webbinarier")
		}
		if len(page.Cards) != len(demoWebinars) {
			t.Fatalf("catalogue lists %d webinars; want the %d demo webinars: %+v", len(page.Cards), len(demoWebinars), page.Cards)
		}
		byTitle := map[string]card{}
		for _, c := range page.Cards {
			byTitle[c.Title] = c
			hasTextad := false
			for _, b := range c.Badges {
				hasTextad = hasTextad || b == "Textad"
			}
			if !hasTextad {
				t.Errorf("card %q has badges %q; want a Textad badge", c.Title, c.Badges)
			}
			if c.PosterW == 0 {
				t.Errorf("card %q: poster image did not load", c.Title)
			}
		}
		for _, w := range demoWebinars {
			if _, ok := byTitle[w.Title]; !ok {
				t.Errorf("demo webinar %q is not in the catalogue", w.Title)
			}
		}
		c, ok := byTitle[svensktVatten]
		if !ok || !strings.HasPrefix(c.Href, "/webinars/") {
			t.Fatalf("no link to %q in the catalogue: %+v", svensktVatten, page.Cards)
		}
		watchURL = p.url + c.Href
		shot(t, "catalogue.png")
		checkProblems(t)
	})

	t.Run("skip link is the first tab stop", func(t *testing.T) {
		navigate(t, p.url+"/")
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
			t.Fatal(err)
		}
		var focused struct {
			Tag     string `json:"tag"`
			Text    string `json:"text"`
			Href    string `json:"href"`
			Visible bool   `json:"visible"`
		}
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](`(() => {
			const e = document.activeElement;
			const r = e.getBoundingClientRect();
			return {tag: e.tagName, text: e.textContent.trim(), href: e.getAttribute('href') || '',
				visible: r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0 && r.left < innerWidth && r.top < innerHeight};
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &focused); err != nil {
			t.Fatal(err)
		}
		if focused.Tag != "A" || focused.Text != "Hoppa till innehållet" || focused.Href != "#main" {
			t.Fatalf("first Tab focused <%s href=%q> %q; want the skip link \"Hoppa till innehållet\" to #main", focused.Tag, focused.Href, focused.Text)
		}
		if !focused.Visible {
			t.Error("the focused skip link is not visible on screen")
		}
		shot(t, "skip-link-focused.png")
		// Enter follows it: focus moves to <main>.
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Enter)); err != nil {
			t.Fatal(err)
		}
		id, err := chromedp.Run(ctx, chromedp.Poll[string](`document.activeElement.id === 'main' && 'main'`,
			chromedp.WithPollingTimeout(5*time.Second)))
		if err != nil || id != "main" {
			t.Errorf("after Enter on the skip link, focus is not on <main id=main>: %v", err)
		}
		checkProblems(t)
	})

	t.Run("watch page plays with Swedish captions", func(t *testing.T) {
		if watchURL == "" {
			t.Fatal("no watch URL from the catalogue")
		}
		navigate(t, watchURL)
		h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
		if err != nil {
			t.Fatal(err)
		}
		if h1 != svensktVatten {
			t.Errorf("h1 = %q; want %q", h1, svensktVatten)
		}
		// loop: on a loaded machine the 14 s clip must not end before the
		// caption and screenshot checks below. play() stays pending when
		// every <source> fails, so race it against a timer.
		playCtx, cancelPlay := context.WithTimeout(ctx, 30*time.Second)
		started, err := chromedp.Run(playCtx, chromedp.Evaluate[string](`Promise.race([
				(v => { v.loop = true; return v.play(); })(document.getElementById('player')).then(() => 'playing', e => 'play() rejected: ' + e.name + ': ' + e.message),
				new Promise(r => setTimeout(() => r('play() still pending after 15 s'), 15000))])`,
			chromedp.EvalAwaitPromise))
		cancelPlay()
		if err != nil || started != "playing" {
			raw, _ := chromedp.Run(ctx, chromedp.Evaluate[[]byte](`(v => ({networkState: v.networkState, readyState: v.readyState,
				error: v.error && v.error.message, src: v.currentSrc}))(document.getElementById('player'))`))
			t.Fatalf("video.play(): %q %v; video %s; page problems %q", started, err, raw, problems.take())
		}

		type state struct {
			Time       float64 `json:"time"`
			Ready      int     `json:"ready"`
			Paused     bool    `json:"paused"`
			Error      string  `json:"error"`
			Width      int     `json:"width"`
			Height     int     `json:"height"`
			Duration   float64 `json:"duration"`
			CurrentSrc string  `json:"src"`
		}
		const stateJS = `(() => { const v = document.getElementById('player');
			return {time: v.currentTime, ready: v.readyState, paused: v.paused,
				error: v.error ? (v.error.code + ' ' + v.error.message) : '',
				width: v.videoWidth, height: v.videoHeight, duration: v.duration, src: v.currentSrc}; })()`
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => { const v = document.getElementById('player');
				return !!v.error || v.networkState === 3 || (v.currentTime > 2 && v.readyState >= 3); })()`,
			chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			raw, _ := chromedp.Run(ctx, chromedp.Evaluate[[]byte](stateJS))
			t.Fatalf("video did not play past 2 s: %v; state %s", err, raw)
		}
		var st state
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](stateJS))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &st); err != nil {
			t.Fatal(err)
		}
		t.Logf("video state: %s", raw)
		if st.Error != "" || st.Time <= 2 {
			t.Fatalf("video did not play past 2 s: error %q, state %s", st.Error, raw)
		}
		if st.Width != 480 || st.Height != 270 {
			t.Errorf("video is %dx%d; want 480x270", st.Width, st.Height)
		}
		if st.Duration < 13.5 || st.Duration > 14.5 {
			t.Errorf("video duration %.2f s; want 14 s", st.Duration)
		}
		if st.Paused {
			t.Error("video paused by itself")
		}

		// A caption is on screen while it plays.
		var cue struct {
			Time  float64 `json:"time"`
			Start float64 `json:"start"`
			End   float64 `json:"end"`
			Text  string  `json:"text"`
		}
		raw, err = chromedp.Run(ctx, chromedp.Poll[[]byte](`(() => { const v = document.getElementById('player');
				const tr = [...v.textTracks].find(t => t.language === 'sv');
				if (!tr || !tr.activeCues || tr.activeCues.length === 0) return null;
				const c = tr.activeCues[0];
				return {time: v.currentTime, start: c.startTime, end: c.endTime, text: c.text}; })()`,
			chromedp.WithPollingTimeout(10*time.Second)))
		if err != nil {
			t.Errorf("the Swedish track never had an active cue while playing: %v", err)
		} else if err := json.Unmarshal(raw, &cue); err != nil {
			t.Error(err)
		} else {
			t.Logf("active cue at %.2f s: [%.2f–%.2f] %q", cue.Time, cue.Start, cue.End, cue.Text)
			if cue.Time < cue.Start-0.5 || cue.Time > cue.End+0.5 || cue.Text == "" {
				t.Errorf("active cue [%.2f–%.2f] %q does not match the time %.2f", cue.Start, cue.End, cue.Text, cue.Time)
			}
		}

		// Screenshot while it plays, with the caption showing.
		if playing, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(v => !v.paused && !v.ended)(document.getElementById('player'))`)); err != nil || !playing {
			t.Errorf("video not playing before the screenshot: %v", err)
		}
		shot(t, "watch-playing.png")

		// The tracks: Swedish is on by default with its cues loaded.
		type track struct {
			Lang  string `json:"lang"`
			Kind  string `json:"kind"`
			Label string `json:"label"`
			Mode  string `json:"mode"`
			Cues  int    `json:"cues"`
			Text  string `json:"text"`
		}
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`[...document.getElementById('player').textTracks].some(t => t.language === 'sv' && t.cues && t.cues.length >= 5)`,
			chromedp.WithPollingTimeout(10*time.Second))); err != nil {
			t.Errorf("the Swedish track's cues did not load: %v", err)
		}
		raw, err = chromedp.Run(ctx, chromedp.Evaluate[[]byte](`[...document.getElementById('player').textTracks].map(t => ({
			lang: t.language, kind: t.kind, label: t.label, mode: t.mode,
			cues: t.cues ? t.cues.length : -1,
			text: t.cues ? [...t.cues].map(c => c.text).join('\n') : ''}))`))
		if err != nil {
			t.Fatal(err)
		}
		var tracks []track
		if err := json.Unmarshal(raw, &tracks); err != nil {
			t.Fatal(err)
		}
		var sv *track
		for i := range tracks {
			t.Logf("track %s %s %q mode=%s cues=%d", tracks[i].Lang, tracks[i].Kind, tracks[i].Label, tracks[i].Mode, tracks[i].Cues)
			if tracks[i].Lang == "sv" {
				if sv != nil {
					t.Errorf("two Swedish tracks")
				}
				sv = &tracks[i]
			} else if tracks[i].Mode == "showing" {
				t.Errorf("track %s is showing too; only the default (sv) should be", tracks[i].Lang)
			}
		}
		if sv == nil {
			t.Fatalf("no Swedish text track: %s", raw)
		}
		if sv.Mode != "showing" {
			t.Errorf("Swedish track mode %q; want showing (the default track)", sv.Mode)
		}
		if sv.Cues < 5 {
			t.Errorf("Swedish track has %d cues; want >= 5", sv.Cues)
		}
		if !strings.ContainsAny(sv.Text, "åäöÅÄÖ") {
			t.Errorf("Swedish cue text has no å/ä/ö (wrong encoding?): %q", sv.Text)
		}
		if strings.Contains(sv.Text, "Ã") || strings.Contains(sv.Text, "\uFFFD") {
			t.Errorf("Swedish cue text is mis-decoded: %q", sv.Text)
		}
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(v => { v.pause(); return true; })(document.getElementById('player'))`)); err != nil {
			t.Error(err)
		}
		checkProblems(t)
	})

	t.Run("wish form", func(t *testing.T) {
		navigate(t, p.url+"/wishes/new")
		const topic = "Vattenrening i glesbygd – små vattenverk och nödvatten"
		if err := chromedp.Do(ctx,
			chromedp.SendKeys(chromedp.ID("topic"), topic),
			chromedp.SendKeys(chromedp.ID("details"), "Hur delar flera kommuner på beredskapen?"),
			chromedp.SendKeys(chromedp.ID("name"), "Åsa Öberg"),
			chromedp.SendKeys(chromedp.ID("email"), "asa.oberg@example.se"),
			chromedp.SendKeys(chromedp.ID("municipality"), "Älvdalen"),
		); err != nil {
			t.Fatal(err)
		}
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action="/wishes"] button[type=submit]`)))
		if err != nil {
			t.Fatalf("submit the wish: %v", err)
		}
		if resp.Status != http.StatusCreated && resp.Status != http.StatusOK && resp.Status != http.StatusSeeOther {
			t.Errorf("submitting the wish answered %d", resp.Status)
		}
		h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
		if err != nil {
			t.Fatal(err)
		}
		if h1 != "Tack för ditt önskemål!" {
			t.Fatalf("after submitting, h1 = %q; want %q", h1, "Tack för ditt önskemål!")
		}
		body, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(body, topic) {
			t.Errorf("the thank-you page does not repeat the topic %q: %q", topic, body)
		}
		shot(t, "wish-thanks.png")
		checkProblems(t)

		// An empty topic: the form comes back with the error by the field
		// and everything else as typed.
		navigate(t, p.url+"/wishes/new")
		typed := map[string]string{
			"details":      "Gärna med exempel från Norrland.",
			"name":         "Örjan Åkesson",
			"email":        "orjan@example.se",
			"municipality": "Härjedalen",
		}
		for _, id := range []string{"details", "name", "email", "municipality"} {
			if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID(id), typed[id])); err != nil {
				t.Fatal(err)
			}
		}
		problems.allow(http.StatusUnprocessableEntity, p.url+"/wishes")
		problems.allow(http.StatusBadRequest, p.url+"/wishes")
		resp, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action="/wishes"] button[type=submit]`)))
		if err != nil {
			t.Fatalf("submit the empty wish: %v", err)
		}
		if resp.Status != http.StatusUnprocessableEntity && resp.Status != http.StatusBadRequest {
			t.Errorf("submitting an empty topic answered %d; want 422 (or 400)", resp.Status)
		}
		var form struct {
			H1          string            `json:"h1"`
			FieldError  string            `json:"fieldError"`
			Invalid     string            `json:"invalid"`
			DescribedBy string            `json:"describedBy"`
			Summary     string            `json:"summary"`
			Values      map[string]string `json:"values"`
			Topic       string            `json:"topic"`
		}
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](`(() => {
			const q = s => document.querySelector(s);
			const topic = q('#topic');
			return {
				h1: q('h1').textContent.trim(),
				fieldError: (q('#topic-error') || {}).textContent?.trim() || '',
				invalid: topic.getAttribute('aria-invalid') || '',
				describedBy: topic.getAttribute('aria-describedby') || '',
				summary: (q('.error-summary') || {}).textContent?.trim() || '',
				topic: topic.value,
				values: Object.fromEntries(['details','name','email','municipality'].map(id => [id, q('#' + id).value])),
			};
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &form); err != nil {
			t.Fatal(err)
		}
		if form.FieldError != "Fältet måste fyllas i." {
			t.Errorf("topic field error %q; want %q", form.FieldError, "Fältet måste fyllas i.")
		}
		if form.Invalid != "true" || !strings.Contains(form.DescribedBy, "topic-error") {
			t.Errorf("topic input aria-invalid=%q aria-describedby=%q; want true and topic-error", form.Invalid, form.DescribedBy)
		}
		if !strings.Contains(form.Summary, "Fältet måste fyllas i.") {
			t.Errorf("error summary %q does not list the error", form.Summary)
		}
		for id, want := range typed {
			if got := form.Values[id]; got != want {
				t.Errorf("after the error, #%s = %q; want what was typed, %q", id, got, want)
			}
		}
		if form.Topic != "" {
			t.Errorf("topic = %q; want it empty as sent", form.Topic)
		}
		shot(t, "wish-error.png")
		checkProblems(t)

		// The visitor fills in the missing topic and sends the form again:
		// the thank-you page, with what was typed before kept.
		const corrected = "Reservvatten när ledningen går sönder"
		if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("topic"), corrected)); err != nil {
			t.Fatal(err)
		}
		resp, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action="/wishes"] button[type=submit]`)))
		if err != nil || resp.Status != http.StatusOK {
			t.Fatalf("send the corrected wish: %v %v", resp, err)
		}
		thanks := visibleText(t, ctx)
		if thanks.Path != "/wishes/thanks" || thanks.H1 != "Tack för ditt önskemål!" || !strings.Contains(thanks.Main, corrected) || thanks.Errors != "" {
			t.Errorf("after correcting the form: %+v; want the thank-you page repeating %q", thanks, corrected)
		}
		shot(t, "wish-corrected-thanks.png")
		checkProblems(t)
	})

	// An accessibility report from the statement page that comes back
	// with an error stays a report; corrected, it is stored as one. (The
	// wish and report forms allow 5 posts an hour from one address: this
	// test uses all five.)
	t.Run("accessibility report corrected after an error", func(t *testing.T) {
		navigate(t, p.url+"/tillganglighet")
		const details = "Knappen för undertexter läses upp utan namn."
		if err := chromedp.Do(ctx,
			chromedp.SendKeys(chromedp.ID("a11y-details"), details),
			chromedp.SendKeys(chromedp.ID("a11y-email"), "asa.oberg@example.se"),
		); err != nil {
			t.Fatal(err)
		}
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.Search(`//button[normalize-space()="Skicka rapporten"]`)))
		if err != nil || resp.Status != http.StatusUnprocessableEntity {
			t.Fatalf("send the report without saying where: %v %v; want 422", resp, err)
		}
		again := visibleText(t, ctx)
		t.Logf("the report shown again: %+v", again)
		if again.H1 != "Rapportera brister i webbplatsens tillgänglighet" || !strings.Contains(again.Main, "Din rapport om tillgängligheten är inte skickad än") {
			t.Errorf("after the error the page reads h1 %q, %q; want the accessibility report again", again.H1, again.Main)
		}
		if !strings.Contains(again.Errors, "Vilken sida eller funktion gäller det?: Fältet måste fyllas i.") || again.Category != "a11y" || again.Button != "Skicka rapporten" {
			t.Errorf("the report with an error: summary %q, category %q, button %q; want the error, category a11y and Skicka rapporten",
				again.Errors, again.Category, again.Button)
		}
		if again.Values["details"] != details || again.Values["email"] != "asa.oberg@example.se" {
			t.Errorf("what was typed is not kept: %q", again.Values)
		}
		shot(t, "a11y-report-error.png")
		const where = "Undertextknappen i spelaren"
		if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("topic"), where)); err != nil {
			t.Fatal(err)
		}
		resp, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.Search(`//button[normalize-space()="Skicka rapporten"]`)))
		if err != nil || resp.Status != http.StatusOK {
			t.Fatalf("send the corrected report: %v %v", resp, err)
		}
		thanks := visibleText(t, ctx)
		if thanks.H1 != "Tack för ditt önskemål!" || !strings.Contains(thanks.Main, "Tillgänglighet: "+where) {
			t.Errorf("after the corrected report: %+v; want the thank-you page with %q", thanks, "Tillgänglighet: "+where)
		}
		shot(t, "a11y-report-thanks.png")
		checkProblems(t)
	})

	// The wish form was submitted through the browser: same origin, so the
	// CSRF cookie and form field matched. A POST without them is refused.
	t.Run("wish without CSRF token is refused", func(t *testing.T) {
		resp, err := http.PostForm(p.url+"/wishes", url.Values{"topic": {"Utan token"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST /wishes without CSRF token = %d; want 403", resp.StatusCode)
		}
	})
}
