package server

import (
	"context"
	"strings"
	"testing"

	"github.com/smakom/webinar-portal/internal/webinar"
)

// An English search page has English facets, and switching the page to
// English (?lang=en) does not filter by English subtitles: that filter is
// ?sublang=.
func TestCatalogueFacetsFollowThePageLanguage(t *testing.T) {
	p, idx := newIndexedPortal(t)
	api := p.apiClient()
	swedishOnly := api.createWebinar("Vatten på svenska", "public")
	both := api.createWebinar("Vatten på två språk", "public")
	ctx := context.Background()
	srt := "1\n00:00:01,000 --> 00:00:02,000\nOm vatten.\n"
	for _, s := range []struct{ slug, lang string }{{swedishOnly, "sv"}, {both, "sv"}, {both, "en"}} {
		if _, _, err := p.webinars.SetSubtitles(ctx, s.slug, webinar.SubtitleInput{Lang: s.lang, Filename: s.lang + ".srt", Data: []byte(srt)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := idx.syncer.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	anon := p.anonymous()
	en := anon.get("/?q=vatten&lang=en")
	expectContains(t, en, `<html lang="en">`, "Subtitle language", "Swedish (2)", "English (1)", `sublang=en`, "2 webinars")
	for _, sv := range []string{"Språk i undertexterna", "Svenska (", "Engelska (", "Ämne"} {
		if strings.Contains(en.text(), sv) {
			t.Errorf("the English search page shows %q", sv)
		}
	}
	expectContains(t, anon.get("/?q=vatten&sublang=en&lang=en"), "1 webinar", `aria-current="true"><strong>English</strong> (1)`)
}
