package search

import (
	"github.com/blevesearch/bleve/v2"
	_ "github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	_ "github.com/blevesearch/bleve/v2/analysis/analyzer/standard"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/en"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/sv"
	"github.com/blevesearch/bleve/v2/mapping"
)

// schemaVersion changes whenever the mapping or the document layout does;
// an index of another version is rebuilt.
const schemaVersion = "3"

// Field names. Text is analysed as Swedish (Snowball stemming, so
// "vattenförsörjningen" finds "vattenförsörjning"); an English transcript
// as English; å, ä and ö are kept, as they are letters of their own.
const (
	fieldTitle           = "title"
	fieldSummary         = "summary"
	fieldDescription     = "description"
	fieldSpeakers        = "speakers"
	fieldOrganiser       = "organiser"
	fieldTopicsText      = "topics_text"
	fieldSlug            = "slug"
	fieldVisibility      = "visibility"
	fieldTopic           = "topic"     // facet
	fieldYear            = "year"      // facet
	fieldOrgFacet        = "org"       // facet
	fieldSubtitled       = "subtitled" // facet: "ja" or "nej"
	fieldLanguage        = "lang"      // facet: subtitle languages
	fieldHeldAt          = "held_at"
	fieldTitleSort       = "title_sort"
	fieldCueMapSV        = "cues_sv"
	fieldCueMapEN        = "cues_en"
	fieldCueMapOther     = "cues_other"
	fieldTranscriptSV    = "transcript_sv"
	fieldTranscriptEN    = "transcript_en"
	fieldTranscriptOther = "transcript_other"
)

// transcriptFields pairs each transcript field with its cue map.
var transcriptFields = []struct{ text, cues string }{
	{fieldTranscriptSV, fieldCueMapSV},
	{fieldTranscriptEN, fieldCueMapEN},
	{fieldTranscriptOther, fieldCueMapOther},
}

// textFields are searched for every query word, with their boosts.
var textFields = []struct {
	name  string
	boost float64
}{
	{fieldTitle, 4},
	{fieldSpeakers, 2.5},
	{fieldTopicsText, 2.5},
	{fieldOrganiser, 2},
	{fieldSummary, 1.5},
	{fieldDescription, 1},
	{fieldTranscriptSV, 0.6},
	{fieldTranscriptEN, 0.6},
	{fieldTranscriptOther, 0.6},
}

func newMapping() mapping.IndexMapping {
	text := func(analyzer string, store bool) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = store
		f.IncludeTermVectors = store // locations for snippets
		f.IncludeInAll = false
		return f
	}
	keyword := func(store bool) *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Store = store
		f.IncludeInAll = false
		f.DocValues = true
		return f
	}
	storedOnly := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Index = false
		f.Store = true
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = false
		return f
	}

	doc := bleve.NewDocumentStaticMapping()
	add := func(name string, f *mapping.FieldMapping) { doc.AddFieldMappingsAt(name, f) }
	add(fieldTitle, text("sv", true))
	add(fieldSummary, text("sv", true))
	add(fieldDescription, text("sv", false))
	add(fieldSpeakers, text("sv", false))
	add(fieldOrganiser, text("sv", false))
	add(fieldTopicsText, text("sv", false))
	add(fieldTranscriptSV, text("sv", true))
	add(fieldTranscriptEN, text("en", true))
	add(fieldTranscriptOther, text("standard", true))
	add(fieldSlug, keyword(true))
	add(fieldVisibility, keyword(false))
	add(fieldTopic, keyword(false))
	add(fieldYear, keyword(false))
	add(fieldOrgFacet, keyword(false))
	add(fieldSubtitled, keyword(false))
	add(fieldLanguage, keyword(false))
	add(fieldTitleSort, keyword(false))
	held := bleve.NewDateTimeFieldMapping()
	held.IncludeInAll = false
	add(fieldHeldAt, held)
	add(fieldCueMapSV, storedOnly())
	add(fieldCueMapEN, storedOnly())
	add(fieldCueMapOther, storedOnly())

	m := bleve.NewIndexMapping()
	m.DefaultMapping = doc
	m.DefaultAnalyzer = "sv"
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	return m
}
