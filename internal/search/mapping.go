package search

import (
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	_ "github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	_ "github.com/blevesearch/bleve/v2/analysis/analyzer/standard"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/sv"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/shingle"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
)

// schemaVersion changes whenever the mapping or the document layout does;
// an index of another version is rebuilt.
const schemaVersion = "7"

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
	fieldKind            = "kind" // "webinar" on the documents queries find
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
	// Swedish transcripts again as pairs of neighbouring words, so that
	// a two-word phrase is one term lookup instead of a position check in
	// every transcript holding both words.
	fieldPairsSV = "pairs_sv"
	// Title, summary, speakers, organiser and topics once more with å, ä
	// and ö folded to a and o: for a visitor typing "vattenforsorjning"
	// on a keyboard without them.
	fieldFolded = "folded"
	// Every word of the texts and transcripts as written (lower case,
	// not stemmed): the dictionary a mistyped word is corrected from.
	// Stems make poor neighbours for a typo: "klimat" is indexed as
	// "klim", and "klmiat" is three edits away from it but one from
	// "klimat".
	fieldSpelling = "spelling"
	// Stored-only copies in the side document (see sideID).
	fieldTextSV    = "text_sv"
	fieldTextEN    = "text_en"
	fieldTextOther = "text_other"
)

// sideID is the id of the stored-only document holding a webinar's
// transcript texts and cue maps; no query ever matches it.
func sideID(webinarID string) string { return "transcripts:" + webinarID }

// transcriptFields pairs each transcript field with its cue map.
var transcriptFields = []struct {
	indexed    []string // fields whose term locations point into the text
	text, cues string
}{
	{[]string{fieldTranscriptSV, fieldPairsSV}, fieldTextSV, fieldCueMapSV},
	{[]string{fieldTranscriptEN}, fieldTextEN, fieldCueMapEN},
	{[]string{fieldTranscriptOther}, fieldTextOther, fieldCueMapOther},
}

// pairsAnalyzer is Swedish analysis followed by word pairs ("små kommun").
const pairsAnalyzer = "sv_pairs"

// foldedAnalyzer is Swedish analysis of text with its letters folded to
// ASCII first.
const foldedAnalyzer = "sv_folded"

// spellingAnalyzer splits text into words in lower case.
const spellingAnalyzer = "spelling"

// transcriptTextFields are the transcripts' fields, searched for every
// query word and again for where in them the words were said.
var transcriptTextFields = []field{
	{fieldTranscriptSV, 0.6, "sv"},
	{fieldTranscriptEN, 0.6, "en"},
	{fieldTranscriptOther, 0.6, "standard"},
}

// textFields are searched for every query word, with their boosts.
var textFields = append([]field{
	{fieldTitle, 4, "sv"},
	{fieldSpeakers, 2.5, "sv"},
	{fieldTopicsText, 2.5, "sv"},
	{fieldOrganiser, 2, "sv"},
	{fieldSummary, 1.5, "sv"},
	{fieldDescription, 1, "sv"},
}, transcriptTextFields...)

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
	// Transcripts are indexed with their term locations but not stored
	// here: loading a hit's slug would otherwise decompress its whole
	// transcript. Their text sits in a stored-only side document.
	tr := func(analyzer string) *mapping.FieldMapping {
		f := text(analyzer, false)
		f.IncludeTermVectors = true
		return f
	}
	add(fieldTranscriptSV, tr("sv"))
	add(fieldTranscriptEN, tr("en"))
	add(fieldTranscriptOther, tr("standard"))
	add(fieldPairsSV, tr(pairsAnalyzer))
	add(fieldFolded, text(foldedAnalyzer, false))
	spelling := text(spellingAnalyzer, false)
	spelling.IncludeTermVectors = false
	add(fieldSpelling, spelling)
	add(fieldKind, keyword(false))
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
	add(fieldTextSV, storedOnly())
	add(fieldTextEN, storedOnly())
	add(fieldTextOther, storedOnly())

	m := bleve.NewIndexMapping()
	if err := m.AddCustomTokenFilter("pairs", map[string]any{"type": shingle.Name,
		"min": 2.0, "max": 2.0, "output_original": false, "separator": " ", "filler": "_"}); err != nil {
		panic(err) // a constant configuration
	}
	if err := m.AddCustomAnalyzer(pairsAnalyzer, map[string]any{"type": custom.Name, "tokenizer": unicode.Name,
		"token_filters": []any{lowercase.Name, sv.StopName, sv.SnowballStemmerName, "pairs"}}); err != nil {
		panic(err)
	}
	if err := m.AddCustomAnalyzer(foldedAnalyzer, map[string]any{"type": custom.Name, "char_filters": []any{asciifolding.Name},
		"tokenizer": unicode.Name, "token_filters": []any{lowercase.Name, sv.StopName, sv.SnowballStemmerName}}); err != nil {
		panic(err)
	}
	if err := m.AddCustomAnalyzer(spellingAnalyzer, map[string]any{"type": custom.Name,
		"tokenizer": unicode.Name, "token_filters": []any{lowercase.Name}}); err != nil {
		panic(err)
	}
	m.DefaultMapping = doc
	m.DefaultAnalyzer = "sv"
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	return m
}
