package demo

import (
	"embed"
	"fmt"
	"time"
)

// Speaker is one person presenting at a webinar.
type Speaker struct{ Name, Role, Organisation string }

// Chapter is a titled moment of a demo clip; Slide is the slide deck page
// shown from then on (0: none).
type Chapter struct {
	Start time.Duration
	Title string
	Slide int
}

// Webinar is one demo archive entry with its media.
type Webinar struct {
	Title, Summary, Description, Organiser string
	Speakers                               []Speaker
	Topics                                 []string
	HeldAt                                 time.Time // date only, UTC midnight
	Language                               string    // "sv"
	Video                                  []byte    // MP4 (H.264 + AAC, faststart)
	VideoDuration                          time.Duration
	Subtitles                              map[string][]byte // lang -> SRT bytes (UTF-8), at least "sv"
	Slides                                 []byte            // PDF
	SlidesFilename                         string
	Poster                                 []byte // JPEG frame of the clip
	Chapters                               []Chapter
	// MembersOnly: visible to logged-in members only, not to visitors.
	MembersOnly bool
}

//go:embed assets/*.mp4 assets/*.srt assets/*.jpg
var assets embed.FS

// entry describes one demo webinar: its metadata, the asset base name of
// its clip and subtitles, and the content of its slide deck.
type entry struct {
	Webinar
	asset     string   // assets/<asset>.mp4, assets/<asset>.<lang>.srt
	subLangs  []string // languages with an SRT file
	deckColor [3]int   // slide accent colour, the clip's background colour
	slides    []slide  // bullet slides between the title and "Tack!" slides
}

func date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// clipDuration is the length of every bundled clip as measured with
// ffprobe (format and both streams report 14.000000 s). The clips are
// fixed assets, so the value is hard-coded rather than probed at run time;
// remeasure it if the clips in assets/ are ever remade with another length.
const clipDuration = 14 * time.Second

func entries() []entry {
	return []entry{
		{
			Webinar: Webinar{
				Title:   "Sveriges nästa potentiella samhällskris – vattenförsörjningen",
				Summary: "Demo: Hur säkrar små kommuner sin vattenförsörjning när klimat, ledningsnät och bemanning sätter press på VA-verksamheten?",
				Description: "Detta är demoinnehåll i webbinariearkivet: klippet, undertexterna och bilderna är exempel som följer med portalen och är inte en inspelning av webbinariet. " +
					"Rent dricksvatten tas ofta för givet, men i många små kommuner är vattenförsörjningen sårbar. " +
					"Ledningsnäten är gamla, reservvattentäkter saknas och VA-verksamheten bärs ofta av ett fåtal medarbetare. " +
					"Torka, översvämningar och föroreningar gör att ett avbrott snabbt kan bli en samhällskris. " +
					"Webbinariet handlade om hur små kommuner kan stärka sin krisberedskap genom planering, samverkan och nödvatten.",
				Organiser: "SmåKom",
				Speakers:  []Speaker{{Name: "Ulf Thysell", Role: "strateg", Organisation: "Svenskt Vatten"}},
				Topics:    []string{"Vatten och avlopp", "Krisberedskap"},
				HeldAt:    date(2024, time.May, 6),
				Language:  "sv",
				// Each chapter starts with the subtitle that opens it and
				// names the slide shown.
				Chapters: []Chapter{
					{0, "Välkommen", 1},
					{4 * time.Second, "Varför är vattnet sårbart?", 2},
					{6 * time.Second, "Små kommuners förutsättningar", 3},
					{10 * time.Second, "Att stärka krisberedskapen", 4},
					{12 * time.Second, "Tack!", 5},
				},
			},
			asset:     "vattenforsorjning",
			subLangs:  []string{"sv", "en"},
			deckColor: [3]int{0x1f, 0x4e, 0x79},
			slides: []slide{
				{"Varför är vattnet sårbart?", []string{
					"Dricksvatten är vårt viktigaste livsmedel",
					"Åldrande ledningsnät och eftersatt förnyelse",
					"Få medarbetare – sårbart vid sjukdom och pensioner",
					"Klimatförändringar: torka, skyfall och översvämningar",
				}},
				{"Små kommuners förutsättningar", []string{
					"Stora ytor och många små vattenverk",
					"Begränsad ekonomi för investeringar",
					"Beroende av enskilda nyckelpersoner",
					"Samverkan över kommungränser ger styrka",
				}},
				{"Att stärka krisberedskapen", []string{
					"Risk- och sårbarhetsanalys för VA",
					"Plan för nödvatten och reservvattentäkter",
					"Övningar tillsammans med räddningstjänsten",
					"Tydlig kommunikation till invånarna vid störningar",
				}},
			},
		},
		{
			Webinar: Webinar{
				Title:   "Kompetensförsörjning i små kommuner 2024",
				Summary: "Demo: Så kan små kommuner rekrytera, behålla och dela kompetens när konkurrensen om arbetskraften hårdnar.",
				Description: "Detta är demoinnehåll i webbinariearkivet: talarna är fiktiva och klippet, undertexterna och bilderna är exempel som följer med portalen. " +
					"De minsta kommunerna ska leverera samma välfärd som de stora, men med färre medarbetare och längre avstånd. " +
					"Många går i pension de närmaste åren samtidigt som det är svårt att rekrytera till skola, vård och omsorg och tekniska yrken. " +
					"Webbinariet tog upp distansarbete, kompetensväxling, samverkan mellan kommuner och hur man blir en attraktiv arbetsgivare på en liten ort.",
				Organiser: "SmåKom",
				Speakers: []Speaker{
					{Name: "Karin Lindqvist", Role: "HR-chef (fiktiv talare, demo)", Organisation: "Norrsjö kommun (fiktiv)"},
					{Name: "Johan Ek", Role: "utredare (fiktiv talare, demo)", Organisation: "SmåKom"},
				},
				Topics:   []string{"Kompetensförsörjning", "Arbetsgivarfrågor"},
				HeldAt:   date(2024, time.October, 17),
				Language: "sv",
			},
			asset:     "kompetensforsorjning",
			subLangs:  []string{"sv"},
			deckColor: [3]int{0x2e, 0x6b, 0x4f},
			slides: []slide{
				{"Utmaningen", []string{
					"Stora pensionsavgångar de närmaste åren",
					"Samma välfärdsuppdrag som större kommuner",
					"Svårrekryterade yrken: lärare, sjuksköterskor, ingenjörer",
				}},
				{"Vägar framåt", []string{
					"Distansarbete och flexibla tjänster",
					"Kompetensväxling och intern utbildning",
					"Delade tjänster mellan grannkommuner",
					"Samarbete med gymnasium, högskola och näringsliv",
				}},
				{"Att vara en attraktiv arbetsgivare", []string{
					"Korta beslutsvägar och stort eget ansvar",
					"Närhet till natur och en trygg vardag",
					"Tydliga karriärvägar även i en liten organisation",
				}},
			},
		},
		{
			Webinar: Webinar{
				Title:   "Digitalisering och e-tjänster i små kommuner",
				Summary: "Demo: Erfarenheter av att införa e-tjänster med små resurser – vad ska man börja med och vem kan man samarbeta med?",
				Description: "Detta är demoinnehåll i webbinariearkivet: talarna är fiktiva och klippet, undertexterna och bilderna är exempel som följer med portalen. " +
					"Invånare och företag förväntar sig att kunna sköta sina ärenden digitalt, oavsett kommunens storlek. " +
					"För en liten förvaltning är det inte möjligt att bygga allt själv. " +
					"Webbinariet handlade om gemensamma plattformar, upphandling i samverkan, informationssäkerhet och hur man väljer de e-tjänster som sparar mest tid för både invånare och personal.",
				Organiser: "SmåKom",
				Speakers: []Speaker{
					{Name: "Sara Åberg", Role: "digitaliseringsstrateg (fiktiv talare, demo)", Organisation: "Västerbyns kommun (fiktiv)"},
				},
				Topics:   []string{"Digitalisering", "E-tjänster"},
				HeldAt:   date(2023, time.March, 15),
				Language: "sv",
			},
			asset:     "e-tjanster",
			subLangs:  []string{"sv"},
			deckColor: [3]int{0x5b, 0x3f, 0x7a},
			slides: []slide{
				{"Utgångsläget", []string{
					"Invånarna förväntar sig service dygnet runt",
					"Små IT-avdelningar med många system",
					"Krav på tillgänglighet och informationssäkerhet",
				}},
				{"Börja här", []string{
					"Kartlägg ärenden med stora volymer",
					"Välj tjänster som sparar tid för både invånare och personal",
					"Återanvänd det som andra kommuner redan byggt",
				}},
				{"Samverkan", []string{
					"Gemensamma plattformar och e-tjänster",
					"Upphandling tillsammans med grannkommuner",
					"Nätverk för att dela erfarenheter",
					"Stöd från SKR, Inera och regionen",
				}},
			},
		},
	}
}

// Webinars returns the demo archive: three public webinars with video,
// subtitles and slides. Each call returns fresh values.
func Webinars() ([]Webinar, error) {
	var out []Webinar
	for _, e := range entries() {
		w, err := build(e)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}

// MembersOnlyTitle is the title of the demo's members-only webinar.
const MembersOnlyTitle = "Medlemsträff: ekonomi och budget i små kommuner"

// MembersOnly returns the demo's one members-only webinar, kept apart
// from Webinars so that the public archive stays three entries. It reuses
// the competence clip and its subtitles, but not its poster (the frame
// shows the other webinar's title): the portal's placeholder shows.
func MembersOnly() (Webinar, error) {
	w, err := build(entry{
		Webinar: Webinar{
			Title:   MembersOnlyTitle,
			Summary: "Demo: En träff bara för medlemmar om budgetarbete, kostnadsutjämning och prioriteringar när skatteunderlaget krymper.",
			Description: "Detta är demoinnehåll i webbinariearkivet: talaren är fiktiv och klippet, undertexterna och bilderna är exempel som följer med portalen; klippet och undertexterna är lånade från ett annat demowebbinarium. " +
				"Webbinariet visas bara för inloggade medlemmar och handlade om hur små kommuner planerar sin ekonomi på flera års sikt.",
			Organiser:   "SmåKom",
			Speakers:    []Speaker{{Name: "Per Holm", Role: "ekonomichef (fiktiv talare, demo)", Organisation: "Ådalens kommun (fiktiv)"}},
			Topics:      []string{"Ekonomi", "Medlemsträff"},
			HeldAt:      date(2025, time.February, 12),
			Language:    "sv",
			MembersOnly: true,
		},
		asset:     "kompetensforsorjning",
		subLangs:  []string{"sv"},
		deckColor: [3]int{0x7a, 0x4a, 0x1f},
		slides: []slide{
			{"Budget i en liten kommun", []string{
				"Krympande skatteunderlag",
				"Kostnadsutjämningen och dess gränser",
				"Prioriteringar på flera års sikt",
			}},
		},
	})
	w.Poster, w.SlidesFilename = nil, "medlemstraff-ekonomi-bilder.pdf"
	return w, err
}

// build reads an entry's media and renders its slides.
func build(e entry) (Webinar, error) {
	w := e.Webinar
	video, err := assets.ReadFile("assets/" + e.asset + ".mp4")
	if err != nil {
		return w, fmt.Errorf("demo: video for %q: %w", w.Title, err)
	}
	w.Video = video
	w.VideoDuration = clipDuration
	if w.Poster, err = assets.ReadFile("assets/" + e.asset + ".jpg"); err != nil {
		return w, fmt.Errorf("demo: poster for %q: %w", w.Title, err)
	}
	w.Subtitles = make(map[string][]byte, len(e.subLangs))
	for _, lang := range e.subLangs {
		srt, err := assets.ReadFile("assets/" + e.asset + "." + lang + ".srt")
		if err != nil {
			return w, fmt.Errorf("demo: %s subtitles for %q: %w", lang, w.Title, err)
		}
		w.Subtitles[lang] = srt
	}
	slides, err := renderSlides(e)
	if err != nil {
		return w, fmt.Errorf("demo: slides for %q: %w", w.Title, err)
	}
	w.Slides = slides
	w.SlidesFilename = e.asset + "-bilder.pdf"
	return w, nil
}
