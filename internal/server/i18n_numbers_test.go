package server

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/smakom/webinar-portal/internal/views"
	"github.com/smakom/webinar-portal/internal/webinar"
)

func TestNumGroupsThousandsByLanguage(t *testing.T) {
	sv, en := Base{Lang: langSV}, Base{Lang: langEN}
	for _, c := range []struct {
		in     any
		sv, en string
	}{
		{0, "0", "0"},
		{7, "7", "7"},
		{999, "999", "999"},
		{1000, "1\u00a0000", "1,000"},
		{int64(12345), "12\u00a0345", "12,345"},
		{1234567, "1\u00a0234\u00a0567", "1,234,567"},
		{int64(-1000), "-1\u00a0000", "-1,000"},
	} {
		if got := sv.Num(c.in); got != c.sv {
			t.Errorf("sv Num(%v) = %q; want %q", c.in, got, c.sv)
		}
		if got := en.Num(c.in); got != c.en {
			t.Errorf("en Num(%v) = %q; want %q", c.in, got, c.en)
		}
	}
	// Facet counts on the catalogue go through Num too.
	items := string(facetItems([]facetValue{{Label: "Vatten", Count: 1500, URL: "/?topic=Vatten"}}, "ta bort", en.Num))
	if !strings.Contains(items, "Vatten (1,500)") {
		t.Errorf("English facet item %q; want the count as 1,500", items)
	}
}

func TestTrackLabelNamesTheLanguageInThePageLanguage(t *testing.T) {
	sv, en := Base{Lang: langSV}, Base{Lang: langEN}
	for _, c := range []struct {
		track  webinar.SubtitleTrack
		sv, en string
	}{
		{webinar.SubtitleTrack{Lang: "sv", Label: "Svenska"}, "Svenska", "Swedish"},
		{webinar.SubtitleTrack{Lang: "en", Label: "Engelska"}, "Engelska", "English"},
		{webinar.SubtitleTrack{Lang: "fi", Label: ""}, "Finska", "Finnish"},
		// A label staff wrote themselves is kept as it is.
		{webinar.SubtitleTrack{Lang: "sv", Label: "Svenska (syntolkad)"}, "Svenska (syntolkad)", "Svenska (syntolkad)"},
	} {
		if got := sv.TrackLabel(c.track); got != c.sv {
			t.Errorf("sv TrackLabel(%+v) = %q; want %q", c.track, got, c.sv)
		}
		if got := en.TrackLabel(c.track); got != c.en {
			t.Errorf("en TrackLabel(%+v) = %q; want %q", c.track, got, c.en)
		}
	}
}

// A watch page with more than a thousand views writes the count the
// page language's way.
func TestWatchPageWritesViewCountInThePageLanguage(t *testing.T) {
	p := newPortal(t)
	counter := p.srv.deps.Views.(*views.Counter)
	api := p.apiClient()
	slug := api.createWebinar("Mycket sedd", "public")
	clip := fakeMP4(2048)
	expectStatus(t, api.put("/api/v1/webinars/"+slug+"/recording", bytes.NewReader(clip), int64(len(clip))), http.StatusOK)
	w, err := p.srv.deps.Webinars.Get(context.Background(), slug, webinar.Viewer{Staff: true})
	if err != nil {
		t.Fatal(err)
	}
	for range 1234 {
		counter.Add(w.ID)
	}
	if err := counter.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	anon := p.anonymous()
	expectContains(t, anon.get("/webinars/"+slug+"?lang=sv"), "<dt>Visningar</dt><dd>1\u00a0234</dd>")
	expectContains(t, anon.get("/webinars/"+slug+"?lang=en"), "<dd>1,234</dd>")
}
