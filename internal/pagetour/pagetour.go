// Package pagetour walks a browser through every page type of the portal:
// the accessibility test runs axe-core on each stop and `make screenshots`
// photographs them. It drives a chromedp tab against a running portal
// that has the demo archive loaded.
package pagetour

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// DemoTitle is the demo webinar with chapters, captions, transcript and
// slides that the watch, embed and staff stops show.
const DemoTitle = "Sveriges nästa potentiella samhällskris – vattenförsörjningen"

// Who is logged in at a stop.
type Who string

const (
	Anonymous Who = ""
	Member    Who = "member"
	Staff     Who = "staff"
)

// Stop is one page the tour visits.
type Stop struct {
	Name   string // short and unique, used in tables and file names
	Who    Who
	Lang   string // "sv" or "en": passed as ?lang=
	Path   string // navigated to (before Submit)
	Status int    // the status the page answers with
	// Fill, when set, is typed into the form (field id -> text) before
	// Submit is clicked; the page the form leads to is the stop.
	Fill   map[string]string
	Submit string // CSS selector of the button to click
	// Ready is a JavaScript expression that is true once the page has
	// settled (scripts ran, media metadata loaded).
	Ready string
}

const (
	docReady = `document.readyState === 'complete' && [...document.images].every(i => i.complete)`
	// The player script has applied the caption settings (a class on the
	// video) and the video has its metadata.
	watchReady = docReady + ` && /cc-colours-/.test(document.getElementById('player').className) && document.getElementById('player').readyState >= 1`
	embedReady = docReady + ` && document.querySelector('video').readyState >= 1`
)

// Stops lists the page types: public pages in Swedish and English, the
// pages that change for a logged-in member, and the staff pages (Swedish
// only). slug is the demo webinar's.
func Stops(slug string) []Stop {
	var stops []Stop
	for _, lang := range []string{"sv", "en"} {
		topic := "Krisberedskap"
		public := []Stop{
			{Name: "catalogue", Path: "/"},
			{Name: "catalogue-search", Path: "/?q=vatten"},
			{Name: "catalogue-topic", Path: "/?q=kommun&topic=" + url.QueryEscape(topic)},
			{Name: "watch", Path: "/webinars/" + slug, Ready: watchReady},
			{Name: "embed", Path: "/webinars/" + slug + "/embed", Ready: embedReady},
			{Name: "wish-form", Path: "/wishes/new"},
			{Name: "wish-errors", Path: "/wishes/new", Fill: map[string]string{"email": "inte-en-adress"},
				Submit: `form[action="/wishes"] button[type=submit]`, Status: http.StatusUnprocessableEntity},
			{Name: "wish-thanks", Path: "/wishes/new", Fill: map[string]string{"topic": "Reservvatten i små kommuner"},
				Submit: `form[action="/wishes"] button[type=submit]`},
			{Name: "wishes", Path: "/wishes"},
			{Name: "login", Path: "/login"},
			{Name: "not-found", Path: "/finns-inte", Status: http.StatusNotFound},
			{Name: "accessibility", Path: "/tillganglighet"},
			{Name: "forgot-password", Path: "/forgot"},
			{Name: "invite-link-invalid", Path: "/invite?token=finns-inte", Status: http.StatusBadRequest},
		}
		for _, st := range public {
			st.Lang = lang
			stops = append(stops, st)
		}
	}
	for _, s := range []Stop{
		{Name: "catalogue", Path: "/"},
		{Name: "watch", Path: "/webinars/" + slug, Ready: watchReady},
		{Name: "wishes", Path: "/wishes"},
		{Name: "account", Path: "/account"},
	} {
		s.Who, s.Lang = Member, "sv"
		stops = append(stops, s)
	}
	edit := "/staff/webinars/" + slug
	for _, s := range []Stop{
		{Name: "staff-list", Path: "/staff"},
		{Name: "staff-new", Path: "/staff/webinars/new"},
		{Name: "staff-edit", Path: edit + "/edit"},
		{Name: "staff-captions", Path: edit + "/subtitles/sv/edit", Ready: docReady + ` && !document.getElementById('ce-app').hidden`},
		{Name: "staff-chapters", Path: edit + "/chapters"},
		{Name: "staff-delete", Path: edit + "/delete"},
		{Name: "staff-wishes", Path: "/staff/wishes"},
		{Name: "staff-audit", Path: "/staff/audit"},
		{Name: "staff-accounts", Path: "/staff/accounts"},
		{Name: "staff-tokens", Path: "/staff/tokens"},
	} {
		s.Who, s.Lang = Staff, "sv"
		stops = append(stops, s)
	}
	for i := range stops {
		if stops[i].Status == 0 {
			stops[i].Status = http.StatusOK
		}
		if stops[i].Ready == "" {
			stops[i].Ready = docReady
		}
	}
	return stops
}

// Label is the stop's name with who and language, e.g. "watch sv member".
func (s Stop) Label() string {
	l := s.Name + " " + s.Lang
	if s.Who != Anonymous {
		l += " " + string(s.Who)
	}
	return l
}

// Account is a login the tour uses.
type Account struct{ Email, Password string }

// Tour walks the stops in a tab.
type Tour struct {
	Base     string // http://host:port
	Accounts map[Who]Account
	who      Who
}

// Visit loads stop (logging in or out first when needed) and waits until
// it is ready.
func (tr *Tour) Visit(ctx context.Context, s Stop) error {
	if s.Who != tr.who {
		if tr.who != Anonymous {
			if err := tr.logOut(ctx); err != nil {
				return err
			}
		}
		if s.Who != Anonymous {
			if err := tr.logIn(ctx, tr.Accounts[s.Who]); err != nil {
				return fmt.Errorf("log in as %s: %w", s.Who, err)
			}
		}
		tr.who = s.Who
	}
	u := tr.Base + s.Path
	sep := "?"
	if strings.Contains(s.Path, "?") {
		sep = "&"
	}
	u += sep + "lang=" + s.Lang
	resp, err := chromedp.RunResponse(ctx, chromedp.Navigate(u))
	if err != nil {
		return fmt.Errorf("navigate to %s: %w", u, err)
	}
	status := resp.Status
	if s.Submit != "" {
		for id, text := range s.Fill {
			if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID(id), text)); err != nil {
				return fmt.Errorf("%s: type into #%s: %w", s.Label(), id, err)
			}
		}
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(s.Submit)))
		if err != nil {
			return fmt.Errorf("%s: submit: %w", s.Label(), err)
		}
		status = resp.Status
	}
	if int(status) != s.Status {
		return fmt.Errorf("%s: %s answered %d; want %d", s.Label(), u, status, s.Status)
	}
	return WaitFor(ctx, s.Ready, 20*time.Second)
}

// WaitFor polls js until it is true.
func WaitFor(ctx context.Context, js string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		ectx, cancel := context.WithTimeout(ctx, 5*time.Second)
		ok, err := chromedp.Run(ectx, chromedp.Evaluate[bool](`!!(`+js+`)`))
		cancel()
		if err == nil && ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready within %s (%s): %v", timeout, js, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (tr *Tour) logIn(ctx context.Context, a Account) error {
	if _, err := chromedp.RunResponse(ctx, chromedp.Navigate(tr.Base+"/login?lang=sv")); err != nil {
		return err
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("email"), a.Email),
		chromedp.SendKeys(chromedp.ID("password"), a.Password)); err != nil {
		return err
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`))); err != nil {
		return err
	}
	who, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector('.who') || {}).textContent || ''`))
	if err != nil || !strings.Contains(who, a.Email) {
		return fmt.Errorf("not logged in as %s after the form (header says %q): %v", a.Email, who, err)
	}
	return nil
}

func (tr *Tour) logOut(ctx context.Context) error {
	if _, err := chromedp.RunResponse(ctx, chromedp.Navigate(tr.Base+"/login?lang=sv")); err != nil {
		return err
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action="/logout"] button`))); err != nil {
		return fmt.Errorf("log out: %w", err)
	}
	return nil
}

// SlugByTitle finds a published webinar's slug through the public API.
func SlugByTitle(base, title string) (string, error) {
	resp, err := http.Get(base + "/api/v1/webinars?per_page=100")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var list struct {
		Items []struct{ Slug, Title string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		return "", fmt.Errorf("GET /api/v1/webinars: %d: %w", resp.StatusCode, err)
	}
	for _, w := range list.Items {
		if w.Title == title {
			return w.Slug, nil
		}
	}
	return "", fmt.Errorf("no webinar titled %q", title)
}

// Emulate sets the viewport width (a phone below 600 px) and the colour
// scheme ("light" or "dark") the page sees.
func Emulate(ctx context.Context, width int64, scheme string) error {
	var opts []chromedp.EmulateViewportOption
	if width < 600 {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulatePortrait)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 800, opts...)); err != nil {
		return err
	}
	_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
	return err
}
