package search

import (
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/smakom/webinar-portal/internal/subtitle"
	"github.com/smakom/webinar-portal/internal/webinar"
)

// Track is one subtitle language of a webinar as the index needs it.
type Track struct {
	Lang string
	Cues []subtitle.Cue
}

// transcript is a track's cues joined into one text, one cue per line, and
// where each cue starts in it: a hit's byte offset leads back to its cue.
type transcript struct {
	text    string
	offsets []int   // byte offset of each cue in text
	starts  []int64 // start of each cue, milliseconds
	// first[k] is the cue holding byte k*cueBucket (see index): a search
	// looks up a cue for every place a word was said.
	first []int32
}

// cueBucket is the span of text one entry of transcript.first covers.
const cueBucket = 128

// index makes cueAt start from the cue at the beginning of off's bucket
// instead of searching all cues.
func (t *transcript) index() {
	t.first = make([]int32, len(t.text)/cueBucket+1)
	i := 0
	for k := range t.first {
		for i+1 < len(t.offsets) && t.offsets[i+1] <= k*cueBucket {
			i++
		}
		t.first[k] = int32(i)
	}
}

func newTranscript(cues []subtitle.Cue) transcript {
	var b strings.Builder
	t := transcript{offsets: make([]int, 0, len(cues)), starts: make([]int64, 0, len(cues))}
	for _, c := range cues {
		line := strings.ReplaceAll(c.Text, "\n", " ")
		t.offsets = append(t.offsets, b.Len())
		t.starts = append(t.starts, c.Start.Milliseconds())
		b.WriteString(line)
		b.WriteByte('\n')
	}
	t.text = b.String()
	return t
}

// encodeCueMap stores offsets and starts compactly: "off:ms off:ms ...".
func (t transcript) encodeCueMap() string {
	var b strings.Builder
	for i := range t.offsets {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Itoa(t.offsets[i]))
		b.WriteByte(':')
		b.WriteString(strconv.FormatInt(t.starts[i], 10))
	}
	return b.String()
}

func decodeCueMap(text, cueMap string) transcript {
	t := transcript{text: text}
	for _, pair := range strings.Fields(cueMap) {
		o, s, ok := strings.Cut(pair, ":")
		off, err1 := strconv.Atoi(o)
		start, err2 := strconv.ParseInt(s, 10, 64)
		if !ok || err1 != nil || err2 != nil || off < 0 || off > len(text) {
			return transcript{text: text}
		}
		t.offsets = append(t.offsets, off)
		t.starts = append(t.starts, start)
	}
	return t
}

// cueAt is the index of the cue holding byte offset off, or -1.
func (t transcript) cueAt(off int) int {
	if len(t.offsets) == 0 || off < t.offsets[0] {
		return -1
	}
	if k := off / cueBucket; k < len(t.first) {
		i := int(t.first[k])
		for i+1 < len(t.offsets) && t.offsets[i+1] <= off {
			i++
		}
		return i
	}
	lo, hi := 0, len(t.offsets)
	for lo < hi {
		mid := (lo + hi) / 2
		if t.offsets[mid] <= off {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo - 1
}

// line is cue i's text and where it starts.
func (t transcript) line(i int) (string, int) {
	start := t.offsets[i]
	end := len(t.text)
	if i+1 < len(t.offsets) {
		end = t.offsets[i+1]
	}
	return strings.TrimSuffix(t.text[start:end], "\n"), start
}

var titleCollator = collate.New(language.Swedish, collate.IgnoreCase)

// titleSortKey orders titles the Swedish way (å, ä, ö after z); hex keeps
// the collation key's byte order in a keyword field.
func titleSortKey(title string) string {
	var buf collate.Buffer
	const hexdigits = "0123456789abcdef"
	key := titleCollator.KeyFromString(&buf, title)
	out := make([]byte, 0, 2*len(key))
	for _, c := range key {
		out = append(out, hexdigits[c>>4], hexdigits[c&15])
	}
	return string(out)
}

// document is what the index stores for one webinar: the searchable
// document and the side document with its transcripts' text.
func document(w *webinar.Webinar, tracks []Track) (doc, side map[string]any) {
	var speakers []string
	for _, s := range w.Speakers {
		speakers = append(speakers, strings.TrimSpace(s.Name+" "+s.Role+" "+s.Organisation))
	}
	side = map[string]any{}
	d := map[string]any{
		fieldKind:        "webinar",
		fieldSlug:        w.Slug,
		fieldTitle:       w.Title,
		fieldSummary:     w.Summary,
		fieldDescription: w.Description,
		fieldSpeakers:    strings.Join(speakers, "\n"),
		fieldOrganiser:   w.Organiser,
		fieldTopicsText:  strings.Join(w.Topics, "\n"),
		fieldVisibility:  string(w.Visibility),
		fieldTopic:       w.Topics,
		fieldOrgFacet:    w.Organiser,
		fieldTitleSort:   titleSortKey(w.Title),
		fieldSubtitled:   "nej",
	}
	d[fieldFolded] = strings.Join([]string{w.Title, w.Summary, strings.Join(speakers, "\n"), w.Organiser, strings.Join(w.Topics, "\n")}, "\n")
	if !w.HeldAt.IsZero() {
		d[fieldHeldAt] = w.HeldAt.UTC().Format(time.RFC3339)
		d[fieldYear] = strconv.Itoa(w.HeldAt.Year())
	}
	var langs []string
	var other []string
	var otherCues []subtitle.Cue
	for _, tr := range tracks {
		if len(tr.Cues) == 0 {
			continue
		}
		langs = append(langs, tr.Lang)
		switch tr.Lang {
		case "sv":
			t := newTranscript(tr.Cues)
			d[fieldTranscriptSV], d[fieldPairsSV] = t.text, t.text
			side[fieldTextSV], side[fieldCueMapSV] = t.text, t.encodeCueMap()
		case "en":
			t := newTranscript(tr.Cues)
			d[fieldTranscriptEN], side[fieldTextEN], side[fieldCueMapEN] = t.text, t.text, t.encodeCueMap()
		default:
			// Other languages share one field with a plain analyser; the
			// first such track is indexed (a rare case).
			if otherCues == nil {
				otherCues = tr.Cues
				other = append(other, tr.Lang)
			}
		}
	}
	if otherCues != nil {
		t := newTranscript(otherCues)
		d[fieldTranscriptOther], side[fieldTextOther], side[fieldCueMapOther] = t.text, t.text, other[0]+"|"+t.encodeCueMap()
	}
	spelling := []string{w.Title, w.Summary, w.Description, strings.Join(speakers, "\n"), w.Organiser, strings.Join(w.Topics, "\n")}
	for _, f := range []string{fieldTranscriptSV, fieldTranscriptEN, fieldTranscriptOther} {
		if t, ok := d[f].(string); ok {
			spelling = append(spelling, t)
		}
	}
	d[fieldSpelling] = strings.Join(spelling, "\n")
	if len(langs) > 0 {
		d[fieldSubtitled] = "ja"
		d[fieldLanguage] = langs
	}
	return d, side
}
