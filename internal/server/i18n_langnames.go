package server

import (
	"github.com/smakom/webinar-portal/internal/subtitle"
	"github.com/smakom/webinar-portal/internal/webinar"
)

// englishLangNames name in English the languages that subtitle.LangLabel
// names in Swedish.
var englishLangNames = map[string]string{
	"sv": "Swedish", "en": "English", "fi": "Finnish", "se": "Northern Sami",
	"yi": "Yiddish", "no": "Norwegian", "nb": "Norwegian Bokmål", "nn": "Norwegian Nynorsk",
	"da": "Danish", "is": "Icelandic", "fo": "Faroese", "kl": "Greenlandic",
	"et": "Estonian", "lv": "Latvian", "lt": "Lithuanian",
	"de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
	"pt": "Portuguese", "nl": "Dutch", "pl": "Polish", "cs": "Czech",
	"sk": "Slovak", "hu": "Hungarian", "ro": "Romanian", "bg": "Bulgarian",
	"el": "Greek", "ru": "Russian", "uk": "Ukrainian", "be": "Belarusian",
	"bs": "Bosnian", "hr": "Croatian", "sr": "Serbian", "sl": "Slovenian",
	"mk": "Macedonian", "sq": "Albanian", "tr": "Turkish", "ku": "Kurdish",
	"ar": "Arabic", "fa": "Persian", "ps": "Pashto", "he": "Hebrew",
	"so": "Somali", "ti": "Tigrinya", "am": "Amharic", "sw": "Swahili",
	"ur": "Urdu", "hi": "Hindi", "bn": "Bengali", "pa": "Punjabi",
	"ta": "Tamil", "th": "Thai", "vi": "Vietnamese", "zh": "Chinese",
	"ja": "Japanese", "ko": "Korean", "tl": "Tagalog", "my": "Burmese",
}

// LangName names a language code in the page's language: "Svenska" on a
// Swedish page, "Swedish" on an English one; a code without a name shows
// in upper case.
func (b Base) LangName(code string) string {
	if b.Lang == langEN {
		if n, ok := englishLangNames[code]; ok {
			return n
		}
	}
	return subtitle.LangLabel(code)
}

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
