package main

// TestTokensAndRolesInBrowser uses the new staff pages with the keyboard
// alone: an admin logs in, makes an API token at /staff/tokens (Tab to
// the name field, type, Enter), copies it from the page, uses it on the
// API, revokes it with Tab and Enter (the API refuses it at once), and
// gives a member the staff role on /staff/accounts with the arrow keys.
// Every stop on the way shows a focus ring.

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

func TestTokensAndRolesInBrowser(t *testing.T) {
	shots := screenshotDir(t)
	const (
		adminEmail  = "chef@smakom.example"
		memberEmail = "medlem@ydre.example"
		password    = "korrekt-häst-batteri-staple"
	)
	dataDir := t.TempDir()
	setCleanEnv(t, "DATA_DIR="+dataDir, "LOG_LEVEL=error")
	for _, u := range [][2]string{{adminEmail, "admin"}, {memberEmail, "member"}} {
		addUser(t, u[0], u[1], password)
	}
	p := startServe(t, dataDir, "serve")
	tab := openTab(t, 4*time.Minute)
	if tab == nil {
		return
	}
	ctx := tab.ctx
	kt := keyboardTab{ctx}
	press, tabTo := kt.press, kt.tabTo
	enter := func(t *testing.T) int64 {
		t.Helper()
		resp, err := chromedp.RunResponse(ctx, chromedp.KeyEvent(kb.Enter))
		if err != nil {
			t.Fatal(err)
		}
		return resp.Status
	}
	text := func(t *testing.T, css string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
		if err != nil {
			t.Fatalf("read %s: %v", css, err)
		}
		return strings.Join(strings.Fields(s), " ")
	}
	shot := func(t *testing.T, name string) { saveScreenshot(t, ctx, shots, name) }
	api := func(token string) int {
		req, _ := http.NewRequest(http.MethodGet, p.url+"/api/v1/wishes", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	step := func(name string, f func(t *testing.T)) {
		t.Helper()
		if !t.Run(name, f) {
			t.Fatalf("step %q failed; the later steps build on it", name)
		}
		tab.checkProblems(t)
	}

	step("log in", func(t *testing.T) {
		if _, err := chromedp.RunResponse(ctx, chromedp.Navigate(p.url+"/login?next=/staff/tokens")); err != nil {
			t.Fatal(err)
		}
		tabTo(t, "the e-mail field", 30, func(st focusState) bool { return st.ID == "email" })
		press(t, adminEmail)
		tabTo(t, "the password field", 3, func(st focusState) bool { return st.ID == "password" })
		press(t, password)
		if st := enter(t); st != http.StatusOK {
			t.Fatalf("after login: %d", st)
		}
		if h1 := text(t, "h1"); h1 != "API-nycklar" {
			t.Fatalf("h1 %q, want API-nycklar", h1)
		}
	})
	var token string
	step("make a token", func(t *testing.T) {
		tabTo(t, "the name field", 40, func(st focusState) bool { return st.ID == "token-name" })
		press(t, "Uppladdningsskript")
		if st := enter(t); st != http.StatusOK {
			t.Fatalf("after making a token: %d", st)
		}
		v, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("new-token")))
		if err != nil {
			t.Fatal(err)
		}
		if token = v; !strings.HasPrefix(token, "smk_") {
			t.Fatalf("the page shows %q, want a token", token)
		}
		if got := text(t, "#token-heading"); got != "Ny API-nyckel ”Uppladdningsskript”" {
			t.Errorf("heading %q", got)
		}
		if got := text(t, "table.tokens caption"); got != "Alla API-nycklar (1)" {
			t.Errorf("caption %q", got)
		}
		shot(t, "staff-tokens-new.png")
		if st := api(token); st != http.StatusOK {
			t.Fatalf("the new token on the API: %d", st)
		}
	})
	step("revoke it", func(t *testing.T) {
		st := tabTo(t, "the revoke button", 40, func(st focusState) bool { return strings.HasPrefix(st.Text, "Återkalla") })
		if !strings.Contains(st.Text, "Uppladdningsskript") {
			t.Errorf("the revoke button's name %q does not say which token", st.Text)
		}
		if code := enter(t); code != http.StatusOK {
			t.Fatalf("after revoking: %d", code)
		}
		if got := text(t, ".flash"); !strings.Contains(got, "är återkallad") {
			t.Errorf("flash %q", got)
		}
		if st := api(token); st != http.StatusUnauthorized {
			t.Errorf("the revoked token on the API: %d, want 401", st)
		}
		if strings.Contains(text(t, "main"), token) {
			t.Error("the list shows the token after revoking")
		}
		shot(t, "staff-tokens-revoked.png")
	})
	step("give a member the staff role", func(t *testing.T) {
		if _, err := chromedp.RunResponse(ctx, chromedp.Navigate(p.url+"/staff/accounts")); err != nil {
			t.Fatal(err)
		}
		tabTo(t, "the member's role menu", 60, func(st focusState) bool { return st.Tag == "SELECT" && strings.HasPrefix(st.ID, "role-") })
		press(t, kb.ArrowDown) // Medlem → Redaktion
		tabTo(t, "Byt roll", 3, func(st focusState) bool { return strings.HasPrefix(st.Text, "Byt roll") })
		if code := enter(t); code != http.StatusOK {
			t.Fatalf("after changing the role: %d", code)
		}
		if got := text(t, ".flash"); !strings.Contains(got, memberEmail+" har nu rollen Redaktion") {
			t.Errorf("flash %q", got)
		}
		shot(t, "staff-accounts-role.png")
		if _, err := chromedp.RunResponse(ctx, chromedp.Navigate(p.url+"/staff/audit")); err != nil {
			t.Fatal(err)
		}
		audit := text(t, "main")
		for _, want := range []string{"ändrade rollen för " + memberEmail + " från Medlem till Redaktion", "drog in API-nyckeln ”Uppladdningsskript”", "skapade API-nyckeln ”Uppladdningsskript”"} {
			if !strings.Contains(audit, want) {
				t.Errorf("the audit page lacks %q", want)
			}
		}
		shot(t, "staff-audit.png")
	})
}
