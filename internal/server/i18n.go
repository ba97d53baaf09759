package server

import (
	"fmt"
	"html/template"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/webinar"
)

// Every page is in Swedish first and English second; staff pages follow
// the same choice as public ones (i18n_staff.go holds their texts). The catalogue is small, so it is a Go map rather than a
// message-file library; i18n_test.go checks that every key the templates
// use exists in both languages.

const (
	langSV     = "sv"
	langEN     = "en"
	langCookie = "portal_lang"
	langParam  = "lang"
)

type message struct{ sv, en string }

var messages = map[string]message{
	// Layout
	"site.name":             {"SmåKoms webbinariearkiv", "SmåKom webinar archive"},
	"site.brand":            {"webbinariearkiv", "webinar archive"},
	"layout.skip":           {"Hoppa till innehållet", "Skip to content"},
	"nav.label":             {"Huvudmeny", "Main menu"},
	"nav.catalogue":         {"Webbinarier", "Webinars"},
	"nav.wish":              {"Önska ett webbinarium", "Suggest a webinar"},
	"nav.staff":             {"Redaktion", "Editorial"},
	"account.logged_in_as":  {"Inloggad som", "Logged in as"},
	"account.logout":        {"Logga ut", "Log out"},
	"account.login":         {"Logga in", "Log in"},
	"lang.switch":           {"In English", "På svenska"},
	"footer.about":          {"SmåKom – Sveriges små kommuners samverkan. Alla inspelningar har undertexter när de finns.", "SmåKom – the cooperation of Sweden’s small municipalities. All recordings have subtitles where available."},
	"footer.wish":           {"Saknar du ett ämne? Skicka ett önskemål.", "Missing a topic? Send us a suggestion."},
	"flash.logged_out":      {"Du är utloggad.", "You are logged out."},
	"form.errors_heading":   {"Formuläret behöver rättas", "The form needs correcting"},
	"form.required":         {"(obligatoriskt)", "(required)"},
	"quote.open":            {"”", "“"},
	"quote.close":           {"”", "”"},
	"visibility.draft":      {"Utkast", "Draft"},
	"visibility.public":     {"Publik", "Public"},
	"visibility.members":    {"Endast medlemmar", "Members only"},
	"visibility.unlisted":   {"Olistad (endast med länk)", "Unlisted (link only)"},
	"catalogue.title":       {"Webbinarier", "Webinars"},
	"catalogue.title_page":  {"Webbinarier, sida %d", "Webinars, page %d"},
	"catalogue.heading":     {"Webbinarier", "Webinars"},
	"catalogue.lead":        {"Se SmåKoms webbinarier i efterhand, med undertexter och presentationer.", "Watch SmåKom’s webinars afterwards, with subtitles and slides."},
	"catalogue.filters":     {"Filtrera webbinarier", "Filter webinars"},
	"catalogue.search":      {"Sök", "Search"},
	"catalogue.topic":       {"Ämne", "Topic"},
	"catalogue.all_topics":  {"Alla ämnen", "All topics"},
	"catalogue.year":        {"År", "Year"},
	"catalogue.all_years":   {"Alla år", "All years"},
	"catalogue.show":        {"Visa", "Show"},
	"catalogue.count_one":   {"webbinarium", "webinar"},
	"catalogue.count_other": {"webbinarier", "webinars"},
	"catalogue.length":      {"Längd", "Length"},
	"catalogue.subtitled":   {"Textad", "Subtitled"},
	"catalogue.has_subs":    {"Har undertexter", "Has subtitles"},
	"catalogue.members":     {"Medlemmar", "Members"},
	"catalogue.none":        {"Inga webbinarier matchar ditt urval.", "No webinars match your selection."},
	"catalogue.show_all":    {"Visa alla", "Show all"},
	"pagination.label":      {"Sidor", "Pages"},
	"pagination.prev":       {"Föregående", "Previous"},
	"pagination.next":       {"Nästa", "Next"},
	"pagination.page_of":    {"Sida %d av %d", "Page %d of %d"},
	"watch.demo":            {"Demoinnehåll: det här webbinariet finns med för att visa hur arkivet fungerar.", "Demo content: this webinar is here to show how the archive works."},
	"watch.no_video":        {"Din webbläsare kan inte spela upp videon.", "Your browser cannot play the video."},
	"watch.download_video":  {"Ladda ner inspelningen", "Download the recording"},
	"watch.not_uploaded":    {"Inspelningen är inte uppladdad ännu.", "The recording has not been uploaded yet."},
	"watch.date":            {"Datum", "Date"},
	"watch.organiser":       {"Arrangör", "Organiser"},
	"watch.length":          {"Längd", "Length"},
	"watch.topics":          {"Ämnen", "Topics"},
	"watch.speakers":        {"Talare", "Speakers"},
	"watch.about":           {"Om webbinariet", "About the webinar"},
	"watch.slides":          {"Presentation", "Slides"},
	"watch.download":        {"Ladda ner", "Download"},
	"watch.show_pdf":        {"Visa presentationen här", "Show the slides here"},
	"watch.pdf_label":       {"Presentationen som PDF", "The slides as PDF"},
	"watch.pdf_fallback":    {"Presentationen kan inte visas här.", "The slides cannot be shown here."},
	"watch.open_pdf":        {"Öppna PDF-filen", "Open the PDF file"},
	"watch.subtitles":       {"Undertexter", "Subtitles"},
	"wish.title":            {"Önska ett webbinarium", "Suggest a webinar"},
	"wish.title_invalid":    {"Rätta formuläret – Önska ett webbinarium", "Correct the form – Suggest a webinar"},
	"wish.heading":          {"Önska ett webbinarium", "Suggest a webinar"},
	"wish.lead":             {"Vilket ämne vill du att SmåKom ordnar ett webbinarium om? Vi läser alla önskemål.", "Which topic would you like SmåKom to hold a webinar on? We read every suggestion."},
	"wish.topic":            {"Ämne", "Topic"},
	"wish.topic_hint":       {"Högst 200 tecken.", "At most 200 characters."},
	"wish.details":          {"Beskriv gärna mer", "Tell us more if you like"},
	"wish.details_short":    {"Beskrivning", "Description"},
	"wish.details_hint":     {"Högst 4 000 tecken.", "At most 4,000 characters."},
	"wish.name":             {"Ditt namn", "Your name"},
	"wish.email":            {"E-post", "Email"},
	"wish.email_hint":       {"Frivilligt. Bara om du vill att vi hör av oss.", "Optional. Only if you would like us to get back to you."},
	"wish.municipality":     {"Kommun", "Municipality"},
	"wish.honeypot":         {"Lämna detta fält tomt", "Leave this field empty"},
	"wish.submit":           {"Skicka önskemål", "Send suggestion"},
	"thanks.title_short":    {"Tack!", "Thank you!"},
	"thanks.title":          {"Tack för ditt önskemål", "Thank you for your suggestion"},
	"thanks.heading":        {"Tack för ditt önskemål!", "Thank you for your suggestion!"},
	"thanks.received":       {"Vi har tagit emot ditt förslag", "We have received your suggestion"},
	"thanks.review":         {"Redaktionen går igenom alla önskemål när nästa termins webbinarier planeras.", "The editorial team goes through every suggestion when next term’s webinars are planned."},
	"thanks.back":           {"Tillbaka till webbinarierna", "Back to the webinars"},
	"thanks.another":        {"Skicka ett önskemål till", "Send another suggestion"},
	"login.title":           {"Logga in", "Log in"},
	"login.heading":         {"Logga in", "Log in"},
	"login.email":           {"E-post", "Email"},
	"login.password":        {"Lösenord", "Password"},
	"login.submit":          {"Logga in", "Log in"},
	"login.hint":            {"Konton skapas av administratören. Medlemmar som loggar in ser även webbinarier som bara är för medlemmar.", "Accounts are created by the administrator. Members who log in also see webinars that are for members only."},
	"login.bad_credentials": {"Fel e-postadress eller lösenord.", "Wrong email address or password."},
	"error.heading":         {"Något gick fel", "Something went wrong"},
	"error.not_found":       {"Sidan finns inte", "Page not found"},
	"error.forbidden":       {"Åtkomst nekad", "Access denied"},
	"error.home":            {"Till startsidan", "Go to the start page"},
}

// translate looks a key up; a missing key shows as itself so that it is
// noticed (and TestTemplateKeysExist fails).
func translate(lang, key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	if lang == langEN && m.en != "" {
		return m.en
	}
	return m.sv
}

// T is the page text for key in the page's language.
func (b Base) T(key string) string { return translate(b.Lang, key) }

// Tf is T with fmt.Sprintf arguments; the template escapes the result.
func (b Base) Tf(key string, args ...any) string { return fmt.Sprintf(b.T(key), args...) }

// uiLang lets render set Content-Language from any page struct.
func (b Base) uiLang() string { return b.Lang }

var englishMonths = [...]string{"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"}

// Date is "6 maj 2024" or "6 May 2024".
func (b Base) Date(t time.Time) string {
	if b.Lang == langEN {
		return fmt.Sprintf("%d %s %d", t.Day(), englishMonths[t.Month()-1], t.Year())
	}
	return fmt.Sprintf("%d %s %d", t.Day(), swedishMonths[t.Month()-1], t.Year())
}

// Duration reads well to a screen reader: "1 tim 5 min" or "1 h 5 min".
func (b Base) Duration(d time.Duration) string {
	if b.Lang != langEN {
		return spokenDuration(d)
	}
	return spokenDurationIn(d, "h")
}

// Bytes is a file size: "1,5 MB" or "1.5 MB".
func (b Base) Bytes(n int64) string {
	s := webinar.HumanBytes(n)
	if b.Lang != langEN {
		return s
	}
	if strings.HasSuffix(s, " byte") && n != 1 {
		return s + "s"
	}
	return strings.Replace(s, ",", ".", 1)
}

// Num writes a count with thousands grouped the page's way: "1 000" in
// Swedish (a no-break space, U+00A0, so the number never wraps) and
// "1,000" in English. It takes any integer type, as templates pass them.
func (b Base) Num(v any) string {
	var n int64
	switch x := v.(type) {
	case int:
		n = int64(x)
	case int64:
		n = x
	case int32:
		n = int64(x)
	case uint:
		n = int64(x)
	case uint64:
		n = int64(x)
	default:
		return fmt.Sprint(v)
	}
	sep := "\u00a0"
	if b.Lang == langEN {
		sep = ","
	}
	return groupDigits(n, sep)
}

// groupDigits writes n with sep between groups of three digits.
func groupDigits(n int64, sep string) string {
	digits := strconv.FormatInt(n, 10)
	sign := ""
	if n < 0 {
		sign, digits = "-", digits[1:]
	}
	if len(digits) <= 3 {
		return sign + digits
	}
	var b strings.Builder
	b.WriteString(sign)
	head := len(digits) % 3
	if head > 0 {
		b.WriteString(digits[:head])
	}
	for i := head; i < len(digits); i += 3 {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}

// VisibilityLabel names a visibility in the page's language.
func (b Base) VisibilityLabel(v webinar.Visibility) string {
	if b.Lang != langEN {
		return v.Label()
	}
	if _, ok := messages["visibility."+string(v)]; ok {
		return b.T("visibility." + string(v))
	}
	return v.Label()
}

var langTag = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$`)

// LangAttr is ` lang="xx"` for content in another language than the page
// (WCAG 3.1.2, language of parts), else nothing.
func (b Base) LangAttr(contentLang string) template.HTMLAttr {
	if contentLang == "" || contentLang == b.Lang || !langTag.MatchString(contentLang) {
		return ""
	}
	return template.HTMLAttr(` lang="` + contentLang + `"`)
}

func supportedLang(v string) bool { return v == langSV || v == langEN }

// staffPath is the editorial part of the site.
func staffPath(p string) bool { return p == "/staff" || strings.HasPrefix(p, "/staff/") }

// pageLang is the language a page is shown in: ?lang= (remembered in a
// cookie), else the cookie, else Swedish. Accept-Language is ignored on
// purpose: the site is Swedish first.
func (s *Server) pageLang(c *fiber.Ctx) string {
	if v := c.Query(langParam); supportedLang(v) {
		s.setCookie(c, langCookie, v, 365*24*time.Hour)
		return v
	}
	if v := c.Cookies(langCookie); supportedLang(v) {
		return v
	}
	return langSV
}

// formPages are where a language switch on a POSTed form page leads: the
// GET page of the same form.
var formPages = map[string]string{"/wishes": "/wishes/new", "/login": "/login"}

// langSwitchURL is the current page in the other language: same path and
// query, with lang replaced.
func langSwitchURL(c *fiber.Ctx, to string) string {
	// c.Path() is the path as sent, still percent-encoded.
	path, err := url.PathUnescape(c.Path())
	if err != nil {
		path = "/"
	}
	path, query := safeNext(path), ""
	if m := c.Method(); m != fiber.MethodGet && m != fiber.MethodHead {
		if p, ok := formPages[c.Path()]; ok {
			path = p
		} else if staffPath(path) {
			path = staffFormPage(path)
		} else {
			path = "/"
		}
	} else {
		var parts []string
		c.Request().URI().QueryArgs().VisitAll(func(k, v []byte) {
			if string(k) != langParam {
				parts = append(parts, url.QueryEscape(string(k))+"="+url.QueryEscape(string(v)))
			}
		})
		query = strings.Join(parts, "&")
	}
	if query != "" {
		query += "&"
	}
	return (&url.URL{Path: path}).EscapedPath() + "?" + query + langParam + "=" + to
}

// catalogueTitle translates the <title> catalogue.go passes in Swedish.
func catalogueTitle(lang, title string) string {
	if title == translate(langSV, "catalogue.title") {
		return translate(lang, "catalogue.title")
	}
	var n int
	if _, err := fmt.Sscanf(title, translate(langSV, "catalogue.title_page"), &n); err == nil &&
		title == fmt.Sprintf(translate(langSV, "catalogue.title_page"), n) {
		return fmt.Sprintf(translate(lang, "catalogue.title_page"), n)
	}
	return title
}

// Domain packages give Swedish messages. English pages map the known ones;
// anything else is shown in Swedish, marked lang="sv".

var englishFieldErrors = map[string]string{
	"Fältet måste fyllas i.":             "This field is required.",
	"Texten innehåller ogiltiga tecken.": "The text contains invalid characters.",
	"Ange en giltig e-postadress, till exempel namn@kommun.se, eller lämna fältet tomt.": "Enter a valid email address, for example name@example.com, or leave the field empty.",
}

const (
	svTooLong = "Högst %d tecken (du har skrivit %d)."
	enTooLong = "At most %d characters (you have typed %d)."
)

// fieldErrorText is a form field's message in lang, and whether it could be
// translated.
func fieldErrorText(lang, sv string) (string, bool) {
	if lang != langEN {
		return sv, true
	}
	if en, ok := englishFieldErrors[sv]; ok {
		return en, true
	}
	var max, n int
	if _, err := fmt.Sscanf(sv, svTooLong, &max, &n); err == nil && sv == fmt.Sprintf(svTooLong, max, n) {
		return fmt.Sprintf(enTooLong, max, n), true
	}
	if en, ok := englishByText(sv); ok {
		return en, true
	}
	return sv, false
}

// englishErrors are the error page messages by apperr code.
var englishErrors = map[string]string{
	"not_found":          "The page does not exist, or you are not allowed to see it. Check the address.",
	"forbidden":          "You are not allowed to see this page.",
	"csrf":               "The form has expired or lacks its security code. Reload the page and try again.",
	"rate_limited":       "Too many requests in a short time. Wait a while and try again.",
	"too_large":          "The request is too large.",
	"internal":           "Something went wrong on our side. Please try again in a while.",
	"method_not_allowed": "That method is not supported here.",
	"bad_request":        "Bad request.",
	"bad_body":           "The request could not be read.",
	"unauthorized":       "You need to log in.",
	"invalid_input":      "Some fields need correcting.",
}

// errorText is an error page's message in lang and the language it ended
// up in.
func errorText(lang, code, sv string) (text, textLang string) {
	if lang == langEN {
		// A 404 reads the same whatever was asked for; other messages
		// get their own English where there is one (i18n_errors.go).
		if en, ok := englishByText(sv); ok && code != "not_found" {
			return en, langEN
		}
		if en, ok := englishErrors[code]; ok {
			return en, langEN
		}
	}
	return sv, langSV
}
