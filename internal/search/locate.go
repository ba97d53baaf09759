package search

import (
	"bytes"
	"context"
	"sort"

	index "github.com/blevesearch/bleve_index_api"
)

// spans are where in a webinar's transcript fields the words were said:
// byte ranges of the field's text, by field.
type spans map[string][][2]int

// fieldTerm is one term of one field.
type fieldTerm struct{ field, term string }

// momentTerms are the terms whose places in the transcripts are moments:
// each word (and its corrections) as each transcript field analyses it,
// and each phrase as word pairs in the Swedish transcripts. In the other
// languages a phrase's words are looked up one by one: the hit itself was
// found by the phrase, and only the moments shown are looser.
func momentTerms(p parsed) []fieldTerm {
	seen := map[fieldTerm]bool{}
	var out []fieldTerm
	add := func(field, analyzer, text string) {
		for _, term := range p.terms.terms(analyzer, text) {
			ft := fieldTerm{field, term}
			if !seen[ft] {
				seen[ft] = true
				out = append(out, ft)
			}
		}
	}
	for i, w := range p.words {
		for _, spelling := range append([]string{w}, p.corrections[i]...) {
			for _, f := range transcriptTextFields {
				add(f.name, f.analyzer, spelling)
			}
		}
	}
	for _, ph := range p.phrases {
		for _, f := range transcriptTextFields {
			if f.name == fieldTranscriptSV {
				add(fieldPairsSV, pairsAnalyzer, ph)
			} else {
				add(f.name, f.analyzer, ph)
			}
		}
	}
	return out
}

// locate reads where terms occur in the webinars ids straight from the
// index's postings, moving each term's reader only to those documents:
// much less work than a search, which would score the documents and
// gather every match's locations into its own structures.
func (ix *Index) locate(ids []string, terms []fieldTerm) (map[string]spans, error) {
	advanced, err := ix.idx.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := advanced.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	type target struct {
		id       string
		internal index.IndexInternalID
	}
	var targets []target
	for _, id := range ids {
		in, err := r.InternalID(id)
		if err != nil {
			return nil, err
		}
		if len(in) > 0 {
			targets = append(targets, target{id, in})
		}
	}
	// Readers only move forward.
	sort.Slice(targets, func(a, b int) bool { return bytes.Compare(targets[a].internal, targets[b].internal) < 0 })
	out := map[string]spans{}
	for _, ft := range terms {
		tfr, err := r.TermFieldReader(context.Background(), []byte(ft.term), ft.field, false, false, true)
		if err != nil {
			return nil, err
		}
		var cur *index.TermFieldDoc
		for _, tg := range targets {
			if cur == nil || bytes.Compare(cur.ID, tg.internal) < 0 {
				if cur, err = tfr.Advance(tg.internal, nil); err != nil {
					tfr.Close()
					return nil, err
				}
				if cur == nil {
					break // the term is in no later document
				}
			}
			if !bytes.Equal(cur.ID, tg.internal) {
				continue
			}
			s := out[tg.id]
			if s == nil {
				s = spans{}
				out[tg.id] = s
			}
			for _, v := range cur.Vectors {
				s[ft.field] = append(s[ft.field], [2]int{int(v.Start), int(v.End)})
			}
		}
		tfr.Close()
	}
	return out, nil
}
