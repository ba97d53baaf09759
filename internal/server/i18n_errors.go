package server

import (
	"regexp"
	"strings"
)

// English for the messages domain packages give in Swedish. An English
// page first looks for the message itself (englishTexts, then the
// patterns with numbers and names in them), then for its code
// (englishErrors), so a message gets its own translation where there is
// one and a general one for its kind otherwise. TestDomainErrorsHaveEnglish
// reads the sources and fails when a new message or code has no English.
func init() {
	for code, en := range map[string]string{
		"already_merged":     "The suggestion is already merged into another one.",
		"bad_form":           "The form could not be read. Please try again.",
		"conflict":           "Someone else has changed this since you opened it. Reload the page and make the change again.",
		"declined":           "The suggestion has been declined and cannot be supported.",
		"disabled":           "The account is disabled. Enable it first.",
		"empty_file":         "The file is empty.",
		"error":              "Something went wrong.",
		"invalid_json":       "Invalid JSON.",
		"invalid_merge":      "Choose both the duplicate and the suggestion to merge it into.",
		"invalid_offset":     "The shift must be a whole number of milliseconds, for example 1500 or -1500.",
		"invalid_status":     "Unknown status.",
		"invalid_subtitles":  "The subtitle file has an error and was not saved. Check the file or save it again from the subtitling program.",
		"invalid_cues":       "Some cues have errors; nothing was saved.",
		"unknown_charset":    "The subtitle file uses a character encoding that is not supported. Save it as UTF-8.",
		"invalid_target":     "Choose an existing suggestion to merge into.",
		"invalid_token":      "The API key is invalid or revoked.",
		"json_required":      "Send the body as JSON (Content-Type: application/json).",
		"label_too_long":     "The label may have at most 60 characters.",
		"login_required":     "Log in to save where you are in the recording.",
		"no_file":            "Choose a file to upload.",
		"offset_required":    "Give offset_ms: how many milliseconds to move the cues (negative = earlier).",
		"revision_required":  "The form lacks the subtitles’ version. Reload the page and try again.",
		"search_unavailable": "Search is not available right now.",
		"seconds":            "Give the position in seconds within the recording’s length: {\"seconds\": 754.2}.",
		"slug_taken":         "There are already too many webinars with the same title.",
		"too_many_slides":    "A webinar can have at most 20 slide decks.",
		"unknown_kind":       "The type must be subtitles or captions (for the deaf and hard of hearing).",
		"unknown_language":   "Unknown language code: use a two-letter ISO 639-1 code, for example sv or en.",
		"unknown_webinar":    "There is no webinar with that address (slug). Choose one from the list.",
		"upload_incomplete":  "The file did not arrive whole. Please try again.",
		"upload_kind":        "Unknown kind of upload.",
		"wrong_type":         "The file is of the wrong type.",
		// A recording the portal cannot play (internal/probe).
		"not_video":         "The file is neither an MP4 nor a WebM video.",
		"not_webm":          "The file is a Matroska file (MKV), not WebM, and cannot be played in every browser. Save the video as MP4 (H.264) or WebM and upload it again.",
		"no_tracks":         "The WebM file has no tracks and cannot be played. Export the video again and upload it.",
		"no_index":          "The video cannot be played: it lacks its index (moov). This happens when a recording was not finished properly. Export the video again and upload it.",
		"no_media_data":     "The video cannot be played: it has no video data (mdat). Export the video again and upload it.",
		"no_video_track":    "The video cannot be played: it has no video track. Upload a video with a picture, not just sound.",
		"damaged":           "The video cannot be played: its content is damaged. Export the video again and upload it.",
		"truncated":         "The file is incomplete: it ends in the middle of the video. Upload the whole file again.",
		"too_complex":       "The file is too complex to check. Export the video again as a plain MP4 (H.264) or WebM and upload it.",
		"unsupported_codec": "The video is encoded in a way browsers cannot play. Re-encode it as H.264 in MP4 (or VP9 in WebM) and upload it again.",
		// Answers to the resumable upload protocol (tus), read by the
		// upload script or a client, rarely a person.
		"tus_version":        "The upload uses a protocol version the portal does not support.",
		"upload_length":      "Upload-Length is missing or invalid.",
		"checksum":           "Upload-Checksum is invalid.",
		"checksum_algorithm": "The checksum must be sha1 or sha256.",
		"content_type":       "Parts of an upload are sent as application/offset+octet-stream.",
		"upload_offset":      "Upload-Offset is missing, invalid or not where the upload stands.",
		"upload_too_long":    "The part goes past the file size given.",
		"checksum_mismatch":  "The part arrived changed (the checksum does not match). It was not saved; send it again.",
		"upload_busy":        "The upload is already receiving data in another request.",
	} {
		if _, ok := englishErrors[code]; !ok {
			englishErrors[code] = en
		}
	}
	for sv, en := range map[string]string{
		// Not found
		"Webbinariet finns inte.": "The webinar does not exist.",
		"Webbinariet finns inte, eller så har du inte behörighet att se det.":           "The webinar does not exist, or you are not allowed to see it.",
		"Det finns inga undertexter på det språket.":                                    "There are no subtitles in that language.",
		"Presentationen finns inte.":                                                    "The slides do not exist.",
		"Filen finns inte längre.":                                                      "The file no longer exists.",
		"Inspelningen är inte uppladdad ännu.":                                          "The recording has not been uploaded yet.",
		"Webbinariet har inga kapitel.":                                                 "The webinar has no chapters.",
		"Webbinariet kan inte bäddas in.":                                               "The webinar cannot be embedded.",
		"Undertexter finns som .vtt eller .srt.":                                        "Subtitles are available as .vtt or .srt.",
		"Kontot finns inte.":                                                            "The account does not exist.",
		"Önskemålet finns inte.":                                                        "The suggestion does not exist.",
		"Önskemålet finns inte eller är sammanslaget med ett annat.":                    "The suggestion does not exist or is merged into another one.",
		"Uppladdningen finns inte (den kan ha avbrutits eller rensats bort). Börja om.": "The upload does not exist (it may have been cancelled or cleaned away). Start again.",
		// Access
		"Den här sidan är bara för SmåKoms redaktion.":                                                                                "This page is only for SmåKom’s editors.",
		"Bara redaktionen (staff eller admin) får göra detta.":                                                                        "Only the editors (staff or admin) may do this.",
		"Logga in eller skicka en API-nyckel: Authorization: Bearer <token>.":                                                         "Log in or send an API key: Authorization: Bearer <token>.",
		"Authorization måste vara \"Bearer <token>\".":                                                                                "Authorization must be \"Bearer <token>\".",
		"Logga in för att stödja ett önskemål.":                                                                                       "Log in to support a suggestion.",
		"Du kan inte ändra det här kontot: redaktionen hanterar medlemskonton, administratörer alla konton, och ingen sitt eget här.": "You cannot change this account: editors manage member accounts, administrators all accounts, and nobody their own here.",
		// Forms and uploads
		"Förfrågan kunde inte läsas.": "The request could not be read.",
		"Okänd rad.":                  "Unknown row.",
		"Raden kan inte flyttas dit.": "The row cannot be moved there.",
		"Okänd åtgärd.":               "Unknown action.",
		"Formuläret skickades inte som en filuppladdning (multipart/form-data).": "The form was not sent as a file upload (multipart/form-data).",
		"Uppladdningen kunde inte läsas. Försök igen.":                           "The upload could not be read. Please try again.",
		"Välj en fil att ladda upp.":                                             "Choose a file to upload.",
		"Filen kom inte fram helt. Försök igen.":                                 "The file did not arrive whole. Please try again.",
		"Filen är tom.":          "The file is empty.",
		"Undertextfilen är tom.": "The subtitle file is empty.",
		"Uppladdningen avbröts innan hela filen kom fram. Inget sparades; försök igen.":                       "The upload broke off before the whole file arrived. Nothing was saved; please try again.",
		"Inspelningen måste vara en MP4- eller WebM-video.":                                                   "The recording must be an MP4 or WebM video.",
		"Presentationen måste vara en PDF- eller PPTX-fil.":                                                   "The slides must be a PDF or PPTX file.",
		"Affischbilden måste vara en JPEG- eller PNG-bild.":                                                   "The poster image must be a JPEG or PNG image.",
		"Affischbilden måste vara en JPEG-bild.":                                                              "The poster image must be a JPEG image.",
		"Ett webbinarium kan ha högst 20 presentationer.":                                                     "A webinar can have at most 20 slide decks.",
		"Typen måste vara undertexter (subtitles) eller textning för hörselskadade (captions).":               "The type must be subtitles or captions (for the deaf and hard of hearing).",
		"Etiketten får ha högst 60 tecken.":                                                                   "The label may have at most 60 characters.",
		"Okänd uppladdningstyp.":                                                                              "Unknown kind of upload.",
		"Det finns redan för många webbinarier med samma titel.":                                              "There are already too many webinars with the same title.",
		"Webbinariet har ändrats av någon annan sedan du öppnade det. Ladda om sidan och gör ändringen igen.": "Someone else has changed the webinar since you opened it. Reload the page and make the change again.",
		"Förskjutningen måste vara ett heltal i millisekunder, till exempel 1500 eller -1500.":                "The shift must be a whole number of milliseconds, for example 1500 or -1500.",
		"Formuläret saknar undertexternas version. Ladda om sidan och försök igen.":                           "The form lacks the subtitles’ version. Reload the page and try again.",
		"Kontot är avstängt. Aktivera det först.":                                                             "The account is disabled. Enable it first.",
		// Wishes
		"Det finns inget webbinarium med den adressen (slug). Välj ett ur listan.": "There is no webinar with that address (slug). Choose one from the list.",
		"Välj både dubbletten och önskemålet den ska slås ihop med.":               "Choose both the duplicate and the suggestion to merge it into.",
		"Okänd status: välj ny, planerad, genomförd eller avböjd.":                 "Unknown status: choose new, planned, done or declined.",
		"Okänd status.": "Unknown status.",
		"Önskemålet är avböjt och kan inte stödjas.":      "The suggestion has been declined and cannot be supported.",
		"Önskemålet är redan sammanslaget med ett annat.": "The suggestion is already merged into another one.",
		"Välj ett befintligt önskemål att slå ihop med.":  "Choose an existing suggestion to merge into.",
		"Ett önskemål kan inte slås ihop med sig självt.": "A suggestion cannot be merged into itself.",
		// Search, resume, API
		"Sökningen är inte tillgänglig just nu.":                                              "Search is not available right now.",
		"Sökindexet byggs just nu. Försök igen om en stund.":                                  "The search index is being built right now. Please try again in a while.",
		"Logga in för att spara var du är i inspelningen.":                                    "Log in to save where you are in the recording.",
		"Ange positionen i sekunder inom inspelningens längd: {\"seconds\": 754.2}.":          "Give the position in seconds within the recording’s length: {\"seconds\": 754.2}.",
		"Ange offset_ms: hur många millisekunder texterna ska flyttas (negativt = tidigare).": "Give offset_ms: how many milliseconds to move the cues (negative = earlier).",
		"Skicka kroppen som JSON (Content-Type: application/json).":                           "Send the body as JSON (Content-Type: application/json).",
		"Ogiltig JSON: mer data efter värdet.":                                                "Invalid JSON: more data after the value.",
		"API-nyckeln är ogiltig eller återkallad.":                                            "The API key is invalid or revoked.",
		// Webinar fields
		"Ange datumet som ÅÅÅÅ-MM-DD, till exempel 2024-05-06.":                                "Give the date as YYYY-MM-DD, for example 2024-05-06.",
		"Okänd språkkod: använd en tvåbokstavskod enligt ISO 639-1, till exempel sv eller en.": "Unknown language code: use a two-letter ISO 639-1 code, for example sv or en.",
		"Välj utkast, publik, endast medlemmar eller olistad.":                                 "Choose draft, public, members only or unlisted.",
		"Längden måste vara mellan 0 och 86400 sekunder.":                                      "The length must be between 0 and 86400 seconds.",
		// Chapters
		"Kapitlen behöver rättas.":                             "The chapters need correcting.",
		"Skriv tiden som 12:34, 1:02:03 eller antal sekunder.": "Write the time as 12:34, 1:02:03 or a number of seconds.",
		"Ange när kapitlet börjar, till exempel 12:34.":        "Give the time the chapter starts, for example 12:34.",
		"Ge kapitlet en rubrik.":                               "Give the chapter a title.",
		"Rubriken innehåller ogiltiga tecken.":                 "The title contains invalid characters.",
		"Bildnumret ska vara ett heltal från 1, eller tomt.":   "The slide number must be a whole number from 1, or empty.",
		"Några fält behöver rättas.":                           "Some fields need correcting.",
		"Ange en förskjutning skild från 0 ms.":                "Give a shift other than 0 ms.",
		"Filen innehåller inga textrader":                      "The file has no cues",
		// Subtitle files (internal/subtitle ParseError)
		"Filen är tom": "The file is empty",
		"Okänt undertextformat: använd SRT, WebVTT, SSA/ASS, EBU STL eller TTML":                                                                     "Unknown subtitle format: use SRT, WebVTT, SSA/ASS, EBU STL or TTML",
		"Filen är inte en textfil: den är binär eller sparad i en teckenkodning som inte stöds (till exempel UTF-32). Spara undertexterna som UTF-8": "The file is not a text file: it is binary or saved in a character encoding that is not supported (UTF-32, for example). Save the subtitles as UTF-8",
		"Filen är sparad som UTF-32, som inte stöds: spara den som UTF-8":                                                                            "The file is saved as UTF-32, which is not supported: save it as UTF-8",
		"Filen är inte giltig XML":                                                           "The file is not valid XML",
		"EBU STL-filen är ofullständig: den slutar mitt i ett block":                         "The EBU STL file is incomplete: it ends in the middle of a block",
		"EBU STL: ett textblock innehåller styrkoder som inte hör hemma i öppna undertexter": "EBU STL: a text block holds control codes that do not belong in open subtitles",
		"EBU STL: filhuvudet (GSI-blocket) är ogiltigt":                                      "EBU STL: the file header (GSI block) is invalid",
		"EBU STL: teckentabellen stöds inte, använd latin (kod 00)":                          "EBU STL: the character table is not supported; use Latin (code 00)",
		"SSA/ASS: avsnittet [Events] saknar en Format-rad":                                   "SSA/ASS: the [Events] section has no Format line",
		"SSA/ASS: avsnittet [V4+ Styles] saknar en Format-rad":                               "SSA/ASS: the [V4+ Styles] section has no Format line",
		"SSA/ASS: en Dialogue-rad har en ogiltig tidskod":                                    "SSA/ASS: a Dialogue line has an invalid timecode",
		"SSA/ASS: en rad har färre fält än Format-raden anger":                               "SSA/ASS: a line has fewer fields than the Format line gives",
		"SSA/ASS: ogiltig stil i avsnittet [V4+ Styles]":                                     "SSA/ASS: invalid style in the [V4+ Styles] section",
		"SSA/ASS: ogiltigt värde i avsnittet [Script Info]":                                  "SSA/ASS: invalid value in the [Script Info] section",
		"TTML: en text hänvisar till en stil eller region som inte finns":                    "TTML: a cue refers to a style or region that does not exist",
	} {
		englishTexts[sv] = en
	}
}

// englishTexts are English messages by their Swedish text.
var englishTexts = map[string]string{}

// englishPatterns are messages with values in them: %d, %s and %q stand
// for the values, which the English text takes in the same order.
var englishPatterns = compilePatterns([][2]string{
	{"Högst %d tecken (nu %d).", "At most %d characters (now %d)."},
	{"Högst %d tecken (du har skrivit %d).", "At most %d characters (you have typed %d)."},
	{"Talare %d saknar namn.", "Speaker %d has no name."},
	{"Talare %d: högst %d tecken per fält.", "Speaker %d: at most %d characters per field."},
	{"Högst %d talare.", "At most %d speakers."},
	{"Ett ämne får ha högst %d tecken.", "A topic may have at most %d characters."},
	{"Högst %d ämnen.", "At most %d topics."},
	{"Högst %d kapitel (nu %d).", "At most %d chapters (now %d)."},
	{"Tiden %s ligger utanför inspelningen, som är %s lång.", "The time %s is outside the recording, which is %s long."},
	{"Kapitlen ska komma i tidsordning: %s är inte efter föregående kapitel (%s).", "The chapters must be in time order: %s is not after the previous chapter (%s)."},
	{"Fältet %q är för långt.", "The field %q is too long."},
	{"Filen är för stor: högst %s.", "The file is too large: at most %s."},
	{"Okänd språkkod %q: använd en tvåbokstavskod enligt ISO 639-1, till exempel sv eller en.", "Unknown language code %q: use a two-letter ISO 639-1 code, for example sv or en."},
	{"Undertexterna har ändrats av någon annan sedan du öppnade dem (de är nu version %d). Dina ändringar är inte sparade.", "Someone else has changed the subtitles since you opened them (they are now version %d). Your changes are not saved."},
	{"Ogiltig JSON: %s", "Invalid JSON: %s"},
	// Shifting all subtitle times (internal/subtitle), shown on the caption editor page
	{"Förskjutningen %d ms är för stor.", "A shift of %d ms is too large."},
	{"Förskjutningen %d ms skulle ge text %d en negativ starttid (%s blir %s). Texterna kan flyttas högst %d ms bakåt.",
		"A shift of %d ms would give cue %d a negative start time (%s becomes %s). The cues can move back at most %d ms."},
	{"Förskjutningen %d ms skulle flytta text %d förbi inspelningens slut (%s blir %s, inspelningen slutar %s). Texterna kan flyttas högst %d ms framåt.",
		"A shift of %d ms would move cue %d past the end of the recording (%s becomes %s, the recording ends at %s). The cues can move forward at most %d ms."},
	{"Förskjutningen %d ms skulle ge text %d en tid över 99:59:59,999.", "A shift of %d ms would give cue %d a time after 99:59:59,999."},
	{"Fel position: uppladdningen står på byte %d, inte %s.", "Wrong position: the upload stands at byte %d, not %s."},
	// Subtitle files that cannot be read and cues that cannot be saved
	// (internal/subtitle ParseError); an upload shows them after
	// subtitleFilePrefix.
	{"Filen innehåller för många texter: %d (högst %d)", "The file has too many cues: %d (at most %d)"},
	{"Filen kunde inte läsas som %s", "The file could not be read as %s"},
	{"Filen kunde inte läsas som %s: den verkar vara trasig", "The file could not be read as %s: it seems to be damaged"},
	{"Filen är för stor: högst %d MB", "The file is too large: at most %d MB"},
	{"EBU STL: bildfrekvensen %s stöds inte, använd STL25.01 eller STL30.01", "EBU STL: the frame rate %s is not supported; use STL25.01 or STL30.01"},
	{"Okänd teckenkodning %q: använd till exempel utf-8, windows-1252 eller iso-8859-1", "Unknown character encoding %q: use, for example, utf-8, windows-1252 or iso-8859-1"},
	{"TTML: filen anger teckenkodningen %q, som inte stöds. Spara den som UTF-8", "TTML: the file gives the character encoding %q, which is not supported. Save it as UTF-8"},
	{"Rad %d: <p> anger dur men inte end; ange end i stället", "Line %d: <p> gives dur but not end; give end instead"},
	{"Rad %d: <p> saknar attributet %s", "Line %d: <p> lacks the attribute %s"},
	{"Rad %d: elementen är nästlade i fler än %d nivåer", "Line %d: the elements are nested more than %d levels deep"},
	{"Rad %d: filen är inte giltig XML", "Line %d: the file is not valid XML"},
	{"Rad %d: negativ tidskod", "Line %d: negative timecode"},
	{"Rad %d: ofullständig tidskod; är filen avkortad?", "Line %d: incomplete timecode; is the file cut short?"},
	{"Rad %d: ogiltig regiondefinition", "Line %d: invalid region definition"},
	{"Rad %d: ogiltig tidskod", "Line %d: invalid timecode"},
	{"Rad %d: ogiltig tidskod i %s=%q", "Line %d: invalid timecode in %s=%q"},
	{"Rad %d: okänd inställning efter tidskoden", "Line %d: unknown setting after the timecode"},
	{"Rad %d: okänd teckenreferens; XML tillåter bara &amp;, &lt;, &gt;, &quot;, &apos; och numeriska som &#160;",
		"Line %d: unknown character reference; XML allows only &amp;, &lt;, &gt;, &quot;, &apos; and numeric ones such as &#160;"},
	{"Rad %d: raden kunde inte läsas", "Line %d: the line could not be read"},
	{"Rad %d: raden är för lång", "Line %d: the line is too long"},
	{"Rad %d: text nummer %s saknar tidskod; är filen avkortad?", "Line %d: cue number %s has no timecode; is the file cut short?"},
	{"Rad %d: tidskoden hänvisar till en region som inte finns", "Line %d: the timecode refers to a region that does not exist"},
	{"Rad %d: tidskoden saknar sluttid", "Line %d: the timecode has no end time"},
	{"Text %d börjar %s, innan text %d slutar %s; texter får inte överlappa", "Cue %d starts at %s, before cue %d ends at %s; cues may not overlap"},
	{"Text %d slutar %s, efter inspelningens slut %s", "Cue %d ends at %s, after the end of the recording at %s"},
	{"Text %d: en rad är längre än %d tecken %s", "Cue %d: a line is longer than %d characters %s"},
	{"Text %d: sluttiden ligger före starttiden %s", "Cue %d: the end time is before the start time %s"},
	{"Text %d: sluttiden är samma som starttiden %s", "Cue %d: the end time is the same as the start time %s"},
	{"Text %d: starttiden ligger före starttiden för text %d; texterna måste stå i tidsordning %s", "Cue %d: the start time is before that of cue %d; the cues must be in time order %s"},
	{"Text %d: texten är tom %s", "Cue %d: the text is empty %s"},
	{"Text %d: tiden är för stor, högst 99:59:59,999 %s", "Cue %d: the time is too large, at most 99:59:59,999 %s"},
	{"Text %d: tiden är negativ %s", "Cue %d: the time is negative %s"},
})

// subtitleFilePrefix leads a subtitle file's ParseError on upload; the
// rest is translated on its own.
var subtitleFilePrefix = [2]string{"Fel i undertextfilen: ", "Error in the subtitle file: "}

type textPattern struct {
	sv *regexp.Regexp
	en string
}

var verb = regexp.MustCompile(`%[dsq]`)

func compilePatterns(pairs [][2]string) []textPattern {
	out := make([]textPattern, 0, len(pairs))
	for _, p := range pairs {
		var re strings.Builder
		re.WriteString("^")
		last := 0
		for _, loc := range verb.FindAllStringIndex(p[0], -1) {
			re.WriteString(regexp.QuoteMeta(p[0][last:loc[0]]))
			switch p[0][loc[0]+1] {
			case 'd':
				re.WriteString(`(-?\d+)`)
			case 'q':
				re.WriteString(`("(?:[^"\\]|\\.)*")`)
			default:
				re.WriteString(`(.+?)`)
			}
			last = loc[1]
		}
		re.WriteString(regexp.QuoteMeta(p[0][last:]))
		re.WriteString("$")
		out = append(out, textPattern{sv: regexp.MustCompile(re.String()), en: verb.ReplaceAllString(p[1], "%s")})
	}
	return out
}

// englishByText is the English of a Swedish message, if known.
func englishByText(sv string) (string, bool) {
	if rest, ok := strings.CutPrefix(sv, subtitleFilePrefix[0]); ok {
		if en, ok := englishByText(rest); ok {
			return subtitleFilePrefix[1] + en, true
		}
		return "", false
	}
	if en, ok := englishTexts[sv]; ok {
		return en, true
	}
	if en, ok := englishFieldErrors[sv]; ok {
		return en, true
	}
	for _, p := range englishPatterns {
		if m := p.sv.FindStringSubmatch(sv); m != nil {
			args := make([]any, len(m)-1)
			for i, v := range m[1:] {
				args[i] = v
			}
			return sprintfArgs(p.en, args), true
		}
	}
	return "", false
}

// sprintfArgs fills %s verbs in order (the values were matched as text).
func sprintfArgs(format string, args []any) string {
	var b strings.Builder
	i := 0
	for {
		j := strings.Index(format, "%s")
		if j < 0 || i >= len(args) {
			b.WriteString(format)
			return b.String()
		}
		b.WriteString(format[:j])
		b.WriteString(args[i].(string))
		format = format[j+2:]
		i++
	}
}
