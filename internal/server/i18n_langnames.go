package server

import (
	"github.com/smakom/webinar-portal/internal/subtitle"
	"github.com/smakom/webinar-portal/internal/webinar"
)

// LangName names a language code in the page's language: "Svenska" on a
// Swedish page, "Swedish" on an English one; a code without a name shows
// in upper case.
func (b Base) LangName(code string) string { return subtitle.LangNameIn(code, b.Lang) }

// TrackLabel is what a subtitle track is called on the page. A track
// keeps the label staff gave it unless that label is only the language's
// default Swedish name (what an upload without a label gets): then the
// language is named in the page's language. So "Engelska" shows as
// "English" on English pages, while a label such as "Svenska (syntolkat)"
// or "Teckenspråkstolkat" shows as written.
func (b Base) TrackLabel(t webinar.SubtitleTrack) string {
	if t.Label == "" || t.Label == subtitle.LangLabel(t.Lang) {
		return b.LangName(t.Lang)
	}
	return t.Label
}
