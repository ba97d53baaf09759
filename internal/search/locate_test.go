package search

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/smakom/webinar-portal/internal/search/synth"
)

// TestLocateAgreesWithASearch: the moments read straight from the
// postings are those a search with term locations finds, for the query
// mix of the benchmark over a small synthetic archive.
func TestLocateAgreesWithASearch(t *testing.T) {
	ix, _, err := Open(filepath.Join(t.TempDir(), "index"))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	gen := synth.New(3)
	var ids []string
	for i := range 30 {
		w, cues := gen.Webinar(i, 60)
		if err := ix.Put(w, []Track{{Lang: "sv", Cues: cues}}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, w.ID)
	}
	// Every other webinar, out of order: the reader must skip and find.
	targets := []string{ids[20], ids[3], ids[11], ids[29], ids[0], ids[7]}
	compared := 0
	for _, q := range gen.Queries(60) {
		p := parseQuery(q.Text)
		p.words = meaningful(p.words)
		p.terms = newTermCache(ix.idx.Mapping())
		if err := ix.correct(&p); err != nil {
			t.Fatal(err)
		}
		got, err := ix.momentsOf(targets, p)
		if err != nil {
			t.Fatal(err)
		}
		want := momentsBySearch(t, ix, targets, p)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s %q: moments %v, by search %v", q.Kind, q.Text, got, want)
		}
		if len(want) > 0 {
			compared++
		}
	}
	if compared < 30 {
		t.Errorf("only %d queries had moments to compare", compared)
	}
}

// momentsBySearch finds the moments with a search that gathers term
// locations, the way the index used to.
func momentsBySearch(t *testing.T, ix *Index, ids []string, p parsed) map[string][]Moment {
	var alts []query.Query
	for _, ft := range momentTerms(p) {
		q := bleve.NewTermQuery(ft.term)
		q.SetField(ft.field)
		alts = append(alts, q)
	}
	req := bleve.NewSearchRequestOptions(bleve.NewConjunctionQuery(bleve.NewDocIDQuery(ids), bleve.NewDisjunctionQuery(alts...)), len(ids), 0, false)
	req.IncludeLocations = true
	res, err := ix.idx.Search(req)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]Moment{}
	var scratch cueCounts
	for _, h := range res.Hits {
		where := spans{}
		for field, terms := range h.Locations {
			for _, locs := range terms {
				for _, l := range locs {
					where[field] = append(where[field], [2]int{int(l.Start), int(l.End)})
				}
			}
		}
		doc, err := ix.idx.Document(sideID(h.ID))
		if err != nil {
			t.Fatal(err)
		}
		out[h.ID] = moments(where, readSide(doc), &scratch)
	}
	return out
}
