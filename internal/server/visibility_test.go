package server

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/smakom/webinar-portal/internal/account"
	"github.com/smakom/webinar-portal/internal/webinar"
)

// TestVisibilityEverywhere checks every place that lists or finds
// webinars: the catalogue with and without a query, the full-text search
// page and API, the webinar list API and the feeds. Members-only
// webinars are for logged-in visitors, drafts for staff, and unlisted
// webinars are never listed or found (the matrix checks that they open
// by link).
func TestVisibilityEverywhere(t *testing.T) {
	idx := &indexFor{}
	p := newPortal(t, func(d *Deps) { d.Search = idx })
	idx.open(t, p)
	api := p.apiClient()
	// Each title and transcript has the word the searches look for.
	slugs := map[webinar.Visibility]string{}
	clip := fakeMP4(0)
	srt := "1\n00:00:01,000 --> 00:00:03,000\nHär pratar vi om kvittrande dagvattenbrunnar.\n"
	for _, vis := range matrixVisibilities {
		slug := api.createWebinar(map[webinar.Visibility]string{webinar.Public: "Öppet", webinar.Members: "Medlemsmöte",
			webinar.Draft: "Utkastet", webinar.Unlisted: "Olistat"}[vis]+" om dagvattenrening", string(vis))
		expectStatus(t, api.put("/api/v1/webinars/"+slug+"/recording", bytes.NewReader(clip), int64(len(clip))), http.StatusOK)
		expectStatus(t, api.put("/api/v1/webinars/"+slug+"/subtitles/sv", strings.NewReader(srt), int64(len(srt))), http.StatusOK)
		slugs[vis] = slug
	}
	idx.sync(t)
	viewers := map[string]*client{"anonymous": p.anonymous(), "member": p.loginAs(account.RoleMember), "staff": p.loginAs(account.RoleStaff)}

	// listed is what each viewer must find in a list; the rest must be absent.
	listed := map[string][]webinar.Visibility{
		"anonymous": {webinar.Public},
		"member":    {webinar.Public, webinar.Members},
		"staff":     {webinar.Public, webinar.Members},
	}
	places := []string{"/", "/?q=dagvattenrening", "/?q=" + url.QueryEscape("kvittrande"), "/?topic=Vatten",
		"/api/v1/webinars", "/api/v1/search?q=dagvattenrening", "/api/v1/search?q=kvittrande"}
	expectListing := func(t *testing.T, who, place string, want []webinar.Visibility) {
		t.Helper()
		r := viewers[who].get(place)
		expectStatus(t, r, http.StatusOK)
		for _, vis := range matrixVisibilities {
			in := strings.Contains(r.text(), slugs[vis])
			shouldBe := false
			for _, w := range want {
				shouldBe = shouldBe || w == vis
			}
			if in != shouldBe {
				t.Errorf("%s as %s: %s webinar listed %v, want %v", place, who, vis, in, shouldBe)
			}
		}
	}
	for who, want := range listed {
		for _, place := range places {
			w := want
			if who == "staff" && strings.HasPrefix(place, "/api/") {
				// Staff tools list and find everything, drafts included.
				w = matrixVisibilities
			}
			expectListing(t, who, place, w)
		}
		for _, feed := range []string{"/feeds/webinars.rss", "/feeds/webinars.atom", "/feeds/webinars.rss?topic=Vatten"} {
			expectListing(t, who, feed, []webinar.Visibility{webinar.Public})
		}
	}

	t.Run("the index lags behind", func(t *testing.T) {
		// Changed after the last sync: the public webinar becomes a
		// draft, the members-only one unlisted. Nothing may be found
		// that the database no longer shows.
		ctx := context.Background()
		if _, err := p.webinars.Unpublish(ctx, slugs[webinar.Public]); err != nil {
			t.Fatal(err)
		}
		if _, err := p.webinars.Publish(ctx, slugs[webinar.Members], webinar.Unlisted); err != nil {
			t.Fatal(err)
		}
		for _, who := range []string{"anonymous", "member"} {
			for _, place := range []string{"/?q=dagvattenrening", "/?q=kvittrande", "/api/v1/search?q=dagvattenrening", "/api/v1/search?q=kvittrande"} {
				expectListing(t, who, place, nil)
			}
		}
		r := viewers["anonymous"].get("/api/v1/search?q=dagvattenrening")
		expectContains(t, r, `"total":0`)
	})
}

// TestCatalogueTitleSearchWithoutIndex: without a search index the
// catalogue matches titles in the database, with the same visibility.
func TestCatalogueTitleSearchWithoutIndex(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	slugs := map[webinar.Visibility]string{}
	for _, vis := range matrixVisibilities {
		slugs[vis] = api.createWebinar("Grävning "+string(vis), string(vis))
	}
	anon, member := p.anonymous(), p.loginAs(account.RoleMember)
	for who, c := range map[string]*client{"anonymous": anon, "member": member} {
		r := c.get("/?q=" + url.QueryEscape("grävning"))
		expectStatus(t, r, http.StatusOK)
		for vis, slug := range slugs {
			want := vis == webinar.Public || vis == webinar.Members && who == "member"
			if strings.Contains(r.text(), slug) != want {
				t.Errorf("title search as %s: %s webinar listed %v, want %v", who, vis, !want, want)
			}
		}
	}
}
