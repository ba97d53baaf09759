package subtitle

import "strings"

// iso6391 is the full ISO 639-1 list (184 two-letter codes, including the
// withdrawn "bh" that older files still carry).
const iso6391 = "" +
	"aa ab ae af ak am an ar as av ay az " +
	"ba be bg bh bi bm bn bo br bs " +
	"ca ce ch co cr cs cu cv cy " +
	"da de dv dz " +
	"ee el en eo es et eu " +
	"fa ff fi fj fo fr fy " +
	"ga gd gl gn gu gv " +
	"ha he hi ho hr ht hu hy hz " +
	"ia id ie ig ii ik io is it iu " +
	"ja jv " +
	"ka kg ki kj kk kl km kn ko kr ks ku kv kw ky " +
	"la lb lg li ln lo lt lu lv " +
	"mg mh mi mk ml mn mr ms mt my " +
	"na nb nd ne ng nl nn no nr nv ny " +
	"oc oj om or os " +
	"pa pi pl ps pt " +
	"qu " +
	"rm rn ro ru rw " +
	"sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw " +
	"ta te tg th ti tk tl tn to tr ts tt tw ty " +
	"ug uk ur uz " +
	"ve vi vo " +
	"wa wo " +
	"xh " +
	"yi yo " +
	"za zh zu"

var langCodes = func() map[string]bool {
	m := make(map[string]bool, 184)
	for _, c := range strings.Fields(iso6391) {
		m[c] = true
	}
	return m
}()

// ValidLang reports whether code is an ISO 639-1 code. Only the canonical
// lower-case form is valid, since the code is part of a track's _id.
func ValidLang(code string) bool {
	return langCodes[code]
}

// langNames are the Swedish and English names of the languages a Swedish
// municipality is likely to publish in: the national minority languages
// with a two-letter code, the Nordic languages, and the largest immigrant
// languages.
var langNames = map[string][2]string{
	"sv": {"Svenska", "Swedish"},
	"en": {"Engelska", "English"},
	"fi": {"Finska", "Finnish"},
	"se": {"Nordsamiska", "Northern Sami"},
	"yi": {"Jiddisch", "Yiddish"},
	"no": {"Norska", "Norwegian"},
	"nb": {"Norskt bokmål", "Norwegian Bokmål"},
	"nn": {"Nynorska", "Norwegian Nynorsk"},
	"da": {"Danska", "Danish"},
	"is": {"Isländska", "Icelandic"},
	"fo": {"Färöiska", "Faroese"},
	"kl": {"Grönländska", "Greenlandic"},
	"et": {"Estniska", "Estonian"},
	"lv": {"Lettiska", "Latvian"},
	"lt": {"Litauiska", "Lithuanian"},
	"de": {"Tyska", "German"},
	"fr": {"Franska", "French"},
	"es": {"Spanska", "Spanish"},
	"it": {"Italienska", "Italian"},
	"pt": {"Portugisiska", "Portuguese"},
	"nl": {"Nederländska", "Dutch"},
	"pl": {"Polska", "Polish"},
	"cs": {"Tjeckiska", "Czech"},
	"sk": {"Slovakiska", "Slovak"},
	"hu": {"Ungerska", "Hungarian"},
	"ro": {"Rumänska", "Romanian"},
	"bg": {"Bulgariska", "Bulgarian"},
	"el": {"Grekiska", "Greek"},
	"ru": {"Ryska", "Russian"},
	"uk": {"Ukrainska", "Ukrainian"},
	"be": {"Belarusiska", "Belarusian"},
	"bs": {"Bosniska", "Bosnian"},
	"hr": {"Kroatiska", "Croatian"},
	"sr": {"Serbiska", "Serbian"},
	"sl": {"Slovenska", "Slovenian"},
	"mk": {"Makedonska", "Macedonian"},
	"sq": {"Albanska", "Albanian"},
	"tr": {"Turkiska", "Turkish"},
	"ku": {"Kurdiska", "Kurdish"},
	"ar": {"Arabiska", "Arabic"},
	"fa": {"Persiska", "Persian"},
	"ps": {"Pashto", "Pashto"},
	"he": {"Hebreiska", "Hebrew"},
	"so": {"Somaliska", "Somali"},
	"ti": {"Tigrinja", "Tigrinya"},
	"am": {"Amhariska", "Amharic"},
	"sw": {"Swahili", "Swahili"},
	"ur": {"Urdu", "Urdu"},
	"hi": {"Hindi", "Hindi"},
	"bn": {"Bengali", "Bengali"},
	"pa": {"Punjabi", "Punjabi"},
	"ta": {"Tamil", "Tamil"},
	"th": {"Thailändska", "Thai"},
	"vi": {"Vietnamesiska", "Vietnamese"},
	"zh": {"Kinesiska", "Chinese"},
	"ja": {"Japanska", "Japanese"},
	"ko": {"Koreanska", "Korean"},
	"tl": {"Tagalog", "Tagalog"},
	"my": {"Burmesiska", "Burmese"},
}

// LangLabel returns the Swedish name of a language for menus ("Svenska"),
// or the code in upper case for codes without one.
func LangLabel(code string) string {
	return LangNameIn(code, "sv")
}

// LangNameIn names a language in Swedish ("sv") or English (any other
// lang), or gives the code in upper case for codes without a name.
func LangNameIn(code, lang string) string {
	n, ok := langNames[code]
	switch {
	case !ok:
		return strings.ToUpper(code)
	case lang == "sv":
		return n[0]
	default:
		return n[1]
	}
}
