package search

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/smakom/webinar-portal/internal/subtitle"
	"github.com/smakom/webinar-portal/internal/webinar"
)

func cue(sec float64, text string) subtitle.Cue {
	start := time.Duration(sec * float64(time.Second))
	return subtitle.Cue{Start: start, End: start + 3*time.Second, Text: text}
}

// fixture indexes three webinars: a public one about water with a Swedish
// and an English transcript, a members-only one with a unique word, and a
// draft.
func fixture(t *testing.T) *Index {
	t.Helper()
	ix, fresh, err := Open(filepath.Join(t.TempDir(), "index"))
	if err != nil {
		t.Fatal(err)
	}
	if !fresh {
		t.Fatal("a new index is not reported fresh")
	}
	t.Cleanup(func() { ix.Close() })
	water := &webinar.Webinar{ID: "w1", Slug: "vattenforsorjning", Title: "Svenskt Vatten: krisen i vattenförsörjningen",
		Summary: "Om dricksvatten i små kommuner.", Organiser: "Svenskt Vatten", Topics: []string{"Vatten", "Krisberedskap"},
		Speakers: []webinar.Speaker{{Name: "Ulf Thysell", Role: "strateg"}}, Visibility: webinar.Public,
		HeldAt: time.Date(2024, 5, 6, 10, 0, 0, 0, time.UTC)}
	sv := []subtitle.Cue{
		cue(1, "Välkomna till webbinariet."),
		cue(5, "Ledningsnätet i många kommuner är gammalt."),
		cue(754, "Vattenförsörjningen i små kommuner står inför stora investeringar."),
		cue(800, "Tack för i dag <script>alert(1)</script>"),
	}
	en := []subtitle.Cue{cue(754, "The water supply in small municipalities faces large investments.")}
	members := &webinar.Webinar{ID: "w2", Slug: "hemligt", Title: "Ekonomi för ledamöter", Visibility: webinar.Members,
		Organiser: "SmåKom", Topics: []string{"Ekonomi"}, HeldAt: time.Date(2023, 3, 1, 0, 0, 0, 0, time.UTC)}
	draft := &webinar.Webinar{ID: "w3", Slug: "utkast", Title: "Åtgärder mot översvämning", Visibility: webinar.Draft,
		HeldAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	other := &webinar.Webinar{ID: "w4", Slug: "avfall", Title: "Avfallsplanering", Visibility: webinar.Public,
		Organiser: "SmåKom", Topics: []string{"Avfall"}, HeldAt: time.Date(2022, 9, 1, 0, 0, 0, 0, time.UTC)}
	for _, c := range []struct {
		w      *webinar.Webinar
		tracks []Track
	}{
		{water, []Track{{Lang: "sv", Cues: sv}, {Lang: "en", Cues: en}}},
		{members, []Track{{Lang: "sv", Cues: []subtitle.Cue{cue(60, "Budgetkvarnen maler långsamt.")}}}},
		{draft, nil},
		{other, nil},
	} {
		if err := ix.Put(c.w, c.tracks); err != nil {
			t.Fatal(err)
		}
	}
	return ix
}

var anonymous = webinar.ListedFor(webinar.Viewer{})
var member = webinar.ListedFor(webinar.Viewer{LoggedIn: true})
var staff = webinar.Visibilities

// fixtureSlugs names the fixture's webinars by id.
var fixtureSlugs = map[string]string{"w1": "vattenforsorjning", "w2": "hemligt", "w3": "utkast", "w4": "avfall"}

func slugs(r *Result) []string {
	var out []string
	for _, h := range r.Hits {
		out = append(out, fixtureSlugs[h.ID])
	}
	return out
}

func mustSearch(t *testing.T, ix *Index, r Request) *Result {
	t.Helper()
	res, err := ix.Search(r)
	if err != nil {
		t.Fatalf("search %q: %v", r.Query, err)
	}
	return res
}

func TestStemmingFindsInflectedForms(t *testing.T) {
	ix := fixture(t)
	for _, q := range []string{"vattenförsörjning", "vattenförsörjningen", "vattenförsörjningens", "kommunerna", "Thysell", "krisberedskap"} {
		res := mustSearch(t, ix, Request{Query: q, Visibilities: anonymous})
		if got := slugs(res); len(got) != 1 || got[0] != "vattenforsorjning" {
			t.Errorf("%q found %v", q, got)
		}
	}
}

func TestTranscriptMomentHasTimestampAndMarkedWords(t *testing.T) {
	ix := fixture(t)
	res := mustSearch(t, ix, Request{Query: "vattenförsörjning", Visibilities: anonymous})
	if len(res.Hits) != 1 || len(res.Hits[0].Moments) == 0 {
		t.Fatalf("no transcript moments: %+v", res.Hits)
	}
	m := res.Hits[0].Moments[0]
	if m.StartMS != 754000 || m.Lang != "sv" {
		t.Fatalf("moment at %d ms in %q, want 754000 in sv", m.StartMS, m.Lang)
	}
	var text, marked strings.Builder
	for _, p := range m.Pieces {
		text.WriteString(p.Text)
		if p.Match {
			marked.WriteString(p.Text)
		}
	}
	if text.String() != "Vattenförsörjningen i små kommuner står inför stora investeringar." || marked.String() != "Vattenförsörjningen" {
		t.Errorf("cue %q, marked %q", text.String(), marked.String())
	}

	// A phrase is found through word pairs and marked as one piece,
	// inflected forms included.
	res = mustSearch(t, ix, Request{Query: `"små kommunerna"`, Visibilities: anonymous})
	if len(res.Hits) != 1 || len(res.Hits[0].Moments) != 1 || res.Hits[0].Moments[0].StartMS != 754000 {
		t.Fatalf("phrase: %+v", res.Hits)
	}
	marked.Reset()
	for _, p := range res.Hits[0].Moments[0].Pieces {
		if p.Match {
			marked.WriteString(p.Text)
		}
	}
	if marked.String() != "små kommuner" {
		t.Errorf("phrase marked %q", marked.String())
	}

	// The English transcript is analysed as English.
	res = mustSearch(t, ix, Request{Query: "municipality", Visibilities: anonymous})
	if len(res.Hits) != 1 || len(res.Hits[0].Moments) != 1 || res.Hits[0].Moments[0].Lang != "en" || res.Hits[0].Moments[0].StartMS != 754000 {
		t.Errorf("English: %+v", res.Hits)
	}
	// Cue text is returned as plain text for the page to escape.
	res = mustSearch(t, ix, Request{Query: "tack", Visibilities: anonymous})
	if len(res.Hits) != 1 || len(res.Hits[0].Moments) != 1 || !strings.Contains(res.Hits[0].Moments[0].Pieces[len(res.Hits[0].Moments[0].Pieces)-1].Text, "<script>") {
		t.Errorf("tack: %+v", res.Hits)
	}
}

func TestVisibilityFiltersHitsTotalsAndFacets(t *testing.T) {
	ix := fixture(t)
	for _, c := range []struct {
		who  []webinar.Visibility
		want int
	}{{anonymous, 0}, {member, 1}, {staff, 1}} {
		res := mustSearch(t, ix, Request{Query: "budgetkvarnen", Visibilities: c.who})
		if int(res.Total) != c.want || len(res.Hits) != c.want {
			t.Errorf("%v: total %d, hits %v, want %d", c.who, res.Total, slugs(res), c.want)
		}
	}
	// Nothing of the members-only or draft webinar shows anonymously,
	// not even in a facet count.
	res := mustSearch(t, ix, Request{Visibilities: anonymous})
	if res.Total != 2 {
		t.Errorf("anonymous browse: total %d, want 2 (%v)", res.Total, slugs(res))
	}
	for name, counts := range res.Facets {
		for _, c := range counts {
			if c.Value == "Ekonomi" || c.Value == "2023" || c.Value == "2025" {
				t.Errorf("facet %s shows %q to an anonymous visitor", name, c.Value)
			}
		}
	}
	if res := mustSearch(t, ix, Request{Query: "översvämning", Visibilities: member}); res.Total != 0 {
		t.Error("a draft was found by a member")
	}
	if res := mustSearch(t, ix, Request{Query: "översvämning", Visibilities: staff}); res.Total != 1 {
		t.Error("staff do not find the draft")
	}
	if res := mustSearch(t, ix, Request{Query: "vatten"}); res.Total != 0 {
		t.Error("a request without visibilities found something")
	}
}

func TestFacetsSortAndFilters(t *testing.T) {
	ix := fixture(t)
	res := mustSearch(t, ix, Request{Visibilities: staff, Sort: SortTitle})
	// Swedish collation: Å after the other letters.
	if got := strings.Join(slugs(res), ","); got != "avfall,hemligt,vattenforsorjning,utkast" {
		t.Errorf("title order %s", got)
	}
	if got := strings.Join(slugs(mustSearch(t, ix, Request{Visibilities: staff, Sort: SortOldest})), ","); got != "avfall,hemligt,vattenforsorjning,utkast" {
		t.Errorf("oldest first %s", got)
	}
	if got := strings.Join(slugs(mustSearch(t, ix, Request{Visibilities: staff})), ","); got != "utkast,vattenforsorjning,hemligt,avfall" {
		t.Errorf("default browse order (newest) %s", got)
	}
	counts := map[string]int{}
	for _, c := range res.Facets[fieldOrgFacet] {
		counts[c.Value] = c.Count
	}
	if counts["SmåKom"] != 2 || counts["Svenskt Vatten"] != 1 {
		t.Errorf("organiser facet %v", res.Facets[fieldOrgFacet])
	}
	if got := slugs(mustSearch(t, ix, Request{Visibilities: staff, Organiser: "SmåKom", Year: "2022"})); len(got) != 1 || got[0] != "avfall" {
		t.Errorf("filtered %v", got)
	}
	if got := slugs(mustSearch(t, ix, Request{Visibilities: staff, Subtitled: "ja", Lang: "en"})); len(got) != 1 || got[0] != "vattenforsorjning" {
		t.Errorf("subtitled in English: %v", got)
	}
}

func TestWordsTypedWithoutSwedishLetters(t *testing.T) {
	ix := fixture(t)
	for _, q := range []string{"vattenforsorjningen", "sma kommuner", "krisberedskap"} {
		if got := slugs(mustSearch(t, ix, Request{Query: q, Visibilities: anonymous})); len(got) != 1 || got[0] != "vattenforsorjning" {
			t.Errorf("%q found %v", q, got)
		}
	}
	// Typed with the Swedish letters, a word matches as before.
	if got := slugs(mustSearch(t, ix, Request{Query: "Åtgärder", Visibilities: staff})); len(got) != 1 {
		t.Errorf("Åtgärder found %v", got)
	}
}

func TestTypoToleranceForLongWords(t *testing.T) {
	ix := fixture(t)
	for _, q := range []string{"Thysel", "invesreringar", "vattenförsörjnngen"} {
		if got := slugs(mustSearch(t, ix, Request{Query: q, Visibilities: anonymous})); len(got) != 1 {
			t.Errorf("one typo in a long word, %q: %v", q, got)
		}
	}
	if got := slugs(mustSearch(t, ix, Request{Query: "vatn", Visibilities: anonymous})); len(got) != 0 {
		t.Errorf("short words are matched exactly, got %v", got)
	}
	// A typo the stemmer treats apart from the word: "ledningsnätet" is
	// indexed as the stem "ledningsnät", and "ledinngsnätet" two edits
	// from it; the correction is made on the words as written, and the
	// moment is found in the transcript.
	res := mustSearch(t, ix, Request{Query: "ledinngsnätet", Visibilities: anonymous})
	if len(res.Hits) != 1 || len(res.Hits[0].Moments) != 1 || res.Hits[0].Moments[0].StartMS != 5000 {
		t.Errorf("typo of a word said at 0:05: %+v", res.Hits)
	}
	// A typo of a word only a members-only webinar has: still nothing for
	// an anonymous visitor, found for a member.
	if got := slugs(mustSearch(t, ix, Request{Query: "budgetkavrnen", Visibilities: anonymous})); len(got) != 0 {
		t.Errorf("a typo of a members-only word found %v anonymously", got)
	}
	if got := slugs(mustSearch(t, ix, Request{Query: "budgetkavrnen", Visibilities: member})); len(got) != 1 {
		t.Errorf("a typo of a members-only word found %v for a member", got)
	}
}

func TestAwkwardQueriesNeverFail(t *testing.T) {
	ix := fixture(t)
	for _, q := range []string{"", " ", "*", `"`, `"vatten`, `title:vatten`, `(((`, `vatten AND`, `+-~^`, `"små kommuner"`,
		strings.Repeat("vatten ", 500), "och", "\x00\xff", `\`, "?*"} {
		res, err := ix.Search(Request{Query: q, Visibilities: anonymous})
		if err != nil {
			t.Errorf("%.30q: %v", q, err)
			continue
		}
		if len(parseQuery(q).words) > maxTerms {
			t.Errorf("%.30q: too many terms kept", q)
		}
		_ = res
	}
	if got := slugs(mustSearch(t, ix, Request{Query: `"små kommuner"`, Visibilities: anonymous})); len(got) != 1 {
		t.Errorf("phrase: %v", got)
	}
	if got := slugs(mustSearch(t, ix, Request{Query: `"kommuner små"`, Visibilities: anonymous})); len(got) != 0 {
		t.Errorf("reversed phrase matched: %v", got)
	}
	// A stop word alone browses, it does not match everything by accident
	// or fail.
	if res := mustSearch(t, ix, Request{Query: "och", Visibilities: anonymous}); res.Total != 2 {
		t.Errorf("stop word: total %d", res.Total)
	}
}

func TestReopenKeepsAndCorruptIndexIsRebuilt(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	ix, _, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Put(&webinar.Webinar{ID: "a", Slug: "a", Title: "Vatten", Visibility: webinar.Public}, nil); err != nil {
		t.Fatal(err)
	}
	ix.Close()

	ix, fresh, err := Open(dir)
	if err != nil || fresh {
		t.Fatalf("reopen: fresh %v, err %v", fresh, err)
	}
	if n, _ := ix.Count(); n != 1 {
		t.Errorf("reopened index holds %d", n)
	}
	ix.Close()

	// Damage every file of the index: Open starts over instead of failing.
	err = filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			return os.WriteFile(p, []byte("trasig"), 0o600)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ix, fresh, err = Open(dir)
	if err != nil || !fresh {
		t.Fatalf("corrupt index: fresh %v, err %v", fresh, err)
	}
	if n, _ := ix.Count(); n != 0 {
		t.Errorf("rebuilt index holds %d", n)
	}
	ix.Close()

	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	ix, fresh, err = Open(dir)
	if err != nil || !fresh {
		t.Fatalf("deleted index: fresh %v, err %v", fresh, err)
	}
	ix.Close()
}

// TestMomentsFollowAChangedTranscript: moments come from a cache of
// decoded transcripts, which a new version of the webinar replaces.
func TestMomentsFollowAChangedTranscript(t *testing.T) {
	ix := fixture(t)
	first := mustSearch(t, ix, Request{Query: "ledningsnätet", Visibilities: anonymous})
	if len(first.Hits) != 1 || len(first.Hits[0].Moments) != 1 || first.Hits[0].Moments[0].StartMS != 5000 {
		t.Fatalf("before the change: %+v", first.Hits)
	}
	w := &webinar.Webinar{ID: "w1", Slug: "vattenforsorjning", Title: "Svenskt Vatten: krisen i vattenförsörjningen", Visibility: webinar.Public}
	if err := ix.Put(w, []Track{{Lang: "sv", Cues: []subtitle.Cue{cue(1, "Inledning."), cue(90, "Ledningsnätet är nytt i år.")}}}); err != nil {
		t.Fatal(err)
	}
	res := mustSearch(t, ix, Request{Query: "ledningsnätet", Visibilities: anonymous})
	if len(res.Hits) != 1 || len(res.Hits[0].Moments) != 1 {
		t.Fatalf("after the change: %+v", res.Hits)
	}
	m := res.Hits[0].Moments[0]
	var text strings.Builder
	for _, p := range m.Pieces {
		text.WriteString(p.Text)
	}
	if m.StartMS != 90000 || text.String() != "Ledningsnätet är nytt i år." {
		t.Errorf("moment after the change: %d ms %q; want 90000 ms and the new cue", m.StartMS, text.String())
	}
}
