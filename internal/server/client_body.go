package server

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/smakom/webinar-portal/internal/apperr"
)

// errClientBody marks a failure to read the request body: the client
// stopped sending, went away or was too slow. It is the client's side
// of the connection, not a fault of the portal.
var errClientBody = errors.New("request body could not be read")

// clientBody reads a request body and marks its read errors.
type clientBody struct{ r io.Reader }

func (b clientBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("%w: %w", errClientBody, err)
	}
	return n, err
}

// clientBodyError is the answer to an upload whose body broke off.
func clientBodyError(err error) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return apperr.New(http.StatusRequestTimeout, "upload_timeout",
			"Överföringen stannade av och avbröts. Inget sparades; försök igen.")
	}
	return apperr.New(http.StatusBadRequest, "upload_interrupted",
		"Överföringen avbröts innan hela filen kom fram. Inget sparades; försök igen.")
}
