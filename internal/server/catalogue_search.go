package server

import (
	"html"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/smakom/webinar-portal/internal/search"
)

// Template helpers and messages for catalogue search.
func init() {
	for k, m := range map[string]message{
		"catalogue.moments":        {"Sagt i inspelningen", "Said in the recording"},
		"catalogue.refine":         {"Avgränsa träffarna", "Refine the results"},
		"catalogue.sort":           {"Ordning", "Order"},
		"catalogue.sort_relevance": {"Bäst träff först", "Best match first"},
		"catalogue.sort_newest":    {"Nyast först", "Newest first"},
		"catalogue.sort_oldest":    {"Äldst först", "Oldest first"},
		"catalogue.sort_title":     {"Titel A–Ö", "Title A–Z"},
		"catalogue.organiser":      {"Arrangör", "Organiser"},
		"catalogue.subtitles":      {"Undertexter", "Subtitles"},
		"catalogue.language":       {"Språk i undertexterna", "Subtitle language"},
		"catalogue.with_subs":      {"Med undertexter", "With subtitles"},
		"catalogue.without_subs":   {"Utan undertexter", "Without subtitles"},
		"catalogue.remove_filter":  {"ta bort", "remove"},
		"catalogue.hits":           {"träffar", "results"},
	} {
		messages[k] = m
	}
}

// facetGroup is one facet of a search: its heading, and its values with
// their counts as list items (see facetItems).
type facetGroup struct {
	Heading string
	Items   template.HTML
}

type facetValue struct {
	Label    string
	Count    int
	Selected bool
	URL      string // applies the value, or removes it when selected
}

// facetItems writes a facet's values as list items of links; a selected
// value links to the search without it. Written here rather than in the
// template for the same reason as MomentsHTML; every text is escaped.
func facetItems(values []facetValue, remove string, num func(any) string) template.HTML {
	var b strings.Builder
	for _, v := range values {
		b.WriteString(`<li><a href="`)
		b.WriteString(escapeText(v.URL))
		if v.Selected {
			b.WriteString(`" aria-current="true"><strong>`)
			b.WriteString(escapeText(v.Label))
			b.WriteString("</strong> (")
			b.WriteString(num(v.Count))
			b.WriteString(") – ")
			b.WriteString(escapeText(remove))
		} else {
			b.WriteString(`">`)
			b.WriteString(escapeText(v.Label))
			b.WriteString(" (")
			b.WriteString(num(v.Count))
			b.WriteString(")")
		}
		b.WriteString("</a></li>\n")
	}
	return template.HTML(b.String())
}

// catalogueFacets turns the index's facet counts into links that narrow the
// search (or widen it again), in the page's language.
func catalogueFacets(p cataloguePage, res *search.Result) []facetGroup {
	t := func(key string) string { return translate(p.Lang, key) }
	groups := []struct {
		facet, param, heading, current string
		label                          func(string) string
	}{
		{"topic", "topic", t("catalogue.topic"), p.Topic, nil},
		{"year", "year", t("catalogue.year"), yearString(p.Year), nil},
		{"org", "organiser", t("catalogue.organiser"), p.Organiser, nil},
		{"subtitled", "subtitled", t("catalogue.subtitles"), p.Subtitled, func(v string) string {
			if v == "ja" {
				return t("catalogue.with_subs")
			}
			return t("catalogue.without_subs")
		}},
		{"lang", trackParam, t("catalogue.language"), p.Track, Base{Lang: p.Lang}.LangName},
	}
	var out []facetGroup
	for _, g := range groups {
		counts := res.Facets[g.facet]
		if len(counts) == 0 {
			continue
		}
		var values []facetValue
		with := p.withValues(g.param)
		for _, c := range counts {
			v := facetValue{Label: c.Value, Count: c.Count, Selected: c.Value == g.current}
			if g.label != nil {
				v.Label = g.label(c.Value)
			}
			if v.Selected {
				v.URL = with("")
			} else {
				v.URL = with(c.Value)
			}
			values = append(values, v)
		}
		out = append(out, facetGroup{Heading: g.heading, Items: facetItems(values, t("catalogue.remove_filter"), Base{Lang: p.Lang}.Num)})
	}
	return out
}

func yearString(y int) string {
	if y == 0 {
		return ""
	}
	return strconv.Itoa(y)
}

// MomentsHTML writes a hit's transcript moments as list items, each a link
// to its second in the recording (rounded down, so playback starts just
// before the words) with the matched words marked. They are written here
// rather than in the template: a page has up to 36 moments, each cut into
// pieces, and executing the template for them cost as much as the search.
// Every text is escaped.
func (p cataloguePage) MomentsHTML(slug string, moments []search.Moment) template.HTML {
	var b strings.Builder
	for _, m := range moments {
		second := m.StartMS / 1000
		b.WriteString("<li")
		b.WriteString(string(p.LangAttr(m.Lang)))
		b.WriteString(`><a href="/webinars/`)
		b.WriteString(escapeText(url.PathEscape(slug)))
		b.WriteString("?t=")
		b.WriteString(strconv.FormatInt(second, 10))
		b.WriteString(`"><span class="moment-time">`)
		b.WriteString(clock(time.Duration(second) * time.Second))
		b.WriteString("</span> – ")
		for _, piece := range m.Pieces {
			if piece.Match {
				b.WriteString("<mark>")
				b.WriteString(escapeText(piece.Text))
				b.WriteString("</mark>")
			} else {
				b.WriteString(escapeText(piece.Text))
			}
		}
		b.WriteString("</a></li>")
	}
	return template.HTML(b.String())
}

// escapeText escapes text for HTML as html/template does (NUL too).
func escapeText(s string) string {
	return strings.ReplaceAll(html.EscapeString(s), "\x00", "\uFFFD")
}
