package synth

// Vocabulary of the synthetic transcripts: words a municipal webinar uses,
// in several inflected forms so that stemming has work to do.
var commonWords = []string{
	"och", "att", "det", "som", "en", "på", "är", "av", "för", "med", "till", "den", "har", "de", "inte",
	"om", "ett", "men", "vi", "kan", "så", "här", "nu", "också", "mycket", "bara", "ska", "måste", "när",
	"kommun", "kommunen", "kommuner", "kommunerna", "kommunens", "region", "regionen", "staten", "invånare",
	"invånarna", "politiker", "politikerna", "förvaltning", "förvaltningen", "budget", "budgeten", "ekonomi",
	"ekonomin", "investering", "investeringar", "investeringarna", "ansvar", "ansvaret", "samverkan",
	"samarbete", "samarbetet", "planering", "planeringen", "beslut", "beslutet", "fråga", "frågan", "frågor",
	"arbete", "arbetet", "personal", "personalen", "kompetens", "kompetensen", "rekrytering", "skola",
	"skolan", "skolor", "äldreomsorg", "äldreomsorgen", "vård", "vården", "bostäder", "bostad", "byggande",
	"vatten", "vattnet", "avlopp", "avloppet", "ledningsnät", "ledningsnätet", "vattenverk", "vattenverket",
	"dricksvatten", "dricksvattnet", "reningsverk", "reningsverket", "vattenförsörjning", "vattenförsörjningen",
	"krisberedskap", "krisberedskapen", "räddningstjänst", "räddningstjänsten", "klimat", "klimatet",
	"klimatanpassning", "översvämning", "översvämningar", "torka", "torkan", "energi", "energin", "el",
	"elnätet", "vägar", "vägarna", "kollektivtrafik", "kollektivtrafiken", "digitalisering", "digitaliseringen",
	"näringsliv", "näringslivet", "företag", "företagen", "landsbygd", "landsbygden", "glesbygd", "glesbygden",
	"befolkning", "befolkningen", "demografi", "framtid", "framtiden", "utmaning", "utmaningar", "utmaningarna",
	"lösning", "lösningar", "exempel", "erfarenhet", "erfarenheter", "resultat", "kostnad", "kostnader",
	"kostnaderna", "finansiering", "finansieringen", "statsbidrag", "taxa", "taxan", "taxor", "avgift",
	"avgifter", "underhåll", "underhållet", "förnyelse", "förnyelsetakt", "anläggning", "anläggningar",
	"viktig", "viktigt", "viktiga", "stor", "stort", "stora", "liten", "litet", "små", "ny", "nytt", "nya",
	"gammal", "gamla", "svår", "svårt", "svåra", "bra", "bättre", "bäst", "långsiktig", "långsiktigt",
	"gemensam", "gemensamt", "gemensamma", "lokal", "lokala", "nationell", "nationella", "hållbar", "hållbart",
	"behöver", "behövs", "vill", "ser", "tror", "tycker", "menar", "visar", "gör", "göra", "får", "fick",
	"arbetar", "jobbar", "planerar", "investerar", "samverkar", "prioriterar", "ökar", "minskar", "växer",
}

// rareWords appear in few webinars: queries for them must find few hits.
var rareWords = []string{
	"grundvattentäkt", "reservvatten", "legionella", "slamhantering", "nödvattenförsörjning", "kretsloppsplan",
	"dagvattenstrategi", "ledningsförnyelse", "vattenskyddsområde", "bräddning", "fjärrvärmeverk",
	"skogsbrand", "dammsäkerhet", "ransonering", "bredbandsutbyggnad", "solcellspark", "vindkraftsetablering",
}

var organisers = []string{"SmåKom", "Svenskt Vatten", "SKR", "Länsstyrelsen", "MSB", "Energimyndigheten", "Boverket"}

var topics = []string{"Vatten och avlopp", "Krisberedskap", "Ekonomi", "Kompetensförsörjning", "Klimat",
	"Digitalisering", "Samhällsbyggnad", "Skola", "Äldreomsorg", "Energi"}

var firstNames = []string{"Ulf", "Anna", "Karin", "Erik", "Maria", "Johan", "Lena", "Per", "Sara", "Lars"}
var lastNames = []string{"Thysell", "Andersson", "Lindqvist", "Nilsson", "Berg", "Holm", "Ek", "Sjöberg", "Åström", "Öberg"}
