package main

// TestPageWeights loads every Swedish page type of the demo portal with
// the browser cache off and reports, from Navigation and Resource Timing,
// the server time (responseStart - requestStart) and the bytes of HTML,
// CSS and JavaScript (as sent, compressed, and unpacked) — media are not
// counted. Catalogue and watch pages must stay under 100 KB of HTML, CSS
// and JS as sent (a size budget, not a timing). It also measures layout
// shift (CLS) while each page, its poster images and the player load:
// the video keeps its box from the first paint.

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

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

// postersLoadedJS is true once every poster the page asked for is in.
const postersLoadedJS = `performance.getEntriesByType('resource').filter(r => new URL(r.name).pathname.endsWith('/poster')).every(r => r.responseEnd > 0) &&
	[...document.images].every(i => i.complete)`

func TestPageWeights(t *testing.T) {
	dataDir := t.TempDir()
	accounts := tourAccounts(t, dataDir)
	p := startServe(t, dataDir, "serve", "--demo")
	tab := openTab(t, 5*time.Minute)
	if tab == nil {
		return
	}
	ctx := tab.ctx
	slug, err := pagetour.SlugByTitle(p.url, pagetour.DemoTitle)
	if err != nil {
		t.Fatal(err)
	}
	tab.problems.allow(http.StatusNotFound, p.url+"/finns-inte*")
	tab.problems.allow(http.StatusUnprocessableEntity, p.url+"/wishes")
	// Every page as a first visit: nothing from the browser cache.
	if _, err := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
		t.Fatal(err)
	}
	tour := &pagetour.Tour{Base: p.url, Accounts: accounts}
	var table strings.Builder
	fmt.Fprintf(&table, "\n%-26s %9s %8s %8s %8s %10s %10s %7s\n", "page", "server ms", "HTML B", "CSS B", "JS B", "sent B", "unpacked B", "CLS")
	for _, stop := range pagetour.Stops(slug) {
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
		sent := w.HTML + w.CSS + w.JS
		fmt.Fprintf(&table, "%-26s %9.1f %8d %8d %8d %10d %10d %7.4f\n", stop.Label(), w.ServerMS, w.HTML, w.CSS, w.JS, sent, w.Decoded, w.CLS)
		if (stop.Name == "catalogue" || stop.Name == "watch") && sent >= 100<<10 {
			t.Errorf("%s: %d bytes of HTML, CSS and JS; the budget is 100 KB", stop.Label(), sent)
		}
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
	t.Log(table.String())
}
