// Command searchbench measures the search index on a synthetic archive:
// N webinars, each with a one-hour Swedish transcript (about 900 cues,
// 9,000 words). It reports the time to build the index, its size on disk
// and the latency of a fixed mix of queries (single words, inflected
// forms, rare words, phrases and typos) with visibility filtering on, as
// an anonymous visitor sees the archive.
//
//	go run ./cmd/searchbench [-webinars 1000] [-cues 900] [-out search-bench-results.md]
package main

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"time"

	"github.com/smakom/webinar-portal/internal/search"
	"github.com/smakom/webinar-portal/internal/search/synth"
	"github.com/smakom/webinar-portal/internal/webinar"
)

type options struct {
	webinars, cues, queries int
	catalogue, pageRequests int
	seed                    uint64
	out, dir, cpuProfile    string
	catalogueProfile        string
}

func main() {
	var o options
	flag.IntVar(&o.webinars, "webinars", 1000, "webinars in the archive")
	flag.IntVar(&o.cues, "cues", 900, "cues per transcript (about 10 words each)")
	flag.IntVar(&o.queries, "queries", 200, "queries in the mix")
	flag.IntVar(&o.catalogue, "catalogue", 200, "webinars loaded into a running portal to time the catalogue page with and without a query (0: skip; loading and indexing them from the embedded MongoDB takes about a second each)")
	flag.IntVar(&o.pageRequests, "page-requests", 500, "catalogue pages timed each way")
	flag.Uint64Var(&o.seed, "seed", 1, "seed of the generated archive and queries")
	flag.StringVar(&o.out, "out", "search-bench-results.md", "Markdown file for the results")
	flag.StringVar(&o.dir, "dir", "", "folder for the index (default: a temporary folder, removed after)")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the queries to this file")
	flag.StringVar(&o.catalogueProfile, "catalogue-cpuprofile", "", "write a CPU profile of the timed catalogue pages to this file")
	flag.Parse()
	if err := run(o); err != nil {
		log.Fatal(err)
	}
}

func run(o options) error {
	// The results file is named from where the tool was started, whatever
	// the embedded servers do to the working directory.
	out, err := filepath.Abs(o.out)
	if err != nil {
		return err
	}
	o.out = out
	dir := o.dir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "searchbench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	ix, _, err := search.Open(filepath.Join(dir, "index"))
	if err != nil {
		return err
	}
	defer ix.Close()

	gen := synth.New(o.seed)
	var peak uint64
	start := time.Now()
	b := ix.NewBatch()
	for i := 0; i < o.webinars; i++ {
		w, cues := gen.Webinar(i, o.cues)
		if err := b.Put(w, []search.Track{{Lang: "sv", Cues: cues}}); err != nil {
			return err
		}
		if b.Size() >= 50 {
			if err := b.Commit(); err != nil {
				return err
			}
			peak = max(peak, heapInUse())
		}
		if (i+1)%100 == 0 {
			fmt.Fprintf(os.Stderr, "\rindexing %d/%d", i+1, o.webinars)
		}
	}
	if err := b.Commit(); err != nil {
		return err
	}
	build := time.Since(start)
	fmt.Fprintln(os.Stderr)
	size, err := dirSize(filepath.Join(dir, "index"))
	if err != nil {
		return err
	}

	queries := gen.Queries(o.queries)
	anonymous := webinar.ListedFor(webinar.Viewer{})
	for _, q := range queries[:min(20, len(queries))] { // warm caches
		if _, err := ix.Search(search.Request{Query: q.Text, Visibilities: anonymous}); err != nil {
			return err
		}
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var lat []time.Duration
	byKind := map[string][]time.Duration{}
	hitless := map[string]int{}
	for _, q := range queries {
		t0 := time.Now()
		res, err := ix.Search(search.Request{Query: q.Text, Visibilities: anonymous, Size: 12})
		d := time.Since(t0)
		if err != nil {
			return fmt.Errorf("query %q: %w", q.Text, err)
		}
		for _, h := range res.Hits {
			if !gen.Public[h.ID] {
				return fmt.Errorf("query %q found %s, which an anonymous visitor may not see", q.Text, h.ID)
			}
		}
		if res.Total == 0 {
			hitless[q.Kind]++
		}
		lat = append(lat, d)
		byKind[q.Kind] = append(byKind[q.Kind], d)
	}
	var cat *catalogueResult
	if o.catalogue > 0 {
		if o.cpuProfile != "" {
			pprof.StopCPUProfile()
		}
		cat, err = measureCatalogue(context.Background(), dir, o.catalogue, o.cues, o.pageRequests, o.seed, o.catalogueProfile)
		if err != nil {
			return fmt.Errorf("catalogue page: %w", err)
		}
	}
	return report(o, build, size, peak, lat, byKind, hitless, cat)
}

func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

func dirSize(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err == nil {
			n += fi.Size()
		}
		return err
	})
	return n, err
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(p*float64(len(s))+0.5) - 1
	return s[max(0, min(i, len(s)-1))]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

func report(o options, build time.Duration, size int64, peak uint64, lat []time.Duration, byKind map[string][]time.Duration, hitless map[string]int, cat *catalogueResult) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Search benchmark\n\nRun %s on %d CPUs (%s): %d webinars × %d cues (about %d words each), %d queries as an anonymous visitor (visibility filter on; %d%% of the webinars are public).\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), runtime.NumCPU(), runtime.Version(), o.webinars, o.cues, o.cues*10, len(lat), synth.PublicShare)
	b.WriteString("| Measure | Value | Target | Result |\n|---|---|---|---|\n")
	verdict := func(ok bool) string {
		if ok {
			return "pass"
		}
		return "FAIL"
	}
	fmt.Fprintf(&b, "| index build | %.1f s | ≤ 120 s | %s |\n", build.Seconds(), verdict(build <= 120*time.Second))
	fmt.Fprintf(&b, "| index size on disk | %.0f MiB | — | — |\n", float64(size)/(1<<20))
	fmt.Fprintf(&b, "| Go heap in use while building (largest sample) | %.0f MiB | — | — |\n", float64(peak)/(1<<20))
	fmt.Fprintf(&b, "| query latency p50 | %s | — | — |\n", ms(percentile(lat, 0.50)))
	fmt.Fprintf(&b, "| query latency p95 | %s | ≤ 30 ms | %s |\n", ms(percentile(lat, 0.95)), verdict(percentile(lat, 0.95) <= 30*time.Millisecond))
	fmt.Fprintf(&b, "| query latency p99 | %s | — | — |\n", ms(percentile(lat, 0.99)))
	b.WriteString("\nBy kind of query:\n\n| Kind | Queries | p50 | p95 | without hits |\n|---|---|---|---|---|\n")
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %d |\n", k, len(byKind[k]), ms(percentile(byKind[k], 0.5)), ms(percentile(byKind[k], 0.95)), hitless[k])
	}
	if cat != nil {
		p50w, p50o := percentile(cat.with, 0.5), percentile(cat.without, 0.5)
		p95w, p95o := percentile(cat.with, 0.95), percentile(cat.without, 0.95)
		ratio := float64(p50w) / float64(p50o)
		fmt.Fprintf(&b, "\nCatalogue page in a running portal (%d webinars loaded in %.0f s through the webinar service and SRT import; index rebuilt from MongoDB in %.1f s), %d requests each way, alternating, each URL unique so neither page comes from the page cache:\n\n",
			cat.webinars, cat.load.Seconds(), cat.index.Seconds(), cat.requestsEach)
		b.WriteString("| Page | p50 | p95 | average size (HTML) |\n|---|---|---|---|\n")
		fmt.Fprintf(&b, "| `/?n=…` (no query) | %s | %s | %.1f KiB |\n", ms(p50o), ms(p95o), float64(cat.bytesWithout)/float64(cat.requestsEach)/1024)
		fmt.Fprintf(&b, "| `/?q=…&n=…` (the query mix) | %s | %s | %.1f KiB |\n", ms(p50w), ms(p95w), float64(cat.bytesWith)/float64(cat.requestsEach)/1024)
		fmt.Fprintf(&b, "\nWith a query ÷ without, p50: **%.2f×** (target ≤ 2×: %s); p95: %.2f×. %d of %d query pages showed transcript moments.\n",
			ratio, verdict(ratio <= 2), float64(p95w)/float64(p95o), cat.emptyWithHits, cat.requestsEach)
	}
	b.WriteString("\nThe build time covers indexing the generated webinars and transcripts (read from memory, not from MongoDB). Latency is the time of `search.Index.Search` for one page of 12 hits with facets and transcript moments.\n")
	fmt.Print(b.String())
	return os.WriteFile(o.out, []byte(b.String()), 0o644)
}
