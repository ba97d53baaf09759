package search

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/smakom/webinar-portal/internal/webinar"
)

// Sort orders.
const (
	SortRelevance = "relevance"
	SortNewest    = "newest"
	SortOldest    = "oldest"
	SortTitle     = "title"
)

// Limits on what a query may ask for.
const (
	MaxQueryRunes = 200
	maxTerms      = 12
	maxPageSize   = 50
	fuzzyMinRunes = 6 // words this long tolerate one typo
	hitsPerResult = 3 // transcript moments shown per webinar
)

// Request is one search.
type Request struct {
	Query string
	// Visibilities the person searching may see (webinar.ListedFor, or
	// every visibility for staff). Empty finds nothing.
	Visibilities []webinar.Visibility
	// Filters (facets); empty means any.
	Topic, Year, Organiser, Subtitled, Lang string
	Sort                                    string
	From, Size                              int
}

// Result is a page of hits with facet counts over every hit.
type Result struct {
	Total  uint64
	Hits   []Hit
	Facets map[string][]FacetCount // by facet name: topic, year, org, subtitled, lang
	// Terms is the query as understood (words and phrases), for display.
	Terms []string
}

// FacetCount is one facet value and how many hits have it.
type FacetCount struct {
	Value string
	Count int
}

// Hit is one matching webinar.
type Hit struct {
	ID, Slug, Title string
	Score           float64
	Moments         []Moment // where the words were said, best first
}

// Moment is a transcript cue that matched.
type Moment struct {
	Lang    string
	StartMS int64
	Pieces  []Piece
}

// Piece is part of a cue's text; Match marks the words that matched.
// Text is plain text: whoever renders it escapes it.
type Piece struct {
	Text  string
	Match bool
}

// parsed is a user's query reduced to words and phrases; anything else
// (operators, wildcards, brackets) is dropped, so no input is a syntax error.
type parsed struct {
	words   []string
	phrases []string
}

func parseQuery(q string) parsed {
	if utf8.RuneCountInString(q) > MaxQueryRunes {
		q = string([]rune(q)[:MaxQueryRunes])
	}
	var p parsed
	parts := strings.Split(q, `"`)
	for i, part := range parts {
		words := splitWords(part)
		// Odd parts sit between quotes, unless the last quote is unbalanced.
		if i%2 == 1 && i < len(parts)-1 && len(words) > 1 {
			p.phrases = append(p.phrases, strings.Join(words, " "))
			continue
		}
		p.words = append(p.words, words...)
	}
	if n := len(p.words) + len(p.phrases); n > maxTerms {
		if len(p.phrases) > maxTerms {
			p.phrases = p.phrases[:maxTerms]
		}
		p.words = p.words[:maxTerms-len(p.phrases)]
	}
	return p
}

func splitWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

var analyzerCache = registry.NewCache()

// meaningful drops words the Swedish analyser removes (stop words such
// as "och"): a query of "vatten och avlopp" asks for the other two.
func meaningful(words []string) []string {
	a, err := analyzerCache.AnalyzerNamed("sv")
	if err != nil {
		return words
	}
	var out []string
	for _, w := range words {
		if len(a.Analyze([]byte(w))) > 0 {
			out = append(out, w)
		}
	}
	return out
}

func wordQuery(w string) query.Query {
	var alts []query.Query
	for _, f := range textFields {
		m := bleve.NewMatchQuery(w)
		m.SetField(f.name)
		m.SetBoost(f.boost)
		alts = append(alts, m)
		if utf8.RuneCountInString(w) >= fuzzyMinRunes {
			fz := bleve.NewMatchQuery(w)
			fz.SetField(f.name)
			fz.SetFuzziness(1)
			fz.SetBoost(f.boost * 0.3)
			alts = append(alts, fz)
		}
	}
	if isASCII(w) {
		// Typed without å, ä or ö: also look among the folded texts.
		m := bleve.NewMatchQuery(w)
		m.SetField(fieldFolded)
		m.SetBoost(1)
		alts = append(alts, m)
	}
	return bleve.NewDisjunctionQuery(alts...)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func phraseQuery(ph string) query.Query {
	var alts []query.Query
	for _, f := range textFields {
		if f.name == fieldTranscriptSV {
			// Every neighbouring pair of the phrase's words, looked up
			// in the pairs field.
			m := bleve.NewMatchQuery(ph)
			m.SetField(fieldPairsSV)
			m.SetOperator(query.MatchQueryOperatorAnd)
			m.SetBoost(f.boost)
			alts = append(alts, m)
			continue
		}
		m := bleve.NewMatchPhraseQuery(ph)
		m.SetField(f.name)
		m.SetBoost(f.boost)
		alts = append(alts, m)
	}
	return bleve.NewDisjunctionQuery(alts...)
}

func termIn(field string, values ...string) query.Query {
	var alts []query.Query
	for _, v := range values {
		t := bleve.NewTermQuery(v)
		t.SetField(field)
		alts = append(alts, t)
	}
	return bleve.NewDisjunctionQuery(alts...)
}

// Search runs a request. Visibility is a filter inside the query, so
// webinars the person may not see count nowhere: not in the hits, the
// total or the facets.
func (ix *Index) Search(r Request) (*Result, error) {
	if ix.building.Load() {
		return nil, ErrNotReady
	}
	p := parseQuery(r.Query)
	p.words = meaningful(p.words)
	res := &Result{Facets: map[string][]FacetCount{}}
	res.Terms = append(append(res.Terms, p.words...), p.phrases...)
	if len(r.Visibilities) == 0 {
		return res, nil
	}
	var vis []string
	for _, v := range r.Visibilities {
		vis = append(vis, string(v))
	}
	var text []query.Query
	for _, w := range p.words {
		text = append(text, wordQuery(w))
	}
	for _, ph := range p.phrases {
		text = append(text, phraseQuery(ph))
	}
	must := append([]query.Query{termIn(fieldVisibility, vis...)}, text...)
	for field, v := range map[string]string{fieldTopic: r.Topic, fieldYear: r.Year, fieldOrgFacet: r.Organiser,
		fieldSubtitled: r.Subtitled, fieldLanguage: r.Lang} {
		if v != "" {
			must = append(must, termIn(field, v))
		}
	}
	size := r.Size
	if size <= 0 || size > maxPageSize {
		size = 20
	}
	from := max(r.From, 0)
	req := bleve.NewSearchRequestOptions(bleve.NewConjunctionQuery(must...), size, from, false)
	hasTerms := len(p.words)+len(p.phrases) > 0
	switch r.Sort {
	case SortNewest:
		req.SortBy([]string{"-" + fieldHeldAt, fieldTitleSort})
	case SortOldest:
		req.SortBy([]string{fieldHeldAt, fieldTitleSort})
	case SortTitle:
		req.SortBy([]string{fieldTitleSort})
	default:
		if !hasTerms {
			req.SortBy([]string{"-" + fieldHeldAt, fieldTitleSort})
		}
	}
	for _, f := range []string{fieldTopic, fieldYear, fieldOrgFacet, fieldSubtitled, fieldLanguage} {
		req.AddFacet(f, bleve.NewFacetRequest(f, 30))
	}
	req.Fields = []string{fieldSlug, fieldTitle}

	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.idx == nil {
		return nil, errClosed
	}
	sr, err := ix.idx.Search(req)
	if err != nil {
		return nil, err
	}
	res.Total = sr.Total
	for name, fr := range sr.Facets {
		var counts []FacetCount
		if fr.Terms != nil {
			for _, t := range fr.Terms.Terms() {
				counts = append(counts, FacetCount{Value: t.Term, Count: t.Count})
			}
		}
		res.Facets[name] = counts
	}
	var ids []string
	for _, h := range sr.Hits {
		res.Hits = append(res.Hits, Hit{ID: h.ID, Score: h.Score, Slug: str(h.Fields[fieldSlug]), Title: str(h.Fields[fieldTitle])})
		ids = append(ids, h.ID)
	}
	if !hasTerms || len(ids) == 0 {
		return res, nil
	}
	// Where in the transcripts the words were said, for this page's hits
	// only: asking for term locations in the first search would collect
	// them for every matching webinar.
	found, err := ix.idx.Search(momentsRequest(ids, text))
	if err != nil {
		return nil, err
	}
	byID := map[string][]Moment{}
	for _, h := range found.Hits {
		if !hasTranscriptHit(h) {
			continue
		}
		side, err := ix.idx.Document(sideID(h.ID))
		if err != nil || side == nil {
			continue
		}
		stored := map[string]string{}
		side.VisitFields(func(f index.Field) { stored[f.Name()] = string(f.Value()) })
		byID[h.ID] = moments(h, stored)
	}
	for i := range res.Hits {
		res.Hits[i].Moments = byID[res.Hits[i].ID]
	}
	return res, nil
}

// momentsRequest searches only the webinars ids, for the term locations in
// their transcripts.
func momentsRequest(ids []string, text []query.Query) *bleve.SearchRequest {
	q := bleve.NewConjunctionQuery(append([]query.Query{bleve.NewDocIDQuery(ids)}, text...)...)
	req := bleve.NewSearchRequestOptions(q, len(ids), 0, false)
	req.IncludeLocations = true
	return req
}

func hasTranscriptHit(h *search.DocumentMatch) bool {
	for _, tf := range transcriptFields {
		for _, f := range tf.indexed {
			if len(h.Locations[f]) > 0 {
				return true
			}
		}
	}
	return false
}

// moments finds the cues where a hit's transcript matched.
func moments(h *search.DocumentMatch, stored map[string]string) []Moment {
	type scored struct {
		m     Moment
		count int
	}
	var all []scored
	for _, tf := range transcriptFields {
		var locs []search.TermLocationMap
		for _, f := range tf.indexed {
			if l := h.Locations[f]; len(l) > 0 {
				locs = append(locs, l)
			}
		}
		if len(locs) == 0 {
			continue
		}
		lang := strings.TrimPrefix(tf.indexed[0], "transcript_")
		cueMap := stored[tf.cues]
		if l, rest, ok := strings.Cut(cueMap, "|"); ok {
			lang, cueMap = l, rest
		}
		t := decodeCueMap(stored[tf.text], cueMap)
		if len(t.offsets) == 0 {
			continue
		}
		byCue := map[int][][2]int{}
		for _, field := range locs {
			for _, termLocs := range field {
				for _, l := range termLocs {
					i := t.cueAt(int(l.Start))
					if i < 0 {
						continue
					}
					byCue[i] = append(byCue[i], [2]int{int(l.Start), int(l.End)})
				}
			}
		}
		for i, spans := range byCue {
			text, base := t.line(i)
			all = append(all, scored{m: Moment{Lang: lang, StartMS: t.starts[i], Pieces: pieces(text, base, spans)}, count: len(spans)})
		}
	}
	sort.Slice(all, func(a, b int) bool {
		if all[a].count != all[b].count {
			return all[a].count > all[b].count
		}
		return all[a].m.StartMS < all[b].m.StartMS
	})
	var out []Moment
	for _, s := range all {
		if len(out) == hitsPerResult {
			break
		}
		out = append(out, s.m)
	}
	return out
}

// pieces splits a cue's text around the matched byte spans (offsets into
// the whole transcript; base is where the cue starts).
func pieces(text string, base int, spans [][2]int) []Piece {
	sort.Slice(spans, func(a, b int) bool { return spans[a][0] < spans[b][0] })
	var out []Piece
	pos := 0
	for _, sp := range spans {
		s, e := sp[0]-base, sp[1]-base
		if s < pos || e > len(text) || s >= e {
			continue
		}
		if s > pos {
			out = append(out, Piece{Text: text[pos:s]})
		}
		out = append(out, Piece{Text: text[s:e], Match: true})
		pos = e
	}
	if pos < len(text) {
		out = append(out, Piece{Text: text[pos:]})
	}
	return out
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
