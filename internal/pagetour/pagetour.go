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

	"github.com/smakom/webinar-portal/internal/demo"
	"github.com/smakom/webinar-portal/internal/webinar"
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
	// Lazy images below the fold are not fetched until scrolled to.
	docReady   = `document.readyState === 'complete' && [...document.images].every(i => i.complete || (i.loading === 'lazy' && i.getBoundingClientRect().top >= innerHeight))`
	watchReady = WatchReady
	// WatchReady: the player script has applied the caption settings (a
	// class on the video) and the video has its metadata.
	WatchReady = docReady + ` && /cc-colours-/.test(document.getElementById('player').className) && document.getElementById('player').readyState >= 1`
	embedReady = docReady + ` && document.querySelector('video').readyState >= 1`
)

// Fixtures are what the stops need from the running portal: the demo
// webinar's slug, the members-only demo webinar's, and a live invite and
// reset link (paths with their token) made by Prepare.
type Fixtures struct {
	Slug, MembersSlug     string
	InvitePath, ResetPath string
	// MailOn: the portal mails reset links (SMTP and PUBLIC_URL set), so
	// the forgot-password form and its "sent" page exist.
	MailOn bool
}

// Wrong credentials and passwords the error stops type in. The login
// e-mail differs per language so that the login back-off (five free
// failures per address) is not reached by the tour or the screenshots.
const (
	wrongPassword = "fel-lösenord-för-turen"
	shortPassword = "kort"
	newPassword   = "ett-nytt-långt-lösenord"
)

// Stops lists the page types: public pages in Swedish and English, the
// pages that change for a logged-in member (in both languages), error
// states, and the staff pages, each in both languages.
func Stops(f Fixtures) []Stop {
	var stops []Stop
	slug := f.Slug
	for _, lang := range []string{"sv", "en"} {
		topic := "Krisberedskap"
		public := []Stop{
			{Name: "catalogue", Path: "/"},
			{Name: "catalogue-search", Path: "/?q=vatten"},
			{Name: "catalogue-topic", Path: "/?q=kommun&topic=" + url.QueryEscape(topic)},
			{Name: "watch", Path: "/webinars/" + slug, Ready: watchReady},
			{Name: "embed", Path: "/webinars/" + slug + "/embed", Ready: embedReady},
			// Anonymous visitors do not learn that a members-only
			// webinar exists: the same 404 as for no webinar at all.
			{Name: "watch-members-only", Path: "/webinars/" + f.MembersSlug, Status: http.StatusNotFound},
			{Name: "wish-form", Path: "/wishes/new"},
			{Name: "wish-errors", Path: "/wishes/new", Fill: map[string]string{"email": "inte-en-adress"},
				Submit: `form[action="/wishes"] button[type=submit]`, Status: http.StatusUnprocessableEntity},
			// One topic per language: the staff triage page names each
			// wish's section by its topic, and two same-named regions
			// fail axe's landmark-unique rule.
			{Name: "wish-thanks", Path: "/wishes/new", Fill: map[string]string{"topic": map[string]string{
				"sv": "Reservvatten i små kommuner", "en": "Emergency water supply in small municipalities"}[lang]},
				Submit: `form[action="/wishes"] button[type=submit]`},
			{Name: "wishes", Path: "/wishes"},
			{Name: "login", Path: "/login"},
			{Name: "login-wrong", Path: "/login", Fill: map[string]string{"email": "ingen-" + lang + "@ydre.example", "password": wrongPassword},
				Submit: `form[action="/login"] button[type=submit]`, Status: http.StatusUnauthorized},
			{Name: "not-found", Path: "/finns-inte", Status: http.StatusNotFound},
			{Name: "accessibility", Path: "/tillganglighet"},
			{Name: "forgot-password", Path: "/forgot"},
			{Name: "invite-link-invalid", Path: "/invite?token=finns-inte", Status: http.StatusBadRequest},
		}
		if f.MailOn {
			public = append(public, Stop{Name: "forgot-sent", Path: "/forgot", Fill: map[string]string{"email": "ingen@ydre.example"},
				Submit: `form[action="/forgot"] button[type=submit]`})
		}
		if f.InvitePath != "" {
			public = append(public,
				Stop{Name: "set-password-invite", Path: f.InvitePath},
				Stop{Name: "set-password-short", Path: f.InvitePath, Fill: map[string]string{"password": shortPassword, "repeat": shortPassword},
					Submit: `form[action="/invite"] button[type=submit]`, Status: http.StatusUnprocessableEntity})
		}
		if f.ResetPath != "" {
			public = append(public,
				Stop{Name: "set-password-reset", Path: f.ResetPath},
				Stop{Name: "set-password-mismatch", Path: f.ResetPath, Fill: map[string]string{"password": newPassword, "repeat": newPassword + "x"},
					Submit: `form[action="/reset"] button[type=submit]`, Status: http.StatusUnprocessableEntity})
		}
		for _, st := range public {
			st.Lang = lang
			stops = append(stops, st)
		}
	}
	for _, lang := range []string{"sv", "en"} {
		for _, s := range []Stop{
			{Name: "catalogue", Path: "/"},
			{Name: "watch", Path: "/webinars/" + slug, Ready: watchReady},
			{Name: "watch-members-only", Path: "/webinars/" + f.MembersSlug, Ready: watchReady},
			{Name: "wishes", Path: "/wishes"},
			{Name: "account", Path: "/account"},
			// The repeat differs: refused before the current password is
			// checked, so the back-off on wrong passwords is not touched.
			{Name: "account-error", Path: "/account", Fill: map[string]string{"current": wrongPassword, "password": newPassword, "repeat": newPassword + "x"},
				Submit: `form[action="/account/password"] button[type=submit]`, Status: http.StatusUnprocessableEntity},
		} {
			s.Who, s.Lang = Member, lang
			stops = append(stops, s)
		}
	}
	edit := "/staff/webinars/" + slug
	for _, lang := range []string{"sv", "en"} {
		// A member on a staff page.
		stops = append(stops, Stop{Name: "forbidden", Who: Member, Lang: lang, Path: "/staff", Status: http.StatusForbidden})
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
			s.Who, s.Lang = Staff, lang
			stops = append(stops, s)
		}
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

// Prepare finds the demo webinars' slugs and, logged in as staff, makes
// an invite link for a new member (inviteEmail) and a reset link for the
// member account; the tour only shows and wrongly submits their forms,
// so the links stay usable. It logs out again.
func (tr *Tour) Prepare(ctx context.Context, inviteEmail string) (Fixtures, error) {
	var f Fixtures
	var err error
	if f.Slug, err = SlugByTitle(tr.Base, DemoTitle); err != nil {
		return f, err
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Navigate(tr.Base+"/forgot")); err != nil {
		return f, err
	}
	if f.MailOn, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.querySelector('form[action="/forgot"]')`)); err != nil {
		return f, err
	}
	// Not listed for visitors, so not found through the public API; the
	// demo loads it into an empty store, so its slug is its title's.
	f.MembersSlug = webinar.Slugify(demo.MembersOnlyTitle)
	if err := tr.switchTo(ctx, Staff); err != nil {
		return f, err
	}
	defer tr.switchTo(ctx, Anonymous)
	link := func(submit chromedp.Action[chromedp.Void]) (string, error) {
		if _, err := chromedp.RunResponse(ctx, submit); err != nil {
			return "", err
		}
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.getElementById('new-link') || {}).value || ''`))
		if err != nil || v == "" {
			return "", fmt.Errorf("no link on the page after the form: %v", err)
		}
		u, err := url.Parse(v)
		if err != nil {
			return "", err
		}
		return u.RequestURI(), nil
	}
	accounts := tr.Base + "/staff/accounts"
	if _, err := chromedp.RunResponse(ctx, chromedp.Navigate(accounts)); err != nil {
		return f, err
	}
	// A second run against the same portal finds the address invited
	// already: a fresh invite link for that row then.
	exists, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`[...document.querySelectorAll('tbody th')].some(th => th.textContent.trim() === %q)`, inviteEmail)))
	if exists {
		f.InvitePath, err = link(rowButton(inviteEmail))
	} else {
		if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("invite-email"), inviteEmail),
			chromedp.SendKeys(chromedp.ID("invite-municipality"), "Ydre")); err != nil {
			return f, err
		}
		f.InvitePath, err = link(chromedp.Click(chromedp.CSS(`form[action="/staff/accounts/invite"] button[type=submit]`)))
	}
	if err != nil {
		return f, fmt.Errorf("invite link: %w", err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Navigate(accounts)); err != nil {
		return f, err
	}
	if f.ResetPath, err = link(rowButton(tr.Accounts[Member].Email)); err != nil {
		return f, fmt.Errorf("reset link: %w", err)
	}
	return f, nil
}

// rowButton clicks the link button in the accounts table row of email.
func rowButton(email string) chromedp.Action[chromedp.Void] {
	return chromedp.Click(chromedp.JSPath(fmt.Sprintf(`[...document.querySelectorAll('tr')].filter(tr =>
		[...tr.cells].some(td => td.textContent.trim() === %q)).map(tr => tr.querySelector('form[action$="/reset"] button'))[0]`, email)))
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
	if err := tr.switchTo(ctx, s.Who); err != nil {
		return err
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
		// A missing field or button fails the stop instead of waiting
		// for it until the whole tour times out.
		fctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		for id, text := range s.Fill {
			if err := chromedp.Do(fctx, chromedp.SendKeys(chromedp.ID(id), text)); err != nil {
				return fmt.Errorf("%s: type into #%s: %w", s.Label(), id, err)
			}
		}
		resp, err := chromedp.RunResponse(fctx, chromedp.Click(chromedp.CSS(s.Submit)))
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

// switchTo logs out and in as needed to be who.
func (tr *Tour) switchTo(ctx context.Context, who Who) error {
	if who == tr.who {
		return nil
	}
	if tr.who != Anonymous {
		if err := tr.logOut(ctx); err != nil {
			return err
		}
	}
	tr.who = Anonymous
	if who != Anonymous {
		if err := tr.logIn(ctx, tr.Accounts[who]); err != nil {
			return fmt.Errorf("log in as %s: %w", who, err)
		}
	}
	tr.who = who
	return nil
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
