package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"

	"github.com/smakom/webinar-portal/internal/metrics"
	"github.com/smakom/webinar-portal/internal/reqid"
)

// lockedBuffer collects log output written from request goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics: %d", rec.Code)
	}
	return rec.Body.String()
}

// metricValue is the value of the series with exactly these labels (in
// the exposition's sorted order), or -1.
func metricValue(text, series string) float64 {
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			var f float64
			fmt.Sscan(v, &f)
			return f
		}
	}
	return -1
}

// TestMetricsAndRequestIDs: requests are counted by route pattern (never
// the slug or a made-up URL), media bytes and uploads are counted, and
// every answer names its request id: header, error page (sv and en),
// JSON error and the log lines of the request.
func TestMetricsAndRequestIDs(t *testing.T) {
	m := metrics.New()
	logs := &lockedBuffer{}
	p := newPortal(t, func(d *Deps) {
		d.Metrics = m
		d.Logger = slog.New(reqid.Handler(slog.NewJSONHandler(logs, nil)))
	})
	api := p.apiClient()
	slug := api.createWebinar("Mätvärden för drift", "public")
	data := fakeMP4(3<<20 + 17)
	expectStatus(t, api.put("/api/v1/webinars/"+slug+"/recording", bytes.NewReader(data), int64(len(data))), http.StatusOK)

	anon := p.anonymous()
	expectStatus(t, anon.get("/webinars/"+slug), http.StatusOK)
	whole := anon.get("/webinars/" + slug + "/recording")
	expectStatus(t, whole, http.StatusOK)
	part := anon.get("/webinars/"+slug+"/recording", "Range", "bytes=100-1099")
	expectStatus(t, part, http.StatusPartialContent)
	if len(whole.Body) != len(data) || len(part.Body) != 1000 {
		t.Fatalf("bodies of %d and %d bytes", len(whole.Body), len(part.Body))
	}
	missing := anon.get("/finns-inte-" + slug)
	expectStatus(t, missing, http.StatusNotFound)
	expectStatus(t, anon.get("/webinars/ingen-sadan-"+slug), http.StatusNotFound)

	text := scrape(t, m)
	for series, want := range map[string]float64{
		`portal_http_requests_total{method="GET",route="/webinars/:slug",status="2xx"}`:           1,
		`portal_http_requests_total{method="GET",route="/webinars/:slug",status="4xx"}`:           1,
		`portal_http_requests_total{method="GET",route="/webinars/:slug/recording",status="2xx"}`: 2,
		`portal_http_requests_total{method="GET",route="unmatched",status="4xx"}`:                 1,
		`portal_media_bytes_sent_total{route="/webinars/:slug/recording"}`:                        float64(len(data) + 1000),
		`portal_uploads_finished_total{kind="raw",result="ok"}`:                                   1,
		`portal_uploads_in_flight{kind="raw"}`:                                                    0,
	} {
		if got := metricValue(text, series); got != want {
			t.Errorf("%s = %v, want %v\n%s", series, got, want, grepLines(text, "portal_http_requests_total"))
		}
	}
	if strings.Contains(text, slug) || strings.Contains(text, "finns-inte") {
		t.Error("a URL asked for became a metric label")
	}
	// (MongoDB and S3 latency are wired on the clients in cmd/portal.)
	for _, name := range []string{"portal_http_request_duration_seconds_bucket", "go_goroutines", "process_resident_memory_bytes"} {
		if !strings.Contains(text, name) {
			t.Errorf("/metrics lacks %s", name)
		}
	}

	// The request id: header, page (sv, en), JSON and logs.
	id := missing.Header.Get("X-Request-Id")
	if !regexp.MustCompile(`^[A-Za-z0-9_-]{16}$`).MatchString(id) {
		t.Fatalf("X-Request-Id %q", id)
	}
	if strings.Contains(missing.text(), id) {
		t.Error("a 404 page shows its request id: pages of unknown and hidden slugs must not differ")
	}
	js := anon.get("/api/v1/webinars/ingen-sadan")
	expectStatus(t, js, http.StatusNotFound)
	var body struct {
		Error struct {
			RequestID string `json:"request_id"`
		} `json:"error"`
	}
	if err := json.Unmarshal(js.Body, &body); err != nil || body.Error.RequestID != js.Header.Get("X-Request-Id") || body.Error.RequestID == "" {
		t.Errorf("JSON error %s does not carry the request id %q", js.Body, js.Header.Get("X-Request-Id"))
	}
	found := false
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if strings.Contains(line, `"msg":"request"`) && !strings.Contains(line, `"request_id":"`) {
			t.Errorf("request log line without request id: %s", line)
		}
		if strings.Contains(line, `"request_id":"`+id+`"`) {
			found = true
		}
	}
	if !found {
		t.Errorf("no log line names request %s:\n%s", id, logs.String())
	}
}

// TestUploadSlots: with MAX_CONCURRENT_UPLOADS=1 a second upload while
// one runs gets 503, Retry-After and a Swedish JSON message, before its
// body is read; once the first is done, uploads are accepted again.
func TestUploadSlots(t *testing.T) {
	m := metrics.New()
	p := newPortal(t, func(d *Deps) { d.Metrics = m; d.MaxConcurrentUploads = 1 })
	api := p.apiClient()
	slug := api.createWebinar("Köade uppladdningar", "public")
	addr := p.listen(t)
	data := fakeMP4(2<<20 + 5)

	put := func(body io.Reader) (*http.Response, error) {
		req, _ := http.NewRequest(http.MethodPut, "http://"+addr+"/api/v1/webinars/"+slug+"/recording", body)
		req.ContentLength = int64(len(data))
		req.Header.Set("Authorization", "Bearer "+api.token)
		return http.DefaultClient.Do(req)
	}
	// The first upload sends half its body and waits.
	pr, pw := io.Pipe()
	first := make(chan *http.Response, 1)
	go func() {
		res, err := put(pr)
		if err != nil {
			t.Errorf("first upload: %v", err)
		}
		first <- res
	}()
	if _, err := pw.Write(data[:len(data)/2]); err != nil {
		t.Fatal(err)
	}
	for metricValue(scrape(t, m), `portal_uploads_in_flight{kind="raw"}`) != 1 {
		time.Sleep(20 * time.Millisecond)
	}
	res, err := put(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" ||
		!strings.Contains(string(b), "uppladdningar pågår") || !strings.Contains(string(b), `"too_many_uploads"`) {
		t.Fatalf("second upload while one runs: %d Retry-After %q %s", res.StatusCode, res.Header.Get("Retry-After"), b)
	}
	// The staff form gets the same as a Swedish page with the request id
	// to quote.
	form := p.loginAs("staff").postFile("/staff/webinars/"+slug+"/recording", nil, "film.mp4", data, true)
	expectStatus(t, form, http.StatusServiceUnavailable)
	id := form.Header.Get("X-Request-Id")
	expectContains(t, form, "uppladdningar pågår", "Felkod:", "<code>"+id+"</code>")
	if id == "" || form.Header.Get("Retry-After") == "" {
		t.Errorf("503 page: X-Request-Id %q, Retry-After %q", id, form.Header.Get("Retry-After"))
	}
	// A resumable chunk waits its turn the same way.
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/api/v1/uploads", nil)
	for k, v := range map[string]string{"Authorization": "Bearer " + api.token, "Tus-Resumable": "1.0.0",
		"Upload-Length": strconv.Itoa(len(data)), "Upload-Metadata": "slug " + b64(slug) + ",kind " + b64("recording")} {
		req.Header.Set(k, v)
	}
	created, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	created.Body.Close()
	if created.StatusCode != http.StatusCreated {
		t.Fatalf("create resumable upload: %s", created.Status)
	}
	req, _ = http.NewRequest(http.MethodPatch, "http://"+addr+created.Header.Get("Location"), bytes.NewReader(data))
	for k, v := range map[string]string{"Authorization": "Bearer " + api.token, "Tus-Resumable": "1.0.0",
		"Content-Type": "application/offset+octet-stream", "Upload-Offset": "0"} {
		req.Header.Set(k, v)
	}
	chunk, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	chunk.Body.Close()
	if chunk.StatusCode != http.StatusServiceUnavailable || chunk.Header.Get("Retry-After") == "" {
		t.Errorf("resumable chunk while an upload runs: %s Retry-After %q", chunk.Status, chunk.Header.Get("Retry-After"))
	}
	if _, err := pw.Write(data[len(data)/2:]); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if r := <-first; r == nil || r.StatusCode != http.StatusOK {
		t.Fatalf("first upload: %v", r)
	}
	res, err = put(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("upload after the first finished: %d", res.StatusCode)
	}
	text := scrape(t, m)
	if metricValue(text, `portal_uploads_rejected_total{kind="raw"}`) != 2 || metricValue(text, `portal_uploads_rejected_total{kind="tus"}`) != 1 || metricValue(text, `portal_uploads_finished_total{kind="raw",result="ok"}`) != 2 {
		t.Errorf("upload metrics:\n%s", grepLines(text, "portal_uploads"))
	}
}

func grepLines(text, prefix string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestUnavailableErrors: errors that mean MongoDB or S3 did not answer
// become a 503, other errors stay internal.
func TestUnavailableErrors(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{context.DeadlineExceeded, true},
		{fmt.Errorf("load webinar: %w", context.DeadlineExceeded), true},
		{topology.ServerSelectionError{Wrapped: errors.New("no server")}, true},
		{fmt.Errorf("stat: %w", &net.OpError{Op: "dial", Err: errors.New("connection refused")}), true},
		{errors.New("template broken"), false},
		{context.Canceled, false},
	} {
		if got := unavailable(tc.err); got != tc.want {
			t.Errorf("unavailable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
