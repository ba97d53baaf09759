package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/smakom/webinar-portal/internal/account"
	"github.com/smakom/webinar-portal/internal/wish"
)

// sessionUser is the account behind a client's session.
func (c *client) sessionUser() account.User {
	c.p.t.Helper()
	u, err := c.p.accounts.SessionUser(context.Background(), c.cookies[sessionCookie])
	if err != nil {
		c.p.t.Fatalf("session: %v", err)
	}
	return u
}

var newTokenRe = regexp.MustCompile(`id="new-token" type="text" readonly value="(smk_[A-Za-z0-9_-]+)"`)

// createTokenOnPage makes a token through /staff/tokens and returns it.
func createTokenOnPage(t *testing.T, c *client, name string) string {
	t.Helper()
	r := c.postForm("/staff/tokens", url.Values{"name": {name}})
	expectStatus(t, r, http.StatusOK)
	m := newTokenRe.FindStringSubmatch(r.text())
	if m == nil {
		t.Fatalf("the new token is not shown: %.2000s", r.Body)
	}
	if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("the page with the new token may be cached: Cache-Control %q", cc)
	}
	return m[1]
}

func refOf(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])[:12]
}

func hashOf(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// TestTokenPage: staff make, list and revoke API tokens from the web. The
// list never shows a secret or a whole hash; a revoked token is refused
// by the API at once; staff see and revoke only their own, admins all.
func TestTokenPage(t *testing.T) {
	p := newPortal(t)
	anna, bo := p.loginAs(account.RoleStaff), p.loginAs(account.RoleStaff)
	admin := p.loginAs(account.RoleAdmin)
	annaUser, boUser := anna.sessionUser(), bo.sessionUser()

	// Bad input: a clear 422, nothing made.
	r := anna.postForm("/staff/tokens", url.Values{"name": {"   "}})
	expectStatus(t, r, http.StatusUnprocessableEntity)
	expectContains(t, r, "Skriv vad nyckeln är till för", `aria-invalid="true"`)
	if n, _ := p.accounts.ListTokensOf(context.Background(), annaUser.ID); len(n) != 0 {
		t.Fatalf("a refused form made a token: %v", n)
	}

	secret := createTokenOnPage(t, anna, "Annas uppladdningsskript")
	boSecret := createTokenOnPage(t, bo, "Bos kalender")
	api := &client{p: p, cookies: map[string]string{}, token: secret}
	expectStatus(t, api.get("/api/v1/wishes"), http.StatusOK)

	list := anna.get("/staff/tokens")
	expectStatus(t, list, http.StatusOK)
	expectContains(t, list, "Annas uppladdningsskript", refOf(secret), annaUser.Email, "Dina API-nycklar (1)")
	for _, leak := range []string{secret, hashOf(secret), hashOf(secret)[12:], boSecret, "Bos kalender"} {
		if strings.Contains(list.text(), leak) {
			t.Errorf("staff's token list shows %q", leak)
		}
	}
	all := admin.get("/staff/tokens")
	expectContains(t, all, "Alla API-nycklar (2)", "Annas uppladdningsskript", "Bos kalender", boUser.Email)
	for _, leak := range []string{secret, boSecret, hashOf(secret), hashOf(boSecret)} {
		if strings.Contains(all.text(), leak) {
			t.Errorf("the admin's token list shows %q", leak)
		}
	}

	// Staff cannot revoke another staff member's token; it keeps working.
	r = bo.postForm("/staff/tokens/"+refOf(secret)+"/revoke", url.Values{})
	expectStatus(t, r, http.StatusForbidden)
	expectStatus(t, api.get("/api/v1/wishes"), http.StatusOK)
	// Nor without the CSRF token.
	expectStatus(t, anna.postForm("/staff/tokens/"+refOf(secret)+"/revoke", url.Values{"_csrf": {""}}), http.StatusForbidden)
	expectStatus(t, api.get("/api/v1/wishes"), http.StatusOK)
	// Unknown and mangled references.
	expectStatus(t, anna.postForm("/staff/tokens/0123456789ab/revoke", url.Values{}), http.StatusNotFound)
	expectStatus(t, anna.postForm("/staff/tokens/xyz/revoke", url.Values{}), http.StatusBadRequest)

	// The owner revokes: the API refuses the token at once.
	r = anna.postForm("/staff/tokens/"+refOf(secret)+"/revoke", url.Values{})
	expectStatus(t, r, http.StatusSeeOther)
	r = api.get("/api/v1/wishes")
	expectStatus(t, r, http.StatusUnauthorized)
	expectContains(t, anna.get("/staff/tokens"), "Annas uppladdningsskript” är återkallad", "Dina API-nycklar (0)")

	// An admin revokes anyone's.
	boAPI := &client{p: p, cookies: map[string]string{}, token: boSecret}
	expectStatus(t, boAPI.get("/api/v1/wishes"), http.StatusOK)
	expectStatus(t, admin.postForm("/staff/tokens/"+refOf(boSecret)+"/revoke", url.Values{}), http.StatusSeeOther)
	expectStatus(t, boAPI.get("/api/v1/wishes"), http.StatusUnauthorized)

	// Members get 403 on every token route.
	member := p.loginAs(account.RoleMember)
	expectStatus(t, member.get("/staff/tokens"), http.StatusForbidden)
	expectStatus(t, member.postForm("/staff/tokens", url.Values{"name": {"mitt"}}), http.StatusForbidden)
	third := createTokenOnPage(t, anna, "tredje")
	expectStatus(t, member.postForm("/staff/tokens/"+refOf(third)+"/revoke", url.Values{}), http.StatusForbidden)
	expectStatus(t, (&client{p: p, cookies: map[string]string{}, token: third}).get("/api/v1/wishes"), http.StatusOK)
}

// TestRoleChange: an admin changes roles on /staff/accounts; the
// account's sessions end; staff get 403; nobody changes their own role.
func TestRoleChange(t *testing.T) {
	p := newPortal(t)
	admin, staff := p.loginAs(account.RoleAdmin), p.loginAs(account.RoleStaff)
	member := p.loginAs(account.RoleMember)
	mu := member.sessionUser()
	adminUser := admin.sessionUser()

	page := admin.get("/staff/accounts")
	expectStatus(t, page, http.StatusOK)
	expectContains(t, page, `action="/staff/accounts/`+mu.ID+`/role"`, `<label for="role-`+mu.ID+`">Roll`)
	if strings.Contains(page.text(), `action="/staff/accounts/`+adminUser.ID+`/role"`) {
		t.Error("the admin is offered to change their own role")
	}
	if strings.Contains(staff.get("/staff/accounts").text(), "/role\"") {
		t.Error("staff are offered the role form")
	}

	// Staff may not, not even on a member.
	r := staff.postForm("/staff/accounts/"+mu.ID+"/role", url.Values{"role": {"admin"}})
	expectStatus(t, r, http.StatusForbidden)
	expectContains(t, r, "Bara administratörer kan ändra roller")
	// Nor on their own.
	expectStatus(t, staff.postForm("/staff/accounts/"+staff.sessionUser().ID+"/role", url.Values{"role": {"admin"}}), http.StatusForbidden)
	// Bad input and one's own role.
	expectStatus(t, admin.postForm("/staff/accounts/"+mu.ID+"/role", url.Values{"role": {"kung"}}), http.StatusUnprocessableEntity)
	expectStatus(t, admin.postForm("/staff/accounts/"+mu.ID+"/role", url.Values{"role": {"member"}}), http.StatusConflict)
	expectStatus(t, admin.postForm("/staff/accounts/"+adminUser.ID+"/role", url.Values{"role": {"staff"}}), http.StatusForbidden)
	expectStatus(t, admin.postForm("/staff/accounts/finns-inte/role", url.Values{"role": {"staff"}}), http.StatusNotFound)
	if u, _ := p.accounts.UserByID(context.Background(), mu.ID); u.Role != account.RoleMember {
		t.Fatalf("a refused request changed the role to %s", u.Role)
	}
	expectStatus(t, member.get("/account"), http.StatusOK) // still logged in

	r = admin.postForm("/staff/accounts/"+mu.ID+"/role", url.Values{"role": {"staff"}})
	expectStatus(t, r, http.StatusSeeOther)
	if u, _ := p.accounts.UserByID(context.Background(), mu.ID); u.Role != account.RoleStaff {
		t.Fatalf("role %s, want staff", u.Role)
	}
	// The old session is gone: the browser must log in again.
	if r := member.get("/account"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
		t.Errorf("the session lived through the role change: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	expectContains(t, admin.get("/staff/accounts"), "har nu rollen Redaktion")

	// And back: a demoted staff member's staff session ends too.
	again := p.anonymous()
	again.get("/login")
	expectStatus(t, again.postForm("/login", url.Values{"email": {mu.Email}, "password": {"ett långt lösenord"}}), http.StatusSeeOther)
	expectStatus(t, again.get("/staff/"), http.StatusOK)
	expectStatus(t, admin.postForm("/staff/accounts/"+mu.ID+"/role", url.Values{"role": {"member"}}), http.StatusSeeOther)
	if r := again.get("/staff/"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("the demoted account still reaches the staff pages: %d", r.StatusCode)
	}

	entries := auditRows(t, admin.get("/staff/audit"))
	want := [][2]string{
		{adminUser.Email, "ändrade rollen för " + mu.Email + " från Redaktion till Medlem"},
		{adminUser.Email, "ändrade rollen för " + mu.Email + " från Medlem till Redaktion"},
	}
	for _, w := range want {
		if !hasRow(entries, w[0], w[1]) {
			t.Errorf("the audit page lacks %q by %s: %q", w[1], w[0], entries)
		}
	}
}

// auditRows reads the audit page's table as rows of cell texts: when,
// who, what, webinar, request.
func auditRows(t *testing.T, r response) [][]string {
	t.Helper()
	expectStatus(t, r, http.StatusOK)
	doc, err := html.Parse(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]string
	var text func(n *html.Node) string
	text = func(n *html.Node) string {
		if n.Type == html.TextNode {
			return n.Data
		}
		var b strings.Builder
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			b.WriteString(text(c))
		}
		return b.String()
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "tr" {
			var row []string
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.ElementNode && c.Data == "td" {
					row = append(row, strings.TrimSpace(text(c)))
				}
			}
			if len(row) > 0 {
				rows = append(rows, row)
			}
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return rows
}

// hasRow reports whether a row names who and starts with what.
func hasRow(rows [][]string, who, what string) bool {
	for _, r := range rows {
		if len(r) >= 3 && r[1] == who && strings.HasPrefix(r[2], what) {
			return true
		}
	}
	return false
}

// TestAuditNamesEveryChange: deleting, uploading a recording by form and
// by the raw API, publishing and unpublishing, role changes, API tokens
// and wish triage and merge each appear on /staff/audit with who did it
// and a name for what, never a bare route.
func TestAuditNamesEveryChange(t *testing.T) {
	p := newPortal(t)
	staff, admin := p.loginAs(account.RoleStaff), p.loginAs(account.RoleAdmin)
	se, ae := staff.sessionUser().Email, admin.sessionUser().Email
	api := p.apiClient()
	apiUser, err := p.accounts.TokenUser(context.Background(), api.token)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	slug := api.createWebinar("Loggas", "draft")
	clip := fakeMP4(0)
	expectStatus(t, api.put("/api/v1/webinars/"+slug+"/recording", bytes.NewReader(clip), int64(len(clip))), http.StatusOK)
	expectStatus(t, staff.postFile("/staff/webinars/"+slug+"/recording", nil, "film.mp4", clip, true), http.StatusSeeOther)
	expectStatus(t, staff.postForm("/staff/webinars/"+slug+"/publish", url.Values{}), http.StatusSeeOther)
	expectStatus(t, staff.postForm("/staff/webinars/"+slug+"/unpublish", url.Values{}), http.StatusSeeOther)
	gone := api.createWebinar("Tas bort", "draft")
	expectStatus(t, staff.postForm("/staff/webinars/"+gone+"/delete", url.Values{}), http.StatusSeeOther)

	m := p.loginAs(account.RoleMember).sessionUser()
	expectStatus(t, admin.postForm("/staff/accounts/"+m.ID+"/role", url.Values{"role": {"staff"}}), http.StatusSeeOther)
	secret := createTokenOnPage(t, staff, "Loggad nyckel")
	expectStatus(t, staff.postForm("/staff/tokens/"+refOf(secret)+"/revoke", url.Values{}), http.StatusSeeOther)

	w1, err := p.srv.deps.Wishes.Create(ctx, wish.Input{Topic: "Dagvatten", Municipality: "Ydre"})
	if err != nil {
		t.Fatal(err)
	}
	w2, err := p.srv.deps.Wishes.Create(ctx, wish.Input{Topic: "Dagvatten igen", Municipality: "Ydre"})
	if err != nil {
		t.Fatal(err)
	}
	expectStatus(t, staff.postForm("/staff/wishes/"+w1.ID, url.Values{"status": {"planned"}, "reply": {"Vi planerar det."}, "webinar": {""}}), http.StatusSeeOther)
	expectStatus(t, staff.postForm("/staff/wishes/merge", url.Values{"duplicate": {w2.ID}, "target": {w1.ID}}), http.StatusSeeOther)

	rows := auditRows(t, staff.get("/staff/audit"))
	for _, w := range [][2]string{
		{apiUser.Email, "laddade upp inspelningen"},
		{se, "laddade upp inspelningen"},
		{se, "publicerade webbinariet"},
		{se, "avpublicerade webbinariet"},
		{se, "tog bort webbinariet"},
		{ae, "ändrade rollen för " + m.Email + " från Medlem till Redaktion"},
		{se, "skapade API-nyckeln ”Loggad nyckel” (" + refOf(secret) + ") för " + se},
		{se, "drog in API-nyckeln ”Loggad nyckel” (" + refOf(secret) + ") för " + se},
		{se, "besvarade ett önskemål"},
		{se, "slog ihop önskemål"},
	} {
		if !hasRow(rows, w[0], w[1]) {
			t.Errorf("the audit page lacks %q by %s", w[1], w[0])
		}
	}
	for _, r := range rows {
		if len(r) >= 3 && (strings.HasPrefix(r[2], "POST ") || strings.HasPrefix(r[2], "PUT ") || strings.HasPrefix(r[2], "DELETE ")) {
			t.Errorf("an entry names a bare route: %q", r)
		}
		if len(r) >= 5 && strings.Contains(r[4], "smk_") {
			t.Errorf("an entry shows a token: %q", r)
		}
	}
	// The request column tells the upload by form from the raw one.
	var form, raw bool
	for _, r := range rows {
		if len(r) >= 5 && strings.HasPrefix(r[2], "laddade upp inspelningen") {
			form = form || r[4] == "POST /staff/webinars/"+slug+"/recording"
			raw = raw || r[4] == "PUT /api/v1/webinars/"+slug+"/recording"
		}
	}
	if !form || !raw {
		t.Errorf("upload entries: by form %v, raw API %v", form, raw)
	}
}
