package server

import (
	"strings"

	"github.com/gofiber/fiber/v2"
)

// pageCSP allows only the portal's own files: no inline script or style
// attribute runs, no other site may frame a page (clickjacking), forms
// post only here. object-src stays 'self' (not 'none') because the watch
// page shows the slide PDF in an <object>, the element that falls back to
// a download link where a browser has no PDF viewer (an <iframe> would
// show an empty box or download the file instead).
const pageCSP = "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; object-src 'self'; " +
	"frame-ancestors 'self'; base-uri 'self'; form-action 'self'"

// embedCSP is the player page's: any site may frame it, and it has no
// forms that could act for a signed-in visitor.
const embedCSP = "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; object-src 'none'; " +
	"frame-ancestors *; base-uri 'self'; form-action 'none'"

// fileCSP is for files: slide decks, subtitles and chapters. Nothing in
// them may run or load anything (but the favicon a browser asks for a
// file opened alone), and a file opened on its own is a sandboxed
// document with an opaque origin, so a crafted upload (a PDF with scripts
// or forms) cannot act on the portal with the visitor's cookies. Only the
// portal may frame them. Chromium's PDF viewer still shows slides under
// it, opened by link and inside the watch page's <object> (cmd/portal's
// TestSlidesPDFInBrowser).
const fileCSP = "default-src 'none'; img-src 'self'; base-uri 'none'; form-action 'none'; " +
	"frame-ancestors 'self'; sandbox"

// imageCSP is fileCSP for posters: the page a browser makes for an image
// opened alone loads it (img-src) and centres and zooms it with inline
// styles. Styles only: nothing runs in the sandbox.
const imageCSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; " +
	"frame-ancestors 'self'; sandbox"

// recordingCSP is fileCSP for audio and video, without the sandbox: the
// page Chromium makes for a video opened alone would then load it from an
// opaque origin, which the video's own answer refuses (CORS), and nothing
// plays. A recording cannot run anything: its type is set from probing
// and nosniff stops a browser from reading it as a page.
const recordingCSP = "default-src 'none'; media-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; " +
	"frame-ancestors 'self'"

// securityHeaders sets the headers every answer carries, whatever the
// handler (pages, errors, JSON, media, files). Handlers may override them
// (the embed page allows framing).
func (s *Server) securityHeaders(c *fiber.Ctx) error {
	h := &c.Response().Header
	h.Set(fiber.HeaderContentSecurityPolicy, pageCSP)
	h.Set(fiber.HeaderXFrameOptions, "SAMEORIGIN")
	h.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	h.Set(fiber.HeaderReferrerPolicy, "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if s.secure(c) {
		h.Set(fiber.HeaderStrictTransportSecurity, "max-age=31536000")
	}
	return c.Next()
}

// fileHeaders sets the policy for an answer that is a file of the
// content type, not a page.
func fileHeaders(c *fiber.Ctx, contentType string) {
	c.Set(fiber.HeaderContentSecurityPolicy, fileCSPFor(contentType))
}

func fileCSPFor(contentType string) string {
	switch {
	case strings.HasPrefix(contentType, "video/"), strings.HasPrefix(contentType, "audio/"):
		return recordingCSP
	case strings.HasPrefix(contentType, "image/"):
		return imageCSP
	}
	return fileCSP
}

// allowFraming lets any site frame this answer (the embed page).
func allowFraming(c *fiber.Ctx) {
	c.Set(fiber.HeaderContentSecurityPolicy, embedCSP)
	c.Response().Header.Del(fiber.HeaderXFrameOptions)
}
