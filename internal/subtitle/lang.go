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

// langLabels are Swedish names for the languages a Swedish municipality
// is likely to publish in: the national minority languages with a
// two-letter code, the Nordic languages, and the largest immigrant
// languages.
var langLabels = map[string]string{
	"sv": "Svenska", "en": "Engelska", "fi": "Finska", "se": "Nordsamiska",
	"yi": "Jiddisch", "no": "Norska", "nb": "Norskt bokmål", "nn": "Nynorska",
	"da": "Danska", "is": "Isländska", "fo": "Färöiska", "kl": "Grönländska",
	"et": "Estniska", "lv": "Lettiska", "lt": "Litauiska",
	"de": "Tyska", "fr": "Franska", "es": "Spanska", "it": "Italienska",
	"pt": "Portugisiska", "nl": "Nederländska", "pl": "Polska", "cs": "Tjeckiska",
	"sk": "Slovakiska", "hu": "Ungerska", "ro": "Rumänska", "bg": "Bulgariska",
	"el": "Grekiska", "ru": "Ryska", "uk": "Ukrainska", "be": "Belarusiska",
	"bs": "Bosniska", "hr": "Kroatiska", "sr": "Serbiska", "sl": "Slovenska",
	"mk": "Makedonska", "sq": "Albanska", "tr": "Turkiska", "ku": "Kurdiska",
	"ar": "Arabiska", "fa": "Persiska", "ps": "Pashto", "he": "Hebreiska",
	"so": "Somaliska", "ti": "Tigrinja", "am": "Amhariska", "sw": "Swahili",
	"ur": "Urdu", "hi": "Hindi", "bn": "Bengali", "pa": "Punjabi",
	"ta": "Tamil", "th": "Thailändska", "vi": "Vietnamesiska", "zh": "Kinesiska",
	"ja": "Japanska", "ko": "Koreanska", "tl": "Tagalog", "my": "Burmesiska",
}

// LangLabel returns the Swedish name of a language for menus ("Svenska"),
// or the code in upper case for codes without one.
func LangLabel(code string) string {
	if l, ok := langLabels[code]; ok {
		return l
	}
	return strings.ToUpper(code)
}
