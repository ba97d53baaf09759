package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// slowViewers checks how a running portal with HTTP_IDLE_TIMEOUT=2s
// treats viewers of recording (data): one that stops reading and ones
// that trickle are cut off and release everything they held, one that
// reads slowly but steadily gets every byte, and others are served
// meanwhile. It runs on both media paths: sendfile from the embedded
// server's files and splice from an external S3 server's socket.
type slowViewers struct {
	p           *portalProcess
	metricsAddr string
	recording   string
	data        []byte
	splice      bool // media come from an external S3 server's sockets
}

// othersAreServed fetches the catalogue and the whole recording while a
// slow client holds its connection.
func (v slowViewers) othersAreServed(t *testing.T) {
	t.Helper()
	res := v.p.request(http.MethodGet, "/", "", nil, nil)
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(page), "Långsam") {
		t.Errorf("catalogue while a slow client waits: %s", res.Status)
	}
	res = v.p.request(http.MethodGet, v.recording, "", nil, nil)
	n, err := io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if err != nil || n != int64(len(v.data)) {
		t.Errorf("recording while a slow client waits: %d of %d bytes, %v", n, len(v.data), err)
	}
}

func (v slowViewers) dial(t *testing.T) *net.TCPConn {
	t.Helper()
	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", v.p.port))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c.(*net.TCPConn)
}

// openFDs is the portal's open file descriptors, less the idle S3
// connections it keeps for the next range on the splice path: those
// belong to no viewer, and the whole reads of othersAreServed may leave
// one more of them.
func (v slowViewers) openFDs(t *testing.T) int {
	t.Helper()
	metrics := scrapeMetrics(t, v.metricsAddr)
	fds := metricValue(t, metrics, "process_open_fds")
	if v.splice {
		fds -= metricValue(t, metrics, "portal_s3_splice_idle_connections")
	}
	return fds
}

func metricValue(t *testing.T, metrics, name string) int {
	t.Helper()
	m := grepMetric(metrics, name+" ")
	n, err := strconv.ParseFloat(strings.TrimPrefix(m, name+" "), 64)
	if err != nil {
		t.Fatalf("%s: %q", name, m)
	}
	return int(n)
}

// trickleRead asks for the recording and reads one byte a second.
func (v slowViewers) trickleRead(t *testing.T, stop <-chan struct{}) *net.TCPConn {
	t.Helper()
	c := v.dial(t)
	_ = c.SetReadBuffer(4096)
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", v.recording)
	go func() {
		b := make([]byte, 1)
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Second):
			}
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := c.Read(b); err != nil {
				return
			}
		}
	}()
	return c
}

// awaitFDs waits until the portal holds more descriptors than base (the
// viewer's connection, and on the splice path its S3 connection), then
// until it is back at base.
func (v slowViewers) awaitFDs(t *testing.T, base int, what string) {
	t.Helper()
	start := time.Now()
	var n int
	if !waitFor(10*time.Second, func() bool { n = v.openFDs(t); return n > base }) {
		t.Fatalf("%s: the portal never had the connection open (%d descriptors)", what, n)
	}
	t.Logf("%s: %d descriptors open in the portal", what, n)
	if !waitFor(time.Minute, func() bool { n = v.openFDs(t); return n <= base }) {
		t.Fatalf("%s: the portal still has %d file descriptors open a minute on, %d before", what, n, base)
	}
	t.Logf("%s: the portal's descriptors were back at %d (from %d before) %v after", what, n, base, time.Since(start).Round(100*time.Millisecond))
}

func (v slowViewers) run(t *testing.T) {
	t.Run("viewer that stops reading", func(t *testing.T) {
		// The recording is larger than the socket buffers of both ends
		// hold, so the portal's writes stall.
		c := v.dial(t)
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", v.recording)
		br := bufio.NewReaderSize(c, 4096)
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		status, err := br.ReadString('\n')
		if err != nil || !strings.HasPrefix(status, "HTTP/1.1 200") {
			t.Fatalf("recording: %q, %v", status, err)
		}
		v.othersAreServed(t)
		time.Sleep(6 * time.Second) // three idle timeouts without reading
		c.SetReadDeadline(time.Now().Add(60 * time.Second))
		n, err := io.Copy(io.Discard, br)
		if isTimeout(err) {
			t.Fatalf("the portal still holds the connection of a viewer that read nothing for 6 s (%d of %d bytes read)\n%s", n, len(v.data), v.p.log.String())
		}
		t.Logf("the stalled viewer got %d of %d bytes before the portal closed the connection", n, len(v.data))
		if n >= int64(len(v.data)) {
			t.Fatalf("the stalled viewer got all %d bytes: nothing was cut off", n)
		}
	})

	t.Run("viewer reading slowly but steadily gets every byte", func(t *testing.T) {
		// 256 KiB every 100 ms: each 1 MiB piece goes out well within
		// the idle timeouts, but the whole takes several times longer
		// than them, so only deadlines renewed per piece let it finish.
		c := v.dial(t)
		_ = c.SetReadBuffer(64 << 10)
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", v.recording)
		res, err := http.ReadResponse(bufio.NewReaderSize(c, 4096), nil)
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("recording: %v, %v", res, err)
		}
		defer res.Body.Close()
		h := sha256.New()
		buf := make([]byte, 256<<10)
		start := time.Now()
		var n int64
		for {
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			m, err := io.ReadFull(res.Body, buf)
			h.Write(buf[:m])
			n += int64(m)
			if err == io.EOF || err == io.ErrUnexpectedEOF && n == int64(len(v.data)) {
				break
			}
			if err != nil {
				t.Fatalf("a steady viewer was cut off after %d of %d bytes, %v in: %v", n, len(v.data), time.Since(start).Round(100*time.Millisecond), err)
			}
			time.Sleep(100 * time.Millisecond)
		}
		took := time.Since(start)
		if n != int64(len(v.data)) || !bytes.Equal(h.Sum(nil), sha256Of(v.data)) {
			t.Fatalf("a steady viewer got %d of %d bytes, SHA-256 equal: %v", n, len(v.data), bytes.Equal(h.Sum(nil), sha256Of(v.data)))
		}
		if took < 6*time.Second {
			t.Fatalf("the steady read took only %v; it must outlast the idle timeouts (2 s each) to show anything", took)
		}
		t.Logf("a viewer reading 256 KiB per 100 ms got all %d bytes in %v", n, took.Round(100*time.Millisecond))
	})

	// A viewer that keeps reading, but one byte a second, never stalls a
	// read; yet each 1 MiB piece must go out within HTTP_IDLE_TIMEOUT,
	// so it is cut. What the kernel already buffered for it would take
	// such a reader days, so the cut is seen where it happens: the
	// portal's open file descriptors return to where they were.
	t.Run("viewer reading one byte per second", func(t *testing.T) {
		base := v.openFDs(t)
		stop := make(chan struct{})
		defer close(stop)
		v.trickleRead(t, stop)
		v.awaitFDs(t, base, "a viewer reading 1 byte/s")
	})

	t.Run("twenty slow viewers while others are served", func(t *testing.T) {
		base := v.openFDs(t)
		stop := make(chan struct{})
		defer close(stop)
		for i := 0; i < 20; i++ {
			v.trickleRead(t, stop)
		}
		v.othersAreServed(t)
		res := v.p.request(http.MethodGet, v.recording, "", nil, nil)
		h := sha256.New()
		_, err := io.Copy(h, res.Body)
		res.Body.Close()
		if err != nil || !bytes.Equal(h.Sum(nil), sha256Of(v.data)) {
			t.Errorf("recording beside 20 slow viewers: SHA-256 differs (%v)", err)
		}
		v.awaitFDs(t, base, "20 viewers reading 1 byte/s")
	})
}

// TestSlowViewersOnProxiedS3 runs the slow-viewer checks with the
// recording on a MinIO process: the portal then splices each body from
// its own S3 connection, whose deadlines must neither cut a steady viewer
// nor keep a stalled one (and its S3 connection) alive.
func TestSlowViewersOnProxiedS3(t *testing.T) {
	minio := startMinIO(t)
	metricsAddr := fmt.Sprintf("127.0.0.1:%d", freeTCPPort(t))
	p := &portalProcess{t: t, bin: buildPortal(t), dataDir: t.TempDir(), port: freeTCPPort(t),
		extra: []string{"S3_ENDPOINT=" + minio.Addr, "S3_ACCESS_KEY=" + minio.User, "S3_SECRET_KEY=" + minio.Password,
			"S3_BUCKET=webinars", "HTTP_IDLE_TIMEOUT=2s", "S3_TIMEOUT=2s", "METRICS_ADDR=" + metricsAddr}}
	token := p.staffToken()
	p.start()
	defer p.kill()

	data := publishLongRecording(t, p, token)
	v := slowViewers{p: p, metricsAddr: metricsAddr, recording: "/webinars/langsam/recording", data: data, splice: true}
	v.run(t)
	if log := p.log.String(); strings.Contains(log, "spliced media read failed") {
		t.Errorf("the portal fell back from splicing to reading through minio-go:\n%s", log)
	}
}

// publishLongRecording publishes the webinar "Långsam" with a recording
// of over 24 MB, more than socket buffers hold, and returns its bytes.
func publishLongRecording(t *testing.T, p *portalProcess, token string) []byte {
	t.Helper()
	p.createPublicWebinar(token, "Långsam")
	clip, err := os.ReadFile("../../internal/demo/assets/vattenforsorjning.mp4")
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat(clip, (24<<20)/len(clip)+1) // over 24 MB: more than socket buffers hold
	res := p.request(http.MethodPut, "/api/v1/webinars/langsam/recording", token, bytes.NewReader(data),
		map[string]string{"Content-Type": "video/mp4"})
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("upload recording: %s", res.Status)
	}
	return data
}
