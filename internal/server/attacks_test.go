package server

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/account"
	"github.com/smakom/webinar-portal/internal/webinar"
)

// TestGuessedKeysAndDraftSlugs: someone who knows or guesses a draft's
// slug, its database id or the object keys of its files gets nothing of
// it, whatever path, method or header they try.
func TestGuessedKeysAndDraftSlugs(t *testing.T) {
	p := newPortal(t)
	m := &matrix{t: t, p: p, api: p.apiClient(), fixture: map[webinar.Visibility]string{}}
	draft := m.webinar(webinar.Draft, "Hemligt utkast om avlopp")
	members := m.webinar(webinar.Members, "Medlemsträff om avlopp")
	public := m.webinar(webinar.Public, "Öppet om avlopp")
	ctx := context.Background()
	var secretIDs []string
	var keys []string
	for _, slug := range []string{draft, members} {
		w, err := p.webinars.Store().BySlug(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		secretIDs = append(secretIDs, w.ID)
		ks, err := p.objects.Keys(ctx, "webinars/"+w.ID+"/")
		if err != nil {
			t.Fatal(err)
		}
		if len(ks) < 3 {
			t.Fatalf("webinar %s has objects %v, want recording, slides and poster", slug, ks)
		}
		keys = append(keys, ks...)
	}
	clip := fakeMP4(0)
	anon, member := p.anonymous(), p.loginAs(account.RoleMember)

	var paths []string
	for _, slug := range []string{draft} {
		for _, suffix := range []string{"", "/recording", "/recording/", "/slides/1", "/slides/1?download=1", "/slides/0", "/slides/2",
			"/subtitles/sv.vtt", "/subtitles/sv.srt", "/subtitles/SV.VTT", "/poster", "/chapters.vtt", "/embed", "/embed?t=1"} {
			paths = append(paths, "/webinars/"+slug+suffix)
		}
		paths = append(paths, "/webinars/"+strings.ToUpper(slug)+"/recording", "/webinars/"+slug+"%2Frecording",
			"/webinars/"+slug+"-2/recording", "/api/v1/webinars/"+slug,
			"/webinars/"+public+"/../"+slug+"/recording")
	}
	for _, id := range secretIDs {
		paths = append(paths, "/webinars/"+id, "/webinars/"+id+"/recording", "/api/v1/webinars/"+id, "/webinars/webinars/"+id+"/poster")
	}
	for _, key := range keys {
		paths = append(paths, "/"+key, "/static/"+key, "/static/../"+key, "/static/..%2F..%2F"+key, "/static/%2e%2e/"+key,
			"/webinars/"+public+"/recording?key="+url.QueryEscape(key), "/media/"+key, "/s3/"+key, "/"+key+"?X-Amz-Expires=60")
	}
	for _, who := range []*client{anon, member} {
		for _, path := range paths {
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				if strings.HasPrefix(path, "/webinars/"+members) && who == member {
					continue
				}
				var r response
				if method == http.MethodGet {
					r = who.get(path, "Range", "bytes=0-1023")
				} else {
					r = who.head(path)
				}
				if strings.Contains(path, "/webinars/"+public+"/recording?key=") {
					// The public recording, whatever the query names.
					if method == http.MethodGet && (r.StatusCode != http.StatusPartialContent || !bytes.Equal(r.Body, clip[:1024])) ||
						method == http.MethodHead && r.Header.Get(fiber.HeaderContentLength) != strconv.Itoa(len(clip)) {
						t.Errorf("%s %s: status %d; want the public recording's first KiB", method, path, r.StatusCode)
					}
					continue
				}
				if r.StatusCode != http.StatusNotFound {
					t.Errorf("%s %s: status %d, want 404", method, path, r.StatusCode)
				}
				for _, leak := range []string{"Hemligt utkast", "Medlemsträff", "ftyp", "%PDF", "Välkommen till webbinariet"} {
					if strings.Contains(r.text(), leak) {
						t.Errorf("%s %s: the answer contains %q", method, path, leak)
					}
				}
			}
		}
	}
	// Someone guessing slugs learns nothing from the answer: an unknown
	// slug and a draft's slug give the same page.
	a, b := anon.get("/webinars/"+draft), anon.get("/webinars/finns-inte-alls")
	pa, pb := strings.ReplaceAll(a.text(), draft, "SLUG"), strings.ReplaceAll(b.text(), "finns-inte-alls", "SLUG")
	if a.StatusCode != b.StatusCode || pa != pb {
		t.Errorf("a draft's slug answers %d, an unknown slug %d; pages differ:\n%s\n%s", a.StatusCode, b.StatusCode, pa, pb)
	}
}

// TestMemberSessionOnStaffRoutes sends a member's session, with a valid
// CSRF token, to every staff route of the router: each answers 403 (a
// Swedish page or a JSON error) and nothing changes.
func TestMemberSessionOnStaffRoutes(t *testing.T) {
	p := newPortal(t)
	m := newMatrix(t, p)
	before := m.snapshot()
	member := m.viewers["member"]
	n := 0
	for _, key := range matrixKeys(p.srv.App()) {
		r := matrixRules[key]
		if r.expect == nil || r.expect("member", webinar.Draft) != forbidden {
			continue
		}
		n++
		_, pattern, _ := strings.Cut(key, " ")
		path := m.fill(pattern, m.fixture[webinar.Draft], m.upload, m.wishID)
		var res response
		if r.send != nil {
			res = r.send(m, "member", member.clone(), path, m.fixture[webinar.Draft])
		} else {
			res = member.clone().get(path)
		}
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s as member: status %d, want 403", key, res.StatusCode)
			continue
		}
		if res.Request.Method == http.MethodHead {
			continue // no body
		}
		if strings.HasPrefix(pattern, "/api/") {
			if !strings.Contains(res.text(), `"code":"forbidden"`) {
				t.Errorf("%s as member: body %.200s, want a JSON error", key, res.Body)
			}
		} else if !strings.Contains(res.text(), "bara för SmåKoms redaktion") {
			t.Errorf("%s as member: body %.300s, want the Swedish refusal", key, res.Body)
		}
	}
	if n < 30 {
		t.Errorf("only %d staff routes tried", n)
	}
	// A member has no API token: a token is refused to a member outright.
	u, err := p.accounts.UserByEmail(context.Background(), "nobody@kommun.se")
	if err == nil {
		t.Fatalf("unexpected user %v", u)
	}
	if _, err := p.accounts.AddUser(context.Background(), "medlem@kommun.se", account.RoleMember, "ett långt lösenord"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.accounts.CreateToken(context.Background(), "medlem@kommun.se", "försök"); err == nil {
		t.Error("a member got an API token")
	}
	if after := m.snapshot(); after != before {
		t.Errorf("a member's requests changed something:\nbefore %s\nafter  %s", before, after)
	}
}

// TestCSRFlessPosts sends every state-changing route without the CSRF
// token, as a logged-in staff member's browser would carry a forged
// cross-site form: each answers 403 and nothing changes. The logout and
// wish forms are included: the session survives, no wish is stored.
func TestCSRFlessPosts(t *testing.T) {
	p := newPortal(t)
	m := newMatrix(t, p)
	before := m.snapshot()
	wishesBefore, err := p.srv.deps.Wishes.List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	m.noCSRF = true
	staff := m.viewers["staff"]
	n := 0
	for _, key := range matrixKeys(p.srv.App()) {
		method, pattern, _ := strings.Cut(key, " ")
		if safeMethod(method) {
			continue
		}
		n++
		path := m.fill(pattern, m.fixture[webinar.Draft], m.upload, m.wishID)
		c := staff.clone()
		var res response
		if key == "POST /logout" {
			res = form()(m, "staff", c, path, "")
		} else {
			res = matrixRules[key].send(m, "staff", c, path, m.fixture[webinar.Draft])
		}
		if res.StatusCode != http.StatusForbidden || !strings.Contains(res.text(), "csrf") && !strings.Contains(res.text(), "säkerhetskod") {
			t.Errorf("%s without CSRF token: status %d, body %.200s; want 403 for the missing token", key, res.StatusCode, res.Body)
		}
	}
	if n < 25 {
		t.Errorf("only %d state-changing routes tried", n)
	}
	// A token from another browser is no better than none.
	other := p.anonymous()
	other.get("/")
	for _, path := range []string{"/logout", "/staff/webinars/" + m.fixture[webinar.Draft] + "/publish", "/wishes"} {
		r := staff.clone().postForm(path, url.Values{"_csrf": {other.cookies[csrfCookie]}, "topic": {"Förfalskat"}})
		expectStatus(t, r, http.StatusForbidden)
	}
	// Anonymous visitors' wish form needs the token too.
	r := other.postForm("/wishes", url.Values{"_csrf": {""}, "topic": {"Förfalskat önskemål"}})
	expectStatus(t, r, http.StatusForbidden)

	if after := m.snapshot(); after != before {
		t.Errorf("requests without a CSRF token changed something:\nbefore %s\nafter  %s", before, after)
	}
	wishesAfter, err := p.srv.deps.Wishes.List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(wishesAfter) != len(wishesBefore) {
		t.Errorf("wishes: %d before, %d after requests without a CSRF token", len(wishesBefore), len(wishesAfter))
	}
	// The forged logouts did not end the session.
	expectStatus(t, staff.get("/staff/"), http.StatusOK)
}

// TestSessionFixation: a session cookie set before login, made up or a
// real session of someone else, is not the one after login and no longer
// works; the CSRF token changes at login too.
func TestSessionFixation(t *testing.T) {
	p := newPortal(t)
	login := func(c *client, email string) response {
		t.Helper()
		return c.postForm("/login", url.Values{"email": {email}, "password": {"ett långt lösenord"}})
	}
	for _, email := range []string{"mallory@kommun.se", "vera@smakom.se"} {
		role := account.RoleMember
		if strings.HasSuffix(email, "@smakom.se") {
			role = account.RoleStaff
		}
		if _, err := p.accounts.AddUser(context.Background(), email, role, "ett långt lösenord"); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("made-up session id", func(t *testing.T) {
		victim := p.anonymous()
		victim.get("/login")
		planted := "aW52ZW50ZWQtYnktdGhlLWF0dGFja2VyLTEyMzQ1Njc4OQ"
		victim.cookies[sessionCookie] = planted
		csrfBefore := victim.cookies[csrfCookie]
		r := login(victim, "vera@smakom.se")
		expectStatus(t, r, http.StatusSeeOther)
		if got := victim.cookies[sessionCookie]; got == "" || got == planted {
			t.Fatalf("session cookie after login %q, planted %q", got, planted)
		}
		if victim.cookies[csrfCookie] == csrfBefore {
			t.Error("the CSRF token did not change at login")
		}
		attacker := &client{p: p, cookies: map[string]string{sessionCookie: planted}}
		r = attacker.get("/staff/")
		if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get(fiber.HeaderLocation), "/login") {
			t.Errorf("the planted id opens the staff pages: %d", r.StatusCode)
		}
		expectStatus(t, victim.get("/staff/"), http.StatusOK)
	})

	t.Run("the attacker's own session planted", func(t *testing.T) {
		attacker := p.anonymous()
		attacker.get("/login")
		expectStatus(t, login(attacker, "mallory@kommun.se"), http.StatusSeeOther)
		planted := attacker.cookies[sessionCookie]
		// The victim's browser carries the attacker's cookie and logs in.
		victim := p.anonymous()
		victim.get("/login")
		victim.cookies[sessionCookie] = planted
		expectStatus(t, login(victim, "vera@smakom.se"), http.StatusSeeOther)
		if got := victim.cookies[sessionCookie]; got == planted {
			t.Fatal("the session id was not changed at login")
		}
		// The attacker's id did not become a staff login, and ended.
		r := attacker.get("/staff/")
		if r.StatusCode != http.StatusSeeOther {
			t.Errorf("the planted session after the victim's login: status %d on /staff/", r.StatusCode)
		}
		if _, err := p.accounts.SessionUser(context.Background(), planted); err == nil {
			t.Error("the session presented at login still works")
		}
		expectStatus(t, victim.get("/staff/"), http.StatusOK)
	})

	t.Run("logout ends the session on the server", func(t *testing.T) {
		c := p.anonymous()
		c.get("/login")
		expectStatus(t, login(c, "vera@smakom.se"), http.StatusSeeOther)
		secret := c.cookies[sessionCookie]
		expectStatus(t, c.postForm("/logout", url.Values{}), http.StatusSeeOther)
		replay := &client{p: p, cookies: map[string]string{sessionCookie: secret}}
		if r := replay.get("/staff/"); r.StatusCode != http.StatusSeeOther {
			t.Errorf("the session id after logout: status %d on /staff/", r.StatusCode)
		}
	})
}
