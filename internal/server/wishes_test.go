package server

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/smakom/webinar-portal/internal/account"
	"github.com/smakom/webinar-portal/internal/wish"
)

func (p *portal) addWish(in wish.Input) string {
	p.t.Helper()
	w, err := p.srv.deps.Wishes.Create(context.Background(), in)
	if err != nil {
		p.t.Fatal(err)
	}
	return w.ID
}

// supportersOn reads the count the public page shows for a wish.
func supportersOn(t *testing.T, r response, id string) string {
	t.Helper()
	m := regexp.MustCompile(`id="wish-` + id + `-count">([^<]*)<`).FindStringSubmatch(r.text())
	if m == nil {
		t.Fatalf("no supporter count for %s on %s", id, r.Request.URL)
	}
	return m[1]
}

func TestPublicWishesAndSupport(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	slug := api.createWebinar("Reservvatten i praktiken", "public")
	planned := p.addWish(wish.Input{Topic: "Reservvatten", Details: "Hemligt: ring mig", Name: "Karin Ek", Email: "karin@kommun.se", Municipality: "Bjurholm"})
	done := p.addWish(wish.Input{Topic: "Dricksvattenkriser"})
	fresh := p.addWish(wish.Input{Topic: "Ännu inte behandlat"})
	declined := p.addWish(wish.Input{Topic: "Avböjt förslag"})

	staff := p.loginAs(account.RoleStaff)
	r := staff.get("/staff/wishes")
	expectContains(t, r, `<a href="/staff/wishes">Önskemål (4 nya)</a>`)
	expectStatus(t, staff.postForm("/staff/wishes/"+planned, url.Values{"status": {"planned"}, "reply": {"Vi planerar ett webbinarium i vår."}}), http.StatusSeeOther)
	expectStatus(t, staff.postForm("/staff/wishes/"+done, url.Values{"status": {"done"}, "reply": {"Se inspelningen."}, "webinar": {slug}}), http.StatusSeeOther)
	expectStatus(t, staff.postForm("/staff/wishes/"+declined, url.Values{"status": {"declined"}}), http.StatusSeeOther)
	r = staff.get("/staff")
	expectContains(t, r, `<a href="/staff/wishes">Önskemål (1 nya)</a>`)

	t.Run("anonymous visitors see planned and answered wishes without who sent them", func(t *testing.T) {
		anon := p.anonymous()
		r := anon.get("/wishes")
		expectStatus(t, r, http.StatusOK)
		expectContains(t, r, "<h1>Önskemål och svar</h1>", "Reservvatten", "Vi planerar ett webbinarium i vår.", "Dricksvattenkriser",
			"Se inspelningen.", `href="/webinars/`+slug+`"`, "Reservvatten i praktiken", `href="/login?next=%2Fwishes"`)
		for _, hidden := range []string{"Ännu inte behandlat", "Avböjt förslag", "Karin", "karin@kommun.se", "Bjurholm", "Hemligt", `action="/wishes/`} {
			if strings.Contains(r.text(), hidden) {
				t.Errorf("public page shows %q", hidden)
			}
		}
		if strings.Index(r.text(), "Reservvatten") > strings.Index(r.text(), "Dricksvattenkriser") {
			t.Error("planned wishes should come before answered ones")
		}
		en := anon.get("/wishes?lang=en")
		expectContains(t, en, `<html lang="en">`, "<h1>Suggestions and answers</h1>", "SmåKom’s answer", `<h3 id="wish-`+planned+`-topic" lang="sv">Reservvatten</h3>`)
	})

	t.Run("a webinar that is no longer public is not linked", func(t *testing.T) {
		draft := api.createWebinar("Utkast om vatten", "draft")
		expectStatus(t, staff.postForm("/staff/wishes/"+fresh, url.Values{"status": {"done"}, "webinar": {draft}}), http.StatusSeeOther)
		r := p.anonymous().get("/wishes")
		expectContains(t, r, "Ännu inte behandlat", `href="/webinars/`+slug+`"`)
		if strings.Contains(r.text(), draft) || strings.Contains(r.text(), "Utkast om vatten") {
			t.Error("the public page links a draft webinar")
		}
		expectContains(t, staff.get("/wishes"), `href="/webinars/`+draft+`"`)
		expectStatus(t, staff.postForm("/staff/wishes/"+fresh, url.Values{"status": {"new"}}), http.StatusSeeOther)
	})

	t.Run("supporting without login leads to the login page", func(t *testing.T) {
		anon := p.anonymous()
		anon.get("/wishes")
		r := anon.postForm("/wishes/"+planned+"/support", url.Values{})
		expectStatus(t, r, http.StatusSeeOther)
		if loc := r.Header.Get("Location"); loc != "/login?next=%2Fwishes" {
			t.Errorf("Location %q, want the login page returning to /wishes", loc)
		}
	})

	member := p.loginAs(account.RoleMember)
	t.Run("a member supports once, however often they click", func(t *testing.T) {
		r := member.get("/wishes")
		expectContains(t, r, `action="/wishes/`+planned+`/support"`, "+1 Stöd önskemålet")
		if got := supportersOn(t, r, planned); got != "Antal som stöder: 0" {
			t.Errorf("before: %q", got)
		}
		r = member.postForm("/wishes/"+planned+"/support", url.Values{})
		expectStatus(t, r, http.StatusSeeOther)
		if loc := r.Header.Get("Location"); loc != "/wishes#wish-"+planned {
			t.Errorf("Location %q", loc)
		}
		r = member.get("/wishes")
		expectContains(t, r, "Tack! Ditt stöd är registrerat.", "Du stöder det här önskemålet.")
		if got := supportersOn(t, r, planned); got != "Antal som stöder: 1" {
			t.Errorf("after one vote: %q", got)
		}
		expectStatus(t, member.postForm("/wishes/"+planned+"/support", url.Values{}), http.StatusSeeOther)
		r = member.get("/wishes")
		expectContains(t, r, "Du stöder redan det här önskemålet.")
		if got := supportersOn(t, r, planned); got != "Antal som stöder: 1" {
			t.Errorf("after a second click: %q, want 1", got)
		}
	})

	t.Run("a support without the CSRF token is refused", func(t *testing.T) {
		other := p.loginAs(account.RoleMember)
		r := other.postForm("/wishes/"+planned+"/support", url.Values{"_csrf": {""}})
		expectStatus(t, r, http.StatusForbidden)
		r = other.postForm("/wishes/"+planned+"/support", url.Values{"_csrf": {"fel-kod-som-inte-stammer-med-kakan-alls"}})
		expectStatus(t, r, http.StatusForbidden)
		if got := supportersOn(t, other.get("/wishes"), planned); got != "Antal som stöder: 1" {
			t.Errorf("after refused votes: %q, want 1", got)
		}
		expectStatus(t, other.postForm("/wishes/"+planned+"/support", url.Values{}), http.StatusSeeOther)
		if got := supportersOn(t, other.get("/wishes"), planned); got != "Antal som stöder: 2" {
			t.Errorf("after a second member: %q, want 2", got)
		}
	})

	t.Run("bad supports", func(t *testing.T) {
		expectStatus(t, member.postForm("/wishes/nope/support", url.Values{}), http.StatusNotFound)
		expectStatus(t, member.postForm("/wishes/"+declined+"/support", url.Values{}), http.StatusConflict)
	})

	t.Run("staff triage refuses bad input and changes nothing", func(t *testing.T) {
		cases := []struct {
			name string
			form url.Values
			want int
		}{
			{"unknown webinar", url.Values{"status": {"done"}, "webinar": {"finns-inte"}}, http.StatusBadRequest},
			{"bad status", url.Values{"status": {"klar"}}, http.StatusBadRequest},
			{"long reply", url.Values{"status": {"done"}, "reply": {strings.Repeat("å", wish.MaxReply+1)}}, http.StatusUnprocessableEntity},
		}
		for _, tc := range cases {
			r := staff.postForm("/staff/wishes/"+planned, tc.form)
			if r.StatusCode != tc.want {
				t.Errorf("%s: status %d, want %d", tc.name, r.StatusCode, tc.want)
			}
		}
		expectStatus(t, staff.postForm("/staff/wishes/nope", url.Values{"status": {"done"}}), http.StatusNotFound)
		expectContains(t, p.anonymous().get("/wishes"), "Vi planerar ett webbinarium i vår.")
		// Members and visitors cannot triage.
		expectStatus(t, member.postForm("/staff/wishes/"+planned, url.Values{"status": {"declined"}}), http.StatusForbidden)
		anon := p.anonymous()
		anon.get("/wishes")
		expectStatus(t, anon.postForm("/staff/wishes/"+planned, url.Values{"status": {"declined"}}), http.StatusSeeOther)
		expectContains(t, p.anonymous().get("/wishes"), "Reservvatten")
	})
}

func TestMergeWishesThroughStaffPage(t *testing.T) {
	p := newPortal(t)
	target := p.addWish(wish.Input{Topic: "Vattenförsörjning"})
	dup := p.addWish(wish.Input{Topic: "Dricksvatten (dubblett)"})
	staff := p.loginAs(account.RoleStaff)
	expectStatus(t, staff.postForm("/staff/wishes/"+target, url.Values{"status": {"planned"}}), http.StatusSeeOther)
	expectStatus(t, staff.postForm("/staff/wishes/"+dup, url.Values{"status": {"planned"}}), http.StatusSeeOther)
	a, b := p.loginAs(account.RoleMember), p.loginAs(account.RoleMember)
	for _, v := range []struct {
		c  *client
		id string
	}{{a, target}, {a, dup}, {b, dup}} {
		v.c.get("/wishes")
		expectStatus(t, v.c.postForm("/wishes/"+v.id+"/support", url.Values{}), http.StatusSeeOther)
	}
	expectStatus(t, staff.postForm("/staff/wishes/merge", url.Values{"duplicate": {dup}, "target": {dup}}), http.StatusBadRequest)
	expectStatus(t, staff.postForm("/staff/wishes/merge", url.Values{"duplicate": {dup}}), http.StatusBadRequest)
	expectStatus(t, staff.postForm("/staff/wishes/merge", url.Values{"duplicate": {dup}, "target": {target}}), http.StatusSeeOther)
	r := p.anonymous().get("/wishes")
	if strings.Contains(r.text(), "dubblett") {
		t.Error("the merged wish is still shown on its own")
	}
	if got := supportersOn(t, r, target); got != "Antal som stöder: 2" {
		t.Errorf("target after merge: %q, want 2 (a supported both and counts once)", got)
	}
	r = staff.get("/staff/wishes")
	expectContains(t, r, "Sammanslagna hit: ”Dricksvatten (dubblett)”", "2 stöder")
	// Merging back would make a loop.
	expectStatus(t, staff.postForm("/staff/wishes/merge", url.Values{"duplicate": {target}, "target": {dup}}), http.StatusBadRequest)
}

func TestWishesCSV(t *testing.T) {
	p := newPortal(t)
	p.addWish(wish.Input{Topic: "Vatten i Håbo", Details: "Rad ett\nrad två; med semikolon och \"citat\"", Name: "Åsa Öberg", Email: "asa@kommun.se", Municipality: "Håbo"})
	p.addWish(wish.Input{Topic: `=HYPERLINK("http://evil.example","klicka")`, Details: "+1+2", Name: "-2+3", Municipality: "@SUM(A1)"})
	p.addWish(wish.Input{Topic: `<script>alert(1)</script>`})

	member := p.loginAs(account.RoleMember)
	expectStatus(t, member.get("/staff/wishes.csv"), http.StatusForbidden)
	r := p.anonymous().get("/staff/wishes.csv")
	expectStatus(t, r, http.StatusSeeOther)

	staff := p.loginAs(account.RoleStaff)
	r = staff.get("/staff/wishes.csv")
	expectStatus(t, r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="onskemal-`) {
		t.Errorf("Content-Disposition %q", cd)
	}
	body, ok := strings.CutPrefix(r.text(), "\ufeff")
	if !ok {
		t.Fatal("no UTF-8 byte-order mark: Excel would show åäö wrongly")
	}
	cr := csv.NewReader(strings.NewReader(body))
	cr.Comma = ';'
	rows, err := cr.ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v\n%s", err, body)
	}
	if len(rows) != 4 {
		t.Fatalf("%d rows, want header and 3 wishes", len(rows))
	}
	if strings.Join(rows[0], "|") != strings.Join(csvHeader, "|") {
		t.Errorf("header %v", rows[0])
	}
	byTopic := map[string][]string{}
	for _, row := range rows[1:] {
		if len(row) != len(csvHeader) {
			t.Fatalf("row %v has %d cells, want %d", row, len(row), len(csvHeader))
		}
		byTopic[row[1]] = row
	}
	if row := byTopic["Vatten i Håbo"]; row == nil || row[2] != "Rad ett\nrad två; med semikolon och \"citat\"" || row[3] != "Åsa Öberg" || row[4] != "asa@kommun.se" || row[6] != "Ny" || row[7] != "0" || !regexp.MustCompile(`^\d{4}-\d\d-\d\d$`).MatchString(row[0]) {
		t.Errorf("plain row = %q", row)
	}
	evil := byTopic[`'=HYPERLINK("http://evil.example","klicka")`]
	if evil == nil {
		t.Fatalf("formula topic not neutralised; rows %q", rows)
	}
	if evil[2] != "'+1+2" || evil[3] != "'-2+3" || evil[5] != "'@SUM(A1)" {
		t.Errorf("formula cells = %q", evil)
	}
	if byTopic["<script>alert(1)</script>"] == nil {
		t.Error("CSV should carry text as typed (it is not HTML)")
	}
}

func TestWishFieldsEscaped(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	evilTitle := `Titel <img src=x onerror=alert(2)>`
	slug := api.createWebinar(evilTitle, "public")
	id := p.addWish(wish.Input{Topic: `<script>alert("topic")</script>`, Details: `<iframe src="javascript:alert(1)">`,
		Name: `"><svg onload=alert(3)>`, Email: "a@kommun.se", Municipality: `<b>Håbo</b>`})
	staff := p.loginAs(account.RoleStaff)
	expectStatus(t, staff.postForm("/staff/wishes/"+id, url.Values{"status": {"done"}, "reply": {`<img src=x onerror=alert(1)>`}, "webinar": {slug}}), http.StatusSeeOther)
	raw := []string{`<script>alert("topic")`, `<img src=x onerror`, `<iframe`, `<svg onload`, `<b>Håbo`}
	for _, c := range []struct {
		name string
		cl   *client
		path string
		want []string
	}{
		{"public page", p.anonymous(), "/wishes", []string{"&lt;script&gt;alert(&#34;topic&#34;)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;"}},
		{"member view", p.loginAs(account.RoleMember), "/wishes", []string{"&lt;script&gt;"}},
		{"staff page", staff, "/staff/wishes", []string{"&lt;script&gt;", "&lt;iframe", "&#34;&gt;&lt;svg onload=alert(3)&gt;", "&lt;b&gt;Håbo&lt;/b&gt;", "&lt;img src=x onerror=alert(1)&gt;"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := c.cl.get(c.path)
			expectStatus(t, r, http.StatusOK)
			expectContains(t, r, c.want...)
			for _, bad := range raw {
				if strings.Contains(r.text(), bad) {
					t.Errorf("%s carries unescaped %q", c.path, bad)
				}
			}
		})
	}
}

// The public form keeps its defences: a honeypot that people never see or
// reach, and one limit per IP shared by the form and the API.
func TestWishFormHoneypotAndFlood(t *testing.T) {
	const perHour = 5
	// X-Forwarded-For from the test connection (0.0.0.0) stands for the
	// visitor's IP, as behind a proxy.
	p := newPortal(t, func(d *Deps) { d.WishesPerHour = perHour; d.TrustedProxies = []string{"0.0.0.0"} })
	public := p.apiClient().createWebinar("Katalogen under en flod av önskemål", "public")
	stored := func() int64 {
		t.Helper()
		n, err := p.db.Collection("wishes").CountDocuments(context.Background(), bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	csrf := randomToken()
	// send posts one wish from ip over the form (with the CSRF token a
	// browser has) or the JSON API.
	send := func(ip string, viaAPI bool, form url.Values) response {
		var req *http.Request
		if viaAPI {
			b, _ := json.Marshal(map[string]string{"topic": form.Get("topic")})
			req = httptest.NewRequest(http.MethodPost, "/api/v1/wishes", bytes.NewReader(b))
			req.Header.Set("Content-Type", "application/json")
		} else {
			form.Set("_csrf", csrf)
			req = httptest.NewRequest(http.MethodPost, "/wishes", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(&http.Cookie{Name: csrfCookie, Value: csrf})
		}
		req.Header.Set("X-Forwarded-For", ip)
		res, err := p.srv.App().Test(req, -1)
		if err != nil {
			t.Errorf("POST %s: %v", req.URL.Path, err)
			return response{}
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return response{res, body}
	}

	anon := p.anonymous()
	r := anon.get("/wishes/new")
	expectContains(t, r, `<div class="hp" aria-hidden="true">`, `name="website" type="text" tabindex="-1" autocomplete="off"`)

	t.Run("a bot that fills the honeypot is thanked and nothing is stored", func(t *testing.T) {
		for i := range perHour - 1 {
			r := send("198.51.100.66", false, url.Values{"topic": {fmt.Sprintf("Billiga klockor %d", i)}, "website": {"http://spam.example"}})
			expectStatus(t, r, http.StatusOK)
			expectContains(t, r, "Tack för ditt önskemål")
		}
		if n := stored(); n != 0 {
			t.Fatalf("the honeypot stored %d wishes", n)
		}
		// The API has no honeypot: it refuses fields it does not know.
		b, _ := json.Marshal(map[string]string{"topic": "Billiga klockor", "website": "http://spam.example"})
		req := httptest.NewRequest(http.MethodPost, "/api/v1/wishes", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", "198.51.100.67")
		expectStatus(t, anon.do(req), http.StatusBadRequest)
		if n := stored(); n != 0 {
			t.Fatalf("a bot stored %d wishes", n)
		}
	})

	t.Run("a flood from one IP over the form and the API stores one hour's budget", func(t *testing.T) {
		const flood, workers = 500, 24
		type answer struct {
			api    bool
			status int
			body   string
			retry  string
			ctype  string
		}
		answers := make(chan answer, flood)
		jobs := make(chan int)
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range jobs {
					api := i%2 == 1
					r := send("203.0.113.7", api, url.Values{"topic": {fmt.Sprintf("Flod %d", i)}})
					if r.Response == nil {
						continue
					}
					answers <- answer{api, r.StatusCode, r.text(), r.Header.Get("Retry-After"), r.Header.Get("Content-Type")}
				}
			}()
		}
		// The catalogue keeps answering while the flood runs.
		catalogue := make(chan int, 1)
		go func() {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			res, err := p.srv.App().Test(req, -1)
			if err != nil {
				catalogue <- 0
				return
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if !strings.Contains(string(body), public) {
				catalogue <- -res.StatusCode
				return
			}
			catalogue <- res.StatusCode
		}()
		for i := range flood {
			jobs <- i
		}
		close(jobs)
		wg.Wait()
		close(answers)
		if st := <-catalogue; st != http.StatusOK {
			t.Errorf("the catalogue answered %d during the flood (negative: without the public webinar)", st)
		}
		accepted, limited := 0, 0
		for a := range answers {
			switch {
			case a.status == http.StatusCreated && a.api, a.status == http.StatusSeeOther && !a.api:
				accepted++
			case a.status == http.StatusTooManyRequests:
				limited++
				if secs, err := strconv.Atoi(a.retry); err != nil || secs < 1 || secs > 3600 {
					t.Errorf("429 with Retry-After %q, want seconds up to an hour", a.retry)
				}
				if a.api {
					var e struct {
						Error struct{ Code, Message string }
					}
					if err := json.Unmarshal([]byte(a.body), &e); err != nil || e.Error.Code != "rate_limited" || !strings.Contains(e.Error.Message, "många önskemål") {
						t.Errorf("API 429 is not the JSON error (%v; %s): %.200s", err, a.ctype, a.body)
					}
				} else if !strings.HasPrefix(a.ctype, "text/html") || !strings.Contains(a.body, "Du har skickat många önskemål på kort tid") {
					t.Errorf("form 429 is not a Swedish page (%s): %.200s", a.ctype, a.body)
				}
			default:
				t.Errorf("a wish (API %v) answered %d: %.200s", a.api, a.status, a.body)
			}
		}
		if accepted != perHour || limited != flood-perHour {
			t.Errorf("%d accepted and %d refused, want %d and %d", accepted, limited, perHour, flood-perHour)
		}
		if n := stored(); n != perHour {
			t.Errorf("%d wishes stored after the flood, want WISHES_PER_HOUR (%d)", n, perHour)
		}
	})

	t.Run("the form and the API share the budget", func(t *testing.T) {
		// Half the budget by form, the rest by API, then both refuse.
		for i := range perHour {
			want := http.StatusSeeOther
			if i%2 == 1 {
				want = http.StatusCreated
			}
			expectStatus(t, send("203.0.113.8", i%2 == 1, url.Values{"topic": {fmt.Sprintf("Delad %d", i)}}), want)
		}
		expectStatus(t, send("203.0.113.8", false, url.Values{"topic": {"Ett till"}}), http.StatusTooManyRequests)
		expectStatus(t, send("203.0.113.8", true, url.Values{"topic": {"Ett till"}}), http.StatusTooManyRequests)
	})

	t.Run("another IP can still send a wish", func(t *testing.T) {
		before := stored()
		expectStatus(t, send("192.0.2.44", false, url.Values{"topic": {"Ett vanligt önskemål"}}), http.StatusSeeOther)
		expectStatus(t, send("192.0.2.45", true, url.Values{"topic": {"Ett önskemål från ett system"}}), http.StatusCreated)
		if n := stored(); n != before+2 {
			t.Errorf("%d wishes stored, want %d", n, before+2)
		}
	})

	t.Run("a person correcting the form keeps the budget", func(t *testing.T) {
		before := stored()
		for range perHour + 2 {
			expectStatus(t, send("192.0.2.60", false, url.Values{"topic": {""}, "details": {"Glömde ämnet"}}), http.StatusUnprocessableEntity)
		}
		for i := range perHour {
			expectStatus(t, send("192.0.2.60", false, url.Values{"topic": {fmt.Sprintf("Rättat ämne %d", i)}}), http.StatusSeeOther)
		}
		expectStatus(t, send("192.0.2.60", false, url.Values{"topic": {"Ett för mycket"}}), http.StatusTooManyRequests)
		if n := stored(); n != before+perHour {
			t.Errorf("%d wishes stored, want %d", n, before+perHour)
		}
	})
}

// Members voting at the same moment through the HTTP layer: every member
// counts exactly once, even when each clicks twice.
func TestConcurrentSupport(t *testing.T) {
	p := newPortal(t)
	id := p.addWish(wish.Input{Topic: "Krisberedskap"})
	staff := p.loginAs(account.RoleStaff)
	expectStatus(t, staff.postForm("/staff/wishes/"+id, url.Values{"status": {"planned"}}), http.StatusSeeOther)
	const members = 16
	var clients []*client
	for i := range members {
		// Sessions straight from the account service: the login form
		// allows only a few attempts per IP and minute.
		u, err := p.accounts.AddUser(context.Background(), fmt.Sprintf("medlem%d@kommun.se", i), account.RoleMember, "ett långt lösenord")
		if err != nil {
			t.Fatal(err)
		}
		secret, err := p.accounts.StartSession(context.Background(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, &client{p: p, cookies: map[string]string{sessionCookie: secret, csrfCookie: randomToken()}})
	}
	var wg sync.WaitGroup
	statuses := make(chan int, 2*members)
	for _, c := range clients {
		for range 2 {
			form := url.Values{"_csrf": {c.cookies[csrfCookie]}}
			req := httptest.NewRequest(http.MethodPost, "/wishes/"+id+"/support", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range c.cookies {
				req.AddCookie(&http.Cookie{Name: k, Value: v})
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := p.srv.App().Test(req, -1)
				if err != nil {
					statuses <- 0
					return
				}
				res.Body.Close()
				statuses <- res.StatusCode
			}()
		}
	}
	wg.Wait()
	close(statuses)
	for st := range statuses {
		if st != http.StatusSeeOther {
			t.Errorf("a concurrent support answered %d, want 303", st)
		}
	}
	if got := supportersOn(t, p.anonymous().get("/wishes"), id); got != fmt.Sprintf("Antal som stöder: %d", members) {
		t.Errorf("after %d members clicked twice at once: %q", members, got)
	}
}
