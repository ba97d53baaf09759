package server

import (
	"context"
	"net/http"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Stockholm for the staff pages

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/audit"
)

// AuditLog records staff changes.
type AuditLog interface {
	Add(ctx context.Context, e audit.Entry) error
	Recent(ctx context.Context, limit int) ([]audit.Entry, error)
}

// auditActions names staff changes by route, in Swedish. A handler can
// name its change instead with c.Locals(auditLocal, "...").
var auditActions = map[string]string{
	"POST /staff/webinars":                              "skapade webbinariet",
	"POST /staff/webinars/:slug":                        "ändrade uppgifterna",
	"POST /staff/webinars/:slug/publish":                "publicerade webbinariet",
	"POST /staff/webinars/:slug/unpublish":              "avpublicerade webbinariet",
	"POST /staff/webinars/:slug/delete":                 "tog bort webbinariet",
	"POST /staff/webinars/:slug/recording":              "laddade upp inspelningen",
	"POST /staff/webinars/:slug/slides":                 "laddade upp en presentation",
	"POST /staff/webinars/:slug/slides/:n/delete":       "tog bort en presentation",
	"POST /staff/webinars/:slug/subtitles":              "laddade upp undertexter",
	"POST /staff/webinars/:slug/subtitles/:lang/delete": "tog bort undertexter",
	"POST /staff/webinars/:slug/subtitles/:lang/shift":  "förskjöt undertexterna",
	"POST /staff/webinars/:slug/poster":                 "laddade upp en affischbild",
	"POST /staff/webinars/:slug/chapters":               "ändrade kapitlen",
	"POST /staff/wishes/:id/status":                     "ändrade status på ett önskemål",
	"POST /staff/wishes/:id":                            "besvarade ett önskemål (status, svar eller webbinarium)",
	"POST /staff/wishes/merge":                          "slog ihop önskemål",
	"POST /api/v1/webinars":                             "skapade webbinariet",
	"PATCH /api/v1/webinars/:slug":                      "ändrade uppgifterna",
	"DELETE /api/v1/webinars/:slug":                     "tog bort webbinariet",
	"PUT /api/v1/webinars/:slug/recording":              "laddade upp inspelningen",
	"PUT /api/v1/webinars/:slug/slides":                 "laddade upp en presentation",
	"PUT /api/v1/webinars/:slug/subtitles/:lang":        "laddade upp undertexter",
	"PUT /api/v1/webinars/:slug/subtitles/:lang/cues":   "redigerade undertexterna",
	"POST /api/v1/webinars/:slug/subtitles/:lang/shift": "förskjöt undertexterna",
	"POST /api/v1/uploads":                              "började en återupptagbar uppladdning",
	"DELETE /api/v1/uploads/:id":                        "avbröt en uppladdning",
}

const (
	auditLocal  = "audit_action"
	auditTarget = "audit_target" // the webinar's slug, with auditLocal
)

// auditFinishedUpload names the request that finished a resumable upload.
func auditFinishedUpload(c *fiber.Ctx, kind, slug string) {
	action := "laddade upp inspelningen"
	if kind == "slides" {
		action = "laddade upp en presentation"
	}
	c.Locals(auditLocal, action+" (återupptagbar uppladdning)")
	c.Locals(auditTarget, slug)
}

// auditChanges records every successful state-changing staff request.
// Reads, and the chunks of a resumable upload, are not changes.
func (s *Server) auditChanges(c *fiber.Ctx) error {
	err := c.Next()
	if s.deps.Audit == nil {
		return err
	}
	status := c.Response().StatusCode()
	if err != nil || status >= http.StatusBadRequest {
		return err
	}
	route := c.Method() + " " + c.Route().Path
	action, _ := c.Locals(auditLocal).(string) // a handler's own name for its change
	target, _ := c.Locals(auditTarget).(string)
	if action == "" {
		switch c.Method() {
		case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
			return nil
		}
		action = auditActions[route]
		target = c.Params("slug")
	}
	if action == "" {
		if c.Method() == fiber.MethodPatch && strings.HasPrefix(c.Route().Path, "/api/v1/uploads/") {
			return nil // a chunk; the handler names the one that finishes
		}
		action = route
	}
	e := audit.Entry{Action: action, Target: target, Request: c.Method() + " " + c.Path()}
	if u := currentUser(c); u != nil {
		e.ActorID, e.Actor = u.ID, u.Email
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.UserContext()), 5*time.Second)
	defer cancel()
	if aerr := s.deps.Audit.Add(ctx, e); aerr != nil {
		s.log.Error("audit log", "request_id", requestID(c), "err", aerr, "request", e.Request)
	}
	return nil
}

type auditPage struct {
	Base
	Entries []audit.Entry
}

// showAudit is the staff page of recent changes.
func (s *Server) showAudit(c *fiber.Ctx) error {
	if s.deps.Audit == nil {
		return fiber.ErrNotFound
	}
	ctx, cancel := requestContext(c)
	defer cancel()
	entries, err := s.deps.Audit.Recent(ctx, 500)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "staff_audit", auditPage{Base: s.localBase(c, "staff.title_audit", "staff"), Entries: entries})
}

// stockholm is the staff's time zone (time/tzdata embeds it).
var stockholm = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		return time.UTC
	}
	return loc
}()

func init() {
	pageNames = append(pageNames, "staff_audit")
}
