package search

import (
	"path/filepath"
	"testing"

	"github.com/smakom/webinar-portal/internal/search/synth"
	"github.com/smakom/webinar-portal/internal/webinar"
)

// BenchmarkCatalogueSearch runs the query mix of the search benchmark as
// the catalogue does (a page of 12 hits with facets and transcript
// moments, as an anonymous visitor) over 200 webinars with hour-long
// transcripts.
func BenchmarkCatalogueSearch(b *testing.B) {
	ix, _, err := Open(filepath.Join(b.TempDir(), "index"))
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	gen := synth.New(1)
	batch := ix.NewBatch()
	for i := range 200 {
		w, cues := gen.Webinar(i, 900)
		if err := batch.Put(w, []Track{{Lang: "sv", Cues: cues}}); err != nil {
			b.Fatal(err)
		}
		if batch.Size() == 50 {
			if err := batch.Commit(); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := batch.Commit(); err != nil {
		b.Fatal(err)
	}
	queries := gen.Queries(100)
	anonymous := webinar.ListedFor(webinar.Viewer{})
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		q := queries[i%len(queries)]
		if _, err := ix.Search(Request{Query: q.Text, Visibilities: anonymous, Size: 12}); err != nil {
			b.Fatal(err)
		}
	}
}
