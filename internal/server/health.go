package server

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

func (s *Server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// readyz answers 503 naming every dependency that does not answer.
func (s *Server) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 3*time.Second)
	defer cancel()
	var down []string
	for name, p := range s.deps.Ready {
		if err := p.Ping(ctx); err != nil {
			s.log.Warn("readiness check failed", "request_id", requestID(c), "dependency", name, "err", err)
			down = append(down, name)
		}
	}
	if len(down) > 0 {
		sort.Strings(down)
		return c.Status(http.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "down": down,
			"message": "Not answering: " + strings.Join(down, ", ")})
	}
	return c.JSON(fiber.Map{"status": "ready"})
}
