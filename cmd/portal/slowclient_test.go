package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// TestSlowClientsAreCutOff: clients that send or read too slowly (a
// request header one byte at a time, an upload that stops, a viewer that
// stops reading) lose their connections after the configured timeouts,
// and everyone else is served meanwhile. The timeouts are set to two
// seconds here; the defaults are one and two minutes.
func TestSlowClientsAreCutOff(t *testing.T) {
	p := &portalProcess{t: t, bin: buildPortal(t), dataDir: t.TempDir(), port: freeTCPPort(t),
		extra: []string{"HTTP_READ_TIMEOUT=2s", "HTTP_IDLE_TIMEOUT=2s", "UPLOAD_TIMEOUT=1m"}}
	token := p.staffToken()
	p.start()
	defer p.kill()

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
	recording := "/webinars/langsam/recording"

	// othersAreServed fetches the catalogue and the whole recording while
	// a slow client holds its connection.
	othersAreServed := func(t *testing.T) {
		t.Helper()
		res := p.request(http.MethodGet, "/", "", nil, nil)
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(page), "Långsam") {
			t.Errorf("catalogue while a slow client waits: %s", res.Status)
		}
		res = p.request(http.MethodGet, recording, "", nil, nil)
		n, err := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if err != nil || n != int64(len(data)) {
			t.Errorf("recording while a slow client waits: %d of %d bytes, %v", n, len(data), err)
		}
	}
	dial := func(t *testing.T) *net.TCPConn {
		t.Helper()
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", p.port))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c.(*net.TCPConn)
	}

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

	t.Run("viewer that stops reading", func(t *testing.T) {
		// The recording is larger than the socket buffers of both ends
		// hold, so the portal's writes stall.
		c := dial(t)
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", recording)
		br := bufio.NewReaderSize(c, 4096)
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		status, err := br.ReadString('\n')
		if err != nil || !strings.HasPrefix(status, "HTTP/1.1 200") {
			t.Fatalf("recording: %q, %v", status, err)
		}
		othersAreServed(t)
		time.Sleep(6 * time.Second) // three idle timeouts without reading
		c.SetReadDeadline(time.Now().Add(60 * time.Second))
		n, err := io.Copy(io.Discard, br)
		if isTimeout(err) {
			t.Fatalf("the portal still holds the connection of a viewer that read nothing for 6 s (%d of %d bytes read)\n%s", n, len(data), p.log.String())
		}
		t.Logf("the stalled viewer got %d of %d bytes before the portal closed the connection", n, len(data))
		if n >= int64(len(data)) {
			t.Fatalf("the stalled viewer got all %d bytes: nothing was cut off", n)
		}
	})
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}
