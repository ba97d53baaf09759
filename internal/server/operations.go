package server

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"

	"github.com/smakom/webinar-portal/internal/apperr"
)

// defaultCallTimeout bounds a request's database and storage calls when
// Deps.CallTimeout is not set.
const defaultCallTimeout = 30 * time.Second

// unavailableRetryAfter is what a 503 asks clients to wait, in seconds.
const unavailableRetryAfter = "10"

// routeLabel is the route pattern that answered, for metrics: never the
// URL asked for, so the label has as many values as there are routes.
func routeLabel(c *fiber.Ctx) string {
	r := c.Route()
	if r == nil || r.Path == "" || r.Path == "/" && c.Path() != "/" {
		// Only the app-wide middleware ran: no route matched (404), or
		// a check before routing answered. (A group's check, such as the
		// staff login, is labelled with the group's prefix.)
		return "unmatched"
	}
	return r.Path
}

// countedBody counts the bytes of a media body as it is sent; WriteTo is
// kept so a file still goes out with sendfile.
type countedBody struct {
	body interface {
		io.ReadCloser
		io.WriterTo
	}
	count func(int64)
}

func (b countedBody) Read(p []byte) (int, error) {
	n, err := b.body.Read(p)
	b.count(int64(n))
	return n, err
}

func (b countedBody) WriteTo(w io.Writer) (int64, error) {
	n, err := b.body.WriteTo(w)
	b.count(n)
	return n, err
}

func (b countedBody) Close() error { return b.body.Close() }

// mediaBody wraps a media stream so its bytes are counted for the route.
func (s *Server) mediaBody(c *fiber.Ctx, body interface {
	io.ReadCloser
	io.WriterTo
}) io.Reader {
	if s.deps.Metrics == nil {
		return body
	}
	route, m := strings.Clone(routeLabel(c)), s.deps.Metrics
	return countedBody{body: body, count: func(n int64) { m.MediaBytes(route, n) }}
}

// uploadSlot admits at most MaxConcurrentUploads upload requests at once
// (kind is "raw" or "tus" for the metrics); the rest get 503 with
// Retry-After before their body is read.
func (s *Server) uploadSlot(kind string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if s.uploadSlots != nil {
			select {
			case s.uploadSlots <- struct{}{}:
				defer func() { <-s.uploadSlots }()
			default:
				s.deps.Metrics.UploadRejected(kind)
				c.Set(fiber.HeaderRetryAfter, "30")
				return apperr.New(http.StatusServiceUnavailable, "too_many_uploads",
					"Många uppladdningar pågår just nu. Vänta en stund och försök igen.")
			}
		}
		c.Locals(minRateKey, rateFloor{rate: s.deps.UploadMinRate, window: s.deps.UploadMinRateWindow})
		s.extendUploadDeadline(c)
		finished := s.deps.Metrics.UploadStarted(kind)
		err := c.Next()
		finished(err == nil && c.Response().StatusCode() < 400)
		return err
	}
}

// unavailable reports whether err means MongoDB or S3 did not answer in
// time or could not be reached: the visitor gets a 503 to retry later,
// not an internal error.
func unavailable(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || mongo.IsTimeout(err) || mongo.IsNetworkError(err) {
		return true
	}
	var sel topology.ServerSelectionError
	if errors.As(err, &sel) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne)
}

func unavailableError() *apperr.Error {
	return apperr.New(http.StatusServiceUnavailable, "unavailable",
		"Arkivet är tillfälligt otillgängligt. Försök igen om en liten stund.")
}

// setRetryAfter sets the Retry-After of a 503, unless the handler set one.
func setRetryAfter(c *fiber.Ctx) {
	if len(c.Response().Header.Peek(fiber.HeaderRetryAfter)) == 0 {
		c.Set(fiber.HeaderRetryAfter, unavailableRetryAfter)
	}
}
