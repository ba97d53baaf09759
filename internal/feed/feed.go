// Package feed writes the archive's newly published public webinars as
// RSS 2.0 and Atom 1.0, each entry with its recording as an enclosure, so
// members can follow the archive in a feed reader or a podcast app.
package feed

import (
	"encoding/xml"
	"io"
	"net/url"
	"time"

	"github.com/smakom/webinar-portal/internal/webinar"
)

// Channel describes a feed.
type Channel struct {
	Title       string
	Description string
	Language    string // "sv"
	// BaseURL is the portal's public address, "https://arkiv.smakom.se".
	BaseURL string
	// Self is the feed's own path with its query, "/feeds/webinars.rss?topic=Vatten".
	Self string
	// Page is the HTML page the feed mirrors, "/?topic=Vatten".
	Page string
}

func (c Channel) abs(path string) string { return c.BaseURL + path }

// published is when a webinar appeared in the archive.
func published(w *webinar.Webinar) time.Time {
	if w.PublishedAt != nil {
		return w.PublishedAt.UTC()
	}
	return w.CreatedAt.UTC()
}

func watchPath(w *webinar.Webinar) string { return "/webinars/" + url.PathEscape(w.Slug) }

// --- RSS 2.0 ---

type rss struct {
	XMLName xml.Name   `xml:"rss"`
	Version string     `xml:"version,attr"`
	Atom    string     `xml:"xmlns:atom,attr"`
	Channel rssChannel `xml:"channel"`
}

type atomLink struct {
	Href   string `xml:"href,attr"`
	Rel    string `xml:"rel,attr"`
	Type   string `xml:"type,attr,omitempty"`
	Length int64  `xml:"length,attr,omitempty"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	Language      string    `xml:"language"`
	LastBuildDate string    `xml:"lastBuildDate"`
	Self          atomLink  `xml:"atom:link"`
	Items         []rssItem `xml:"item"`
}

type rssItem struct {
	Title       string        `xml:"title"`
	Link        string        `xml:"link"`
	Description string        `xml:"description"`
	GUID        rssGUID       `xml:"guid"`
	PubDate     string        `xml:"pubDate"`
	Categories  []string      `xml:"category"`
	Enclosure   *rssEnclosure `xml:"enclosure"`
}

type rssGUID struct {
	Value       string `xml:",chardata"`
	IsPermaLink bool   `xml:"isPermaLink,attr"`
}

type rssEnclosure struct {
	URL    string `xml:"url,attr"`
	Length int64  `xml:"length,attr"`
	Type   string `xml:"type,attr"`
}

// WriteRSS writes the webinars, newest first, as RSS 2.0.
func WriteRSS(w io.Writer, c Channel, items []*webinar.Webinar, now time.Time) error {
	doc := rss{Version: "2.0", Atom: "http://www.w3.org/2005/Atom", Channel: rssChannel{
		Title: c.Title, Link: c.abs(c.Page), Description: c.Description, Language: c.Language,
		LastBuildDate: lastUpdate(items, now).Format(time.RFC1123Z),
		Self:          atomLink{Href: c.abs(c.Self), Rel: "self", Type: "application/rss+xml"},
	}}
	for _, wb := range items {
		link := c.abs(watchPath(wb))
		it := rssItem{Title: wb.Title, Link: link, Description: wb.Summary, GUID: rssGUID{Value: link, IsPermaLink: true},
			PubDate: published(wb).Format(time.RFC1123Z), Categories: wb.Topics}
		if r := wb.Recording; r != nil {
			it.Enclosure = &rssEnclosure{URL: c.abs(watchPath(wb) + "/recording"), Length: r.Size, Type: r.ContentType}
		}
		doc.Channel.Items = append(doc.Channel.Items, it)
	}
	return encode(w, doc)
}

// --- Atom 1.0 ---

type atomFeed struct {
	XMLName xml.Name    `xml:"feed"`
	NS      string      `xml:"xmlns,attr"`
	Lang    string      `xml:"xml:lang,attr,omitempty"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomPerson  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      string         `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published"`
	Links      []atomLink     `xml:"link"`
	Summary    string         `xml:"summary,omitempty"`
	Categories []atomCategory `xml:"category"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

// WriteAtom writes the webinars, newest first, as Atom 1.0.
func WriteAtom(w io.Writer, c Channel, items []*webinar.Webinar, now time.Time) error {
	doc := atomFeed{NS: "http://www.w3.org/2005/Atom", Lang: c.Language, ID: c.abs(c.Self), Title: c.Title,
		Updated: lastUpdate(items, now).Format(time.RFC3339),
		Links: []atomLink{{Href: c.abs(c.Self), Rel: "self", Type: "application/atom+xml"},
			{Href: c.abs(c.Page), Rel: "alternate", Type: "text/html"}},
		Author: atomPerson{Name: "SmåKom"}}
	for _, wb := range items {
		link := c.abs(watchPath(wb))
		e := atomEntry{ID: link, Title: wb.Title, Published: published(wb).Format(time.RFC3339),
			Updated: wb.UpdatedAt.UTC().Format(time.RFC3339), Summary: wb.Summary,
			Links: []atomLink{{Href: link, Rel: "alternate", Type: "text/html"}}}
		if wb.UpdatedAt.IsZero() {
			e.Updated = e.Published
		}
		if r := wb.Recording; r != nil {
			e.Links = append(e.Links, atomLink{Href: link + "/recording", Rel: "enclosure", Type: r.ContentType, Length: r.Size})
		}
		for _, t := range wb.Topics {
			e.Categories = append(e.Categories, atomCategory{Term: t})
		}
		doc.Entries = append(doc.Entries, e)
	}
	return encode(w, doc)
}

// lastUpdate is the newest change among the items, or now for an empty feed.
func lastUpdate(items []*webinar.Webinar, now time.Time) time.Time {
	var t time.Time
	for _, w := range items {
		for _, c := range []time.Time{published(w), w.UpdatedAt.UTC()} {
			if c.After(t) {
				t = c
			}
		}
	}
	if t.IsZero() {
		return now.UTC()
	}
	return t
}

func encode(w io.Writer, doc any) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
