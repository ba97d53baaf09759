package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestResumeInBrowser: a logged-in member plays the Svenskt Vatten demo,
// pauses, and on the next visit the video starts where they stopped.
func TestResumeInBrowser(t *testing.T) {
	const (
		email    = "medlem@smakom.example"
		password = "korrekt-häst-batteri-staple"
	)
	dataDir := t.TempDir()
	setCleanEnv(t, "DATA_DIR="+dataDir, "LOG_LEVEL=error")
	addUser(t, email, "member", password)
	p := startServe(t, dataDir, "serve", "--demo")
	watch := p.url + "/webinars/" + slugByTitle(t, p, svensktVatten)

	tab := openTab(t, 3*time.Minute)
	if tab == nil {
		return
	}
	ctx := tab.ctx
	if resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(p.url+"/login")); err != nil || resp.Status != http.StatusOK {
		t.Fatalf("GET /login: %v %v", resp, err)
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), password),
	); err != nil {
		t.Fatal(err)
	}
	if resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`))); err != nil || resp.Status != http.StatusOK {
		t.Fatalf("log in: %v %v", resp, err)
	}

	if resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(watch)); err != nil || resp.Status != http.StatusOK {
		t.Fatalf("GET %s: %v %v", watch, resp, err)
	}
	// Play muted (headless autoplay rules) to past 6 s, then pause: the
	// pause saves the position.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](`(() => { const v = document.getElementById('player'); v.muted = true; v.play(); })()`)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById('player').currentTime > 6`,
		chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("the video did not play past 6 s: %v", err)
	}
	stopped, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`(() => { const v = document.getElementById('player'); v.pause(); return v.currentTime; })()`))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // the PUT of the position

	if resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(watch)); err != nil || resp.Status != http.StatusOK {
		t.Fatalf("GET %s again: %v %v", watch, resp, err)
	}
	note, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("start-at")))
	if err != nil || !strings.Contains(note, "Du fortsätter där du slutade") {
		t.Fatalf("no resume note (%v): %q", err, note)
	}
	at, err := chromedp.Run(ctx, chromedp.Poll[float64](`(() => { const v = document.getElementById('player');
		return v.readyState >= 1 && v.currentTime > 0 ? v.currentTime : 0; })()`, chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil {
		t.Fatalf("the video did not start at the saved position: %v", err)
	}
	if at < stopped-1 || at > stopped+1 {
		t.Errorf("the video starts at %.1f s; it was paused at %.1f s", at, stopped)
	}
	t.Logf("paused at %.2f s, the next visit started at %.2f s (note %q)", stopped, at, note)
	tab.checkProblems(t)
}
