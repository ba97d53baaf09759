package server

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/smakom/webinar-portal/internal/account"
	"github.com/smakom/webinar-portal/internal/webinar"
	"github.com/smakom/webinar-portal/internal/wish"
)

// xss is put into every text field people can fill in. Each part tries a
// different way out: a script element, an event handler on a new
// element, breaking out of an attribute, out of a textarea and out of
// an inline script string.
const xss = `<script>alert(1)</script><img src=x onerror=alert(2)>"'><svg onload=alert(3)></textarea></title>';alert(4);//`

// xssShort fits fields of at most 60 characters (topics).
const xssShort = `"'><svg onload=alert(5)></textarea><script>`

// TestXSSInEveryField fills every text field a member, visitor or staff
// member can write (webinar metadata, speakers, topics, subtitles,
// chapters, wishes, staff replies) with markup and checks every page that
// shows them, public and staff, in both languages: no element, event
// handler or javascript: URL may come from the data. The feeds must stay
// well-formed XML with the markup as text.
func TestXSSInEveryField(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	ctx := context.Background()
	r := api.sendJSON(http.MethodPost, "/api/v1/webinars", map[string]any{
		"title": "Angrepp " + xss, "summary": xss, "description": xss + "\n\n" + xss, "organiser": xss,
		"topics": []string{xssShort}, "visibility": "public", "language": "sv",
		"speakers": []map[string]string{{"name": xss, "role": xss, "organisation": xss}},
	})
	expectStatus(t, r, http.StatusCreated)
	var created struct {
		Slug string `json:"slug"`
	}
	if err := json.Unmarshal(r.Body, &created); err != nil || created.Slug == "" {
		t.Fatalf("create: %v %s", err, r.Body)
	}
	slug := created.Slug
	sub := "1\n00:00:01,000 --> 00:00:04,000\nalert " + xss + "\n\n2\n00:00:05,000 --> 00:00:08,000\n" + xss + "\n"
	expectStatus(t, api.put("/api/v1/webinars/"+slug+"/subtitles/sv", strings.NewReader(sub), int64(len(sub))), http.StatusOK)
	if _, err := p.webinars.SetChapters(ctx, slug, []webinar.ChapterRow{{Start: "0:01", Title: xss}, {Start: "0:05", Title: "Två " + xss}}, nil); err != nil {
		t.Fatal(err)
	}

	clip := fakeMP4(0) // the embed page needs a recording
	expectStatus(t, api.put("/api/v1/webinars/"+slug+"/recording", bytes.NewReader(clip), int64(len(clip))), http.StatusOK)
	// A subtitle track label and a slide deck's file name (which loses
	// any slash, so its payload has none).
	en := "1\n00:00:01,000 --> 00:00:04,000\nHello\n"
	expectStatus(t, api.put("/api/v1/webinars/"+slug+"/subtitles/en?label="+url.QueryEscape(xssToken), strings.NewReader(en), int64(len(en))), http.StatusOK)
	expectStatus(t, api.put("/api/v1/webinars/"+slug+"/slides?filename="+url.QueryEscape(xssFile), strings.NewReader(tinyPDF), int64(len(tinyPDF))), http.StatusOK)
	accountPages, mustShow := xssAccounts(t, p)

	anon := p.anonymous()
	anon.get("/wishes/new") // the form's CSRF cookie
	// Refused first (a bad address): the form comes back with the input.
	r = anon.postForm("/wishes", url.Values{"topic": {xss}, "details": {xss}, "name": {xss}, "email": {xss}, "municipality": {xssShort}})
	expectStatus(t, r, http.StatusUnprocessableEntity)
	for _, problem := range injectedMarkup(r.text()) {
		t.Errorf("the refused wish form: %s", problem)
	}
	r = anon.postForm("/wishes", url.Values{"topic": {xss}, "details": {xss}, "name": {xss}, "email": {"a@kommun.se"}, "municipality": {xssShort}})
	expectStatus(t, r, http.StatusSeeOther)
	wishes, err := p.srv.deps.Wishes.List(ctx, "")
	if err != nil || len(wishes) != 1 {
		t.Fatalf("wishes: %v (%d)", err, len(wishes))
	}
	if err := p.srv.deps.Wishes.SetTriage(ctx, wishes[0].ID, wish.Triage{Status: wish.Planned, Reply: xss, WebinarSlug: slug, WebinarTitle: "Angrepp " + xss}); err != nil {
		t.Fatal(err)
	}
	member := p.loginAs(account.RoleMember)
	staff := p.loginAs(account.RoleStaff)

	pages := []struct {
		who  *client
		path string
	}{
		{anon, "/"}, {anon, "/?q=alert"}, {anon, "/?q=" + url.QueryEscape(xss)}, {anon, "/?topic=" + url.QueryEscape(xssShort)},
		{anon, "/?organiser=" + url.QueryEscape(xss)}, {anon, "/webinars/" + slug}, {anon, "/webinars/" + slug + "?t=" + url.QueryEscape(xss)},
		{anon, "/webinars/" + slug + "/embed"}, {anon, "/wishes"}, {anon, "/wishes/new"}, {anon, "/wishes/thanks"},
		{anon, "/login?next=" + url.QueryEscape("javascript:alert(1)")}, {anon, "/webinars/" + url.PathEscape(xss)},
		{member, "/"}, {member, "/webinars/" + slug}, {member, "/wishes"},
		{staff, "/staff"}, {staff, "/staff/webinars/" + slug + "/edit"}, {staff, "/staff/webinars/" + slug + "/delete"},
		{staff, "/staff/webinars/" + slug + "/subtitles/sv/edit"}, {staff, "/staff/webinars/" + slug + "/chapters"},
		{staff, "/staff/wishes"}, {staff, "/staff/audit"}, {staff, "/staff/webinars/" + slug + "/subtitles/en/edit"},
	}
	pages = append(pages, accountPages...)
	// Where the data must show up (escaped): otherwise a field that is
	// refused or dropped would pass unseen.
	mustShow = append(mustShow, xssPage{anon, "/webinars/" + slug, xssLabelMark}, xssPage{anon, "/webinars/" + slug + "/embed", xssLabelMark},
		xssPage{staff, "/staff/webinars/" + slug + "/subtitles/en/edit", xssLabelMark}, xssPage{staff, "/staff/webinars/" + slug + "/edit", xssFileMark})
	for _, pg := range mustShow {
		if r := pg.who.get(pg.path); !strings.Contains(r.text(), pg.mark) {
			t.Errorf("GET %s does not show the data (%q): %.300s", pg.path, pg.mark, r.Body)
		}
	}
	for _, pg := range pages {
		for _, lang := range []string{"", "en"} {
			path := pg.path
			if lang != "" && (strings.HasPrefix(path, "/staff") || strings.HasPrefix(path, "/invite")) {
				continue // Swedish only; and the invite is tried once
			}
			if lang != "" {
				if strings.Contains(path, "?") {
					path += "&lang=" + lang
				} else {
					path += "?lang=" + lang
				}
			}
			r := pg.who.get(path)
			if r.StatusCode >= 500 {
				t.Errorf("GET %s: %d", path, r.StatusCode)
				continue
			}
			for _, problem := range injectedMarkup(r.text()) {
				t.Errorf("GET %s: %s", path, problem)
			}
		}
	}
	for _, feed := range []string{"/feeds/webinars.rss", "/feeds/webinars.atom"} {
		r := anon.get(feed)
		expectStatus(t, r, http.StatusOK)
		dec := xml.NewDecoder(strings.NewReader(r.text()))
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s is not well-formed XML: %v", feed, err)
			}
			if se, ok := tok.(xml.StartElement); ok && (se.Name.Local == "script" || se.Name.Local == "img" || se.Name.Local == "svg") {
				t.Errorf("%s: a <%s> element came from the data", feed, se.Name.Local)
			}
		}
	}
	csv := staff.get("/staff/wishes.csv").text()
	for _, line := range strings.Split(csv, "\n") {
		for _, cell := range strings.Split(line, ";") {
			if c := strings.Trim(cell, `"`); c != "" && strings.ContainsRune("=+-@", rune(c[0])) {
				t.Errorf("CSV cell %q starts a formula in Excel", cell)
			}
		}
	}
}

// xssFile is a slide deck's file name: the portal drops slashes and
// double quotes from file names, so it tries without them.
const xssFile = `<svg onload=alert(3)><img src=x onerror=alert(2)>'<script>alert(1)<script>.pdf`

// xssToken fits a token's name (at most 100 characters).
const xssToken = `<script>alert(1)</script>"'><svg onload=alert(3)>`

// Escaped forms that must appear where the data is shown.
const (
	xssMark      = `&lt;svg onload=alert(3)&gt;`
	xssLabelMark = xssMark
	xssFileMark  = `&lt;svg onload=alert(3)&gt;&lt;img src=x onerror=alert(2)&gt;`
)

type xssPage struct {
	who  *client
	path string
	mark string // escaped text the page must show
}

// xssAccounts puts markup into account e-mail addresses, municipalities
// and token names, and returns the pages that show them with what each
// must show. The form refuses such addresses, so the accounts are
// written to the database directly, as older data or another tool might
// have; municipalities and token names go through the forms.
func xssAccounts(t *testing.T, p *portal) (pages []struct {
	who  *client
	path string
}, mustShow []xssPage) {
	t.Helper()
	ctx := context.Background()
	staff, admin := p.loginAs(account.RoleStaff), p.loginAs(account.RoleAdmin)
	users := p.db.Collection("users")
	invited := account.User{ID: "xss-invited", Email: "inbjuden" + xss + "@kommun.se", Role: account.RoleMember, Municipality: xss, CreatedAt: time.Now()}
	hash, err := account.HashPassword("ett långt lösenord")
	if err != nil {
		t.Fatal(err)
	}
	active := account.User{ID: "xss-active", Email: "aktiv" + xss + "@kommun.se", Role: account.RoleMember, Municipality: xss, PasswordHash: hash, CreatedAt: time.Now()}
	for _, u := range []account.User{invited, active} {
		if _, err := users.InsertOne(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	check := func(what string, r response) {
		t.Helper()
		if r.StatusCode >= 500 {
			t.Errorf("%s: %d", what, r.StatusCode)
		}
		for _, problem := range injectedMarkup(r.text()) {
			t.Errorf("%s: %s", what, problem)
		}
	}
	// Invite forms: refused with markup in the address (the form comes
	// back with it), made with markup in the municipality.
	r := staff.postForm("/staff/accounts/invite", url.Values{"email": {xss}, "municipality": {xssShort}})
	expectStatus(t, r, http.StatusUnprocessableEntity)
	check("the refused invite form", r)
	r = staff.postForm("/staff/accounts/invite", url.Values{"email": {"ny-medlem@kommun.se"}, "municipality": {xssToken}})
	expectStatus(t, r, http.StatusOK)
	check("the invite result", r)
	expectStatus(t, staff.postForm("/staff/accounts/"+invited.ID+"/disable", url.Values{}), http.StatusSeeOther)
	check("the accounts page after disabling", staff.get("/staff/accounts"))
	expectStatus(t, staff.postForm("/staff/accounts/"+invited.ID+"/enable", url.Values{}), http.StatusSeeOther)
	// A new invite link for the account with markup in its address: the
	// result page, then the invite page the member opens.
	r = staff.postForm("/staff/accounts/"+invited.ID+"/reset", url.Values{})
	expectStatus(t, r, http.StatusOK)
	check("the new invite link", r)
	if !strings.Contains(r.text(), xssMark) {
		t.Errorf("the invite result does not show the address: %.300s", r.Body)
	}
	invite := pathOf(linkIn(t, r.text()))
	// The active account's own page.
	member := p.anonymous()
	secret, err := p.accounts.StartSession(ctx, active.ID)
	if err != nil {
		t.Fatal(err)
	}
	member.cookies[sessionCookie] = secret
	// Tokens with markup in their names: made, listed, one revoked; and a
	// role change and a disable on the account with markup.
	r = staff.postForm("/staff/tokens", url.Values{"name": {xssToken}})
	expectStatus(t, r, http.StatusOK)
	check("the new token", r)
	if _, _, err := p.accounts.CreateTokenFor(ctx, admin.sessionUser().ID, xssToken+" 2"); err != nil {
		t.Fatal(err)
	}
	infos, err := p.accounts.ListTokensOf(ctx, "")
	if err != nil || len(infos) < 2 {
		t.Fatalf("tokens: %v %v", infos, err)
	}
	expectStatus(t, admin.postForm("/staff/tokens/"+infos[len(infos)-1].Ref+"/revoke", url.Values{}), http.StatusSeeOther)
	check("the token list after revoking", admin.get("/staff/tokens"))
	expectStatus(t, admin.postForm("/staff/accounts/"+active.ID+"/role", url.Values{"role": {"staff"}}), http.StatusSeeOther)
	check("the accounts page after a role change", admin.get("/staff/accounts"))
	// The role change ended the session: a new one, as staff now.
	if secret, err = p.accounts.StartSession(ctx, active.ID); err != nil {
		t.Fatal(err)
	}
	member.cookies[sessionCookie] = secret

	pages = []struct {
		who  *client
		path string
	}{{staff, "/staff/accounts"}, {admin, "/staff/accounts"}, {member, "/account"},
		{p.anonymous(), invite}, {staff, "/staff/tokens"}, {admin, "/staff/tokens"}, {admin, "/staff/audit"}}
	for _, pg := range pages {
		mustShow = append(mustShow, xssPage{pg.who, pg.path, xssMark})
	}
	return pages, mustShow
}

// injectedMarkup lists what in page could run script the portal did not
// write: script elements other than the portal's own files, event
// handler attributes and javascript: URLs.
func injectedMarkup(page string) []string {
	var problems []string
	z := html.NewTokenizer(strings.NewReader(page))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return problems
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		if tok.Data == "script" {
			src := ""
			for _, a := range tok.Attr {
				if a.Key == "src" {
					src = a.Val
				}
			}
			if attr(tok, "type") == "application/json" && src == "" {
				// A data block (texts for a script) never runs; it must
				// hold JSON and nothing else.
				if z.Next() != html.TextToken || !json.Valid(z.Text()) {
					problems = append(problems, "a JSON <script> block that does not hold JSON")
				}
			} else if !strings.HasPrefix(src, "/static/") {
				problems = append(problems, "a <script> element that is not one of the portal's files")
			}
		}
		if tok.Data == "svg" || tok.Data == "img" && attr(tok, "src") == "x" {
			problems = append(problems, "a <"+tok.Data+"> element from the data")
		}
		for _, a := range tok.Attr {
			if strings.HasPrefix(strings.ToLower(a.Key), "on") {
				problems = append(problems, "an event handler attribute "+a.Key+" on <"+tok.Data+">")
			}
			switch strings.ToLower(a.Key) {
			case "href", "src", "action", "formaction", "poster", "data":
				if strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "javascript:") {
					problems = append(problems, "a javascript: URL in "+a.Key+" of <"+tok.Data+">")
				}
			}
		}
	}
}

func attr(tok html.Token, key string) string {
	for _, a := range tok.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// TestInjectedMarkupDetector: the check above finds each way out when it
// is not escaped, and nothing in the portal's own markup.
func TestInjectedMarkupDetector(t *testing.T) {
	for _, page := range []string{
		`<p>` + xss + `</p>`,
		`<a href=" JavaScript:alert(1)">x</a>`,
		`<input value=""><svg onload=alert(3)>">`,
		`<script>alert(1)</script>`,
		`<script type="application/json">alert(1)</script>`,
	} {
		if len(injectedMarkup(page)) == 0 {
			t.Errorf("nothing found in %q", page)
		}
	}
	own := `<script type="application/json" id="t">{"a":"\u003cscript\u003e"}</script><script src="/static/player.js" defer></script><img src="/webinars/a/poster" alt=""><a href="/webinars/a">a</a><p>` +
		html.EscapeString(xss) + `</p>`
	if problems := injectedMarkup(own); len(problems) > 0 {
		t.Errorf("found %v in escaped text", problems)
	}
}
