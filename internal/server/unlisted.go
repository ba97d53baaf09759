package server

import (
	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/webinar"
)

// unlisted reports whether search engines must not index a webinar's
// pages and files: every webinar that is not public. An unlisted one is
// open to anyone with the link, but only the link: a crawler that finds
// the link (in a mail archive, say) must not put it in search results.
// Members-only and draft webinars answer crawlers with 404 anyway; the
// mark keeps a logged-in preview out of caches that index.
func unlisted(w *webinar.Webinar) bool { return w.Visibility != webinar.Public }

// markNoindex asks search engines (X-Robots-Tag) not to index the
// answer about w when it is not public: its pages, media, slides,
// subtitles and poster.
func markNoindex(c *fiber.Ctx, w *webinar.Webinar) {
	if unlisted(w) {
		c.Set("X-Robots-Tag", "noindex")
	}
}
