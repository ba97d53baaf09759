package healthcheck

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// TestWait: a URL that answers 503 twice and then 200 is waited for; a
// closed exit channel and a URL that never answers 200 are errors.
func TestWait(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	if err := Wait(ctx, srv.URL, nil, 5*time.Second, time.Second); err != nil || calls.Load() != 3 {
		t.Errorf("Wait = %v after %d requests; want nil after 3", err, calls.Load())
	}
	exited := make(chan struct{})
	close(exited)
	if err := Wait(ctx, srv.URL, exited, 5*time.Second, time.Second); !errors.Is(err, ErrExited) {
		t.Errorf("Wait with the process gone = %v; want ErrExited", err)
	}
	never := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }))
	defer never.Close()
	if err := Wait(ctx, never.URL, nil, 200*time.Millisecond, time.Second); err == nil {
		t.Error("Wait for a URL that never answers 200 succeeded")
	}
}
