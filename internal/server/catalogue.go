package server

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/search"
	"github.com/smakom/webinar-portal/internal/webinar"
)

const perPage = 12

type cataloguePage struct {
	Base
	Items        []*webinar.Webinar
	Total        int64
	Query, Topic string
	Year         int
	Page, Pages  int
	Topics       []string
	Years        []int
	// Searching: the page answers a query from the full-text index, with
	// facet counts and a choice of order.
	Searching                   bool
	Organiser, Subtitled, Track string // facet filters of a search
	Sort                        string
	Facets                      []facetGroup
	// Moments are where a search's words were said, by webinar id.
	Moments map[string][]search.Moment
}

// MomentsOf lists the transcript hits of one webinar.
func (p cataloguePage) MomentsOf(id string) []search.Moment { return p.Moments[id] }

// params are the page's current query parameters, without the page number.
func (p cataloguePage) params() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"q": p.Query, "topic": p.Topic, "organiser": p.Organiser,
		"subtitled": p.Subtitled, trackParam: p.Track, "sort": p.Sort} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if p.Year > 0 {
		q.Set("year", strconv.Itoa(p.Year))
	}
	return q
}

// PageURL keeps the current filters on pagination links.
func (p cataloguePage) PageURL(n int) string {
	q := p.params()
	q.Set("page", strconv.Itoa(n))
	return "/?" + q.Encode()
}

// withValues makes URLs of this search with the parameter key set to one
// value or another ("" removes it), encoding the other parameters once: a
// search page links every value of every facet.
func (p cataloguePage) withValues(key string) func(value string) string {
	q := p.params()
	q.Del(key)
	// url.Values.Encode orders by key; key's pair goes in its place.
	keys := slices.Sorted(maps.Keys(q))
	at, _ := slices.BinarySearch(keys, key)
	before, after := url.Values{}, url.Values{}
	for i, k := range keys {
		if i < at {
			before[k] = q[k]
		} else {
			after[k] = q[k]
		}
	}
	head, tail := before.Encode(), after.Encode()
	return func(value string) string {
		parts := make([]string, 0, 3)
		if head != "" {
			parts = append(parts, head)
		}
		if value != "" {
			parts = append(parts, url.QueryEscape(key)+"="+url.QueryEscape(value))
		}
		if tail != "" {
			parts = append(parts, tail)
		}
		return "/?" + strings.Join(parts, "&")
	}
}

// catalogueFilter reads q, topic, year and page; nonsense values are
// ignored rather than refused, as a visitor may have edited the URL.
func catalogueFilter(c *fiber.Ctx, v webinar.Viewer) webinar.Filter {
	f := webinar.Filter{Visibilities: webinar.ListedFor(v), PerPage: perPage,
		Query: truncate(strings.TrimSpace(c.Query("q")), 200), Topic: truncate(strings.TrimSpace(c.Query("topic")), 100)}
	f.Year, _ = strconv.Atoi(c.Query("year"))
	if f.Year < 1900 || f.Year > 2200 {
		f.Year = 0
	}
	f.Page, _ = strconv.Atoi(c.Query("page"))
	if f.Page < 1 || f.Page > 100000 {
		f.Page = 1
	}
	return f
}

// trackParam filters a catalogue search by subtitle language. It is not
// "lang" (as in the API), which picks the page's language: a visitor who
// switches the page to English must not also filter for English
// subtitles.
const trackParam = "sublang"

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// renderCatalogue renders the catalogue afresh (showCatalogue in
// catalogue_cache.go serves anonymous visitors from a cache).
func (s *Server) renderCatalogue(c *fiber.Ctx) error {
	ctx, cancel := requestContext(c)
	defer cancel()
	v := viewer(c)
	f := catalogueFilter(c, v)
	var items []*webinar.Webinar
	var total int64
	var moments map[string][]search.Moment
	var res *search.Result // facet counts of a search
	var err error
	page := cataloguePage{Query: f.Query, Topic: f.Topic, Year: f.Year, Page: f.Page}
	if s.deps.Search != nil && f.Query != "" {
		page.Searching = true
		page.Organiser = truncate(strings.TrimSpace(c.Query("organiser")), 200)
		page.Subtitled = truncate(c.Query("subtitled"), 3)
		page.Track = truncate(c.Query(trackParam), 8)
		page.Sort = c.Query("sort")
		if !slices.Contains([]string{search.SortNewest, search.SortOldest, search.SortTitle}, page.Sort) {
			page.Sort = ""
		}
		items, total, moments, res, err = s.searchCatalogue(c, f, page)
	}
	if errors.Is(err, search.ErrNotReady) {
		// The index is being built (the first start, or after an
		// upgrade): titles are matched in MongoDB meanwhile.
		page.Searching = false
		items, total, err = s.listWebinars(ctx, f)
	} else if !page.Searching {
		items, total, err = s.listWebinars(ctx, f)
	}
	if err != nil {
		return err
	}
	topics, years, err := s.listedFacets(ctx, f.Visibilities)
	if err != nil {
		return err
	}
	title := "Webbinarier"
	if f.Page > 1 {
		title = fmt.Sprintf("Webbinarier, sida %d", f.Page)
	}
	page.Base = s.base(c, title, "catalogue")
	if page.Searching && res != nil {
		// After Base: the facets are written in the page's language.
		page.Facets = catalogueFacets(page, res)
	}
	page.Items, page.Total, page.Moments = items, total, moments
	page.Pages = int((total + perPage - 1) / perPage)
	page.Topics, page.Years = topics, years
	return s.render(c, fiber.StatusOK, "catalogue", page)
}

// searchCatalogue answers a catalogue query from the full-text index:
// best matches first, each with the moments its transcript matched.
func (s *Server) searchCatalogue(c *fiber.Ctx, f webinar.Filter, p cataloguePage) ([]*webinar.Webinar, int64, map[string][]search.Moment, *search.Result, error) {
	req := search.Request{Query: f.Query, Visibilities: f.Visibilities, Topic: f.Topic,
		Organiser: p.Organiser, Subtitled: p.Subtitled, Lang: p.Track, Sort: p.Sort,
		From: (f.Page - 1) * perPage, Size: perPage}
	if f.Year > 0 {
		req.Year = strconv.Itoa(f.Year)
	}
	res, err := s.deps.Search.Search(req)
	if err != nil {
		return nil, 0, nil, nil, err
	}
	ctx, cancel := requestContext(c)
	defer cancel()
	items := make([]*webinar.Webinar, 0, len(res.Hits))
	moments := map[string][]search.Moment{}
	for _, h := range res.Hits {
		w, ok, err := s.listedWebinar(ctx, h.ID, f.Visibilities)
		if err != nil {
			return nil, 0, nil, nil, err
		}
		if !ok {
			continue // deleted or hidden since the index last synced
		}
		items = append(items, w)
		moments[w.ID] = h.Moments
	}
	return items, int64(res.Total), moments, res, nil
}
