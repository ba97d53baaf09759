package server

import (
	"crypto/sha256"
	"encoding/hex"
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

// Static files are linked by fingerprinted names (portal.3f9a0c12ab.css,
// the hash of the content), which browsers may cache for a year: a new
// build links new names. The plain names still answer, cached for an
// hour, for pages rendered before a deploy.
type assetIndex struct {
	hashed   map[string]string // "/portal.css" -> "/portal.3f9a0c12ab.css"
	original map[string]string // and back
}

var assets = indexAssets(web.FS)

func indexAssets(fsys fs.FS) assetIndex {
	idx := assetIndex{hashed: map[string]string{}, original: map[string]string{}}
	err := fs.WalkDir(fsys, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		name := strings.TrimPrefix(p, "static")
		ext := path.Ext(name)
		h := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext
		idx.hashed[name], idx.original[h] = h, name
		return nil
	})
	if err != nil {
		panic(err)
	}
	return idx
}

// staticURL is the fingerprinted URL of a file in web/static, for
// templates: {{static "portal.css"}}.
func staticURL(name string) string {
	name = "/" + strings.TrimPrefix(name, "/")
	if h, ok := assets.hashed[name]; ok {
		return "/static" + h
	}
	return "/static" + name
}

// static serves web/static with explicit types: minimal images lack
// /etc/mime.types.
func (s *Server) static(c *fiber.Ctx) error {
	name := path.Clean("/" + c.Params("*"))
	if strings.Contains(name, "..") {
		return fiber.ErrNotFound
	}
	cache := "public, max-age=3600"
	if orig, ok := assets.original[name]; ok {
		name, cache = orig, "public, max-age=31536000, immutable"
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
	c.Set(fiber.HeaderCacheControl, cache)
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
