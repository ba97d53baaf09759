package main

import (
	"bytes"
	"context"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// deckBlue is the accent colour of the Svenskt Vatten demo deck (its
// title slide is filled with it) and the background of its clip.
var deckBlue = [3]int{0x1f, 0x4e, 0x79}

// colourShare is the share of a PNG's pixels within 16 of rgb in every
// channel.
func colourShare(t *testing.T, shot []byte, rgb [3]int) float64 {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	b := img.Bounds()
	near := func(v uint32, want int) bool { d := int(v>>8) - want; return d > -16 && d < 16 }
	hits, all := 0, 0
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			all++
			if near(r, rgb[0]) && near(g, rgb[1]) && near(bl, rgb[2]) {
				hits++
			}
		}
	}
	return float64(hits) / float64(max(all, 1))
}

// pollShot takes screenshots until one has at least share of pixels in
// rgb, and returns the last one; each try may take 10 s, all of them
// timeout.
func pollShot(t *testing.T, ctx context.Context, shoot func(context.Context) ([]byte, error), rgb [3]int, share float64, timeout time.Duration) ([]byte, float64) {
	t.Helper()
	var last []byte
	var got float64
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		shot, err := shoot(sctx)
		cancel()
		if err != nil || len(shot) == 0 {
			continue
		}
		last, got = shot, colourShare(t, shot, rgb)
		if got >= share {
			break
		}
	}
	return last, got
}

// TestSlidesPDFInBrowser: slide decks and recordings go out under the
// files' strict policy (default-src 'none', sandbox). Chromium's PDF
// viewer must still show the deck, inside the watch page's <object> and
// opened by its link, and the recording opened by its link must still
// show its picture. The deck's title slide is filled with the deck's
// colour, so the screenshots say whether the viewer drew it.
func TestSlidesPDFInBrowser(t *testing.T) {
	p := startPortal(t)
	slug := slugByTitle(t, p, svensktVatten)
	tab := openTab(t, 4*time.Minute)
	if tab == nil {
		return
	}
	ctx := tab.ctx
	tab.problems.allow(http.StatusNotFound, p.url+"/favicon.ico")
	shots := screenshotDir(t)
	save := func(name string, shot []byte) {
		path := filepath.Join(shots, name)
		if err := os.WriteFile(path, shot, 0o644); err != nil {
			t.Error(err)
		}
		t.Logf("screenshot %s", path)
	}
	viewport := func(ctx context.Context) ([]byte, error) { return chromedp.Run(ctx, chromedp.CaptureScreenshot()) }

	t.Run("in the watch page's object", func(t *testing.T) {
		if resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(p.url+"/webinars/"+slug)); err != nil || resp.Status != http.StatusOK {
			t.Fatalf("GET the watch page: %v %v", resp, err)
		}
		// Open the PDF panel and bring it into view.
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const d = document.querySelector('details.pdf');
			d.open = true; d.querySelector('object').scrollIntoView({block: 'center'}); return d.open; })()`)); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`details.pdf object`))); err != nil {
			t.Fatal(err)
		}
		object := func(ctx context.Context) ([]byte, error) {
			return chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(`details.pdf object`)))
		}
		shot, share := pollShot(t, ctx, object, deckBlue, 0.05, 90*time.Second)
		save("slides-pdf-object.png", shot)
		if share < 0.05 {
			t.Errorf("the <object> does not show the deck: %.1f%% of it in the deck's colour", 100*share)
		}
		// The fallback link is not what shows.
		fallback, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const a = document.querySelector('details.pdf object a');
			return !!a && a.getBoundingClientRect().height > 0; })()`))
		if err != nil || fallback {
			t.Errorf("the object shows its fallback link (%v)", err)
		}
		t.Logf("object: %.1f%% deck colour", 100*share)
	})

	t.Run("opened by its link", func(t *testing.T) {
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(p.url+"/webinars/"+slug+"/slides/1"))
		if err != nil || resp.Status != http.StatusOK {
			t.Fatalf("GET slides/1: %v %v", resp, err)
		}
		if csp, _ := resp.Headers["Content-Security-Policy"].(string); csp == "" {
			t.Errorf("the deck came without a Content-Security-Policy: the test checks nothing")
		}
		shot, share := pollShot(t, ctx, viewport, deckBlue, 0.05, 90*time.Second)
		save("slides-pdf-direct.png", shot)
		if share < 0.05 {
			t.Errorf("the PDF viewer does not show the deck: %.1f%% of the window in the deck's colour", 100*share)
		}
		t.Logf("direct: %.1f%% deck colour", 100*share)
	})

	t.Run("recording opened by its link", func(t *testing.T) {
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(p.url+"/webinars/"+slug+"/recording"))
		if err != nil || resp.Status != http.StatusOK {
			t.Fatalf("GET recording: %v %v", resp, err)
		}
		shot, share := pollShot(t, ctx, viewport, deckBlue, 0.05, 90*time.Second)
		save("recording-direct.png", shot)
		if share < 0.05 {
			t.Errorf("the recording opened alone shows no picture: %.1f%% of the window in the clip's colour", 100*share)
		}
		t.Logf("recording: %.1f%% clip colour", 100*share)
	})
	t.Run("poster opened by its link", func(t *testing.T) {
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(p.url+"/webinars/"+slug+"/poster"))
		if err != nil || resp.Status != http.StatusOK {
			t.Fatalf("GET poster: %v %v", resp, err)
		}
		shot, share := pollShot(t, ctx, viewport, deckBlue, 0.02, 90*time.Second)
		save("poster-direct.png", shot)
		if share < 0.02 {
			t.Errorf("the poster opened alone shows no picture: %.1f%% of the window in the clip's colour", 100*share)
		}
		t.Logf("poster: %.1f%% clip colour", 100*share)
	})
	tab.checkProblems(t)
}
