package server

import (
	"io/fs"
	"mime"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/web"
)

var placeholderPoster = mustRead("static/placeholder-poster.svg")

func mustRead(name string) []byte {
	b, err := fs.ReadFile(web.FS, name)
	if err != nil {
		panic(err)
	}
	return b
}

// static serves web/static with explicit types: minimal images lack
// /etc/mime.types.
func (s *Server) static(c *fiber.Ctx) error {
	name := path.Clean("/" + c.Params("*"))
	if strings.Contains(name, "..") {
		return fiber.ErrNotFound
	}
	b, err := fs.ReadFile(web.FS, "static"+name)
	if err != nil {
		return fiber.ErrNotFound
	}
	ct := map[string]string{".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
		".svg": "image/svg+xml", ".png": "image/png", ".woff2": "font/woff2"}[path.Ext(name)]
	if ct == "" {
		ct = mime.TypeByExtension(path.Ext(name))
	}
	c.Set(fiber.HeaderContentType, ct)
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	return c.Send(b)
}

// favicon answers the browsers that ask for /favicon.ico regardless of
// the icon link in the page head.
func (s *Server) favicon(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "image/svg+xml")
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	return c.Send(faviconSVG)
}

var faviconSVG = mustRead("static/favicon.svg")
