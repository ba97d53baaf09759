package feed

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/smakom/webinar-portal/internal/webinar"
)

func items() []*webinar.Webinar {
	pub := time.Date(2024, 5, 7, 8, 0, 0, 0, time.UTC)
	return []*webinar.Webinar{
		{Slug: "vatten", Title: "Vatten & avlopp <i små kommuner>", Summary: "Om \"krisen\" i vattenförsörjningen.",
			Topics: []string{"Vatten", "Krisberedskap"}, PublishedAt: &pub, UpdatedAt: pub.Add(time.Hour),
			Recording: &webinar.Recording{Size: 123456789, ContentType: "video/mp4"}},
		{Slug: "utan-inspelning", Title: "Utan inspelning", CreatedAt: pub.Add(-48 * time.Hour)},
	}
}

var channel = Channel{Title: "SmåKoms webbinarier", Description: "Nya webbinarier", Language: "sv",
	BaseURL: "https://arkiv.example.se", Self: "/feeds/webinars.rss?topic=Vatten", Page: "/?topic=Vatten"}

func TestRSSParsesBackWithEveryRequiredElement(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteRSS(&buf, channel, items(), time.Now()); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Version string `xml:"version,attr"`
		Channel struct {
			Title string `xml:"title"`
			Links []struct {
				XMLName xml.Name
				Value   string `xml:",chardata"`
				Href    string `xml:"href,attr"`
				Rel     string `xml:"rel,attr"`
			} `xml:"link"`
			Description   string `xml:"description"`
			Language      string `xml:"language"`
			LastBuildDate string `xml:"lastBuildDate"`
			Items         []struct {
				Title       string   `xml:"title"`
				Link        string   `xml:"link"`
				Description string   `xml:"description"`
				PubDate     string   `xml:"pubDate"`
				GUID        string   `xml:"guid"`
				Categories  []string `xml:"category"`
				Enclosure   *struct {
					URL    string `xml:"url,attr"`
					Length int64  `xml:"length,attr"`
					Type   string `xml:"type,attr"`
				} `xml:"enclosure"`
			} `xml:"item"`
		} `xml:"channel"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("RSS does not parse: %v\n%s", err, buf.String())
	}
	c := got.Channel
	var link, self string
	for _, l := range c.Links {
		switch {
		case l.XMLName.Space == "":
			link = l.Value
		case l.XMLName.Space == "http://www.w3.org/2005/Atom" && l.Rel == "self":
			self = l.Href
		}
	}
	if got.Version != "2.0" || c.Title != channel.Title || link != "https://arkiv.example.se/?topic=Vatten" || c.Description == "" || c.Language != "sv" {
		t.Errorf("channel: %+v", c)
	}
	if self != "https://arkiv.example.se/feeds/webinars.rss?topic=Vatten" {
		t.Errorf("atom:link self %q", self)
	}
	if _, err := time.Parse(time.RFC1123Z, c.LastBuildDate); err != nil {
		t.Errorf("lastBuildDate %q: %v", c.LastBuildDate, err)
	}
	if len(c.Items) != 2 {
		t.Fatalf("%d items", len(c.Items))
	}
	it := c.Items[0]
	if it.Title != "Vatten & avlopp <i små kommuner>" || it.Link != "https://arkiv.example.se/webinars/vatten" || it.GUID != it.Link {
		t.Errorf("item: %+v", it)
	}
	if d, err := time.Parse(time.RFC1123Z, it.PubDate); err != nil || !d.Equal(time.Date(2024, 5, 7, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("pubDate %q: %v", it.PubDate, err)
	}
	if e := it.Enclosure; e == nil || e.URL != "https://arkiv.example.se/webinars/vatten/recording" || e.Length != 123456789 || e.Type != "video/mp4" {
		t.Errorf("enclosure %+v", it.Enclosure)
	}
	if len(it.Categories) != 2 {
		t.Errorf("categories %v", it.Categories)
	}
	if c.Items[1].Enclosure != nil {
		t.Error("a webinar without a recording has an enclosure")
	}
	// Markup in titles is escaped, never raw.
	if strings.Contains(buf.String(), "<i små") {
		t.Error("unescaped markup in the feed")
	}
}

func TestAtomParsesBackWithIDsDatesAndEnclosures(t *testing.T) {
	var buf bytes.Buffer
	ch := channel
	ch.Self = "/feeds/webinars.atom"
	if err := WriteAtom(&buf, ch, items(), time.Now()); err != nil {
		t.Fatal(err)
	}
	type link struct {
		Href   string `xml:"href,attr"`
		Rel    string `xml:"rel,attr"`
		Type   string `xml:"type,attr"`
		Length int64  `xml:"length,attr"`
	}
	var got struct {
		XMLName xml.Name
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Links   []link `xml:"link"`
		Author  struct {
			Name string `xml:"name"`
		} `xml:"author"`
		Entries []struct {
			ID        string `xml:"id"`
			Title     string `xml:"title"`
			Updated   string `xml:"updated"`
			Published string `xml:"published"`
			Summary   string `xml:"summary"`
			Links     []link `xml:"link"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("Atom does not parse: %v\n%s", err, buf.String())
	}
	if got.XMLName.Space != "http://www.w3.org/2005/Atom" || got.XMLName.Local != "feed" {
		t.Errorf("root %v", got.XMLName)
	}
	if got.ID != "https://arkiv.example.se/feeds/webinars.atom" || got.Title == "" || got.Author.Name == "" {
		t.Errorf("feed: %+v", got)
	}
	if u, err := time.Parse(time.RFC3339, got.Updated); err != nil || !u.Equal(time.Date(2024, 5, 7, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("updated %q: %v", got.Updated, err)
	}
	if len(got.Entries) != 2 {
		t.Fatalf("%d entries", len(got.Entries))
	}
	e := got.Entries[0]
	for _, d := range []string{e.Updated, e.Published} {
		if _, err := time.Parse(time.RFC3339, d); err != nil {
			t.Errorf("entry date %q: %v", d, err)
		}
	}
	var enclosure *link
	for i := range e.Links {
		if e.Links[i].Rel == "enclosure" {
			enclosure = &e.Links[i]
		}
	}
	if enclosure == nil || enclosure.Href != "https://arkiv.example.se/webinars/vatten/recording" || enclosure.Length != 123456789 {
		t.Errorf("enclosure link: %+v", e.Links)
	}
	if got.Entries[1].Updated != got.Entries[1].Published {
		t.Errorf("an entry never updated: updated %q, published %q", got.Entries[1].Updated, got.Entries[1].Published)
	}
}

func TestEmptyFeedsAreValid(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteRSS(&buf, channel, nil, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(buf.Bytes(), new(struct{})); err != nil || !strings.Contains(buf.String(), "<lastBuildDate>Thu, 01 Jan 2026") {
		t.Errorf("empty RSS: %v\n%s", err, buf.String())
	}
	buf.Reset()
	if err := WriteAtom(&buf, channel, nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(buf.Bytes(), new(struct{})); err != nil {
		t.Errorf("empty Atom: %v", err)
	}
}
