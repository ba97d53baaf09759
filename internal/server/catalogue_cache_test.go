package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/smakom/webinar-portal/internal/account"
	"github.com/smakom/webinar-portal/internal/search"
	"github.com/smakom/webinar-portal/internal/subtitle"
	"github.com/smakom/webinar-portal/internal/webinar"
)

// renameBehindThePortal changes a title in the database without the
// portal knowing, so a page that still shows the old title came from
// the cache.
func renameBehindThePortal(t *testing.T, p *portal, slug, title string) {
	t.Helper()
	res, err := p.db.Collection("webinars").UpdateOne(context.Background(), bson.M{"slug": slug}, bson.M{"$set": bson.M{"title": title}})
	if err != nil || res.MatchedCount != 1 {
		t.Fatalf("rename %s: %v (%d matched)", slug, err, res.MatchedCount)
	}
}

func catalogueShows(t *testing.T, c *client, path string, want, notWant []string) {
	t.Helper()
	r := c.get(path)
	expectStatus(t, r, http.StatusOK)
	for _, w := range want {
		if !strings.Contains(r.text(), w) {
			t.Errorf("GET %s: %q missing", path, w)
		}
	}
	for _, w := range notWant {
		if strings.Contains(r.text(), w) {
			t.Errorf("GET %s: %q shown", path, w)
		}
	}
}

func TestCatalogueCacheDropsPagesWhenAWebinarChanges(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	anon := p.anonymous()
	alfa := api.createWebinar("Alfa vattenplan", "public")

	catalogueShows(t, anon, "/", []string{"Alfa vattenplan"}, nil)
	catalogueShows(t, anon, "/?q=vattenplan", []string{"Alfa vattenplan"}, nil)
	renameBehindThePortal(t, p, alfa, "Alfa omdöpt i smyg")
	// The page is served from the cache: the change behind the portal's
	// back is not seen...
	catalogueShows(t, anon, "/", []string{"Alfa vattenplan"}, []string{"Alfa omdöpt i smyg"})
	// ...and neither by a page never asked for: it is cut from the same
	// copy of the listing.
	catalogueShows(t, anon, "/?page=1", []string{"Alfa vattenplan"}, []string{"Alfa omdöpt i smyg"})

	t.Run("edit", func(t *testing.T) {
		expectStatus(t, api.sendJSON(http.MethodPatch, "/api/v1/webinars/"+alfa, map[string]any{"title": "Alfa ny titel"}), http.StatusOK)
		catalogueShows(t, anon, "/", []string{"Alfa ny titel"}, []string{"Alfa vattenplan"})
	})

	t.Run("publish", func(t *testing.T) {
		beta := api.createWebinar("Beta avloppsdagen", "draft")
		catalogueShows(t, anon, "/", nil, []string{"Beta avloppsdagen"})
		staff := p.loginAs(account.RoleStaff)
		r := staff.postForm("/staff/webinars/"+beta+"/publish", url.Values{"visibility": {"public"}})
		if r.StatusCode >= 400 {
			t.Fatalf("publish: %d %s", r.StatusCode, r.Body)
		}
		catalogueShows(t, anon, "/", []string{"Beta avloppsdagen"}, nil)
	})

	t.Run("unpublish removes it at once", func(t *testing.T) {
		catalogueShows(t, anon, "/?q=ny+titel", []string{"Alfa ny titel"}, nil)
		staff := p.loginAs(account.RoleStaff)
		r := staff.postForm("/staff/webinars/"+alfa+"/unpublish", url.Values{})
		if r.StatusCode >= 400 {
			t.Fatalf("unpublish: %d %s", r.StatusCode, r.Body)
		}
		catalogueShows(t, anon, "/", nil, []string{"Alfa ny titel"})
		catalogueShows(t, anon, "/?q=ny+titel", nil, []string{"Alfa ny titel"})
	})

	t.Run("delete", func(t *testing.T) {
		gone := api.createWebinar("Gamma som tas bort", "public")
		catalogueShows(t, anon, "/", []string{"Gamma som tas bort"}, nil)
		expectStatus(t, api.sendJSON(http.MethodDelete, "/api/v1/webinars/"+gone, nil), http.StatusNoContent)
		catalogueShows(t, anon, "/", nil, []string{"Gamma som tas bort"})
	})

	t.Run("public to members", func(t *testing.T) {
		delta := api.createWebinar("Delta öppen först", "public")
		catalogueShows(t, anon, "/", []string{"Delta öppen först"}, nil)
		expectStatus(t, api.sendJSON(http.MethodPatch, "/api/v1/webinars/"+delta, map[string]any{"visibility": "members"}), http.StatusOK)
		catalogueShows(t, anon, "/", nil, []string{"Delta öppen först"})
	})
}

func TestCatalogueCacheNeverSharesMembersOrStaffPages(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	api.createWebinar("Öppet webbinarium", "public")
	api.createWebinar("Bara för medlemmar", "members")
	api.createWebinar("Utkast hos redaktionen", "draft")

	member := p.loginAs(account.RoleMember)
	staff := p.loginAs(account.RoleStaff)
	// Logged-in visitors first, so a page of theirs would be the one in
	// the cache if they filled it.
	for _, path := range []string{"/", "/?q=medlemmar", "/?q=webbinarium"} {
		member.get(path)
		staff.get(path)
	}
	catalogueShows(t, member, "/?q=medlemmar", []string{"Bara för medlemmar"}, nil)
	catalogueShows(t, staff, "/", []string{"/logout"}, nil)
	anon := p.anonymous()
	for _, path := range []string{"/", "/?q=webbinarium", "/?q=medlemmar"} {
		for range 2 {
			r := anon.get(path)
			expectStatus(t, r, http.StatusOK)
			for _, leak := range []string{"Bara för medlemmar", "Utkast hos redaktionen", "@kommun.se", "/logout"} {
				if strings.Contains(r.text(), leak) {
					t.Errorf("anonymous GET %s shows %q", path, leak)
				}
			}
		}
	}
	// And the other way round: the member still sees their page, not
	// the anonymous one from the cache.
	catalogueShows(t, member, "/", []string{"Bara för medlemmar", "/logout"}, nil)
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]*)">`)

func TestCatalogueCacheGivesEachVisitorTheirOwnToken(t *testing.T) {
	p := newPortal(t)
	p.apiClient().createWebinar("Tokenprov", "public")
	seen := map[string]bool{}
	for i := range 3 {
		anon := p.anonymous()
		r := anon.get("/")
		expectStatus(t, r, http.StatusOK)
		m := csrfMeta.FindStringSubmatch(r.text())
		if m == nil {
			t.Fatalf("visitor %d: no csrf meta in the page", i)
		}
		if m[1] != anon.cookies[csrfCookie] || m[1] == "" {
			t.Errorf("visitor %d: page token %q, cookie %q", i, m[1], anon.cookies[csrfCookie])
		}
		if seen[m[1]] {
			t.Errorf("visitor %d got a token another visitor had", i)
		}
		seen[m[1]] = true
		if strings.Contains(r.text(), csrfPlaceholder) {
			t.Error("the placeholder reached a visitor")
		}
		// A visitor's own token survives into the cached copy they get next.
		if again := anon.get("/"); !strings.Contains(again.text(), `content="`+m[1]+`"`) {
			t.Errorf("visitor %d: second page lost the token", i)
		}
	}
}

func TestCatalogueCacheKeysByLanguage(t *testing.T) {
	p := newPortal(t)
	p.apiClient().createWebinar("Språkprov", "public")
	sv := p.anonymous()
	catalogueShows(t, sv, "/", []string{`<html lang="sv">`}, nil)
	en := p.anonymous()
	en.cookies[langCookie] = "en"
	catalogueShows(t, en, "/", []string{`<html lang="en">`}, nil)
	catalogueShows(t, sv, "/", []string{`<html lang="sv">`}, nil)
	// ?lang= still switches, and is remembered, with the page cached.
	r := sv.get("/?lang=en")
	if !strings.Contains(r.text(), `<html lang="en">`) || sv.cookies[langCookie] != "en" {
		t.Errorf("?lang=en: cookie %q", sv.cookies[langCookie])
	}
}

// countingIndex is the search index as the portal wires it: the server
// sees the index's change counter.
type countingIndex struct{ *search.Index }

// TestCatalogueCacheFollowsAnotherPortal: a change made by another portal
// on the same database reaches this one's cache through its search index
// sync, as it does in a deployment with several portals.
func TestCatalogueCacheFollowsAnotherPortal(t *testing.T) {
	ix, _, err := search.Open(filepath.Join(t.TempDir(), "search"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	p := newPortal(t, func(d *Deps) { d.Search = countingIndex{ix} })
	syncer := search.NewSyncer(ix, search.Source{Webinars: p.webinars.Store(), Tracks: subtitle.NewStore(p.db)},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.Background()
	api := p.apiClient()
	slug := api.createWebinar("Epsilon energi", "public")
	if _, _, err := syncer.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	anon := p.anonymous()
	catalogueShows(t, anon, "/", []string{"Epsilon energi"}, nil)
	catalogueShows(t, anon, "/?q=energi", []string{"Epsilon energi"}, nil)

	// The other portal: its own service on the same database.
	other := webinar.NewService(p.webinars.Store(), p.objects, subtitle.NewStore(p.db), webinar.Limits{},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if _, err := other.Unpublish(ctx, slug); err != nil {
		t.Fatal(err)
	}
	// Draft-only changes by the other portal do not empty this one's cache.
	before := ix.ListedChanges()
	draft, err := other.Create(ctx, webinar.Fields{Title: ptr("Zeta utkast")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := syncer.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if ix.ListedChanges() == before {
		t.Error("unpublishing through another portal did not count as a change after the sync")
	}
	catalogueShows(t, anon, "/", nil, []string{"Epsilon energi"})
	catalogueShows(t, anon, "/?q=energi", nil, []string{"Epsilon energi"})

	before = ix.ListedChanges()
	if _, err := other.Update(ctx, draft.Slug, webinar.Fields{Summary: ptr("ändrad")}, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := syncer.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if ix.ListedChanges() != before {
		t.Error("editing a draft counted as a change visitors could notice")
	}
	if _, err := other.Create(ctx, webinar.Fields{Title: ptr("Ny utkast")}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := syncer.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if ix.ListedChanges() != before {
		t.Error("a new draft counted as a change visitors could notice")
	}
}

func ptr[T any](v T) *T { return &v }

// TestCatalogueCacheUnderConcurrentChanges renders the same pages from
// many requests while a webinar is published and unpublished: every
// answer is a whole page, and after the last change the page shows it.
func TestCatalogueCacheUnderConcurrentChanges(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	for _, title := range []string{"Eta ett", "Eta två", "Eta tre"} {
		api.createWebinar(title, "public")
	}
	flip := api.createWebinar("Theta växlar", "public")
	var wg sync.WaitGroup
	errs := make(chan string, 100)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				path := []string{"/", "/?page=1", "/?q=eta"}[(g+i)%3]
				req := httptest.NewRequest(http.MethodGet, path, nil)
				res, err := p.srv.App().Test(req, -1)
				if err != nil {
					errs <- err.Error()
					return
				}
				body, _ := io.ReadAll(res.Body)
				if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "Eta två") || !strings.HasSuffix(strings.TrimSpace(string(body)), "</html>") {
					errs <- path + ": " + res.Status
				}
			}
		}()
	}
	for i := range 6 {
		vis := []string{"draft", "public"}[i%2]
		expectStatus(t, api.sendJSON(http.MethodPatch, "/api/v1/webinars/"+flip, map[string]any{"visibility": vis}), http.StatusOK)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	expectStatus(t, api.sendJSON(http.MethodPatch, "/api/v1/webinars/"+flip, map[string]any{"visibility": "draft"}), http.StatusOK)
	catalogueShows(t, p.anonymous(), "/", []string{"Eta två"}, []string{"Theta växlar"})
}

func TestAPIListCacheForAnonymousCallers(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	slug := api.createWebinar("Iota i listan", "public")
	api.createWebinar("Kappa utkast", "draft")
	anon := p.anonymous()
	catalogueShows(t, anon, "/api/v1/webinars", []string{"Iota i listan"}, []string{"Kappa utkast"})
	renameBehindThePortal(t, p, slug, "Iota i smyg")
	catalogueShows(t, anon, "/api/v1/webinars", []string{"Iota i listan"}, nil) // from the cache
	// A staff token is never answered from the anonymous cache.
	catalogueShows(t, api, "/api/v1/webinars", []string{"Iota i smyg", "Kappa utkast"}, nil)
	expectStatus(t, api.sendJSON(http.MethodPatch, "/api/v1/webinars/"+slug, map[string]any{"visibility": "draft"}), http.StatusOK)
	catalogueShows(t, anon, "/api/v1/webinars", nil, []string{"Iota"})
}

// TestCachedPageETag: a cached catalogue page carries a weak ETag of its
// own (the page and the visitor's token), a reload of the unchanged page
// is answered 304, and any change gives a new ETag.
func TestCachedPageETag(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	api.createWebinar("Första", "public")
	anon := p.anonymous()
	first := anon.get("/")
	expectStatus(t, first, http.StatusOK)
	second := anon.get("/")
	etag := second.Header.Get("ETag")
	if !strings.HasPrefix(etag, `W/"`) {
		t.Fatalf("cached page ETag %q", etag)
	}
	r := anon.get("/", "If-None-Match", etag)
	expectStatus(t, r, http.StatusNotModified)
	if len(r.Body) != 0 {
		t.Errorf("304 with a body of %d bytes", len(r.Body))
	}
	other := p.anonymous()
	other.get("/")
	if e := other.get("/").Header.Get("ETag"); e == etag {
		t.Error("two visitors (two tokens) share an ETag: one's cached page would carry the other's token")
	}
	api.createWebinar("Andra", "public")
	r = anon.get("/", "If-None-Match", etag)
	expectStatus(t, r, http.StatusOK)
	expectContains(t, r, "Andra")
	if r.Header.Get("ETag") == etag {
		t.Error("the ETag stayed the same after the catalogue changed")
	}
}
