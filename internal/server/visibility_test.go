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
	"github.com/smakom/webinar-portal/internal/wish"
)

// TestVisibilityEverywhere checks every place that lists or finds
// webinars: the catalogue with and without a query, the full-text search
// page and API, the webinar list API and the feeds. Members-only
// webinars are for logged-in visitors, drafts for staff, and unlisted
// webinars are never listed or found (the matrix checks that they open
// by link).
func TestVisibilityEverywhere(t *testing.T) {
	p, idx := newIndexedPortal(t)
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

// TestVisibilityUnlisted: an unlisted webinar opens by its link, but
// nothing advertises it. Its watch and embed pages ask search engines not
// to index them (while link previews keep working), its files carry
// X-Robots-Tag: noindex, and the public wishes page neither links nor
// names it when it answers a wish. A public webinar carries none of this.
func TestVisibilityUnlisted(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	ctx := context.Background()
	slugs := map[webinar.Visibility]string{}
	for vis, title := range map[webinar.Visibility]string{webinar.Public: "Öppet om slamhantering", webinar.Unlisted: "Hemligt om slamhantering"} {
		slug := api.createWebinar(title, string(vis))
		clip := fakeMP4(0)
		expectStatus(t, api.put("/api/v1/webinars/"+slug+"/recording", bytes.NewReader(clip), int64(len(clip))), http.StatusOK)
		expectStatus(t, api.put("/api/v1/webinars/"+slug+"/slides?filename=bilder.pdf", strings.NewReader(tinyPDF), int64(len(tinyPDF))), http.StatusOK)
		expectStatus(t, api.put("/api/v1/webinars/"+slug+"/subtitles/sv", strings.NewReader(svSRT), int64(len(svSRT))), http.StatusOK)
		poster := posterPNG()
		if _, err := p.webinars.SetPoster(ctx, slug, bytes.NewReader(poster), int64(len(poster))); err != nil {
			t.Fatal(err)
		}
		if _, err := p.webinars.SetChapters(ctx, slug, []webinar.ChapterRow{{Start: "0:00", Title: "Inledning"}}, nil); err != nil {
			t.Fatal(err)
		}
		slugs[vis] = slug
	}
	const robotsMeta = `<meta name="robots" content="noindex">`
	anon, member := p.anonymous(), p.loginAs(account.RoleMember)

	for _, vis := range []webinar.Visibility{webinar.Public, webinar.Unlisted} {
		hidden := vis == webinar.Unlisted
		base := "/webinars/" + slugs[vis]
		t.Run(string(vis)+" pages", func(t *testing.T) {
			for who, c := range map[string]*client{"anonymous": anon, "member": member} {
				for _, path := range []string{base, base + "?lang=en", base + "/embed"} {
					r := c.get(path)
					expectStatus(t, r, http.StatusOK)
					if got := strings.Contains(r.text(), robotsMeta); got != hidden {
						t.Errorf("%s as %s: robots noindex meta %v, want %v", path, who, got, hidden)
					}
					if got := r.Header.Get("X-Robots-Tag") == "noindex"; got != hidden {
						t.Errorf("%s as %s: X-Robots-Tag %q", path, who, r.Header.Get("X-Robots-Tag"))
					}
				}
				// Link previews (Open Graph) stay: the link is meant to be shared.
				expectContains(t, c.get(base), `<meta property="og:title"`, `<meta property="og:video"`)
			}
		})
		t.Run(string(vis)+" files", func(t *testing.T) {
			for _, path := range []string{base + "/recording", base + "/slides/1", base + "/slides/1?download=1", base + "/subtitles/sv.vtt",
				base + "/subtitles/sv.srt", base + "/poster", base + "/chapters.vtt", "/api/v1/webinars/" + slugs[vis]} {
				r := anon.get(path)
				expectStatus(t, r, http.StatusOK)
				if got := r.Header.Get("X-Robots-Tag") == "noindex"; got != hidden {
					t.Errorf("GET %s: X-Robots-Tag %q, want noindex %v", path, r.Header.Get("X-Robots-Tag"), hidden)
				}
			}
			r := anon.head(base + "/recording")
			if got := r.Header.Get("X-Robots-Tag") == "noindex"; got != hidden {
				t.Errorf("HEAD recording: X-Robots-Tag %q, want noindex %v", r.Header.Get("X-Robots-Tag"), hidden)
			}
		})
	}

	t.Run("an unlisted webinar that answers a wish is not on the wishes page", func(t *testing.T) {
		staff := p.loginAs(account.RoleStaff)
		byUnlisted := p.addWish(wish.Input{Topic: "Slam från avloppsreningsverk"})
		byPublic := p.addWish(wish.Input{Topic: "Slam i lantbruket"})
		expectStatus(t, staff.postForm("/staff/wishes/"+byUnlisted, url.Values{"status": {"done"}, "reply": {"Nu finns ett webbinarium."}, "webinar": {slugs[webinar.Unlisted]}}), http.StatusSeeOther)
		expectStatus(t, staff.postForm("/staff/wishes/"+byPublic, url.Values{"status": {"done"}, "webinar": {slugs[webinar.Public]}}), http.StatusSeeOther)
		for who, c := range map[string]*client{"anonymous": anon, "member": member} {
			for _, path := range []string{"/wishes", "/wishes?lang=en"} {
				r := c.get(path)
				expectStatus(t, r, http.StatusOK)
				expectContains(t, r, "Slam från avloppsreningsverk", "Nu finns ett webbinarium.", `href="/webinars/`+slugs[webinar.Public]+`"`, "Öppet om slamhantering")
				if strings.Contains(r.text(), slugs[webinar.Unlisted]) || strings.Contains(r.text(), "Hemligt om slamhantering") {
					t.Errorf("%s as %s links or names the unlisted webinar", path, who)
				}
			}
		}
		// Staff may see every webinar and keep the link.
		expectContains(t, staff.get("/wishes"), `href="/webinars/`+slugs[webinar.Unlisted]+`"`)
	})
}
