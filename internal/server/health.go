package server

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// readyTimeout bounds each readiness check.
const readyTimeout = 3 * time.Second

func (s *Server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// readyz answers 503 naming every dependency that does not answer. The
// checks run side by side, each with its own deadline: one server that
// hangs must not use up the time of the others and get them named too.
func (s *Server) readyz(c *fiber.Ctx) error {
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		down []string
	)
	for name, p := range s.deps.Ready {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(c.UserContext(), readyTimeout)
			defer cancel()
			if err := p.Ping(ctx); err != nil {
				s.log.Warn("readiness check failed", "request_id", requestID(c), "dependency", name, "err", err)
				mu.Lock()
				down = append(down, name)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(down) > 0 {
		sort.Strings(down)
		return c.Status(http.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "down": down,
			"message": "Not answering: " + strings.Join(down, ", ")})
	}
	return c.JSON(fiber.Map{"status": "ready"})
}
