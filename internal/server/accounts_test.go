package server

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smakom/webinar-portal/internal/account"
	"github.com/smakom/webinar-portal/internal/mail"
	"github.com/smakom/webinar-portal/internal/mail/mailtest"
	"github.com/smakom/webinar-portal/internal/throttle"
)

const testSiteURL = "https://arkiv.smakom.example"

// mailPortal is a portal that mails through a real (test) SMTP server.
func mailPortal(t *testing.T, opts ...func(*Deps)) (*portal, *mailtest.Server) {
	t.Helper()
	smtpd := mailtest.Start(t, true)
	sender, err := mail.New(mail.Config{Host: smtpd.Host, Port: smtpd.Port, From: "SmåKom <arkiv@smakom.example>", TLSConfig: smtpd.ClientTLS})
	if err != nil {
		t.Fatal(err)
	}
	opts = append([]func(*Deps){func(d *Deps) { d.Mailer = sender; d.PublicURL = testSiteURL }}, opts...)
	return newPortal(t, opts...), smtpd
}

var linkPattern = regexp.MustCompile(`https?://[^\s"<>]+/(invite|reset)\?token=[A-Za-z0-9_-]+`)

// linkIn finds the one-time link in a page or mail.
func linkIn(t *testing.T, text string) string {
	t.Helper()
	l := linkPattern.FindString(text)
	if l == "" {
		t.Fatalf("no invite or reset link in:\n%.1500s", text)
	}
	return l
}

// pathOf is a link's path and query, to request in-process.
func pathOf(link string) string {
	u, _ := url.Parse(link)
	return u.RequestURI()
}

func TestInviteMemberWithMail(t *testing.T) {
	p, smtpd := mailPortal(t)
	staff := p.loginAs(account.RoleStaff)
	api := p.apiClient()
	slug := api.createWebinar("Bara för medlemmar: krisberedskap", "members")

	r := staff.get("/staff/accounts")
	expectStatus(t, r, http.StatusOK)
	expectContains(t, r, "Bjud in en medlem", "Alla konton")

	// Bad input: clear message, nothing stored.
	r = staff.postForm("/staff/accounts/invite", url.Values{"email": {"inte en adress"}, "municipality": {""}})
	expectStatus(t, r, http.StatusUnprocessableEntity)
	expectContains(t, r, "Skriv en giltig e-postadress", "Skriv medlemmens kommun")

	r = staff.postForm("/staff/accounts/invite", url.Values{"email": {"Ny.Medlem@Ydre.se"}, "municipality": {"Ydre"}})
	expectStatus(t, r, http.StatusOK)
	shown := linkIn(t, r.text())
	if !strings.HasPrefix(shown, testSiteURL+"/invite?token=") {
		t.Errorf("shown link %q does not use PUBLIC_URL", shown)
	}
	expectContains(t, r, "Länken har också mejlats till ny.medlem@ydre.se", "Inbjudet", "Ydre")

	m := smtpd.Wait(t, time.Minute)
	if m.To != "ny.medlem@ydre.se" || !m.TLS || !strings.Contains(m.Subject, "Inbjudan") {
		t.Errorf("mail to %q (TLS %v) %q", m.To, m.TLS, m.Subject)
	}
	if mailed := linkIn(t, m.Body); mailed != shown {
		t.Errorf("mailed link %q, shown %q", mailed, shown)
	}

	member := p.anonymous()
	r = member.get(pathOf(shown))
	expectStatus(t, r, http.StatusOK)
	expectContains(t, r, "Välj ett lösenord", "ny.medlem@ydre.se")
	token := strings.TrimPrefix(pathOf(shown), "/invite?token=")

	// A short password keeps the link usable.
	r = member.postForm("/invite", url.Values{"token": {token}, "password": {"kort"}, "repeat": {"kort"}})
	expectStatus(t, r, http.StatusUnprocessableEntity)
	// The form still shows whose account it is.
	expectContains(t, r, "minst 10 tecken", `value="ny.medlem@ydre.se" readonly`)
	r = member.postForm("/invite", url.Values{"token": {token}, "password": {"ett långt lösenord"}, "repeat": {"ett annat lösenord"}})
	expectStatus(t, r, http.StatusUnprocessableEntity)
	expectContains(t, r, "Lösenorden är inte lika")
	r = member.postForm("/invite", url.Values{"token": {token}, "password": {"mitt nya lösenord"}, "repeat": {"mitt nya lösenord"}})
	expectStatus(t, r, http.StatusSeeOther)
	if member.cookies[sessionCookie] == "" {
		t.Fatal("not logged in after setting the password")
	}
	expectStatus(t, member.get("/webinars/"+slug), http.StatusOK)

	// Reused: a clear Swedish page, nothing changes.
	other := p.anonymous()
	other.get("/")
	r = other.get(pathOf(shown))
	expectStatus(t, r, http.StatusGone)
	expectContains(t, r, "Länken har redan använts")
	r = other.postForm("/invite", url.Values{"token": {token}, "password": {"kapat lösenord!"}, "repeat": {"kapat lösenord!"}})
	expectStatus(t, r, http.StatusGone)
	if other.cookies[sessionCookie] != "" {
		t.Error("a reused invite logged someone in")
	}
	if _, err := p.accounts.Authenticate(context.Background(), "ny.medlem@ydre.se", "mitt nya lösenord"); err != nil {
		t.Errorf("the reused link changed the password: %v", err)
	}
	// An unknown token: 400.
	expectStatus(t, other.get("/invite?token=nonsens"), http.StatusBadRequest)
	r = other.get("/invite?token=nonsens&lang=en")
	expectContains(t, r, "The link is not valid")

	// The audit log names the invite.
	r = staff.get("/staff/audit")
	expectContains(t, r, "bjöd in medlemmen ny.medlem@ydre.se (Ydre)")
}

func TestExpiredInviteChangesNothing(t *testing.T) {
	p := newPortal(t, func(d *Deps) { d.InviteTTL = 7 * 24 * time.Hour })
	clk := time.Now()
	var mu sync.Mutex
	p.accounts.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return clk })
	staff := p.loginAs(account.RoleStaff)
	r := staff.postForm("/staff/accounts/invite", url.Values{"email": {"sen@ydre.se"}, "municipality": {"Ydre"}})
	expectStatus(t, r, http.StatusOK)
	expectContains(t, r, "Mejl är inte inställt: kopiera länken")
	link := linkIn(t, r.text())
	if !strings.HasPrefix(link, "http://example.com/invite?token=") {
		t.Errorf("without PUBLIC_URL the shown link uses the request's address: %q", link)
	}
	mu.Lock()
	clk = clk.Add(7*24*time.Hour + time.Minute)
	mu.Unlock()
	c := p.anonymous()
	c.get("/")
	r = c.get(pathOf(link))
	expectStatus(t, r, http.StatusGone)
	expectContains(t, r, "Länken har gått ut", "Länken gäller inte längre")
	token := strings.TrimPrefix(pathOf(link), "/invite?token=")
	r = c.postForm("/invite", url.Values{"token": {token}, "password": {"ett långt lösenord"}, "repeat": {"ett långt lösenord"}})
	expectStatus(t, r, http.StatusGone)
	u, err := p.accounts.UserByEmail(context.Background(), "sen@ydre.se")
	if err != nil || u.Status() != account.StatusInvited {
		t.Errorf("an expired invite changed the account: %v %s", err, u.Status())
	}
}

func TestResetLinkWorksOnceAndEndsSessions(t *testing.T) {
	p, smtpd := mailPortal(t)
	ctx := context.Background()
	staff := p.loginAs(account.RoleStaff)
	memberPhone := p.loginAs(account.RoleMember)
	r := memberPhone.get("/account")
	expectStatus(t, r, http.StatusOK)
	email := regexp.MustCompile(`member-\d+@kommun\.se`).FindString(r.text())
	u, err := p.accounts.UserByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	r = staff.postForm("/staff/accounts/"+u.ID+"/reset", url.Values{})
	expectStatus(t, r, http.StatusOK)
	expectContains(t, r, "Återställningslänk för "+email)
	link := linkIn(t, r.text())
	if m := smtpd.Wait(t, time.Minute); m.To != email || linkIn(t, m.Body) != link {
		t.Errorf("reset mail to %q with %q", m.To, linkIn(t, m.Body))
	}
	token := strings.TrimPrefix(pathOf(link), "/reset?token=")
	laptop := p.anonymous()
	laptop.get("/")
	r = laptop.postForm("/reset", url.Values{"token": {token}, "password": {"helt nytt lösenord"}, "repeat": {"helt nytt lösenord"}})
	expectStatus(t, r, http.StatusSeeOther)
	// The other session has ended.
	r = memberPhone.get("/account")
	if r.StatusCode != http.StatusSeeOther {
		t.Errorf("the member's other session survived the reset: %d", r.StatusCode)
	}
	// Twice: 410, the password stays.
	r = laptop.postForm("/reset", url.Values{"token": {token}, "password": {"ett tredje lösenord"}, "repeat": {"ett tredje lösenord"}})
	expectStatus(t, r, http.StatusGone)
	expectContains(t, r, "Länken har redan använts")
	if _, err := p.accounts.Authenticate(ctx, email, "helt nytt lösenord"); err != nil {
		t.Errorf("password after the second use: %v", err)
	}
	expectContains(t, staff.get("/staff/audit"), "skapade en återställningslänk för "+email)

	// Staff may not manage admin accounts or their own.
	admin, _ := p.accounts.AddUser(ctx, "chef@smakom.se", account.RoleAdmin, "ett långt lösenord")
	expectStatus(t, staff.postForm("/staff/accounts/"+admin.ID+"/disable", url.Values{}), http.StatusForbidden)
	expectStatus(t, staff.postForm("/staff/accounts/"+admin.ID+"/reset", url.Values{}), http.StatusForbidden)
}

func TestDisabledAccountStopsAtOnce(t *testing.T) {
	p := newPortal(t)
	ctx := context.Background()
	admin := p.loginAs(account.RoleAdmin)
	member := p.loginAs(account.RoleMember)
	api := p.apiClient()
	expectStatus(t, api.get("/api/v1/wishes"), http.StatusOK)
	users, err := p.accounts.ListUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var memberUser, apiUser account.User
	for _, u := range users {
		switch {
		case u.Role == account.RoleMember:
			memberUser = u
		case strings.HasPrefix(u.Email, "api-"):
			apiUser = u
		}
	}
	for _, u := range []account.User{memberUser, apiUser} {
		r := admin.postForm("/staff/accounts/"+u.ID+"/disable", url.Values{})
		expectStatus(t, r, http.StatusSeeOther)
	}
	r := admin.get("/staff/accounts")
	expectContains(t, r, "Avstängt", "är avstängt")
	// The member's session and the API token stop working at once.
	if r := member.get("/account"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("a disabled member's session still works: %d", r.StatusCode)
	}
	expectStatus(t, api.get("/api/v1/wishes"), http.StatusUnauthorized)
	// Login is refused with the generic message.
	c := p.anonymous()
	c.get("/login")
	r = c.postForm("/login", url.Values{"email": {memberUser.Email}, "password": {"ett långt lösenord"}})
	expectStatus(t, r, http.StatusUnauthorized)
	expectContains(t, r, "Fel e-postadress eller lösenord.")
	expectContains(t, admin.get("/staff/audit"), "stängde av kontot "+memberUser.Email)
	// Enabled again, the password works.
	expectStatus(t, admin.postForm("/staff/accounts/"+memberUser.ID+"/enable", url.Values{}), http.StatusSeeOther)
	r = c.postForm("/login", url.Values{"email": {memberUser.Email}, "password": {"ett långt lösenord"}})
	expectStatus(t, r, http.StatusSeeOther)
}

func TestAccountPageChangesPasswordAndLogsOutEverywhere(t *testing.T) {
	p := newPortal(t)
	a := p.loginAs(account.RoleMember)
	r := a.get("/account")
	expectStatus(t, r, http.StatusOK)
	email := regexp.MustCompile(`member-\d+@kommun\.se`).FindString(r.text())
	b := p.anonymous()
	b.get("/login")
	expectStatus(t, b.postForm("/login", url.Values{"email": {email}, "password": {"ett långt lösenord"}}), http.StatusSeeOther)

	r = a.postForm("/account/password", url.Values{"current": {"fel lösenord"}, "password": {"nytt långt lösenord"}, "repeat": {"nytt långt lösenord"}})
	expectStatus(t, r, http.StatusUnprocessableEntity)
	expectContains(t, r, "Det nuvarande lösenordet stämmer inte")
	// Without the CSRF token: refused.
	r = a.postForm("/account/password", url.Values{"_csrf": {""}, "current": {"ett långt lösenord"}, "password": {"nytt långt lösenord"}, "repeat": {"nytt långt lösenord"}})
	expectStatus(t, r, http.StatusForbidden)
	r = a.postForm("/account/password", url.Values{"current": {"ett långt lösenord"}, "password": {"nytt långt lösenord"}, "repeat": {"nytt långt lösenord"}})
	expectStatus(t, r, http.StatusSeeOther)
	expectContains(t, a.get("/account"), "Lösenordet är bytt")
	if r := b.get("/account"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("the other session survived the password change: %d", r.StatusCode)
	}
	// English page.
	expectContains(t, a.get("/account?lang=en"), "Change password", "Log out everywhere")

	// Log out everywhere ends this session too, and a second one.
	c := p.anonymous()
	c.get("/login")
	expectStatus(t, c.postForm("/login", url.Values{"email": {email}, "password": {"nytt långt lösenord"}}), http.StatusSeeOther)
	expectStatus(t, a.postForm("/account/logout-all", url.Values{}), http.StatusSeeOther)
	for _, cl := range []*client{a, c} {
		if r := cl.get("/account"); r.StatusCode != http.StatusSeeOther {
			t.Errorf("a session survived logging out everywhere: %d", r.StatusCode)
		}
	}
}

// maskLogin removes what legitimately differs between two login pages:
// the typed email and the CSRF token.
func maskLogin(body, email string) string {
	body = strings.ReplaceAll(body, email, "EMAIL")
	return regexp.MustCompile(`(name="_csrf" value="|name="csrf-token" content=")[^"]*`).ReplaceAllString(body, "${1}X")
}

// TestLoginNeverTellsWhoHasAnAccount: unknown address, wrong password,
// and throttled unknown or real accounts answer alike.
func TestLoginNeverTellsWhoHasAnAccount(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	p := newPortal(t, func(d *Deps) { d.LoginThrottle = throttle.NewLogin(func() time.Time { return now }) })
	if _, err := p.accounts.AddUser(context.Background(), "finns@kommun.se", account.RoleMember, "rätt lösenord här"); err != nil {
		t.Fatal(err)
	}
	c := p.anonymous()
	c.get("/login")
	try := func(email string) response {
		return c.postForm("/login", url.Values{"email": {email}, "password": {"fel lösenord"}})
	}
	wrong, unknown := try("finns@kommun.se"), try("finns-inte@kommun.se")
	expectStatus(t, wrong, http.StatusUnauthorized)
	expectStatus(t, unknown, http.StatusUnauthorized)
	if maskLogin(wrong.text(), "finns@kommun.se") != maskLogin(unknown.text(), "finns-inte@kommun.se") {
		t.Error("a wrong password and an unknown address get different pages")
	}
	for i := 0; i < 4; i++ {
		try("finns@kommun.se")
		try("finns-inte@kommun.se")
	}
	real, ghost := try("finns@kommun.se"), try("finns-inte@kommun.se")
	expectStatus(t, real, http.StatusTooManyRequests)
	expectStatus(t, ghost, http.StatusTooManyRequests)
	if real.Header.Get("Retry-After") != ghost.Header.Get("Retry-After") || real.Header.Get("Retry-After") != "1" {
		t.Errorf("Retry-After %q vs %q", real.Header.Get("Retry-After"), ghost.Header.Get("Retry-After"))
	}
	if maskLogin(real.text(), "finns@kommun.se") != maskLogin(ghost.text(), "finns-inte@kommun.se") {
		t.Error("throttled real and unknown accounts get different pages")
	}
	expectContains(t, ghost, "För många misslyckade inloggningar. Vänta 1 sekunder")

	// The forgotten-password form answers alike too.
	f1 := c.postForm("/forgot", url.Values{"email": {"finns@kommun.se"}})
	f2 := c.postForm("/forgot", url.Values{"email": {"finns-inte@kommun.se"}})
	if f1.StatusCode != f2.StatusCode || maskLogin(f1.text(), "") != maskLogin(f2.text(), "") {
		t.Error("the forgot form tells known and unknown addresses apart")
	}
}

// TestForgotPasswordMailsOnlyRealAccounts: the page is the same, and only
// the real address gets a mail.
func TestForgotPasswordMailsOnlyRealAccounts(t *testing.T) {
	p, smtpd := mailPortal(t)
	if _, err := p.accounts.AddUser(context.Background(), "glomsk@kommun.se", account.RoleMember, "ett långt lösenord"); err != nil {
		t.Fatal(err)
	}
	c := p.anonymous()
	expectContains(t, c.get("/forgot"), "Skicka länk")
	a := c.postForm("/forgot", url.Values{"email": {"ingen@kommun.se"}})
	b := c.postForm("/forgot", url.Values{"email": {"glomsk@kommun.se"}})
	expectStatus(t, a, http.StatusOK)
	expectStatus(t, b, http.StatusOK)
	if maskLogin(a.text(), "") != maskLogin(b.text(), "") {
		t.Error("different answers for a known and an unknown address")
	}
	expectContains(t, b, "Om adressen har ett konto hos oss")
	m := smtpd.Wait(t, time.Minute) // the first mail is the real account's: none went to the unknown one
	if m.To != "glomsk@kommun.se" {
		t.Fatalf("mail to %q", m.To)
	}
	link := linkIn(t, m.Body)
	if !strings.HasPrefix(link, testSiteURL+"/reset?token=") {
		t.Errorf("reset link %q", link)
	}
	expectStatus(t, c.get(pathOf(link)), http.StatusOK)
}

func TestNewWishMailsStaff(t *testing.T) {
	p, smtpd := mailPortal(t)
	ctx := context.Background()
	if _, err := p.accounts.AddUser(ctx, "redaktor@smakom.se", account.RoleStaff, "ett långt lösenord"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.accounts.AddUser(ctx, "medlem@ydre.se", account.RoleMember, "ett långt lösenord"); err != nil {
		t.Fatal(err)
	}
	c := p.anonymous()
	c.get("/wishes/new")
	r := c.postForm("/wishes", url.Values{"topic": {"Reservvatten <b>nu</b>"}, "municipality": {"Ydre"}, "details": {"Hur ordnar man nödvatten?"}})
	expectStatus(t, r, http.StatusSeeOther)
	m := smtpd.Wait(t, time.Minute)
	if m.To != "redaktor@smakom.se" || !strings.Contains(m.Subject, "Nytt önskemål: Reservvatten <b>nu</b>") ||
		!strings.Contains(m.Body, "Kommun: Ydre") || !strings.Contains(m.Body, testSiteURL+"/staff/wishes") {
		t.Errorf("wish mail to %q: %q\n%s", m.To, m.Subject, m.Body)
	}
}

// TestLoginFlood sends 10,000 wrong passwords for one account through the
// app concurrently: almost all are refused with 429 before any password
// is checked, another page answers during the flood, and the owner gets
// in once the back-off has passed.
func TestLoginFlood(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	p := newPortal(t, func(d *Deps) { d.LoginThrottle = throttle.NewLogin(clock) })
	const owner, password = "agare@kommun.se", "ägarens riktiga lösenord"
	if _, err := p.accounts.AddUser(context.Background(), owner, account.RoleMember, password); err != nil {
		t.Fatal(err)
	}
	attacker := p.anonymous()
	attacker.get("/login")
	csrf := attacker.cookies[csrfCookie]

	const total, workers = 10_000, 32
	var done, throttled, unauthorized, other atomic.Int64
	sideStarted := make(chan struct{})
	sideDone := make(chan struct{})
	var sideStatus int
	var sideAt int64
	go func() {
		<-sideStarted
		c := p.anonymous()
		r := c.get("/")
		sideStatus = r.StatusCode
		sideAt = done.Load()
		close(sideDone)
	}()
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &client{p: p, cookies: map[string]string{csrfCookie: csrf}}
			for i := range jobs {
				r := c.postForm("/login", url.Values{"email": {owner}, "password": {"gissning " + string(rune('a'+i%26))}})
				switch r.StatusCode {
				case http.StatusTooManyRequests:
					throttled.Add(1)
				case http.StatusUnauthorized:
					unauthorized.Add(1)
				default:
					other.Add(1)
				}
				switch n := done.Add(1); n {
				case 2000:
					close(sideStarted)
				case 6000:
					<-sideDone // the other page must answer before the flood ends
				}
			}
		}()
	}
	for i := 0; i < total; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	t.Logf("flood: %d answered 429, %d 401, %d other; the catalogue answered %d after %d of %d attempts",
		throttled.Load(), unauthorized.Load(), other.Load(), sideStatus, sideAt, total)
	if unauthorized.Load() > 5 || throttled.Load() < total-5 || other.Load() != 0 {
		t.Errorf("%d passwords were checked (at most 5 allowed), %d throttled, %d other", unauthorized.Load(), throttled.Load(), other.Load())
	}
	if sideStatus != http.StatusOK || sideAt >= total {
		t.Errorf("the catalogue answered %d after %d of %d attempts", sideStatus, sideAt, total)
	}

	// The owner waits out the back-off (never more than 15 minutes).
	o := p.anonymous()
	o.get("/login")
	r := o.postForm("/login", url.Values{"email": {owner}, "password": {password}})
	expectStatus(t, r, http.StatusTooManyRequests)
	wait, err := time.ParseDuration(r.Header.Get("Retry-After") + "s")
	if err != nil || wait <= 0 || wait > 15*time.Minute {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	mu.Lock()
	now = now.Add(wait)
	mu.Unlock()
	r = o.postForm("/login", url.Values{"email": {owner}, "password": {password}})
	expectStatus(t, r, http.StatusSeeOther)
	// Success resets the account's back-off: a typo afterwards is not throttled.
	o2 := p.anonymous()
	o2.get("/login")
	expectStatus(t, o2.postForm("/login", url.Values{"email": {owner}, "password": {"ett stavfel"}}), http.StatusUnauthorized)
}

// TestDeadMailServerHoldsNothingUp: with an SMTP server that does not
// answer, inviting still shows the link at once; the failure is logged.
func TestDeadMailServerHoldsNothingUp(t *testing.T) {
	dead, err := mail.New(mail.Config{Host: "127.0.0.1", Port: 1, From: "arkiv@smakom.example"})
	if err != nil {
		t.Fatal(err)
	}
	p := newPortal(t, func(d *Deps) { d.Mailer = dead; d.PublicURL = testSiteURL })
	staff := p.loginAs(account.RoleStaff)
	r := staff.postForm("/staff/accounts/invite", url.Values{"email": {"medlem@dals-ed.se"}, "municipality": {"Dals-Ed"}})
	expectStatus(t, r, http.StatusOK)
	if link := linkIn(t, r.text()); !strings.HasPrefix(link, testSiteURL+"/invite?token=") {
		t.Errorf("link %q", link)
	}
	c := p.anonymous()
	c.get("/wishes/new")
	expectStatus(t, c.postForm("/wishes", url.Values{"topic": {"Skolskjuts"}, "municipality": {"Dals-Ed"}}), http.StatusSeeOther)
}
