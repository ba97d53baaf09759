package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func init() {
	configVars = append(configVars, "UPLOAD_MIN_RATE", "UPLOAD_MIN_RATE_WINDOW", "FORM_BODY_LIMIT")
}

// TestSlowClientsAreCutOff: clients that send or read too slowly (a
// request header one byte at a time, an upload that stops, a viewer that
// stops reading) lose their connections after the configured timeouts,
// and everyone else is served meanwhile. The timeouts are set to two
// seconds here; the defaults are one and two minutes.
func TestSlowClientsAreCutOff(t *testing.T) {
	metricsAddr := fmt.Sprintf("127.0.0.1:%d", freeTCPPort(t))
	p := &portalProcess{t: t, bin: buildPortal(t), dataDir: t.TempDir(), port: freeTCPPort(t),
		extra: []string{"HTTP_READ_TIMEOUT=2s", "HTTP_IDLE_TIMEOUT=2s", "UPLOAD_TIMEOUT=1m",
			"UPLOAD_MIN_RATE=1KiB", "UPLOAD_MIN_RATE_WINDOW=3s", "MAX_CONCURRENT_UPLOADS=1", "METRICS_ADDR=" + metricsAddr}}
	token := p.staffToken()
	p.start()
	defer p.kill()

	data := publishLongRecording(t, p, token)
	recording := "/webinars/langsam/recording"

	v := slowViewers{p: p, metricsAddr: metricsAddr, recording: recording, data: data}
	othersAreServed, dial := v.othersAreServed, v.dial

	t.Run("header sent one byte at a time", func(t *testing.T) {
		c := dial(t)
		if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n"); err != nil {
			t.Fatal(err)
		}
		closed := make(chan time.Duration, 1)
		start := time.Now()
		go func() {
			// Progress every 300 ms: only the header deadline can stop it.
			for i := 0; i < 200; i++ {
				if _, err := io.WriteString(c, "X"); err != nil {
					break
				}
				c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
				if _, err := c.Read(make([]byte, 1)); err != nil && !isTimeout(err) {
					break // closed by the portal (EOF or reset)
				}
			}
			closed <- time.Since(start)
		}()
		othersAreServed(t)
		select {
		case d := <-closed:
			t.Logf("a header trickled at one byte per 300 ms was cut off after %v", d.Round(100*time.Millisecond))
		case <-time.After(30 * time.Second):
			t.Fatal("a header trickling in for 30 s still holds its connection")
		}
	})

	t.Run("upload that stops sending", func(t *testing.T) {
		c := dial(t)
		fmt.Fprintf(c, "PUT /api/v1/webinars/langsam/slides HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"+
			"Content-Type: application/pdf\r\nContent-Length: %d\r\n\r\n%%PDF-1.4\n", token, 10<<20)
		c.Write(bytes.Repeat([]byte("x"), 1<<20))
		othersAreServed(t)
		c.SetReadDeadline(time.Now().Add(30 * time.Second))
		status, err := bufio.NewReader(c).ReadString('\n')
		if isTimeout(err) {
			t.Fatal("an upload that stopped sending still holds its connection after 30 s")
		}
		t.Logf("the stalled upload ended with %q (%v)", strings.TrimSpace(status), err)
		if !strings.HasPrefix(status, "HTTP/1.1 408") {
			t.Fatalf("a stalled upload was answered %q, want 408 Request Timeout", status)
		}
		res := p.request(http.MethodGet, "/api/v1/webinars/langsam", token, nil, nil)
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if strings.Contains(string(body), `"slides":[{`) {
			t.Errorf("the cut-off slide deck was kept: %s", body)
		}
	})

	v.run(t)

	// An upload trickled in at one byte a second would hold one of the
	// MAX_CONCURRENT_UPLOADS slots until UPLOAD_TIMEOUT; under
	// UPLOAD_MIN_RATE it is answered 408 after the window, and nothing
	// of it is kept.
	// trickleUpload sends a slide deck's header and its first bytes at
	// once, then one byte a second.
	trickleUpload := func(t *testing.T, name string, size, first int) (*net.TCPConn, func()) {
		c := dial(t)
		fmt.Fprintf(c, "PUT /api/v1/webinars/langsam/slides?filename=%s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"+
			"Content-Type: application/pdf\r\nContent-Length: %d\r\n\r\n%%PDF-1.4\n%s", name, token, size, bytes.Repeat([]byte("0"), first))
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 120; i++ {
				select {
				case <-stop:
					return
				case <-time.After(time.Second):
				}
				if _, err := c.Write([]byte("x")); err != nil {
					return
				}
			}
		}()
		return c, func() { close(stop); c.Close(); wg.Wait() }
	}
	answer := func(t *testing.T, c *net.TCPConn, start time.Time) (string, []byte) {
		t.Helper()
		c.SetReadDeadline(time.Now().Add(time.Minute))
		br := bufio.NewReader(c)
		status, err := br.ReadString('\n')
		if isTimeout(err) {
			t.Fatal("an upload trickling at 1 byte/s still holds its connection after a minute")
		}
		rest, _ := io.ReadAll(io.LimitReader(br, 8192))
		t.Logf("the trickled upload was answered %q after %v (UPLOAD_MIN_RATE 1KiB over 3s)", strings.TrimSpace(status), time.Since(start).Round(100*time.Millisecond))
		return status, rest
	}
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("0"), 4096)...)
	slides := func(t *testing.T) string {
		t.Helper()
		res := p.request(http.MethodGet, "/api/v1/webinars/langsam", token, nil, nil)
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return string(body)
	}

	t.Run("large upload trickled at one byte per second", func(t *testing.T) {
		// Over 4 MiB: the body streams to the handler, which holds the
		// only upload slot meanwhile (its first 64 KiB come at once, so
		// the HTTP server's read of the first 8 KiB is done).
		start := time.Now()
		c, done := trickleUpload(t, "trickle.pdf", 10<<20, 64<<10)
		defer done()
		time.Sleep(500 * time.Millisecond)
		res := p.request(http.MethodPut, "/api/v1/webinars/langsam/slides?filename=busy.pdf", token, bytes.NewReader(pdf), nil)
		res.Body.Close()
		if res.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("a second upload beside the trickle: %s, want 503 (MAX_CONCURRENT_UPLOADS=1)", res.Status)
		}
		status, rest := answer(t, c, start)
		if !strings.HasPrefix(status, "HTTP/1.1 408") || !bytes.Contains(rest, []byte(`"upload_too_slow"`)) {
			t.Fatalf("the trickled upload: %q %s; want 408 upload_too_slow", status, rest)
		}
		// The slot is free again, and the trickle left nothing.
		res = p.request(http.MethodPut, "/api/v1/webinars/langsam/slides?filename=after.pdf", token, bytes.NewReader(pdf), nil)
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("an upload after the trickle was cut: %s %s", res.Status, body)
		}
		if w := slides(t); strings.Contains(w, "trickle.pdf") || strings.Count(w, `"filename":`) != 1 {
			t.Errorf("slides after the cut trickle: %s; want only after.pdf", w)
		}
	})

	t.Run("resumable chunk trickled at one byte per second", func(t *testing.T) {
		// A tus PATCH that trickles is cut like a raw upload; the upload
		// keeps what it committed and finishes when resumed at speed.
		const size = 6 << 20
		deck := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("1"), size-9)...)
		meta := "slug " + base64.StdEncoding.EncodeToString([]byte("langsam")) + ",kind " + base64.StdEncoding.EncodeToString([]byte("slides")) +
			",filename " + base64.StdEncoding.EncodeToString([]byte("resumable.pdf"))
		res := p.request(http.MethodPost, "/api/v1/uploads", token, nil, map[string]string{
			"Tus-Resumable": "1.0.0", "Upload-Length": strconv.Itoa(size), "Upload-Metadata": meta})
		res.Body.Close()
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusCreated || loc == "" {
			t.Fatalf("create a resumable upload: %s, Location %q", res.Status, loc)
		}
		if u, err := url.Parse(loc); err == nil {
			loc = u.Path
		}
		start := time.Now()
		c := dial(t)
		fmt.Fprintf(c, "PATCH %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nTus-Resumable: 1.0.0\r\n"+
			"Content-Type: application/offset+octet-stream\r\nUpload-Offset: 0\r\nContent-Length: %d\r\n\r\n", loc, token, size)
		c.Write(deck[:64<<10])
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			for i := 64 << 10; i < size; i++ {
				select {
				case <-stop:
					return
				case <-time.After(time.Second):
				}
				if _, err := c.Write(deck[i : i+1]); err != nil {
					return
				}
			}
		}()
		status, rest := answer(t, c, start)
		c.Close()
		if !strings.HasPrefix(status, "HTTP/1.1 408") || !bytes.Contains(rest, []byte("upload_too_slow")) {
			t.Fatalf("the trickled chunk: %q %s; want 408 upload_too_slow", status, rest)
		}
		// Resume from where the upload stands, at full speed.
		res = p.request(http.MethodHead, loc, token, nil, map[string]string{"Tus-Resumable": "1.0.0"})
		res.Body.Close()
		offset, err := strconv.Atoi(res.Header.Get("Upload-Offset"))
		if res.StatusCode != http.StatusOK || err != nil || offset < 0 || offset > size {
			t.Fatalf("HEAD after the cut chunk: %s, Upload-Offset %q", res.Status, res.Header.Get("Upload-Offset"))
		}
		t.Logf("after the cut chunk the upload stands at %d of %d bytes", offset, size)
		res = p.request(http.MethodPatch, loc, token, bytes.NewReader(deck[offset:]), map[string]string{
			"Tus-Resumable": "1.0.0", "Content-Type": "application/offset+octet-stream", "Upload-Offset": strconv.Itoa(offset)})
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusNoContent {
			t.Fatalf("resume at %d: %s %s", offset, res.Status, body)
		}
		if w := slides(t); !strings.Contains(w, "resumable.pdf") || !strings.Contains(w, fmt.Sprintf(`"size":%d`, size)) {
			t.Errorf("slides after the resumed upload: %s; want resumable.pdf of %d bytes", w, size)
		}
	})

	t.Run("small upload trickled at one byte per second", func(t *testing.T) {
		// 8 KiB: read whole by the HTTP server before the handler; at
		// 1 KiB/s it may take 3 s + 8 s, not UPLOAD_TIMEOUT (1 m here).
		start := time.Now()
		c, done := trickleUpload(t, "small.pdf", 8<<10, 0)
		defer done()
		status, _ := answer(t, c, start)
		if !strings.HasPrefix(status, "HTTP/1.1 408") {
			t.Fatalf("the small trickled upload: %q; want 408", status)
		}
		if took := time.Since(start); took >= 50*time.Second {
			t.Errorf("the small trickled upload was cut after %v, as by UPLOAD_TIMEOUT (1m), not by the rate floor", took)
		}
		if w := slides(t); strings.Contains(w, "small.pdf") {
			t.Errorf("slides after the cut trickle: %s", w)
		}
	})
}

func sha256Of(b []byte) []byte {
	h := sha256.Sum256(b)
	return h[:]
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}
