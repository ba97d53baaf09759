package server

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

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
		{staff, "/staff/wishes"}, {staff, "/staff/audit"},
	}
	for _, pg := range pages {
		for _, lang := range []string{"", "en"} {
			path := pg.path
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
