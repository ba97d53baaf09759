package server

import (
	"bytes"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/feed"
	"github.com/smakom/webinar-portal/internal/webinar"
)

// feedSize is how many of the newest webinars a feed carries.
const feedSize = 50

// serveFeed answers /feeds/webinars.rss and .atom: newly published public
// webinars, optionally of one topic (?topic=). Members-only, unlisted and
// draft webinars never appear.
func (s *Server) serveFeed(c *fiber.Ctx) error {
	format := c.Params("format")
	if format != "rss" && format != "atom" {
		return fiber.ErrNotFound
	}
	topic := truncate(strings.TrimSpace(c.Query("topic")), 100)
	ctx, cancel := requestContext(c)
	defer cancel()
	items, _, err := s.deps.Webinars.Store().List(ctx, webinar.Filter{Visibilities: []webinar.Visibility{webinar.Public},
		Topic: topic, PerPage: feedSize, NewlyPublished: true})
	if err != nil {
		return err
	}
	self, page := "/feeds/webinars."+format, "/"
	ch := feed.Channel{Title: "SmåKoms webbinarier", Language: "sv", BaseURL: c.BaseURL(),
		Description: "Nya inspelade webbinarier från SmåKom, med undertexter och presentationer."}
	if topic != "" {
		q := url.Values{"topic": {topic}}.Encode()
		self, page = self+"?"+q, page+"?"+q
		ch.Title += ": " + topic
	}
	ch.Self, ch.Page = self, page
	var buf bytes.Buffer
	if format == "rss" {
		err = feed.WriteRSS(&buf, ch, items, time.Now())
		c.Set(fiber.HeaderContentType, "application/rss+xml; charset=utf-8")
	} else {
		err = feed.WriteAtom(&buf, ch, items, time.Now())
		c.Set(fiber.HeaderContentType, "application/atom+xml; charset=utf-8")
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.Send(buf.Bytes())
}
