package server

import (
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
)

// The accessibility statement (tillgänglighetsredogörelse) that the law
// on accessible digital public services requires, laid out after DIGG's
// model. Reports of problems go into the wish system, so staff triage
// them where they already work.

func init() { pageNames = append(pageNames, "accessibility") }

// statementDate is when the statement was last reviewed; change it with
// the text.
var statementDate = time.Date(2026, time.November, 26, 0, 0, 0, 0, time.UTC)

// a11yCategory marks a wish sent from the statement's report form.
const a11yCategory = "a11y"

type accessibilityPage struct {
	Base
	Reviewed time.Time
	Category string
}

func (s *Server) showAccessibility(c *fiber.Ctx) error {
	return s.render(c, http.StatusOK, "accessibility", accessibilityPage{
		Base: s.localBase(c, "a11y.title", "a11y"), Reviewed: statementDate, Category: a11yCategory})
}

// a11yTopic marks the topic of a report from the statement page so staff
// see it among the wishes; an empty topic stays empty and is refused as
// usual.
func a11yTopic(category, topic string) string {
	if category != a11yCategory || topic == "" {
		return topic
	}
	return "Tillgänglighet: " + topic
}
