package search

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
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
	fuzzyMinRunes = 6 // words this long are corrected for one typo
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

// Hit is one matching webinar, by its id: callers show it from their own
// copy of its metadata, so no stored field is read from the index.
type Hit struct {
	ID      string
	Score   float64
	Moments []Moment // where the words were said, best first
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
	// corrections are, per word, what a mistyped word may have meant.
	corrections [][]string
	terms       *termCache
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

// field is a text field searched for query words, with its boost and the
// analyser it was indexed with.
type field struct {
	name     string
	boost    float64
	analyzer string
}

// wordQuery finds w, or any of its corrections, in the text fields, and
// in the texts with å, ä and ö folded (title, summary, speakers,
// organiser, topics) when typed without them.
func wordQuery(tc *termCache, w string, corrections []string) query.Query {
	var alts []query.Query
	in := func(field, analyzer, word string, boost float64) {
		for _, term := range tc.terms(analyzer, word) {
			q := bleve.NewTermQuery(term)
			q.SetField(field)
			q.SetBoost(boost)
			alts = append(alts, q)
		}
	}
	for i, spelling := range append([]string{w}, corrections...) {
		boost := 1.0
		if i > 0 {
			boost = 0.3 // a guess at what was meant ranks below what was typed
		}
		for _, f := range textFields {
			in(f.name, f.analyzer, spelling, f.boost*boost)
		}
		if isASCII(spelling) {
			in(fieldFolded, foldedAnalyzer, spelling, boost)
		}
	}
	return bleve.NewDisjunctionQuery(alts...)
}

// termCache analyses each word once per analyser for one search, whose
// requests (the page, the facets, the moments) look for the same words in
// many fields.
type termCache struct {
	m    mapping.IndexMapping
	seen map[[2]string][]string
}

func newTermCache(m mapping.IndexMapping) *termCache {
	return &termCache{m: m, seen: map[[2]string][]string{}}
}

// terms are the index terms analyzer makes of w.
func (c *termCache) terms(analyzer, w string) []string {
	k := [2]string{analyzer, w}
	if t, ok := c.seen[k]; ok {
		return t
	}
	var out []string
	if a := c.m.AnalyzerNamed(analyzer); a != nil {
		for _, tok := range a.Analyze([]byte(w)) {
			out = append(out, string(tok.Term))
		}
	}
	c.seen[k] = out
	return out
}

// correct finds what each of p's words may have been meant as, when it
// may be mistyped (see corrections).
func (ix *Index) correct(p *parsed) error {
	advanced, err := ix.idx.Advanced()
	if err != nil {
		return err
	}
	r, err := advanced.Reader()
	if err != nil {
		return err
	}
	defer r.Close()
	p.corrections = make([][]string, len(p.words))
	for i, w := range p.words {
		if p.corrections[i], err = corrections(r, ix.idx.Mapping(), w); err != nil {
			return err
		}
	}
	return nil
}

// maxCorrections is how many spellings a mistyped word is searched as.
const maxCorrections = 3

// spellingFields are where a word is looked up to tell whether the archive
// knows it: first as written (one lookup answers for most words), then as
// each field's analysis makes it.
var spellingFields = append([]field{{fieldSpelling, 0, spellingAnalyzer}},
	append(append([]field{}, textFields...), field{fieldFolded, 0, foldedAnalyzer})...)

// corrections are the words of the archive one typo (an extra, missing,
// wrong or swapped letter) away from w, most used first. Only a word long
// enough for a typo to be told from another word, and unknown to the index
// as it is written, is corrected: a word the archive knows is taken as
// meant. The corrections are never shown, as they may come from webinars
// the person searching may not see; they only widen the query, whose
// results are filtered as always.
func corrections(r index.IndexReader, m mapping.IndexMapping, w string) ([]string, error) {
	if utf8.RuneCountInString(w) < fuzzyMinRunes {
		return nil, nil
	}
	for _, f := range spellingFields {
		known, err := hasTerms(r, m.AnalyzerNamed(f.analyzer), f.name, w)
		if known || err != nil {
			return nil, err
		}
	}
	fr, ok := r.(index.IndexReaderFuzzy)
	if !ok {
		return nil, nil
	}
	dict, err := fr.FieldDictFuzzy(fieldSpelling, strings.ToLower(w), 1, "")
	if err != nil {
		return nil, err
	}
	defer dict.Close()
	var found []index.DictEntry
	for {
		e, err := dict.Next()
		if err != nil {
			return nil, err
		}
		if e == nil {
			break
		}
		found = append(found, *e)
	}
	sort.SliceStable(found, func(a, b int) bool { return found[a].Count > found[b].Count })
	var out []string
	for _, e := range found[:min(len(found), maxCorrections)] {
		out = append(out, e.Term)
	}
	return out, nil
}

// hasTerms tells whether w, analysed by a, is in field's dictionary.
func hasTerms(r index.IndexReader, a analysis.Analyzer, field, w string) (bool, error) {
	if a == nil {
		return false, fmt.Errorf("no analyser for field %s", field)
	}
	for _, tok := range a.Analyze([]byte(w)) {
		tfr, err := r.TermFieldReader(context.Background(), tok.Term, field, false, false, false)
		if err != nil {
			return false, err
		}
		n := tfr.Count()
		_ = tfr.Close()
		if n > 0 {
			return true, nil
		}
	}
	return false, nil
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

	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.idx == nil {
		return nil, errClosed
	}
	p.terms = newTermCache(ix.idx.Mapping())
	if err := ix.correct(&p); err != nil {
		return nil, err
	}
	text := textQueries(p)
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
	// The facets are counted over every match by a request of their own,
	// unscored, alongside the page of hits and their moments: on a
	// machine with a core to spare the page is ready sooner.
	facets := ix.countFacets(bleve.NewConjunctionQuery(must...))
	defer facets.wait()
	sr, err := ix.idx.Search(req)
	if err != nil {
		return nil, err
	}
	res.Total = sr.Total
	var ids []string
	for _, h := range sr.Hits {
		res.Hits = append(res.Hits, Hit{ID: h.ID, Score: h.Score})
		ids = append(ids, h.ID)
	}
	if !hasTerms || len(ids) == 0 {
		res.Facets, err = facets.wait()
		return res, err
	}
	// Where in the transcripts the words were said, for this page's hits
	// only: asking for term locations in the first search would collect
	// them for every matching webinar.
	byID, err := ix.momentsOf(ids, p)
	if err != nil {
		return nil, err
	}
	for i := range res.Hits {
		res.Hits[i].Moments = byID[res.Hits[i].ID]
	}
	res.Facets, err = facets.wait()
	return res, err
}

// pendingFacets are facet counts being made in a goroutine of their own.
type pendingFacets struct {
	done   chan struct{}
	counts map[string][]FacetCount
	err    error
}

// countFacets starts counting the facets of q's matches. The caller holds
// the index's read lock until wait has returned.
func (ix *Index) countFacets(q query.Query) *pendingFacets {
	req := bleve.NewSearchRequestOptions(q, 0, 0, false)
	req.Score = "none"
	for _, f := range []string{fieldTopic, fieldYear, fieldOrgFacet, fieldSubtitled, fieldLanguage} {
		req.AddFacet(f, bleve.NewFacetRequest(f, 30))
	}
	pf := &pendingFacets{done: make(chan struct{}), counts: map[string][]FacetCount{}}
	go func() {
		defer close(pf.done)
		sr, err := ix.idx.Search(req)
		if err != nil {
			pf.err = err
			return
		}
		for name, fr := range sr.Facets {
			var counts []FacetCount
			if fr.Terms != nil {
				for _, t := range fr.Terms.Terms() {
					counts = append(counts, FacetCount{Value: t.Term, Count: t.Count})
				}
			}
			pf.counts[name] = counts
		}
	}()
	return pf
}

// wait returns the counts once made; it may be called more than once.
func (pf *pendingFacets) wait() (map[string][]FacetCount, error) {
	<-pf.done
	return pf.counts, pf.err
}

// textQueries are the queries for each word and phrase of p.
func textQueries(p parsed) []query.Query {
	var text []query.Query
	for i, w := range p.words {
		text = append(text, wordQuery(p.terms, w, p.corrections[i]))
	}
	for _, ph := range p.phrases {
		text = append(text, phraseQuery(ph))
	}
	return text
}

// momentsOf finds the moments in the transcripts of the webinars ids
// where the words of p were said.
func (ix *Index) momentsOf(ids []string, p parsed) (map[string][]Moment, error) {
	found, err := ix.locate(ids, momentTerms(p))
	if err != nil {
		return nil, err
	}
	byID := map[string][]Moment{}
	var scratch cueCounts
	for id, where := range found {
		side, readAt := ix.transcripts.get(id)
		if side == nil {
			doc, err := ix.idx.Document(sideID(id))
			if err != nil || doc == nil {
				continue
			}
			side = readSide(doc)
			ix.transcripts.put(id, side, readAt)
		}
		byID[id] = moments(where, side, &scratch)
	}
	return byID, nil
}

// moments finds the cues where a hit's transcript matched: those with
// the most matched words first, then the earliest. Matches are counted per
// cue first; only the cues shown are then cut into pieces.
func moments(where spans, side *sideTranscripts, scratch *cueCounts) []Moment {
	type pick struct {
		track, cue, count int
		startMS           int64
	}
	better := func(a, b pick) bool {
		if a.count != b.count {
			return a.count > b.count
		}
		if a.startMS != b.startMS {
			return a.startMS < b.startMS
		}
		return a.track < b.track
	}
	var best []pick // the best so far, best first
	for ti, tf := range transcriptFields {
		t := side[ti].t
		if len(t.offsets) == 0 {
			continue
		}
		var counts []uint32
		for _, f := range tf.indexed {
			for _, sp := range where[f] {
				if i := t.cueAt(sp[0]); i >= 0 {
					if counts == nil {
						counts = scratch.counts(len(t.offsets))
					}
					counts[i]++
				}
			}
		}
		for i, n := range counts {
			if n == 0 {
				continue
			}
			p := pick{track: ti, cue: i, count: int(n), startMS: t.starts[i]}
			if len(best) == hitsPerResult && !better(p, best[len(best)-1]) {
				continue
			}
			at := sort.Search(len(best), func(k int) bool { return better(p, best[k]) })
			best = slices.Insert(best, at, p)
			if len(best) > hitsPerResult {
				best = best[:hitsPerResult]
			}
		}
	}
	out := make([]Moment, 0, len(best))
	for _, p := range best {
		t := side[p.track].t
		text, base := t.line(p.cue)
		var marks [][2]int
		for _, f := range transcriptFields[p.track].indexed {
			for _, sp := range where[f] {
				if sp[0] >= base && sp[0] < base+len(text) {
					marks = append(marks, sp)
				}
			}
		}
		out = append(out, Moment{Lang: side[p.track].lang, StartMS: p.startMS, Pieces: pieces(text, base, marks)})
	}
	return out
}

// cueCounts is one counter per cue, reused from transcript to transcript.
type cueCounts struct{ buf []uint32 }

// counts returns n counters set to zero.
func (c *cueCounts) counts(n int) []uint32 {
	if cap(c.buf) < n {
		c.buf = make([]uint32, n)
	}
	c.buf = c.buf[:n]
	clear(c.buf)
	return c.buf
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
