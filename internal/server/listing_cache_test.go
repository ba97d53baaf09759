package server

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/smakom/webinar-portal/internal/account"
	"github.com/smakom/webinar-portal/internal/webinar"
)

// TestListedSetListsAsTheStoreDoes compares pages cut from the listed
// set with the store's own query, filter by filter.
func TestListedSetListsAsTheStoreDoes(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	vis := []string{"public", "members", "draft", "unlisted"}
	topics := []string{"Vatten", "Skola", "Äldreomsorg"}
	for i := range 23 {
		r := api.sendJSON(http.MethodPost, "/api/v1/webinars", map[string]any{
			"title":   fmt.Sprintf("Webbinarium %d om %s", i, []string{"ÅTERVINNING", "skolskjuts", "Vattenrening"}[i%3]),
			"summary": "Sammanfattning", "held_at": fmt.Sprintf("20%02d-0%d-1%d", 20+i%4, 1+i%9, i%10), "visibility": vis[i%4],
			"organiser": []string{"SmåKom", "SKR"}[i%2], "topics": []string{topics[i%3]},
			"speakers": []map[string]string{{"name": fmt.Sprintf("Örjan %d", i%5)}},
		})
		expectStatus(t, r, http.StatusCreated)
	}
	ctx := context.Background()
	srv := p.srv
	set, err := srv.listed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	anon, member := webinar.ListedFor(webinar.Viewer{}), webinar.ListedFor(webinar.Viewer{LoggedIn: true})
	filters := []webinar.Filter{
		{Visibilities: anon, PerPage: 5, Page: 1}, {Visibilities: anon, PerPage: 5, Page: 2}, {Visibilities: anon, PerPage: 5, Page: 9},
		{Visibilities: member, PerPage: 12, Page: 1}, {Visibilities: member, PerPage: 4, Page: 3},
		{Visibilities: anon, Topic: "Äldreomsorg", PerPage: 12}, {Visibilities: member, Year: 2022, PerPage: 12},
		{Visibilities: member, Query: "återvinning", PerPage: 12}, {Visibilities: member, Query: "örjan 3", PerPage: 12},
		{Visibilities: anon, Query: "skr", PerPage: 12}, {Visibilities: member, Query: "vatten", Topic: "Vatten", Year: 2021, PerPage: 12},
		{Visibilities: anon, Query: "a.b", PerPage: 12},
	}
	for _, f := range filters {
		want, wantTotal, err := p.webinars.Store().List(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		got, gotTotal, err := set.list(f)
		if err != nil {
			t.Fatal(err)
		}
		if gotTotal != wantTotal || !slices.Equal(slugs(got), slugs(want)) {
			t.Errorf("%+v: listed set %d %v, store %d %v", f, gotTotal, slugs(got), wantTotal, slugs(want))
		}
	}
	if covers(nil) || covers([]webinar.Visibility{webinar.Public, webinar.Draft}) || !covers(anon) || !covers(member) {
		t.Error("covers: drafts must always come from the store")
	}
}

func slugs(ws []*webinar.Webinar) []string {
	out := []string{}
	for _, w := range ws {
		out = append(out, w.Slug)
	}
	return out
}

// TestWatchPageFollowsChangesAtOnce: watch pages and media of listed
// webinars come from the listed set, which a change replaces at once.
func TestWatchPageFollowsChangesAtOnce(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	open := api.createWebinar("Lambda öppen", "public")
	members := api.createWebinar("My för medlemmar", "members")
	anon, member := p.anonymous(), p.loginAs(account.RoleMember)
	catalogueShows(t, anon, "/", []string{"Lambda öppen"}, nil) // builds the set
	expectStatus(t, anon.get("/webinars/"+open), http.StatusOK)
	expectStatus(t, anon.get("/webinars/"+members), http.StatusNotFound)
	expectStatus(t, member.get("/webinars/"+members), http.StatusOK)
	expectStatus(t, api.sendJSON(http.MethodPatch, "/api/v1/webinars/"+open, map[string]any{"title": "Lambda ny"}), http.StatusOK)
	catalogueShows(t, anon, "/webinars/"+open, []string{"Lambda ny"}, []string{"Lambda öppen"})
	expectStatus(t, api.sendJSON(http.MethodPatch, "/api/v1/webinars/"+open, map[string]any{"visibility": "draft"}), http.StatusOK)
	expectStatus(t, anon.get("/webinars/"+open), http.StatusNotFound)
	expectStatus(t, anon.get("/webinars/"+open+"/recording"), http.StatusNotFound)
}
