package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/apperr"
	"github.com/smakom/webinar-portal/internal/search"
	"github.com/smakom/webinar-portal/internal/webinar"
)

type apiMoment struct {
	Lang    string `json:"lang"`
	StartMS int64  `json:"start_ms"`
	Text    string `json:"text"`
	// Marked is the text with the matched words between « and ».
	Marked string `json:"marked"`
	URL    string `json:"url"`
}

type apiHit struct {
	Slug    string      `json:"slug"`
	Title   string      `json:"title"`
	Score   float64     `json:"score"`
	URL     string      `json:"url"`
	Moments []apiMoment `json:"moments"`
}

// searchJSON is the catalogue search as JSON: GET /api/v1/search?q=...
// with topic, year, organiser, subtitled (ja/nej), lang, sort (relevance,
// newest, oldest, title), page and per_page. Staff also find drafts.
// (searchJSON answers it; apiSearch caches it for anonymous callers.)
func (s *Server) searchJSON(c *fiber.Ctx) error {
	if s.deps.Search == nil {
		return apperr.New(http.StatusServiceUnavailable, "search_unavailable", "Sökningen är inte tillgänglig just nu.")
	}
	v := viewer(c)
	vis := webinar.ListedFor(v)
	if v.Staff {
		vis = webinar.Visibilities
	}
	page, _ := strconv.Atoi(c.Query("page"))
	page = max(1, min(page, 10000))
	per, err := strconv.Atoi(c.Query("per_page"))
	if err != nil || per < 1 || per > 50 {
		per = perPage
	}
	req := search.Request{Query: truncate(c.Query("q"), search.MaxQueryRunes), Visibilities: vis,
		Topic: truncate(c.Query("topic"), 100), Year: truncate(c.Query("year"), 4), Organiser: truncate(c.Query("organiser"), 200),
		Subtitled: truncate(c.Query("subtitled"), 3), Lang: truncate(c.Query("lang"), 8), Sort: c.Query("sort"),
		From: (page - 1) * per, Size: per}
	res, err := s.deps.Search.Search(req)
	if err != nil {
		return err
	}
	ctx, cancel := requestContext(c)
	defer cancel()
	total := res.Total
	hits := make([]apiHit, 0, len(res.Hits))
	for _, h := range res.Hits {
		// The index lags behind the database: a webinar unpublished or
		// made members-only since the last sync must not be found.
		w, ok, err := s.listedWebinar(ctx, h.ID, vis)
		if err != nil {
			return err
		}
		if !ok {
			total = max(total, 1) - 1
			continue
		}
		ah := apiHit{Slug: w.Slug, Title: w.Title, Score: h.Score, URL: "/webinars/" + w.Slug, Moments: []apiMoment{}}
		for _, m := range h.Moments {
			var text, marked strings.Builder
			for _, p := range m.Pieces {
				text.WriteString(p.Text)
				if p.Match {
					marked.WriteString("«" + p.Text + "»")
				} else {
					marked.WriteString(p.Text)
				}
			}
			ah.Moments = append(ah.Moments, apiMoment{Lang: m.Lang, StartMS: m.StartMS, Text: text.String(), Marked: marked.String(),
				URL: "/webinars/" + w.Slug + "?t=" + strconv.FormatInt(m.StartMS/1000, 10)})
		}
		hits = append(hits, ah)
	}
	facets := map[string][]fiber.Map{}
	for name, counts := range res.Facets {
		list := []fiber.Map{}
		for _, fc := range counts {
			list = append(list, fiber.Map{"value": fc.Value, "count": fc.Count})
		}
		facets[name] = list
	}
	return c.JSON(fiber.Map{"query": res.Terms, "total": total, "page": page, "per_page": per, "hits": hits, "facets": facets})
}
