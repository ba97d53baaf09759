package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/smakom/webinar-portal/internal/account"
)

func TestWishForm(t *testing.T) {
	p := newPortal(t)
	anon := p.anonymous()
	r := anon.get("/wishes/new")
	expectStatus(t, r, http.StatusOK)
	expectContains(t, r, "Önska ett webbinarium", `name="website"`, `name="_csrf"`)

	cases := []struct {
		name   string
		form   url.Values
		status int
		want   []string
	}{
		{"missing topic", url.Values{"topic": {"  "}, "details": {"Mer om VA"}}, http.StatusUnprocessableEntity, []string{"Fältet måste fyllas i", "Mer om VA"}},
		{"topic too long", url.Values{"topic": {strings.Repeat("å", 201)}}, http.StatusUnprocessableEntity, []string{"Högst 200 tecken"}},
		{"details too long", url.Values{"topic": {"Vatten"}, "details": {strings.Repeat("x", 4001)}}, http.StatusUnprocessableEntity, []string{"Högst 4000 tecken"}},
		{"bad email", url.Values{"topic": {"Vatten"}, "email": {"inte-en-adress"}, "name": {"Karin"}}, http.StatusUnprocessableEntity, []string{"giltig e-postadress", `value="Karin"`}},
		{"ok", url.Values{"topic": {"Reservvatten i små kommuner"}, "email": {"karin@kommun.se"}, "municipality": {"Bjurholm"}}, http.StatusSeeOther, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := anon.postForm("/wishes", tc.form)
			expectStatus(t, r, tc.status)
			expectContains(t, r, tc.want...)
		})
	}
	t.Run("thank-you page after redirect", func(t *testing.T) {
		r := anon.get("/wishes/thanks")
		expectStatus(t, r, http.StatusOK)
		expectContains(t, r, "Tack för ditt önskemål!", "Reservvatten i små kommuner")
		// Reloading shows the page again without the topic and stores nothing.
		r = anon.get("/wishes/thanks")
		expectStatus(t, r, http.StatusOK)
		if strings.Contains(r.text(), "Reservvatten") {
			t.Error("the thank-you page repeats the topic on reload")
		}
	})
	t.Run("summary names the field", func(t *testing.T) {
		r := anon.postForm("/wishes", url.Values{"topic": {""}, "email": {"x"}})
		expectContains(t, r, `href="#topic">Ämne: Fältet måste fyllas i.`, `href="#email">E-post: `)
		if strings.Index(r.text(), `href="#topic"`) > strings.Index(r.text(), `href="#email"`) {
			t.Error("error summary is not in form order")
		}
	})
	t.Run("honeypot", func(t *testing.T) {
		r := anon.postForm("/wishes", url.Values{"topic": {"Spam"}, "website": {"http://spam"}})
		expectStatus(t, r, http.StatusOK)
	})
	t.Run("oversized form", func(t *testing.T) {
		r := anon.postForm("/wishes", url.Values{"topic": {"x"}, "details": {strings.Repeat("x", 2<<20)}})
		expectStatus(t, r, http.StatusRequestEntityTooLarge)
	})

	staffAPI := p.apiClient()
	r = staffAPI.get("/api/v1/wishes")
	expectStatus(t, r, http.StatusOK)
	var list struct {
		Items []struct{ ID, Topic, Status string }
		Total int
	}
	if err := json.Unmarshal(r.Body, &list); err != nil {
		t.Fatal(err)
	}
	if list.Total != 1 || list.Items[0].Topic != "Reservvatten i små kommuner" || list.Items[0].Status != "new" {
		t.Fatalf("wishes: %+v (the honeypot and invalid posts must store nothing)", list)
	}

	staff := p.loginAs(account.RoleStaff)
	r = staff.get("/staff/wishes")
	expectContains(t, r, "Reservvatten i små kommuner", "Bjurholm")
	r = staff.postForm("/staff/wishes/"+list.Items[0].ID+"/status", url.Values{"status": {"planned"}})
	expectStatus(t, r, http.StatusSeeOther)
	expectContains(t, staffAPI.get("/api/v1/wishes?status=planned"), "Reservvatten")
	expectStatus(t, staff.postForm("/staff/wishes/"+list.Items[0].ID+"/status", url.Values{"status": {"bogus"}}), http.StatusBadRequest)
	expectStatus(t, staff.postForm("/staff/wishes/nope/status", url.Values{"status": {"done"}}), http.StatusNotFound)
}

func TestWishAPIAndRateLimit(t *testing.T) {
	p := newPortal(t)
	p.srv.deps.WishesPerHour = 2
	srv, err := New(p.srv.deps)
	if err != nil {
		t.Fatal(err)
	}
	p.srv = srv
	anon := p.anonymous()
	r := anon.sendJSON(http.MethodPost, "/api/v1/wishes", map[string]string{"topic": ""})
	expectStatus(t, r, http.StatusUnprocessableEntity)
	expectContains(t, r, `"fields"`, `"topic"`)
	expectStatus(t, anon.sendJSON(http.MethodPost, "/api/v1/wishes", map[string]string{"topic": "Bredband"}), http.StatusCreated)
	r = anon.sendJSON(http.MethodPost, "/api/v1/wishes", map[string]string{"topic": "Bredband igen"})
	expectStatus(t, r, http.StatusTooManyRequests)
	expectContains(t, r, "rate_limited")
	expectStatus(t, anon.sendJSON(http.MethodPost, "/api/v1/wishes", map[string]string{"nope": "x"}), http.StatusTooManyRequests)
}
