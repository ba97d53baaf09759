package main

// TestAxe runs axe-core (vendored under testdata/axe-core, test-only) on
// every page type of the demo portal — public pages in Swedish and
// English, logged out and as a member, and the staff pages — against
// WCAG 2.1 A and AA, plus the best-practice rules on headings and
// landmarks (bestPracticeRules), and fails on any violation. The table of
// pages and violation counts goes to the test log and, as Markdown, to
// TEST_REPORTS_DIR/axe.md.
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

	"github.com/smakom/webinar-portal/internal/mail/mailtest"
	"github.com/smakom/webinar-portal/internal/pagetour"
)

const axeVersion = "4.14.1"

// axeRunJS runs axe on the whole document with the WCAG 2.1 A/AA rules
// and returns the violations, each with up to five offending nodes, and
// how many rules ran.
const axeRunJS = `axe.run(document, {
	runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
	resultTypes: ['violations'],
}).then(r => ({rules: r.passes.length + r.violations.length + r.incomplete.length + r.inapplicable.length,
	violations: r.violations.map(v => ({id: v.id, impact: v.impact || '', help: v.help,
	nodes: v.nodes.length,
	targets: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').replace(/\s+/g, ' ').slice(0, 240))}))}))`

// bestPracticeRules are axe's best-practice rules on page structure: every
// page has one main landmark and an h1, all content sits in landmarks,
// headings do not skip levels, landmarks of a kind have distinct names,
// and there is a way to bypass repeated blocks.
var bestPracticeRules = []string{"region", "landmark-one-main", "page-has-heading-one", "heading-order", "landmark-unique", "bypass"}

type axeResult struct {
	Rules      int            `json:"rules"`
	Violations []axeViolation `json:"violations"`
}

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
		addUser(t, a.Email, string(who), a.Password)
	}
	return acc
}

// tourInvitee is the address Prepare invites, for the set-password stops.
const tourInvitee = "inbjuden@ydre.example"

// startTourPortal serves the demo archive with mail on (a local SMTP
// sink), so that the forgot-password form and its "sent" page exist.
func startTourPortal(t *testing.T, dataDir string) *portal {
	smtpd := mailtest.Start(t, false)
	return startServeEnv(t, dataDir, func(port int) []string {
		return []string{fmt.Sprintf("SMTP_HOST=%s", smtpd.Host), fmt.Sprintf("SMTP_PORT=%d", smtpd.Port),
			"SMTP_FROM=SmåKom <arkiv@smakom.example>", fmt.Sprintf("PUBLIC_URL=http://127.0.0.1:%d", port)}
	}, "serve", "--demo")
}

// allowTourErrors lets the error stops of the tour answer with their
// error statuses without failing the page checks.
func allowTourErrors(tab *browserTab, base string, f pagetour.Fixtures) {
	for status, prefixes := range map[int][]string{
		http.StatusNotFound:            {"/finns-inte*", "/webinars/" + f.MembersSlug + "?*"},
		http.StatusBadRequest:          {"/invite?token=finns-inte*"},
		http.StatusUnauthorized:        {"/login"},
		http.StatusForbidden:           {"/staff?*"},
		http.StatusUnprocessableEntity: {"/wishes", "/invite", "/reset", "/account/password"},
	} {
		for _, p := range prefixes {
			tab.problems.allow(status, base+p)
		}
	}
}

// bestPracticeJS runs only bestPracticeRules.
func bestPracticeJS() string {
	return strings.Replace(axeRunJS, `{type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}`,
		`{type: 'rule', values: ['`+strings.Join(bestPracticeRules, "', '")+`']}`, 1)
}

func TestAxe(t *testing.T) {
	axeSrc, err := os.ReadFile("testdata/axe-core/axe.min.js")
	if err != nil {
		t.Fatalf("vendored axe-core: %v", err)
	}
	dataDir := t.TempDir()
	accounts := tourAccounts(t, dataDir)
	p := startTourPortal(t, dataDir)
	tab := openTab(t, 25*time.Minute)
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
		found, err := chromedp.Run(ctx, chromedp.Evaluate[axeResult](strings.Replace(axeRunJS, "axe.run(document", "axe.run('#axe-selfcheck'", 1), chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]bool{}
		for _, v := range found.Violations {
			ids[v.ID] = true
		}
		if !ids["label"] || !ids["color-contrast"] {
			t.Errorf("axe found %+v in the planted fragment; want label and color-contrast", found)
		}
		// The structure rules: a heading that skips levels and text
		// outside every landmark.
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const h = document.createElement('h5'); h.textContent = 'Överhoppad nivå';
			document.querySelector('main h1').after(h); const p = document.createElement('p'); p.textContent = 'Utanför landmärken';
			document.body.append(p); return true; })()`)); err != nil {
			t.Fatal(err)
		}
		bp, err := chromedp.Run(ctx, chromedp.Evaluate[axeResult](bestPracticeJS(), chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		ids = map[string]bool{}
		for _, v := range bp.Violations {
			ids[v.ID] = true
		}
		if !ids["heading-order"] || !ids["region"] {
			t.Errorf("best-practice rules found %+v on the planted page; want heading-order and region", bp.Violations)
		}
	})

	// runAxe runs js (axe with some rules) and reports each violation;
	// it returns the elements at fault and how many rules ran.
	runAxe := func(t *testing.T, label, js string) (int, int) {
		t.Helper()
		res, err := chromedp.Run(ctx, chromedp.Evaluate[axeResult](js, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Errorf("%s: axe.run: %v", label, err)
			return -1, 0
		}
		n := 0
		for _, v := range res.Violations {
			n += v.Nodes
			t.Errorf("%s: %s (%s, %d elements): %s\n\t%s", label, v.ID, v.Impact, v.Nodes, v.Help, strings.Join(v.Targets, "\n\t"))
		}
		return n, res.Rules
	}
	contrastJS := strings.Replace(axeRunJS, `{type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}`, `{type: 'rule', values: ['color-contrast']}`, 1)
	emulate := func(t *testing.T, width int64, scheme string) {
		t.Helper()
		if err := pagetour.Emulate(ctx, width, scheme); err != nil {
			t.Fatalf("emulate %d px %s: %v", width, scheme, err)
		}
	}

	// Every page is toured in both languages.
	toured := map[string]bool{}
	for _, s := range pagetour.Stops(fixtures) {
		toured[s.Name+" "+string(s.Who)+" "+s.Lang] = true
	}
	for _, s := range pagetour.Stops(fixtures) {
		other := map[string]string{"sv": "en", "en": "sv"}[s.Lang]
		if !toured[s.Name+" "+string(s.Who)+" "+other] {
			t.Errorf("%s is toured in %s only", s.Label(), s.Lang)
		}
	}

	var table, md strings.Builder
	fmt.Fprintf(&table, "\n%-34s %8s %8s %14s %16s %6s\n", "page", "WCAG A/AA", "structure", "contrast dark", "too wide (360px)", "rules")
	md.WriteString("## axe-core " + axeVersion + ": violations per page\n\n" +
		"WCAG A/AA: rules tagged wcag2a, wcag2aa, wcag21a, wcag21aa (light scheme); structure: best-practice rules " +
		strings.Join(bestPracticeRules, ", ") + "; contrast dark: color-contrast in the dark scheme; too wide: px of sideways scroll at 360 px; rules: how many axe rules ran on the page.\n\n" +
		"| page | role | lang | WCAG A/AA | structure | contrast dark | too wide (px) | rules checked |\n|---|---|---|---:|---:|---:|---:|---:|\n")
	total, pages := 0, 0
	for _, stop := range pagetour.Stops(fixtures) {
		role := string(stop.Who)
		if role == "" {
			role = "anonymous"
		}
		emulate(t, 1280, "light")
		if err := tour.Visit(ctx, stop); err != nil {
			t.Errorf("%s: %v", stop.Label(), err)
			fmt.Fprintf(&table, "%-34s not checked\n", stop.Label())
			fmt.Fprintf(&md, "| %s | %s | %s | not checked | | | | |\n", stop.Name, role, stop.Lang)
			total++
			continue
		}
		// The members-only demo webinar: its badge is in the catalogue
		// for members, and visitors do not see it at all.
		if stop.Name == "catalogue" {
			badges, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('li.card .badge.members').length`))
			if want := map[bool]int{true: 1, false: 0}[stop.Who == pagetour.Member]; err != nil || badges != want {
				t.Errorf("%s: %d members-only badges (%v); want %d", stop.Label(), badges, err, want)
			}
		}
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](string(axeSrc)+"\n;true")); err != nil {
			t.Fatalf("%s: inject axe-core: %v", stop.Label(), err)
		}
		if v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.version`)); err != nil || v != axeVersion {
			t.Fatalf("axe.version = %q (%v); want %s", v, err, axeVersion)
		}
		light, wcagRules := runAxe(t, stop.Label(), axeRunJS)
		structure, bpRules := runAxe(t, stop.Label()+" structure", bestPracticeJS())
		// The dark colour scheme (prefers-color-scheme) has its own colours.
		emulate(t, 1280, "dark")
		dark, _ := runAxe(t, stop.Label()+" dark", contrastJS)
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
		total += light + structure + dark + int(max(over, 0))
		pages++
		fmt.Fprintf(&table, "%-34s %8d %8d %14d %16d %6d\n", stop.Label(), light, structure, dark, max(over, 0), wcagRules+bpRules)
		fmt.Fprintf(&md, "| %s | %s | %s | %d | %d | %d | %d | %d |\n", stop.Name, role, stop.Lang, light, structure, dark, max(over, 0), wcagRules+bpRules)
		tab.checkProblems(t)
	}
	fmt.Fprintf(&md, "\n%d page views checked, %d problems.\n", pages, total)
	writeReport(t, "axe.md", md.String())
	emulate(t, 1280, "light")
	t.Log(table.String())
	if total != 0 {
		t.Errorf("%d problems (elements violating WCAG 2.1 A/AA or structure rules, pixels too wide, pages not checked); want none", total)
	}
}
