package demo

import (
	"strings"
	"testing"
)

func TestMembersOnlyWebinarIsKeptApartFromThePublicArchive(t *testing.T) {
	w, err := MembersOnly()
	if err != nil {
		t.Fatal(err)
	}
	if !w.MembersOnly || w.Title != MembersOnlyTitle || !strings.HasPrefix(w.Summary, "Demo: ") || !strings.Contains(w.Description, "demoinnehåll") {
		t.Errorf("members-only demo webinar: %q members-only=%v summary %q", w.Title, w.MembersOnly, w.Summary)
	}
	if len(w.Video) == 0 || len(w.Subtitles["sv"]) == 0 || len(w.Slides) == 0 || w.Poster != nil {
		t.Errorf("media: video %d B, sv subtitles %d B, slides %d B, poster %d B (want none: the clip's frame names another webinar)",
			len(w.Video), len(w.Subtitles["sv"]), len(w.Slides), len(w.Poster))
	}
	public, err := Webinars()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range public {
		if p.MembersOnly || p.Title == MembersOnlyTitle {
			t.Errorf("Webinars() includes %q, members-only=%v", p.Title, p.MembersOnly)
		}
	}
}
