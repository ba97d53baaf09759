package main

// TestAxe runs axe-core (vendored under testdata/axe-core, test-only) on
// every page type of the demo portal — public pages in Swedish and
// English, logged out and as a member, and the staff pages — against
// WCAG 2.1 A and AA, and fails on any violation. The table of pages and
// violation counts goes to the test log.
//
// The portal's CSP has no 'unsafe-inline' or 'unsafe-eval'; axe is
// injected through the DevTools protocol (Runtime.evaluate), which the
// page's CSP does not govern.

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/smakom/webinar-portal/internal/pagetour"
)

const axeVersion = "4.14.1"

// axeRunJS runs axe on the whole document with the WCAG 2.1 A/AA rules
// and returns the violations, each with up to five offending nodes.
const axeRunJS = `axe.run(document, {
	runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
	resultTypes: ['violations'],
}).then(r => r.violations.map(v => ({id: v.id, impact: v.impact || '', help: v.help,
	nodes: v.nodes.length,
	targets: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').replace(/\s+/g, ' ').slice(0, 240))})))`

type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Nodes   int      `json:"nodes"`
	Targets []string `json:"targets"`
}

// tourAccounts makes a member and a staff account in dataDir (before
// serve locks it) for the page tour.
func tourAccounts(t *testing.T, dataDir string) map[pagetour.Who]pagetour.Account {
	t.Helper()
	acc := map[pagetour.Who]pagetour.Account{
		pagetour.Member: {Email: "medlem@ydre.example", Password: "medlemmens-långa-lösenord"},
		pagetour.Staff:  {Email: "redaktor@smakom.example", Password: "redaktörens-långa-lösenord"},
	}
	setCleanEnv(t, "DATA_DIR="+dataDir, "LOG_LEVEL=error")
	for who, a := range acc {
		if _, err := runCommand(t, a.Password+"\n", "user", "add", "--email", a.Email, "--role", string(who), "--password-stdin"); err != nil {
			t.Fatalf("portal user add --role %s: %v", who, err)
		}
	}
	return acc
}

func TestAxe(t *testing.T) {
	axeSrc, err := os.ReadFile("testdata/axe-core/axe.min.js")
	if err != nil {
		t.Fatalf("vendored axe-core: %v", err)
	}
	dataDir := t.TempDir()
	accounts := tourAccounts(t, dataDir)
	p := startServe(t, dataDir, "serve", "--demo")
	tab := openTab(t, 6*time.Minute)
	if tab == nil {
		return
	}
	ctx := tab.ctx
	slug, err := pagetour.SlugByTitle(p.url, pagetour.DemoTitle)
	if err != nil {
		t.Fatal(err)
	}
	tour := &pagetour.Tour{Base: p.url, Accounts: accounts}
	tab.problems.allow(http.StatusNotFound, p.url+"/finns-inte*")
	tab.problems.allow(http.StatusUnprocessableEntity, p.url+"/wishes")

	// axe must be able to find something: an unlabelled field and text
	// too faint to read, checked on their own before the tour.
	t.Run("axe finds planted violations", func(t *testing.T) {
		if err := tour.Visit(ctx, pagetour.Stop{Name: "self-check", Lang: "sv", Path: "/tillganglighet", Status: http.StatusOK,
			Ready: "document.readyState === 'complete'"}); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](string(axeSrc)+`
			;(() => { const d = document.createElement('div'); d.id = 'axe-selfcheck';
			d.innerHTML = '<input type="text"><p>blek text</p>';
			const faint = d.querySelector('p'); faint.style.color = '#bbb'; faint.style.background = '#fff'; // CSSOM: allowed by the CSP
			document.querySelector('main').append(d); return true; })()`)); err != nil {
			t.Fatal(err)
		}
		found, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](strings.Replace(axeRunJS, "axe.run(document", "axe.run('#axe-selfcheck'", 1), chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]bool{}
		for _, v := range found {
			ids[v.ID] = true
		}
		if !ids["label"] || !ids["color-contrast"] {
			t.Errorf("axe found %+v in the planted fragment; want label and color-contrast", found)
		}
	})

	// runAxe runs axe with the WCAG 2.1 A/AA rules, or only the contrast
	// rule, and reports each violation; it returns the elements at fault.
	runAxe := func(t *testing.T, label string, contrastOnly bool) int {
		t.Helper()
		js := axeRunJS
		if contrastOnly {
			js = strings.Replace(js, `{type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}`, `{type: 'rule', values: ['color-contrast']}`, 1)
		}
		violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](js, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Errorf("%s: axe.run: %v", label, err)
			return -1
		}
		n := 0
		for _, v := range violations {
			n += v.Nodes
			t.Errorf("%s: %s (%s, %d elements): %s\n\t%s", label, v.ID, v.Impact, v.Nodes, v.Help, strings.Join(v.Targets, "\n\t"))
		}
		return n
	}
	emulate := func(t *testing.T, width int64, scheme string) {
		t.Helper()
		if err := pagetour.Emulate(ctx, width, scheme); err != nil {
			t.Fatalf("emulate %d px %s: %v", width, scheme, err)
		}
	}

	var table strings.Builder
	fmt.Fprintf(&table, "\n%-28s %12s %14s %16s\n", "page", "axe (light)", "contrast dark", "too wide (360px)")
	total := 0
	for _, stop := range pagetour.Stops(slug) {
		emulate(t, 1280, "light")
		if err := tour.Visit(ctx, stop); err != nil {
			t.Errorf("%s: %v", stop.Label(), err)
			fmt.Fprintf(&table, "%-28s not checked\n", stop.Label())
			continue
		}
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](string(axeSrc)+"\n;true")); err != nil {
			t.Fatalf("%s: inject axe-core: %v", stop.Label(), err)
		}
		if v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.version`)); err != nil || v != axeVersion {
			t.Fatalf("axe.version = %q (%v); want %s", v, err, axeVersion)
		}
		light := runAxe(t, stop.Label(), false)
		// The dark colour scheme (prefers-color-scheme) has its own colours.
		emulate(t, 1280, "dark")
		dark := runAxe(t, stop.Label()+" dark", true)
		// Reflow (WCAG 1.4.10): at 360 px nothing makes the page scroll
		// sideways; wide tables scroll in their own box.
		emulate(t, 360, "light")
		over, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`new Promise(r => requestAnimationFrame(() =>
			r(document.documentElement.scrollWidth - document.documentElement.clientWidth)))`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Errorf("%s: measure width: %v", stop.Label(), err)
		} else if over > 0 {
			t.Errorf("%s: at 360 px the page is %d px wider than the screen", stop.Label(), over)
		}
		total += light + dark + int(max(over, 0))
		fmt.Fprintf(&table, "%-28s %12d %14d %16d\n", stop.Label(), light, dark, max(over, 0))
		tab.checkProblems(t)
	}
	emulate(t, 1280, "light")
	t.Log(table.String())
	if total != 0 {
		t.Errorf("%d problems (elements violating WCAG 2.1 A/AA rules, pixels too wide); want none", total)
	}
}
