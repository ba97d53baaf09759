package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/smakom/webinar-portal/internal/subtitle"
)

// subtitleFixture is one file of internal/subtitle/testdata/fixtures: a
// real-world-shaped subtitle file in one of the formats and encodings the
// portal reads (the subtitle package keeps them equal to its fixtures).
type subtitleFixture struct {
	File, Format, Description string
	Cues                      int
	Data                      []byte
}

// subtitleFixtures are read at package start, before the embedded S3
// server moves the working directory.
var subtitleFixtures = func() []subtitleFixture {
	dir := filepath.Join("..", "subtitle", "testdata", "fixtures")
	manifest, err := os.ReadFile(filepath.Join(dir, "fixtures.tsv"))
	if err != nil {
		panic(err)
	}
	var out []subtitleFixture
	for _, line := range strings.Split(strings.TrimSpace(string(manifest)), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		n, err := strconv.Atoi(f[2])
		if len(f) != 4 || err != nil {
			panic("bad fixtures.tsv line: " + line)
		}
		data, err := os.ReadFile(filepath.Join(dir, f[0]))
		if err != nil {
			panic(err)
		}
		out = append(out, subtitleFixture{File: f[0], Format: f[1], Cues: n, Description: f[3], Data: data})
	}
	return out
}()

// apiTrack is trackJSON as a client reads it.
type apiTrack struct {
	Lang        string    `json:"lang"`
	Label       string    `json:"label"`
	Kind        string    `json:"kind"`
	Format      string    `json:"format"`
	Revision    int64     `json:"revision"`
	RecordingMS int64     `json:"recording_ms"`
	Cues        []cueJSON `json:"cues"`
}

func (c *client) track(slug, lang string) apiTrack {
	c.p.t.Helper()
	r := c.get("/api/v1/webinars/" + slug + "/subtitles/" + lang)
	expectStatus(c.p.t, r, http.StatusOK)
	var t apiTrack
	if err := json.Unmarshal(r.Body, &t); err != nil {
		c.p.t.Fatalf("track JSON: %v: %s", err, r.Body)
	}
	return t
}

func toCues(in []cueJSON) []subtitle.Cue {
	out := make([]subtitle.Cue, len(in))
	for i, c := range in {
		out[i] = subtitle.Cue{Start: msDur(c.StartMS), End: msDur(c.EndMS), Text: c.Text}
	}
	return out
}

// TestSubtitleFixturesRoundTrip uploads every fixture file through the
// API into the real store, exports the stored cues as WebVTT and SRT,
// reads each export back (with the parser and by uploading it again) and
// checks that the cues are the same every time. It logs the table of
// formats, files and cues read.
func TestSubtitleFixturesRoundTrip(t *testing.T) {
	if len(subtitleFixtures) < 20 {
		t.Fatalf("only %d fixture files", len(subtitleFixtures))
	}
	p := newPortal(t)
	api := p.apiClient()
	anon := p.anonymous()
	table := []string{"| Format | Fixture file | Encoding and shape | Cues read | Export VTT → import | Export SRT → import |", "|---|---|---|---|---|---|"}
	formats := map[string]bool{}
	for i, fx := range subtitleFixtures {
		t.Run(fx.File, func(t *testing.T) {
			slug := api.createWebinar(fmt.Sprintf("Fixtur %d", i), "public")
			r := api.put("/api/v1/webinars/"+slug+"/subtitles/sv?filename="+url.QueryEscape(fx.File), bytes.NewReader(fx.Data), int64(len(fx.Data)))
			expectStatus(t, r, http.StatusOK)
			expectContains(t, r, fmt.Sprintf(`"cues":%d`, fx.Cues))
			stored := api.track(slug, "sv")
			if stored.Format != fx.Format || len(stored.Cues) != fx.Cues || stored.Revision != 1 {
				t.Fatalf("stored track: format %q, %d cues, revision %d; want %q, %d cues, revision 1", stored.Format, len(stored.Cues), stored.Revision, fx.Format, fx.Cues)
			}
			// å, ä and ö survive every encoding.
			if !strings.HasPrefix(stored.Cues[0].Text, "Vattenförsörjningen är en fråga") || !strings.Contains(stored.Cues[2].Text, "Åsa") {
				t.Errorf("Swedish text garbled: %+v", stored.Cues)
			}
			want := toCues(stored.Cues)
			results := map[string]string{}
			for _, ext := range []string{"vtt", "srt"} {
				exp := anon.get("/webinars/" + slug + "/subtitles/sv." + ext)
				expectStatus(t, exp, http.StatusOK)
				got, format, err := subtitle.Parse(exp.Body, "")
				if err != nil || format != ext || !reflect.DeepEqual(got, want) {
					t.Errorf("export %s read back: %q, %q, %v\nwant %q\nfile:\n%s", ext, got, format, err, want, exp.Body)
					results[ext] = "differs"
					continue
				}
				// And through the API again, into another language.
				r := api.put("/api/v1/webinars/"+slug+"/subtitles/en?filename=export."+ext, bytes.NewReader(exp.Body), int64(len(exp.Body)))
				expectStatus(t, r, http.StatusOK)
				again := api.track(slug, "en")
				if !reflect.DeepEqual(again.Cues, stored.Cues) || again.Format != ext {
					t.Errorf("export %s uploaded again: %+v (%s); want %+v", ext, again.Cues, again.Format, stored.Cues)
					results[ext] = "differs"
					continue
				}
				results[ext] = fmt.Sprintf("same %d cues", len(again.Cues))
			}
			formats[fx.Format] = true
			table = append(table, fmt.Sprintf("| %s | %s | %s | %d | %s | %s |", formatName(fx.Format), fx.File, fx.Description, len(stored.Cues), results["vtt"], results["srt"]))
		})
	}
	for _, f := range []string{subtitle.FormatSRT, subtitle.FormatVTT, subtitle.FormatSSA, subtitle.FormatSTL, subtitle.FormatTTML} {
		if !formats[f] {
			t.Errorf("no fixture in format %s passed", f)
		}
	}
	t.Logf("import → store → export → import, %d fixture files:\n%s", len(subtitleFixtures), strings.Join(table, "\n"))
}

func formatName(f string) string {
	return map[string]string{"srt": "SRT", "vtt": "WebVTT", "ssa": "SSA/ASS", "stl": "EBU STL", "ttml": "TTML"}[f]
}
