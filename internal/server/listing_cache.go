package server

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"sync"
	"time"

	"github.com/smakom/webinar-portal/internal/webinar"
)

// Catalogue listings, searches and their filters all read the listed
// webinars (public and members-only). On the embedded store each such
// query scans the collection through its single connection, so a page
// the page cache does not hold yet waited behind every other one. The
// listed webinars are therefore read once per generation of changes
// (see catalogue_cache.go) into memory, in catalogue order, and pages
// are cut from that copy. Staff listings that include drafts still ask
// the store.

// listedSet is every listed webinar at one generation, in the store's
// catalogue order (newest held first).
type listedSet struct {
	gen    uint64
	all    []*webinar.Webinar
	byID   map[string]*webinar.Webinar
	bySlug map[string]*webinar.Webinar
}

// listedVisibilities are the visibilities the set holds.
var listedVisibilities = []webinar.Visibility{webinar.Public, webinar.Members}

// covers reports whether a filter's visibilities are all in the set.
func covers(vis []webinar.Visibility) bool {
	if len(vis) == 0 {
		return false // no filter: drafts too
	}
	for _, v := range vis {
		if !slices.Contains(listedVisibilities, v) {
			return false
		}
	}
	return true
}

// listingCache builds the set at most once per generation; requests that
// arrive during a build wait for it.
type listingCache struct {
	mu  sync.Mutex
	set *listedSet
}

// listed returns the set of the current generation.
func (s *Server) listed(ctx context.Context) (*listedSet, error) {
	gen := s.listedChanges()
	lc := &s.listingCache
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if lc.set != nil && lc.set.gen == gen {
		return lc.set, nil
	}
	all, _, err := s.deps.Webinars.Store().List(ctx, webinar.Filter{Visibilities: listedVisibilities, PerPage: 1 << 30})
	if err != nil {
		return nil, err
	}
	set := &listedSet{gen: gen, all: all, byID: make(map[string]*webinar.Webinar, len(all)),
		bySlug: make(map[string]*webinar.Webinar, len(all))}
	for _, w := range all {
		set.byID[w.ID], set.bySlug[w.Slug] = w, w
	}
	lc.set = set
	return set, nil
}

// webinarFor is Service.Get for watch pages and media: a listed webinar
// the viewer may see comes from the listed set (every seek of a video
// looks its webinar up); anything else, and every refusal, from the
// service.
func (s *Server) webinarFor(ctx context.Context, slug string, v webinar.Viewer) (*webinar.Webinar, error) {
	if set, err := s.listed(ctx); err == nil {
		if w, ok := set.bySlug[slug]; ok && w.VisibleTo(v) {
			c := *w
			return &c, nil
		}
	}
	return s.deps.Webinars.Get(ctx, slug, v)
}

// listWebinars is Store.List, from the listed set when the filter asks
// only for listed visibilities.
func (s *Server) listWebinars(ctx context.Context, f webinar.Filter) ([]*webinar.Webinar, int64, error) {
	if !covers(f.Visibilities) || f.NewlyPublished {
		return s.deps.Webinars.Store().List(ctx, f)
	}
	set, err := s.listed(ctx)
	if err != nil {
		return nil, 0, err
	}
	return set.list(f)
}

// list filters as Store.List does: visibility, topic, year, and the
// query as a case-insensitive substring of title, summary, organiser,
// a speaker's name or a topic.
func (set *listedSet) list(f webinar.Filter) ([]*webinar.Webinar, int64, error) {
	var re *regexp.Regexp
	if f.Query != "" {
		var err error
		if re, err = regexp.Compile("(?i)" + regexp.QuoteMeta(f.Query)); err != nil {
			return nil, 0, err
		}
	}
	var from, to time.Time
	if f.Year > 0 {
		from = time.Date(f.Year, 1, 1, 0, 0, 0, 0, time.UTC)
		to = from.AddDate(1, 0, 0)
	}
	perPage, page := f.PerPage, f.Page
	if perPage <= 0 {
		perPage = 12
	}
	if page < 1 {
		page = 1
	}
	skip := (page - 1) * perPage
	var out []*webinar.Webinar
	var total int64
	for _, w := range set.all {
		if !slices.Contains(f.Visibilities, w.Visibility) ||
			f.Topic != "" && !slices.Contains(w.Topics, f.Topic) ||
			f.Year > 0 && (w.HeldAt.Before(from) || !w.HeldAt.Before(to)) ||
			re != nil && !matches(re, w) {
			continue
		}
		if total >= int64(skip) && len(out) < perPage {
			c := *w // callers may change what they get
			out = append(out, &c)
		}
		total++
	}
	return out, total, nil
}

func matches(re *regexp.Regexp, w *webinar.Webinar) bool {
	if re.MatchString(w.Title) || re.MatchString(w.Summary) || re.MatchString(w.Organiser) {
		return true
	}
	for _, sp := range w.Speakers {
		if re.MatchString(sp.Name) {
			return true
		}
	}
	for _, t := range w.Topics {
		if re.MatchString(t) {
			return true
		}
	}
	return false
}

// facets are the topics and years among the visibilities.
func (set *listedSet) facets(vis []webinar.Visibility) (topics []string, years []int) {
	seenT, seenY := map[string]bool{}, map[int]bool{}
	for _, w := range set.all {
		if !slices.Contains(vis, w.Visibility) {
			continue
		}
		for _, t := range w.Topics {
			if !seenT[t] {
				seenT[t] = true
				topics = append(topics, t)
			}
		}
		if y := w.HeldAt.Year(); y > 1 && !seenY[y] {
			seenY[y] = true
			years = append(years, y)
		}
	}
	return topics, years
}

// listedWebinar finds a search hit's webinar if it has one of the
// visibilities now (the index lags behind the database); ok is false when
// it is gone or hidden.
func (s *Server) listedWebinar(ctx context.Context, id string, vis []webinar.Visibility) (*webinar.Webinar, bool, error) {
	if covers(vis) {
		set, err := s.listed(ctx)
		if err != nil {
			return nil, false, err
		}
		w, ok := set.byID[id]
		if !ok || !slices.Contains(vis, w.Visibility) {
			return nil, false, nil
		}
		c := *w
		return &c, true, nil
	}
	w, err := s.deps.Webinars.Store().ByID(ctx, id)
	if errors.Is(err, webinar.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return w, slices.Contains(vis, w.Visibility), nil
}
