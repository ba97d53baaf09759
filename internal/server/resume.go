package server

import (
	"context"
	"math"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/apperr"
	"github.com/smakom/webinar-portal/internal/webinar"
)

// Positions remembers where logged-in viewers stopped watching.
type Positions interface {
	Save(ctx context.Context, userID, webinarID string, seconds float64) error
	Get(ctx context.Context, userID, webinarID string) (float64, bool, error)
}

func init() {
	messages["watch.resumed"] = message{"Du fortsätter där du slutade, vid %s.", "You continue where you stopped, at %s."}
	messages["watch.from_start"] = message{"Börja från början", "Start from the beginning"}
}

// resumeMargin is how close to either end a position is not worth
// resuming: 10 s, or a tenth of a short recording.
func resumeMargin(length time.Duration) time.Duration {
	return min(10*time.Second, length/10)
}

// resumePosition is where a logged-in viewer stopped, if it is worth
// starting there (not at the very start or end).
func (s *Server) resumePosition(c *fiber.Ctx, w *webinar.Webinar) (time.Duration, bool) {
	u := currentUser(c)
	if s.deps.Positions == nil || u == nil || w.Recording == nil {
		return 0, false
	}
	ctx, cancel := requestContext(c)
	defer cancel()
	sec, ok, err := s.deps.Positions.Get(ctx, u.ID, w.ID)
	if err != nil || !ok {
		return 0, false
	}
	at := time.Duration(sec * float64(time.Second))
	margin := resumeMargin(w.Length())
	if w.Length() <= 0 || at < margin || at > w.Length()-margin {
		return 0, false
	}
	return at, true
}

// apiSavePosition is PUT /api/v1/me/positions/{slug} {"seconds": 754.2}
// from the player of a logged-in viewer, every few seconds while playing.
func (s *Server) apiSavePosition(c *fiber.Ctx) error {
	u := currentUser(c)
	if u == nil {
		return apperr.New(http.StatusUnauthorized, "login_required", "Logga in för att spara var du är i inspelningen.")
	}
	w, err := s.visibleWebinar(c)
	if err != nil {
		return err
	}
	if s.deps.Positions == nil {
		return c.SendStatus(http.StatusNoContent)
	}
	var body struct {
		Seconds *float64 `json:"seconds"`
	}
	if err := c.BodyParser(&body); err != nil || body.Seconds == nil || math.IsNaN(*body.Seconds) || *body.Seconds < 0 ||
		(w.Length() > 0 && *body.Seconds > w.Length().Seconds()+1) || *body.Seconds > 48*3600 {
		return apperr.New(http.StatusBadRequest, "seconds", "Ange positionen i sekunder inom inspelningens längd: {\"seconds\": 754.2}.")
	}
	ctx, cancel := requestContext(c)
	defer cancel()
	if err := s.deps.Positions.Save(ctx, u.ID, w.ID, *body.Seconds); err != nil {
		return err
	}
	return c.SendStatus(http.StatusNoContent)
}
