package server

import "github.com/gofiber/fiber/v2"

// pageCSP allows only the portal's own files: no inline script or style
// attribute runs, no other site may frame a page (clickjacking), forms
// post only here.
const pageCSP = "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; object-src 'self'; " +
	"frame-ancestors 'self'; base-uri 'self'; form-action 'self'"

// embedCSP is the player page's: any site may frame it, and it has no
// forms that could act for a signed-in visitor.
const embedCSP = "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; object-src 'none'; " +
	"frame-ancestors *; base-uri 'self'; form-action 'none'"

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

// allowFraming lets any site frame this answer (the embed page).
func allowFraming(c *fiber.Ctx) {
	c.Set(fiber.HeaderContentSecurityPolicy, embedCSP)
	c.Response().Header.Del(fiber.HeaderXFrameOptions)
}
