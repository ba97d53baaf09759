package main

// TestPageWeights loads every Swedish page type of the demo portal with
// the browser cache off and reports, from Navigation and Resource Timing,
// the server time (responseStart - requestStart) and the bytes of HTML,
// CSS and JavaScript (as sent, compressed, and unpacked) — media are not
// counted. The archive is filled up first so that the pages weighed are
// the heavy ones: a catalogue page with a full 12 cards, and a watch page
// with an hour-long transcript of 1,500 cues. Catalogue and watch pages
// must stay under 100 KB of HTML, CSS and JS as sent, compressed (a size
// budget, not a timing); the unpacked size is reported beside it. It also
// measures layout shift (CLS) while each page, its poster images and the
// player load: the video keeps its box from the first paint. The table
// also goes to TEST_REPORTS_DIR/pageweights.md.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/smakom/webinar-portal/internal/demo"
	"github.com/smakom/webinar-portal/internal/search/synth"
	"github.com/smakom/webinar-portal/internal/subtitle"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/smakom/webinar-portal/internal/pagetour"
)

// pageWeight is what one page load cost.
type pageWeight struct {
	ServerMS float64 `json:"serverMS"`
	HTML     int     `json:"html"` // encoded (as sent) body sizes
	CSS      int     `json:"css"`
	JS       int     `json:"js"`
	Decoded  int     `json:"decoded"` // HTML+CSS+JS unpacked
	Transfer int     `json:"transfer"`
	HTMLRaw  int     `json:"htmlRaw"`
	CLS      float64 `json:"cls"`
	// Shifts names what moved, for the failure message.
	Shifts []string `json:"shifts"`
}

const pageWeightJS = `new Promise(resolve => {
	const nav = performance.getEntriesByType('navigation')[0];
	const w = {serverMS: nav.responseStart - nav.requestStart, html: nav.encodedBodySize, htmlRaw: nav.decodedBodySize,
		css: 0, js: 0, decoded: nav.decodedBodySize, transfer: nav.transferSize, cls: 0, shifts: []};
	const describe = n => !n ? '?' : n.nodeType !== 1 ? '#text in ' + describe(n.parentElement) :
		n.tagName.toLowerCase() + (n.id ? '#' + n.id : '') + (n.className && typeof n.className === 'string' ? '.' + n.className.trim().split(/\s+/).join('.') : '');
	for (const r of performance.getEntriesByType('resource')) {
		const path = new URL(r.name).pathname;
		const kind = path.endsWith('.css') ? 'css' : path.endsWith('.js') ? 'js' : '';
		if (!kind) continue; // posters, media, subtitles: not HTML, CSS or JS
		w[kind] += r.encodedBodySize; w.decoded += r.decodedBodySize; w.transfer += r.transferSize;
	}
	// Every layout shift so far (buffered), none caused by input.
	new PerformanceObserver(list => {
		for (const e of list.getEntries()) {
			if (e.hadRecentInput) continue;
			w.cls += e.value;
			w.shifts.push(e.value.toFixed(4) + ' at ' + Math.round(e.startTime) + ' ms: ' + (e.sources || []).map(s => describe(s.node) +
				' ' + Math.round(s.previousRect.y) + '->' + Math.round(s.currentRect.y) + ' h' + Math.round(s.previousRect.height) + '->' + Math.round(s.currentRect.height)).join(', '));
		}
	}).observe({type: 'layout-shift', buffered: true});
	requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => resolve(w), 50)));
})`

// postersLoadedJS is true once every poster the page asked for is in
// (lazy ones below the fold are not asked for).
const postersLoadedJS = `performance.getEntriesByType('resource').filter(r => new URL(r.name).pathname.endsWith('/poster')).every(r => r.responseEnd > 0) &&
	[...document.images].every(i => i.complete || (i.loading === 'lazy' && i.getBoundingClientRect().top >= innerHeight))`

// longTranscriptCues is an hour of speech at one cue every 2.4 seconds.
const longTranscriptCues = 1500

// seedHeavyPages fills the archive through the API: ten more public
// webinars (so that the first catalogue page has its full 12 cards) and
// one with the demo clip and an hour-long Swedish transcript. It returns
// the latter's slug.
func seedHeavyPages(t *testing.T, base, token string) string {
	t.Helper()
	call := func(method, path, contentType string, body []byte) []byte {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", contentType)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		var out bytes.Buffer
		_, _ = out.ReadFrom(resp.Body)
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, out.String())
		}
		return out.Bytes()
	}
	create := func(title, summary string, topics []string, held string) string {
		body, _ := json.Marshal(map[string]any{"title": title, "summary": summary, "topics": topics,
			"held_at": held, "visibility": "public", "organiser": "SmåKom"})
		var w struct{ Slug string }
		if err := json.Unmarshal(call(http.MethodPost, "/api/v1/webinars", "application/json", body), &w); err != nil || w.Slug == "" {
			t.Fatalf("create %q: %v", title, err)
		}
		return w.Slug
	}
	g := synth.New(7)
	for i := range 10 {
		w, _ := g.Webinar(i, 0)
		create(w.Title, w.Summary, w.Topics, fmt.Sprintf("2022-%02d-%02d", 1+i, 10+i))
	}
	w, cues := g.Webinar(99, longTranscriptCues)
	for i := range cues {
		start := time.Duration(i) * 2400 * time.Millisecond
		cues[i].Start, cues[i].End = start, start+2300*time.Millisecond
	}
	slug := create("En timmes utskrift: "+w.Title, w.Summary, w.Topics, "2025-01-15")
	demos, err := demo.Webinars()
	if err != nil {
		t.Fatal(err)
	}
	call(http.MethodPut, "/api/v1/webinars/"+slug+"/recording?duration_seconds=3600", "video/mp4", demos[1].Video)
	var srt bytes.Buffer
	if err := subtitle.WriteSRT(&srt, cues); err != nil {
		t.Fatal(err)
	}
	var track struct{ Cues int }
	if err := json.Unmarshal(call(http.MethodPut, "/api/v1/webinars/"+slug+"/subtitles/sv?filename=sv.srt", "application/x-subrip", srt.Bytes()), &track); err != nil || track.Cues != longTranscriptCues {
		t.Fatalf("long transcript stored with %d cues (%v); want %d", track.Cues, err, longTranscriptCues)
	}
	return slug
}

func TestPageWeights(t *testing.T) {
	dataDir := t.TempDir()
	accounts := tourAccounts(t, dataDir)
	token, err := runCommand(t, "", "token", "create", "--email", accounts[pagetour.Staff].Email, "--name", "sidvikter")
	if err != nil {
		t.Fatal(err)
	}
	p := startTourPortal(t, dataDir)
	longSlug := seedHeavyPages(t, p.url, strings.TrimSpace(token))
	tab := openTab(t, 10*time.Minute)
	if tab == nil {
		return
	}
	ctx := tab.ctx
	tour := &pagetour.Tour{Base: p.url, Accounts: accounts}
	fixtures, err := tour.Prepare(ctx, tourInvitee)
	if err != nil {
		t.Fatal(err)
	}
	allowTourErrors(tab, p.url, fixtures)
	// Every page as a first visit: nothing from the browser cache.
	if _, err := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
		t.Fatal(err)
	}
	var table, md strings.Builder
	fmt.Fprintf(&table, "\n%-34s %9s %8s %8s %8s %10s %10s %7s\n", "page", "server ms", "HTML B", "CSS B", "JS B", "sent B", "unpacked B", "CLS")
	md.WriteString("## Page weights (Swedish pages, browser cache off)\n\n" +
		"Bytes of HTML, CSS and JS: *sent* is as transferred, compressed (brotli or gzip; response bodies without headers), *unpacked* after decompression. " +
		"Media (video, posters, subtitles) are not counted. Budget: catalogue and watch pages under 100 KB (102,400 B) sent.\n\n" +
		"| page | server ms | HTML B | CSS B | JS B | sent B | unpacked B | CLS | budget |\n|---|---:|---:|---:|---:|---:|---:|---:|---|\n")
	stops := pagetour.Stops(fixtures)
	// The heavy watch page: an hour-long transcript.
	stops = append(stops, pagetour.Stop{Name: "watch-long-transcript", Lang: "sv", Path: "/webinars/" + longSlug,
		Status: http.StatusOK, Ready: pagetour.WatchReady})
	cards := -1
	for _, stop := range stops {
		if stop.Lang != "sv" {
			continue
		}
		if err := tour.Visit(ctx, stop); err != nil {
			t.Errorf("%s: %v", stop.Label(), err)
			continue
		}
		if err := pagetour.WaitFor(ctx, postersLoadedJS, 20*time.Second); err != nil {
			t.Errorf("%s: posters: %v", stop.Label(), err)
		}
		w, err := chromedp.Run(ctx, chromedp.Evaluate[pageWeight](pageWeightJS, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Errorf("%s: timing: %v", stop.Label(), err)
			continue
		}
		if stop.Name == "catalogue" && stop.Who == pagetour.Anonymous {
			cards, _ = chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('ul.cards > li.card').length`))
		}
		sent := w.HTML + w.CSS + w.JS
		budget := ""
		if (stop.Name == "catalogue" || strings.HasPrefix(stop.Name, "watch")) && stop.Status == http.StatusOK {
			budget = "< 100 KB: ok"
			if sent >= 100<<10 {
				budget = "OVER 100 KB"
				t.Errorf("%s: %d bytes of HTML, CSS and JS sent; the budget is 100 KB", stop.Label(), sent)
			}
		}
		fmt.Fprintf(&table, "%-34s %9.1f %8d %8d %8d %10d %10d %7.4f %s\n", stop.Label(), w.ServerMS, w.HTML, w.CSS, w.JS, sent, w.Decoded, w.CLS, budget)
		fmt.Fprintf(&md, "| %s | %.1f | %d | %d | %d | %d | %d | %.4f | %s |\n", stop.Label(), w.ServerMS, w.HTML, w.CSS, w.JS, sent, w.Decoded, w.CLS, budget)
		if w.HTML <= 0 || w.CSS <= 0 {
			t.Errorf("%s: no HTML (%d B) or CSS (%d B) measured", stop.Label(), w.HTML, w.CSS)
		}
		// Text is compressed on the wire.
		if w.HTMLRaw > 1000 && w.HTML >= w.HTMLRaw {
			t.Errorf("%s: HTML sent as %d bytes, %d unpacked: not compressed", stop.Label(), w.HTML, w.HTMLRaw)
		}
		if w.CLS >= 0.01 {
			t.Errorf("%s: cumulative layout shift %.4f; want < 0.01: %s", stop.Label(), w.CLS, strings.Join(w.Shifts, "; "))
		}
		tab.checkProblems(t)
	}
	// The catalogue weighed must be a full page.
	if cards != 12 {
		t.Errorf("the catalogue page weighed has %d cards; want a full page of 12", cards)
	}
	writeReport(t, "pageweights.md", md.String())
	t.Log(table.String())
}
