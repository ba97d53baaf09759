package server

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/apperr"
)

// errClientBody marks a failure to read the request body: the client
// stopped sending, went away or was too slow. It is the client's side
// of the connection, not a fault of the portal.
var errClientBody = errors.New("request body could not be read")

// errTooSlow: an upload brought fewer bytes than UPLOAD_MIN_RATE over a
// window, so it would hold an upload slot for hours.
var errTooSlow = errors.New("upload slower than the minimum rate")

// rateFloor is the least an upload body must bring: rate bytes per second
// over each window of waiting for the client.
type rateFloor struct {
	rate   int64
	window time.Duration
}

// minRateKey is the Locals key of an upload route's rateFloor.
const minRateKey = "upload_min_rate"

// clientBody reads a request body, marks its read errors and, on upload
// routes, cuts a body that trickles in below the rate floor. Only the
// time spent waiting for the client counts, so a slow S3 server behind
// the portal never makes a client look slow.
type clientBody struct {
	r      io.Reader
	floor  rateFloor
	waited time.Duration // in Read, this window
	n      int64         // bytes this window
}

// newClientBody reads r with the floor the upload route set (none
// elsewhere).
func newClientBody(c *fiber.Ctx, r io.Reader) *clientBody {
	b := &clientBody{r: r}
	if f, ok := c.Locals(minRateKey).(rateFloor); ok && f.rate > 0 && f.window > 0 {
		b.floor = f
	}
	return b
}

func (b *clientBody) Read(p []byte) (int, error) {
	start := time.Now()
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		return n, fmt.Errorf("%w: %w", errClientBody, err)
	}
	if b.floor.rate > 0 {
		b.waited += time.Since(start)
		b.n += int64(n)
		if b.waited >= b.floor.window {
			if float64(b.n) < float64(b.floor.rate)*b.waited.Seconds() {
				return n, fmt.Errorf("%w: %w (%d bytes in %v)", errClientBody, errTooSlow, b.n, b.waited.Round(time.Millisecond))
			}
			b.waited, b.n = 0, 0
		}
	}
	return n, err
}

// tooSlowError is the answer to an upload cut for its rate.
func tooSlowError() error {
	return apperr.New(http.StatusRequestTimeout, "upload_too_slow",
		"Överföringen gick för långsamt och avbröts. Inget sparades; försök igen från en snabbare anslutning.")
}

// clientBodyError is the answer to an upload whose body broke off.
func clientBodyError(err error) error {
	if errors.Is(err, errTooSlow) {
		return tooSlowError()
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return apperr.New(http.StatusRequestTimeout, "upload_timeout",
			"Överföringen stannade av och avbröts. Inget sparades; försök igen.")
	}
	return apperr.New(http.StatusBadRequest, "upload_interrupted",
		"Överföringen avbröts innan hela filen kom fram. Inget sparades; försök igen.")
}
