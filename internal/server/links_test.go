package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smakom/webinar-portal/internal/account"
)

// TestInviteAndResetLinkRace: 20 browsers send the same invite, and then
// the same reset link, at once: exactly one sets the password, the others
// get 410 "used", and the password is the winner's.
func TestInviteAndResetLinkRace(t *testing.T) {
	p := newPortal(t)
	ctx := context.Background()
	_, invite, err := p.accounts.Invite(ctx, "kapplopning@kommun.se", "Ydre", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	u, err := p.accounts.AddUser(ctx, "glomsk@kommun.se", account.RoleMember, "ett långt lösenord")
	if err != nil {
		t.Fatal(err)
	}
	_, reset, err := p.accounts.ResetLink(ctx, u.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, token, email string }{
		{"/invite", invite, "kapplopning@kommun.se"}, {"/reset", reset, u.Email},
	} {
		const n = 20
		browsers := make([]*client, n)
		for i := range browsers {
			browsers[i] = p.anonymous()
			browsers[i].get("/") // the CSRF cookie
		}
		status := make([]int, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, b := range browsers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				pw := "lösenord från webbläsare " + string(rune('A'+i))
				status[i] = b.postForm(tc.path, url.Values{"token": {tc.token}, "password": {pw}, "repeat": {pw}}).StatusCode
			}()
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, s := range status {
			switch s {
			case http.StatusSeeOther:
				if winner >= 0 {
					t.Errorf("%s: browsers %d and %d both set the password", tc.path, winner, i)
				}
				winner = i
			case http.StatusGone:
			default:
				t.Errorf("%s: browser %d got %d, want 303 or 410", tc.path, i, s)
			}
		}
		if winner < 0 {
			t.Fatalf("%s: nobody set the password: %v", tc.path, status)
		}
		if _, err := p.accounts.Authenticate(ctx, tc.email, "lösenord från webbläsare "+string(rune('A'+winner))); err != nil {
			t.Errorf("%s: the winner's password does not work: %v", tc.path, err)
		}
	}
}

// TestResetLinkBeforePasswordChangeDies: a reset link issued before the
// member changes the password on /account, or before staff disable and
// enable the account, answers 410 afterwards and changes nothing.
func TestResetLinkBeforePasswordChangeDies(t *testing.T) {
	p := newPortal(t)
	ctx := context.Background()
	staff := p.loginAs(account.RoleStaff)
	member := p.loginAs(account.RoleMember)
	u := member.sessionUser()
	issue := func() string {
		t.Helper()
		r := staff.postForm("/staff/accounts/"+u.ID+"/reset", url.Values{})
		expectStatus(t, r, http.StatusOK)
		return strings.TrimPrefix(pathOf(linkIn(t, r.text())), "/reset?token=")
	}
	tryOld := func(how, token string) {
		t.Helper()
		b := p.anonymous()
		r := b.get("/reset?token=" + url.QueryEscape(token))
		if r.StatusCode != http.StatusGone {
			t.Errorf("after %s, GET of the old link: %d, want 410", how, r.StatusCode)
		}
		r = b.postForm("/reset", url.Values{"token": {token}, "password": {"angriparens lösenord"}, "repeat": {"angriparens lösenord"}})
		expectStatus(t, r, http.StatusGone)
		expectContains(t, r, "Länken har gått ut")
		if _, err := p.accounts.Authenticate(ctx, u.Email, "angriparens lösenord"); err == nil {
			t.Fatalf("after %s the old link set the password", how)
		}
	}

	old := issue()
	r := member.postForm("/account/password", url.Values{"current": {"ett långt lösenord"}, "password": {"mitt nya lösenord"}, "repeat": {"mitt nya lösenord"}})
	if r.StatusCode >= 400 {
		t.Fatalf("change password: %d %.300s", r.StatusCode, r.Body)
	}
	tryOld("a password change", old)

	old = issue()
	expectStatus(t, staff.postForm("/staff/accounts/"+u.ID+"/disable", url.Values{}), http.StatusSeeOther)
	expectStatus(t, staff.postForm("/staff/accounts/"+u.ID+"/enable", url.Values{}), http.StatusSeeOther)
	tryOld("disable and enable", old)

	// A link issued afterwards works.
	b := p.anonymous()
	b.get("/")
	expectStatus(t, b.postForm("/reset", url.Values{"token": {issue()}, "password": {"ett färskt lösenord"}, "repeat": {"ett färskt lösenord"}}), http.StatusSeeOther)
}

// TestInviteShowsExpiry: the page with a new invite or reset link tells
// staff until when it works, from INVITE_TTL and RESET_TTL.
func TestInviteShowsExpiry(t *testing.T) {
	p := newPortal(t, func(d *Deps) { d.InviteTTL = 72 * time.Hour; d.ResetTTL = 5 * time.Hour })
	staff := p.loginAs(account.RoleStaff)
	until := func(d time.Duration, before, after time.Time) []string {
		return []string{"gäller till " + svDateTime(before.Add(d)), "gäller till " + svDateTime(after.Add(d))}
	}
	check := func(r response, want []string) {
		t.Helper()
		expectStatus(t, r, http.StatusOK)
		if !strings.Contains(r.text(), want[0]) && !strings.Contains(r.text(), want[1]) {
			t.Errorf("the link page does not say %q: %.3000s", want[0], r.Body)
		}
	}
	before := time.Now()
	r := staff.postForm("/staff/accounts/invite", url.Values{"email": {"ny-medlem@kommun.se"}, "municipality": {"Ydre"}})
	check(r, until(72*time.Hour, before, time.Now()))
	expectContains(t, r, "Inbjudningslänk för ny-medlem@kommun.se", "fungerar en gång")

	m := p.loginAs(account.RoleMember).sessionUser()
	before = time.Now()
	r = staff.postForm("/staff/accounts/"+m.ID+"/reset", url.Values{})
	check(r, until(5*time.Hour, before, time.Now()))
}

// svDateTime formats as the Swedish staff pages do.
func svDateTime(t time.Time) string { return Base{Lang: langSV}.DateTime(t) }
