package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smakom/webinar-portal/internal/search"
	"github.com/smakom/webinar-portal/internal/webinar"
)

// indexFor is a search index over the portal's database, filled on demand.
type indexFor struct {
	ix     *search.Index
	syncer *search.Syncer
}

func (i *indexFor) Search(r search.Request) (*search.Result, error) { return i.ix.Search(r) }

// newIndexedPortal is a test portal searching a real index of its own
// database, brought up to date with idx.sync.
func newIndexedPortal(t *testing.T) (*portal, *indexFor) {
	t.Helper()
	idx := &indexFor{}
	p := newPortal(t, func(d *Deps) { d.Search = idx })
	idx.open(t, p)
	return p, idx
}

func TestCatalogueSearchFindsTheMoment(t *testing.T) {
	p, idx := newIndexedPortal(t)

	api := p.apiClient()
	public := api.createWebinar("Vatten i små kommuner", "public")
	members := api.createWebinar("Budget för ledamöter", "members")
	ctx := context.Background()
	srt := "1\n00:12:34,500 --> 00:12:38,000\nVattenförsörjningen är <b>hotad</b> <script>alert(1)</script> om 1 < 2\n"
	if _, _, err := p.webinars.SetSubtitles(ctx, public, webinar.SubtitleInput{Lang: "sv", Filename: "sv.srt", Data: []byte(srt)}); err != nil {
		t.Fatal(err)
	}
	srt2 := "1\n00:00:10,000 --> 00:00:12,000\nBudgetkvarnen mal.\n"
	if _, _, err := p.webinars.SetSubtitles(ctx, members, webinar.SubtitleInput{Lang: "sv", Filename: "sv.srt", Data: []byte(srt2)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := idx.syncer.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	anon := p.anonymous()
	r := anon.get("/?q=" + url.QueryEscape("vattenförsörjning"))
	expectStatus(t, r, http.StatusOK)
	body := string(r.Body)
	// Rounded down to the second, so playback starts before the words.
	link := `href="/webinars/` + public + `?t=754"`
	if !strings.Contains(body, link) || !strings.Contains(body, "12:34") || !strings.Contains(body, "<mark>Vattenförsörjningen</mark>") {
		t.Errorf("no moment link %s with the marked word in:\n%s", link, body)
	}
	// Tags are stripped on import; what remains is text, escaped.
	if strings.Contains(body, "<script>alert") || !strings.Contains(body, "om 1 &lt; 2") {
		t.Errorf("cue markup reached the page unescaped:\n%s", body)
	}

	// Facets narrow the search; the order can be chosen.
	if !strings.Contains(body, `<select id="sort" name="sort">`) || !strings.Contains(body, "SmåKom (1)") {
		t.Errorf("no sort choice or organiser facet:\n%s", body)
	}
	facetLink := `<a href="/?organiser=Sm%C3%A5Kom&amp;q=vattenf%C3%B6rs%C3%B6rjning">SmåKom (1)</a>`
	if !strings.Contains(body, facetLink) {
		t.Errorf("no link %s applying the organiser facet:\n%s", facetLink, body)
	}
	r = anon.get("/?q=" + url.QueryEscape("vattenförsörjning") + "&organiser=" + url.QueryEscape("SmåKom"))
	if selected := `<a href="/?q=vattenf%C3%B6rs%C3%B6rjning" aria-current="true"><strong>SmåKom</strong> (1) – ta bort</a>`; !strings.Contains(string(r.Body), selected) {
		t.Errorf("the chosen organiser is not shown as %s:\n%s", selected, r.Body)
	}
	r = anon.get("/?q=" + url.QueryEscape("vattenförsörjning") + "&organiser=" + url.QueryEscape("Annan arrangör"))
	if strings.Contains(string(r.Body), link) {
		t.Error("the organiser filter did not narrow the search")
	}

	// The members-only webinar's word is not findable anonymously, and
	// the count says so; a member finds it.
	r = anon.get("/?q=budgetkvarnen")
	expectStatus(t, r, http.StatusOK)
	if strings.Contains(string(r.Body), members) || !strings.Contains(string(r.Body), ">0 ") {
		t.Errorf("anonymous search shows the members-only webinar:\n%s", r.Body)
	}
	member := p.loginAs("member")
	if r := member.get("/?q=budgetkvarnen"); !strings.Contains(string(r.Body), `href="/webinars/`+members+`?t=10"`) {
		t.Errorf("a member does not find the members-only moment:\n%s", r.Body)
	}

	// The same search as JSON.
	r = anon.get("/api/v1/search?q=" + url.QueryEscape("vattenförsörjningen"))
	expectStatus(t, r, http.StatusOK)
	var res struct {
		Total uint64
		Hits  []struct {
			Slug    string
			Moments []struct {
				StartMS int64 `json:"start_ms"`
				Marked  string
				URL     string
			}
		}
		Facets map[string][]struct {
			Value string
			Count int
		}
	}
	if err := json.Unmarshal(r.Body, &res); err != nil {
		t.Fatal(err)
	}
	if res.Total != 1 || len(res.Hits) != 1 || len(res.Hits[0].Moments) != 1 || res.Hits[0].Moments[0].StartMS != 754500 ||
		res.Hits[0].Moments[0].URL != "/webinars/"+public+"?t=754" || !strings.Contains(res.Hits[0].Moments[0].Marked, "«Vattenförsörjningen»") {
		t.Errorf("API search: %s", r.Body)
	}
	r = anon.get("/api/v1/search?q=budgetkvarnen")
	if err := json.Unmarshal(r.Body, &res); err != nil || res.Total != 0 || strings.Contains(string(r.Body), members) {
		t.Errorf("API search shows the members-only webinar anonymously: %s", r.Body)
	}
	r = anon.get("/api/v1/search")
	if err := json.Unmarshal(r.Body, &res); err != nil || res.Total != 1 {
		t.Errorf("API browse: %s", r.Body)
	}
	// Both webinars have the topic Vatten; anonymously it counts one.
	vatten := -1
	for _, f := range res.Facets["topic"] {
		if f.Value == "Vatten" {
			vatten = f.Count
		}
	}
	if vatten != 1 {
		t.Errorf("topic facet Vatten counts %d, want 1: %+v", vatten, res.Facets["topic"])
	}

	// Awkward input is a page, never an error.
	for _, q := range []string{`"`, `*`, `(((`, `title:vatten`, strings.Repeat("x", 1000)} {
		expectStatus(t, anon.get("/?q="+url.QueryEscape(q)), http.StatusOK)
	}
}

// TestCatalogueSearchWhileTheIndexIsBuilt: while a fresh index is first
// filled, catalogue searches match titles in MongoDB instead of finding
// nothing, and the JSON search asks the client to come back.
func TestCatalogueSearchWhileTheIndexIsBuilt(t *testing.T) {
	idx := &indexFor{}
	p := newPortal(t, func(d *Deps) { d.Search = idx })
	ix, _, err := search.Open(filepath.Join(t.TempDir(), "search"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	idx.ix = ix
	api := p.apiClient()
	api.createWebinar("Reservvatten i kris", "public")
	api.createWebinar("Budget för ledamöter", "members")

	ix.SetBuilding(true)
	anon := p.anonymous()
	r := anon.get("/?q=" + url.QueryEscape("Reservvatten"))
	expectStatus(t, r, http.StatusOK)
	expectContains(t, r, "Reservvatten i kris")
	if strings.Contains(r.text(), "Budget för ledamöter") {
		t.Error("the fallback search shows a members-only webinar to a visitor")
	}
	r = anon.get("/api/v1/search?q=Reservvatten")
	expectStatus(t, r, http.StatusServiceUnavailable)
	if r.Header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}

	// Built (and empty here, as nothing was synced): the index answers.
	ix.SetBuilding(false)
	expectStatus(t, anon.get("/api/v1/search?q=Reservvatten"), http.StatusOK)
}
