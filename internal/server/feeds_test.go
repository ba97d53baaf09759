package server

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

func TestFeedsListOnlyPublicWebinarsWithEnclosures(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	public := api.createWebinar("Vatten i glesbygd", "public")
	clip := fakeMP4(4096)
	expectStatus(t, api.put("/api/v1/webinars/"+public+"/recording", bytes.NewReader(clip), int64(len(clip))), http.StatusOK)
	hidden := []string{api.createWebinar("Medlemsträff", "members"), api.createWebinar("Utkastet", "draft"),
		api.createWebinar("Olistat", "unlisted")}

	anon := p.anonymous()
	r := anon.get("/feeds/webinars.rss")
	expectStatus(t, r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/rss+xml") {
		t.Errorf("Content-Type %q", ct)
	}
	var rss struct {
		Channel struct {
			Items []struct {
				Link      string `xml:"link"`
				Enclosure struct {
					URL    string `xml:"url,attr"`
					Length string `xml:"length,attr"`
					Type   string `xml:"type,attr"`
				} `xml:"enclosure"`
			} `xml:"item"`
		} `xml:"channel"`
	}
	if err := xml.Unmarshal(r.Body, &rss); err != nil {
		t.Fatalf("RSS: %v\n%s", err, r.Body)
	}
	if len(rss.Channel.Items) != 1 || !strings.HasSuffix(rss.Channel.Items[0].Link, "/webinars/"+public) {
		t.Fatalf("items: %+v", rss.Channel.Items)
	}
	enc := rss.Channel.Items[0].Enclosure
	if !strings.HasSuffix(enc.URL, "/webinars/"+public+"/recording") || enc.Length != strconv.Itoa(len(clip)) || enc.Type != "video/mp4" {
		t.Errorf("enclosure %+v", enc)
	}
	// The enclosure really is the recording.
	if rec := anon.get("/webinars/" + public + "/recording"); rec.StatusCode != http.StatusOK || len(rec.Body) != len(clip) {
		t.Errorf("enclosure URL answers %d with %d bytes", rec.StatusCode, len(rec.Body))
	}
	for _, slug := range hidden {
		if bytes.Contains(r.Body, []byte(slug)) {
			t.Errorf("the feed shows %s", slug)
		}
	}

	r = anon.get("/feeds/webinars.atom?topic=Vatten")
	expectStatus(t, r, http.StatusOK)
	var atom struct {
		XMLName xml.Name
		Entries []struct {
			ID string `xml:"id"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(r.Body, &atom); err != nil || atom.XMLName.Local != "feed" || len(atom.Entries) != 1 {
		t.Fatalf("Atom (topic Vatten): %v %+v\n%s", err, atom, r.Body)
	}
	r = anon.get("/feeds/webinars.atom?topic=Okänt")
	var empty struct {
		Entries []struct{} `xml:"entry"`
	}
	if err := xml.Unmarshal(r.Body, &empty); err != nil || len(empty.Entries) != 0 {
		t.Errorf("a topic without webinars: %v, %d entries", err, len(empty.Entries))
	}
	expectStatus(t, anon.get("/feeds/webinars.json"), http.StatusNotFound)
}
