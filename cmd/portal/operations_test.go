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
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/smakom/webinar-portal/internal/embedded"
)

func init() {
	// Operations settings a developer's shell must not change in tests.
	configVars = append(configVars, "METRICS_ADDR", "SHUTDOWN_TIMEOUT", "MONGO_TIMEOUT", "S3_TIMEOUT", "MAX_CONCURRENT_UPLOADS")
}

// startWith runs the portal binary with extra environment and waits for
// /readyz to answer 200.
func (p *portalProcess) startWith(extra ...string) {
	p.t.Helper()
	p.cmd = exec.Command(p.bin, "serve")
	p.cmd.Env = append(p.env(), extra...)
	p.cmd.Stdout, p.cmd.Stderr = &p.log, &p.log
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	p.t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.kill()
		}
	})
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if res, err := http.Get(p.url("/readyz")); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.t.Fatalf("portal did not become ready:\n%s", p.log.String())
}

// waitExit waits for the process to end (at most a minute, so a hang
// fails the test) and returns its exit code.
func (p *portalProcess) waitExit() int {
	p.t.Helper()
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case <-done:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(time.Minute):
		p.kill()
		p.t.Fatalf("the portal did not exit within a minute of SIGTERM:\n%s", p.log.String())
		return -1
	}
}

// publishRecording creates a public webinar with a recording of size
// bytes (a real MP4 at its start) and returns its slug and the bytes.
func (p *portalProcess) publishRecording(token, title string, size int) (string, []byte) {
	p.t.Helper()
	res := p.request(http.MethodPost, "/api/v1/webinars", token,
		strings.NewReader(`{"title":"`+title+`","visibility":"public"}`), map[string]string{"Content-Type": "application/json"})
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		p.t.Fatalf("create webinar: %s %s", res.Status, body)
	}
	var slug string
	if i := bytes.Index(body, []byte(`"slug":"`)); i >= 0 {
		rest := body[i+8:]
		slug = string(rest[:bytes.IndexByte(rest, '"')])
	}
	clip, err := os.ReadFile("../../internal/demo/assets/vattenforsorjning.mp4")
	if err != nil {
		p.t.Fatal(err)
	}
	data := bytes.Repeat(clip, size/len(clip)+1)[:size]
	res = p.request(http.MethodPut, "/api/v1/webinars/"+slug+"/recording", token, bytes.NewReader(data), nil)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		p.t.Fatalf("upload recording: %s", res.Status)
	}
	return slug, data
}

// rangeRead starts GET of the first n bytes of a recording on a raw
// connection and reads the headers and the first `first` body bytes.
func (p *portalProcess) rangeRead(slug string, n, first int) (net.Conn, *bufio.Reader, []byte) {
	p.t.Helper()
	conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", p.port))
	if err != nil {
		p.t.Fatal(err)
	}
	// A small receive buffer, so the server cannot have sent most of the
	// body into socket buffers by the time of SIGTERM.
	_ = conn.(*net.TCPConn).SetReadBuffer(64 << 10)
	fmt.Fprintf(conn, "GET /webinars/%s/recording HTTP/1.1\r\nHost: x\r\nRange: bytes=0-%d\r\n\r\n", slug, n-1)
	br := bufio.NewReaderSize(conn, 64<<10)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		p.t.Fatal(err)
	}
	if res.StatusCode != http.StatusPartialContent || res.ContentLength != int64(n) {
		p.t.Fatalf("range read: %s, %d bytes", res.Status, res.ContentLength)
	}
	got := make([]byte, first)
	if _, err := io.ReadFull(res.Body, got); err != nil {
		p.t.Fatal(err)
	}
	return conn, bufio.NewReader(res.Body), got
}

// sigterm sends SIGTERM and waits until the portal no longer accepts
// connections.
func (p *portalProcess) sigterm() {
	p.t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		p.t.Fatal(err)
	}
	for i := 0; ; i++ {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", p.port), time.Second)
		if err != nil {
			return
		}
		c.Close()
		if i > 600 {
			p.t.Fatal("the portal still accepts connections a minute after SIGTERM")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestShutdownDrainsStreams: on SIGTERM the portal stops accepting
// connections, lets a running media stream finish and exits 0; with a
// short SHUTDOWN_TIMEOUT a stream that takes longer is cut and the
// portal still exits 0.
func TestShutdownDrainsStreams(t *testing.T) {
	bin := buildPortal(t)
	const size, readLen, first = 48 << 20, 40 << 20, 1 << 20

	t.Run("drained", func(t *testing.T) {
		p := &portalProcess{t: t, bin: bin, dataDir: t.TempDir(), port: freeTCPPort(t)}
		token := p.staffToken()
		p.startWith("SHUTDOWN_TIMEOUT=2m", "LOG_LEVEL=info")
		slug, data := p.publishRecording(token, "Avslutas snällt", size)

		conn, rest, got := p.rangeRead(slug, readLen, first)
		defer conn.Close()
		p.sigterm()
		// The stream has stalled on the client the whole time the portal
		// has been shutting down; now read it to its end.
		tail, err := io.ReadAll(io.LimitReader(rest, readLen))
		got = append(got, tail...)
		if err != nil || len(got) != readLen {
			t.Fatalf("stream during shutdown: %d of %d bytes, %v", len(got), readLen, err)
		}
		if sha256.Sum256(got) != sha256.Sum256(data[:readLen]) {
			t.Fatal("the bytes streamed during shutdown differ from the recording")
		}
		if code := p.waitExit(); code != 0 {
			t.Fatalf("exit code %d after draining:\n%s", code, p.log.String())
		}
		if !strings.Contains(p.log.String(), "all requests finished") {
			t.Errorf("log does not say the requests finished:\n%s", p.log.String())
		}
	})

	t.Run("cut at the deadline", func(t *testing.T) {
		p := &portalProcess{t: t, bin: bin, dataDir: t.TempDir(), port: freeTCPPort(t)}
		token := p.staffToken()
		p.startWith("SHUTDOWN_TIMEOUT=1s", "LOG_LEVEL=info")
		slug, _ := p.publishRecording(token, "Avbryts vid tidsgränsen", size)

		conn, rest, _ := p.rangeRead(slug, readLen, first)
		defer conn.Close()
		p.sigterm()
		// The client reads nothing more: the portal must give up on the
		// stream at its deadline and exit all the same.
		if code := p.waitExit(); code != 0 {
			t.Fatalf("exit code %d after cutting a stream:\n%s", code, p.log.String())
		}
		tail, _ := io.ReadAll(io.LimitReader(rest, readLen))
		if first+len(tail) >= readLen {
			t.Fatalf("the whole range arrived (%d bytes) although the client stalled past the deadline", first+len(tail))
		}
		t.Logf("stream cut after %d of %d bytes", first+len(tail), readLen)
		if !strings.Contains(p.log.String(), "requests still running at the shutdown deadline were cut") {
			t.Errorf("log does not report the cut stream:\n%s", p.log.String())
		}
	})
}

// scrapeMetrics reads /metrics from the metrics listener.
func scrapeMetrics(t *testing.T, addr string) string {
	t.Helper()
	res, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %s", res.Status)
	}
	return string(b)
}

// TestMongoDBDownAndBack runs the portal against a MongoDB-wire server
// it does not own, stops that server, checks that /readyz names MongoDB
// and pages answer a Swedish (or English) 503 at once instead of
// hanging, starts the server again on the same address and data, and
// checks that everything works again without restarting the portal.
// Along the way: /metrics on METRICS_ADDR only, with MongoDB and S3
// latency.
func TestMongoDBDownAndBack(t *testing.T) {
	bin := buildPortal(t)
	dbDir := filepath.Join(t.TempDir(), "db")
	mongoAddr := fmt.Sprintf("127.0.0.1:%d", freeTCPPort(t))
	db, err := embedded.StartMongoWire(dbDir, mongoAddr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { db.Stop() }()

	metricsAddr := fmt.Sprintf("127.0.0.1:%d", freeTCPPort(t))
	p := &portalProcess{t: t, bin: bin, dataDir: t.TempDir(), port: freeTCPPort(t)}
	p.extra = []string{"MONGODB_URI=" + db.URI, "MONGO_TIMEOUT=2s", "METRICS_ADDR=" + metricsAddr}
	token := p.staffToken()
	p.start()
	slug, _ := p.publishRecording(token, "Databasen försvinner", 2<<20)

	client := &http.Client{Timeout: 20 * time.Second} // a hang fails, it does not stall the test
	get := func(path string, headers ...string) (*http.Response, string, time.Duration) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, p.url(path), nil)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		start := time.Now()
		res, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res, string(b), time.Since(start)
	}
	if res, _, _ := get("/webinars/" + slug); res.StatusCode != http.StatusOK {
		t.Fatalf("watch page before the fault: %s", res.Status)
	}
	// Metrics: not on the public port, and with database and S3 latency.
	if res, _, _ := get("/metrics"); res.StatusCode != http.StatusNotFound {
		t.Errorf("/metrics on the public port: %s, want 404", res.Status)
	}
	text := scrapeMetrics(t, metricsAddr)
	for _, want := range []string{`portal_mongodb_command_duration_seconds_count{command="find",result="ok"}`,
		`portal_s3_request_duration_seconds_count{method="PUT",result="2xx"}`,
		`portal_http_requests_total{method="GET",route="/webinars/:slug",status="2xx"} 1`,
		`portal_uploads_finished_total{kind="raw",result="ok"} 1`} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	stopped := time.Now()
	db.Stop()
	t.Logf("MongoDB-wire server stopped in %v", time.Since(stopped).Round(time.Millisecond))

	// /readyz names MongoDB (and not S3) once the driver notices.
	var ready string
	for i := 0; ; i++ {
		res, body, took := get("/readyz")
		if res.StatusCode == http.StatusServiceUnavailable {
			ready = body
			t.Logf("/readyz 503 after %v (answered in %v): %s", time.Since(stopped).Round(time.Millisecond), took.Round(time.Millisecond), body)
			break
		}
		if i > 100 {
			t.Fatalf("/readyz still %s with MongoDB stopped", res.Status)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(ready, `"mongodb"`) || strings.Contains(ready, `"s3"`) {
		t.Errorf("/readyz with MongoDB down: %s; want it to name mongodb only", ready)
	}
	// The watch page may still be served from the in-memory listing of
	// published webinars; it must answer, not hang.
	res, _, took := get("/webinars/" + slug)
	t.Logf("watch page with MongoDB down: %s in %v", res.Status, took.Round(time.Millisecond))
	if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("watch page with MongoDB down: %s, want 200 (from memory) or 503", res.Status)
	}
	// Pages that need the database (the public wishes): a Swedish 503
	// with Retry-After and the request id, bounded by MONGO_TIMEOUT.
	res, body, took := get("/wishes")
	t.Logf("wishes page with MongoDB down: %s in %v", res.Status, took.Round(time.Millisecond))
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
		t.Fatalf("wishes page with MongoDB down: %s Retry-After %q\n%.500s", res.Status, res.Header.Get("Retry-After"), body)
	}
	for _, want := range []string{"Tillfälligt otillgängligt", "Försök igen om en liten stund", "Felkod:", res.Header.Get("X-Request-Id")} {
		if !strings.Contains(body, want) {
			t.Errorf("503 page lacks %q:\n%.1500s", want, body)
		}
	}
	if strings.Contains(body, "server selection") || strings.Contains(body, mongoAddr) {
		t.Errorf("503 page shows the internal error:\n%s", body)
	}
	// The log has the cause, under the id the visitor can quote. The
	// line travels through the process's stderr pipe, so it may arrive
	// just after the answer.
	id := res.Header.Get("X-Request-Id")
	logged := func() bool {
		return strings.Contains(p.log.String(), `"msg":"request failed: storage unavailable","request_id":"`+id+`"`)
	}
	for deadline := time.Now().Add(5 * time.Second); !logged() && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	if !logged() {
		t.Errorf("no log line with the cause names request %s:\n%s", id, p.log.String())
	}
	res, body, took = get("/wishes?lang=en")
	t.Logf("English wishes page with MongoDB down: %s in %v", res.Status, took.Round(time.Millisecond))
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "Temporarily unavailable") || !strings.Contains(body, "Error code:") {
		t.Errorf("English page with MongoDB down: %s\n%.1500s", res.Status, body)
	}
	res, body, took = get("/wishes", "Accept", "application/json")
	t.Logf("JSON with MongoDB down: %s in %v: %s", res.Status, took.Round(time.Millisecond), body)
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, `"code":"unavailable"`) {
		t.Errorf("JSON with MongoDB down: %s %s", res.Status, body)
	}
	if res, _, _ := get("/healthz"); res.StatusCode != http.StatusOK {
		t.Errorf("/healthz with MongoDB down: %s (the process is fine)", res.Status)
	}
	// What a visitor sees: the page in Chromium, in both languages.
	pagesDown := 3 // /wishes requests answered 503 so far
	if tab := openTab(t, 2*time.Minute); tab != nil {
		pagesDown += 2
		shots := screenshotDir(t)
		for _, lang := range []string{"sv", "en"} {
			u := p.url("/wishes?lang=" + lang)
			tab.problems.allow(http.StatusServiceUnavailable, u)
			tab.problems.allow(http.StatusNotFound, p.url("/favicon.ico"))
			if _, err := chromedp.Run(tab.ctx, chromedp.Navigate(u)); err != nil {
				t.Fatal(err)
			}
			h1, err := chromedp.Run(tab.ctx, chromedp.Evaluate[string](`document.documentElement.lang + "|" + document.querySelector("h1").textContent`))
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"sv": "sv|Tillfälligt otillgängligt", "en": "en|Temporarily unavailable"}[lang]
			if h1 != want {
				t.Errorf("503 page in Chromium (%s): %q, want %q", lang, h1, want)
			}
			png, err := chromedp.Run(tab.ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(shots, "mongodb-down-"+lang+".png")
			if err := os.WriteFile(path, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("screenshot: %s", path)
			tab.checkProblems(t)
		}
	}

	// The server comes back on the same address and data.
	if db, err = embedded.StartMongoWire(dbDir, mongoAddr, nil); err != nil {
		t.Fatal(err)
	}
	back := time.Now()
	for i := 0; ; i++ {
		res, _, _ := get("/readyz")
		if res.StatusCode == http.StatusOK {
			t.Logf("/readyz 200 again %v after MongoDB returned", time.Since(back).Round(time.Millisecond))
			break
		}
		if i > 300 {
			t.Fatalf("/readyz still %s after MongoDB returned", res.Status)
		}
		time.Sleep(100 * time.Millisecond)
	}
	res, body, _ = get("/webinars/" + slug)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Databasen försvinner") {
		t.Fatalf("watch page after MongoDB returned: %s", res.Status)
	}
	created := p.request(http.MethodPost, "/api/v1/webinars", token, strings.NewReader(`{"title":"Efter återkomsten","visibility":"public"}`),
		map[string]string{"Content-Type": "application/json"})
	created.Body.Close()
	if created.StatusCode != http.StatusCreated {
		t.Fatalf("creating a webinar after MongoDB returned: %s", created.Status)
	}
	text = scrapeMetrics(t, metricsAddr)
	if !strings.Contains(text, fmt.Sprintf(`portal_http_requests_total{method="GET",route="/wishes",status="5xx"} %d`, pagesDown)) ||
		!strings.Contains(text, fmt.Sprintf(`portal_http_server_errors_total{route="/wishes",status="503"} %d`, pagesDown)) {
		t.Errorf("/metrics does not count the 503s:\n%s", grepMetric(text, "portal_http"))
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.waitExit(); code != 0 {
		t.Errorf("exit code %d", code)
	}
}

func grepMetric(text, prefix string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestS3DownAndBack: with the S3 server unreachable, /readyz names S3,
// the catalogue's pages still work and media answer a 503 at once; when
// S3 is back, media stream again without a restart.
func TestS3DownAndBack(t *testing.T) {
	bin := buildPortal(t)
	s3 := startMinIO(t)
	proxy := startProxy(t, "127.0.0.1:0", s3.Addr)
	defer func() { proxy.stop() }()

	p := &portalProcess{t: t, bin: bin, dataDir: t.TempDir(), port: freeTCPPort(t)}
	p.extra = []string{"S3_ENDPOINT=" + proxy.addr, "S3_ACCESS_KEY=" + s3.User, "S3_SECRET_KEY=" + s3.Password,
		"MONGO_TIMEOUT=2s", "S3_TIMEOUT=2s"}
	token := p.staffToken()
	p.start()
	slug, data := p.publishRecording(token, "Lagringen försvinner", 2<<20)

	client := &http.Client{Timeout: 30 * time.Second} // a hang fails, it does not stall the test
	get := func(path string) (*http.Response, []byte, time.Duration) {
		t.Helper()
		start := time.Now()
		res, err := client.Get(p.url(path))
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res, b, time.Since(start)
	}
	if res, b, _ := get("/webinars/" + slug + "/recording"); res.StatusCode != http.StatusOK || !bytes.Equal(b, data) {
		t.Fatalf("recording before the fault: %s, %d bytes", res.Status, len(b))
	}

	proxy.stop()
	for i := 0; ; i++ {
		res, body, took := get("/readyz")
		if res.StatusCode == http.StatusServiceUnavailable {
			t.Logf("/readyz with S3 down (answered in %v): %s", took.Round(time.Millisecond), body)
			if !strings.Contains(string(body), `"s3"`) || strings.Contains(string(body), `"mongodb"`) {
				t.Errorf("/readyz with S3 down: %s; want it to name s3 only", body)
			}
			break
		}
		if i > 100 {
			t.Fatalf("/readyz still %s with S3 down", res.Status)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The archive can still be browsed; only the media fail, with a 503.
	if res, _, took := get("/webinars/" + slug); res.StatusCode != http.StatusOK {
		t.Errorf("watch page with S3 down: %s in %v, want 200 (it needs only MongoDB)", res.Status, took)
	}
	res, body, took := get("/webinars/" + slug + "/recording")
	t.Logf("recording with S3 down: %s in %v", res.Status, took.Round(time.Millisecond))
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" ||
		!strings.Contains(string(body), "Tillfälligt otillgängligt") || !strings.Contains(string(body), res.Header.Get("X-Request-Id")) {
		t.Errorf("recording with S3 down: %s Retry-After %q\n%.1500s", res.Status, res.Header.Get("Retry-After"), body)
	}

	proxy = startProxy(t, proxy.addr, s3.Addr)
	for i := 0; ; i++ {
		res, _, _ := get("/readyz")
		if res.StatusCode == http.StatusOK {
			break
		}
		if i > 300 {
			t.Fatalf("/readyz still %s after S3 returned", res.Status)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if res, b, _ := get("/webinars/" + slug + "/recording"); res.StatusCode != http.StatusOK || !bytes.Equal(b, data) {
		t.Fatalf("recording after S3 returned: %s, %d bytes", res.Status, len(b))
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.waitExit(); code != 0 {
		t.Errorf("exit code %d", code)
	}
}
