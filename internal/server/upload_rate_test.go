package server

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"
)

// TestUploadReadTimeout: bodies the HTTP server reads before the handler
// get the time UPLOAD_MIN_RATE allows for them plus a window (never less
// than HTTP_READ_TIMEOUT, never more than UPLOAD_TIMEOUT); without a
// floor, or for a chunked body, UPLOAD_TIMEOUT.
func TestUploadReadTimeout(t *testing.T) {
	s := &Server{deps: Deps{UploadTimeout: 6 * time.Hour, ReadTimeout: time.Minute, UploadMinRate: 16 << 10, UploadMinRateWindow: time.Minute}}
	for _, tc := range []struct {
		n    int64
		want time.Duration
	}{
		{0, time.Minute},
		{8 << 10, time.Minute},                   // window + 0 s, and HTTP_READ_TIMEOUT
		{4 << 20, time.Minute + 256*time.Second}, // read whole: 4 MiB at 16 KiB/s
		{4<<20 + 1, time.Minute},                 // streamed: its first 8 KiB only
		{-1, 6 * time.Hour},                      // chunked: nothing read before the handler
	} {
		if got := s.uploadReadTimeout(tc.n); got != tc.want {
			t.Errorf("%d bytes: %v, want %v", tc.n, got, tc.want)
		}
	}
	s.deps.UploadMinRate = 0
	if got := s.uploadReadTimeout(1 << 20); got != 6*time.Hour {
		t.Errorf("no floor: %v, want UPLOAD_TIMEOUT", got)
	}
	s.deps.UploadMinRate, s.deps.UploadTimeout = 1, time.Hour
	if got := s.uploadReadTimeout(4 << 20); got != time.Hour {
		t.Errorf("floor past UPLOAD_TIMEOUT: %v, want UPLOAD_TIMEOUT", got)
	}
}

// slowReader gives one byte per read after a pause.
type slowReader struct {
	pause time.Duration
	left  int
}

func (r *slowReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	time.Sleep(r.pause)
	r.left--
	p[0] = 'x'
	return 1, nil
}

// TestClientBodyRateFloor: a body below the floor fails with errTooSlow
// (answered 408) once a window of waiting has passed; one above it, or
// without a floor, is read whole.
func TestClientBodyRateFloor(t *testing.T) {
	slow := &clientBody{r: &slowReader{pause: 20 * time.Millisecond, left: 1000}, floor: rateFloor{rate: 1000, window: 200 * time.Millisecond}}
	n, err := io.Copy(io.Discard, slow)
	if !errors.Is(err, errTooSlow) || !errors.Is(err, errClientBody) {
		t.Fatalf("50 bytes/s under a floor of 1000: %d bytes, %v; want errTooSlow", n, err)
	}
	if n > 20 {
		t.Errorf("read %d bytes before the cut; want about one window's worth (10)", n)
	}
	if ae, ok := clientBodyError(err).(interface{ Error() string }); !ok || !bytes.Contains([]byte(ae.Error()), []byte("långsamt")) {
		t.Errorf("answer: %v", clientBodyError(err))
	}
	fast := &clientBody{r: bytes.NewReader(make([]byte, 1<<20)), floor: rateFloor{rate: 1000, window: time.Millisecond}}
	if n, err := io.Copy(io.Discard, fast); err != nil || n != 1<<20 {
		t.Errorf("a fast body: %d bytes, %v", n, err)
	}
	none := &clientBody{r: &slowReader{pause: time.Millisecond, left: 50}}
	if n, err := io.Copy(io.Discard, none); err != nil || n != 50 {
		t.Errorf("no floor: %d bytes, %v", n, err)
	}
}
