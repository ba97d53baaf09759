// Package healthcheck waits for a child process (the portal, MinIO) to
// answer on its HTTP health URL.
package healthcheck

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// ErrExited: the process ended before it answered.
var ErrExited = errors.New("exited during start")

// Wait asks url every 50 ms, each request bounded by perRequest, until it
// answers 200 (nil), exited is closed (ErrExited), ctx ends, or timeout
// passes.
func Wait(ctx context.Context, url string, exited <-chan struct{}, timeout, perRequest time.Duration) error {
	client := &http.Client{Timeout: perRequest}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return ErrExited
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		res, err := client.Get(url)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("no answer from %s within %v", url, timeout)
}
