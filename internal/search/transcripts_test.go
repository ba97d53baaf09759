package search

import (
	"strings"
	"testing"

	"github.com/smakom/webinar-portal/internal/subtitle"
)

func sideOf(text string) *sideTranscripts {
	var s sideTranscripts
	s[0].t = transcript{text: text, offsets: []int{0}, starts: []int64{0}}
	return &s
}

// TestTranscriptCacheBudgetAndWrites: the least recently used entries go
// when the budget is reached, a write drops its webinar, and a read from
// before a write is not kept.
func TestTranscriptCacheBudgetAndWrites(t *testing.T) {
	one := sideOf(strings.Repeat("a", 1000))
	c := newTranscriptCache(3 * (one.size() + 80))
	for _, id := range []string{"a", "b", "c"} {
		_, at := c.get(id)
		c.put(id, sideOf(strings.Repeat("a", 1000)), at)
	}
	c.get("a") // a is now the most recently used
	_, at := c.get("d")
	c.put("d", sideOf(strings.Repeat("d", 1000)), at)
	if got, _ := c.get("b"); got != nil {
		t.Error("the least recently used entry was kept past the budget")
	}
	for _, id := range []string{"a", "c", "d"} {
		if got, _ := c.get(id); got == nil {
			t.Errorf("%s was dropped", id)
		}
	}
	c.written("a")
	if got, _ := c.get("a"); got != nil {
		t.Error("a written webinar's transcripts are still cached")
	}
	_, before := c.get("e")
	c.written("x")
	c.put("e", sideOf("e"), before)
	if got, _ := c.get("e"); got != nil {
		t.Error("transcripts read before a write were kept")
	}
	if c.used > c.budget {
		t.Errorf("%d bytes used of %d", c.used, c.budget)
	}
}

// TestCueAtWithIndexAgreesWithSearch: the bucket index finds the same cue
// for every byte as a search of all cues does.
func TestCueAtWithIndexAgreesWithSearch(t *testing.T) {
	var cues []subtitle.Cue
	for i := range 300 {
		cues = append(cues, cue(float64(i*4), strings.Repeat("ord ", 1+i%37)))
	}
	plain := newTranscript(cues)
	plain.offsets[0] = 3 // bytes before the first cue belong to none
	indexed := plain
	indexed.index()
	for off := -1; off <= len(plain.text)+cueBucket; off++ {
		if a, b := plain.cueAt(off), indexed.cueAt(off); a != b {
			t.Fatalf("byte %d: cue %d by search, %d by index", off, a, b)
		}
	}
}
