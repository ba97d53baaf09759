package server

import (
	"errors"
	"fmt"
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
	// Moments are where a search's words were said, by webinar id.
	Moments map[string][]search.Moment
}

// MomentsOf lists the transcript hits of one webinar.
func (p cataloguePage) MomentsOf(id string) []search.Moment { return p.Moments[id] }

// PageURL keeps the current filters on pagination links.
func (p cataloguePage) PageURL(n int) string {
	q := url.Values{}
	if p.Query != "" {
		q.Set("q", p.Query)
	}
	if p.Topic != "" {
		q.Set("topic", p.Topic)
	}
	if p.Year > 0 {
		q.Set("year", strconv.Itoa(p.Year))
	}
	q.Set("page", strconv.Itoa(n))
	return "/?" + q.Encode()
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

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

func (s *Server) showCatalogue(c *fiber.Ctx) error {
	ctx, cancel := requestContext(c)
	defer cancel()
	v := viewer(c)
	f := catalogueFilter(c, v)
	var items []*webinar.Webinar
	var total int64
	var moments map[string][]search.Moment
	var err error
	if s.deps.Search != nil && f.Query != "" {
		items, total, moments, err = s.searchCatalogue(c, f)
	} else {
		items, total, err = s.deps.Webinars.Store().List(ctx, f)
	}
	if err != nil {
		return err
	}
	topics, years, err := s.deps.Webinars.Store().Facets(ctx, f.Visibilities)
	if err != nil {
		return err
	}
	pages := int((total + perPage - 1) / perPage)
	title := "Webbinarier"
	if f.Page > 1 {
		title = fmt.Sprintf("Webbinarier, sida %d", f.Page)
	}
	return s.render(c, fiber.StatusOK, "catalogue", cataloguePage{
		Base: s.base(c, title, "catalogue"), Items: items, Total: total,
		Query: f.Query, Topic: f.Topic, Year: f.Year, Page: f.Page, Pages: pages,
		Topics: sortedSwedish(topics), Years: sortedDesc(years), Moments: moments,
	})
}

// searchCatalogue answers a catalogue query from the full-text index:
// best matches first, each with the moments its transcript matched.
func (s *Server) searchCatalogue(c *fiber.Ctx, f webinar.Filter) ([]*webinar.Webinar, int64, map[string][]search.Moment, error) {
	req := search.Request{Query: f.Query, Visibilities: f.Visibilities, Topic: f.Topic,
		From: (f.Page - 1) * perPage, Size: perPage}
	if f.Year > 0 {
		req.Year = strconv.Itoa(f.Year)
	}
	res, err := s.deps.Search.Search(req)
	if err != nil {
		return nil, 0, nil, err
	}
	ctx, cancel := requestContext(c)
	defer cancel()
	items := make([]*webinar.Webinar, 0, len(res.Hits))
	moments := map[string][]search.Moment{}
	for _, h := range res.Hits {
		w, err := s.deps.Webinars.Store().ByID(ctx, h.ID)
		if errors.Is(err, webinar.ErrNotFound) {
			continue // deleted since the index last synced
		}
		if err != nil {
			return nil, 0, nil, err
		}
		if !slices.Contains(f.Visibilities, w.Visibility) {
			continue // changed since the index last synced
		}
		items = append(items, w)
		moments[w.ID] = h.Moments
	}
	return items, int64(res.Total), moments, nil
}
