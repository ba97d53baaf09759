// Package synth makes a synthetic archive of Swedish municipal webinars
// with hour-long transcripts, and a mix of queries that fits it, for the
// search benchmarks.
package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/smakom/webinar-portal/internal/subtitle"
	"github.com/smakom/webinar-portal/internal/webinar"
)

// PublicShare is the percentage of generated webinars that are public.
const PublicShare = 70

// Generator makes a reproducible archive and a query mix that fits it.
type Generator struct {
	r *rand.Rand
	// Public holds the ids of the public webinars made so far.
	Public  map[string]bool
	phrases []string // two adjacent words from real cues
}

// New starts a generator; the same seed makes the same archive.
func New(seed uint64) *Generator {
	return &Generator{r: rand.New(rand.NewPCG(seed, 2)), Public: map[string]bool{}}
}

func (g *Generator) pick(words []string) string { return words[g.r.IntN(len(words))] }

func (g *Generator) sentence(n int) []string {
	words := make([]string, n)
	for i := range words {
		if g.r.IntN(3000) == 0 {
			words[i] = g.pick(rareWords)
		} else {
			words[i] = g.pick(commonWords)
		}
	}
	return words
}

// Webinar makes webinar number i with a transcript of cues cues (about
// ten words each, four seconds apart).
func (g *Generator) Webinar(i, cues int) (*webinar.Webinar, []subtitle.Cue) {
	vis := webinar.Public
	switch v := g.r.IntN(100); {
	case v >= PublicShare+20:
		vis = webinar.Draft
	case v >= PublicShare:
		vis = webinar.Members
	}
	topic := g.pick(topics)
	w := &webinar.Webinar{
		ID:          fmt.Sprintf("w%05d", i),
		Slug:        fmt.Sprintf("webbinarium-%d", i),
		Title:       topic + ": " + strings.Join(g.sentence(4), " "),
		Summary:     strings.Join(g.sentence(20), " "),
		Description: strings.Join(g.sentence(80), " "),
		Organiser:   g.pick(organisers),
		Topics:      []string{topic},
		Speakers:    []webinar.Speaker{{Name: g.pick(firstNames) + " " + g.pick(lastNames), Role: "strateg"}},
		HeldAt:      time.Date(2019+g.r.IntN(8), time.Month(1+g.r.IntN(12)), 1+g.r.IntN(28), 10, 0, 0, 0, time.UTC),
		Visibility:  vis,
	}
	g.Public[w.ID] = vis == webinar.Public
	out := make([]subtitle.Cue, cues)
	for c := range out {
		words := g.sentence(8 + g.r.IntN(5))
		start := time.Duration(c) * 4 * time.Second
		out[c] = subtitle.Cue{Start: start, End: start + 3900*time.Millisecond, Text: strings.Join(words, " ")}
		if vis == webinar.Public && len(g.phrases) < 400 && g.r.IntN(2000) == 0 {
			k := g.r.IntN(len(words) - 1)
			g.phrases = append(g.phrases, words[k]+" "+words[k+1])
		}
	}
	return w, out
}

// Query is one query of the mix and its kind: word, inflected, rare,
// phrase or typo.
type Query struct{ Kind, Text string }

// Queries is a fixed mix: 30% content words, 20% inflected forms, 15% rare
// words, 20% phrases, 15% words with a typo.
func (g *Generator) Queries(n int) []Query {
	content := commonWords[29:] // past the function words
	var out []Query
	for len(out) < n {
		switch i := len(out) % 20; {
		case i < 6:
			out = append(out, Query{"word", g.pick(content)})
		case i < 10:
			out = append(out, Query{"inflected", inflect(g.pick(content))})
		case i < 13:
			out = append(out, Query{"rare", g.pick(rareWords)})
		case i < 17 && len(g.phrases) > 0:
			out = append(out, Query{"phrase", `"` + g.phrases[g.r.IntN(len(g.phrases))] + `"`})
		default:
			out = append(out, Query{"typo", typo(g.r, g.pick(content))})
		}
	}
	return out
}

// inflect adds a Swedish definite or plural ending.
func inflect(w string) string {
	for _, s := range []string{"en", "na", "ens", "arna"} {
		if strings.HasSuffix(w, s) {
			return w
		}
	}
	return w + "en"
}

// typo swaps two neighbouring letters of a longer word.
func typo(r *rand.Rand, w string) string {
	rs := []rune(w)
	if len(rs) < 6 {
		return w
	}
	i := 1 + r.IntN(len(rs)-3)
	rs[i], rs[i+1] = rs[i+1], rs[i]
	return string(rs)
}
