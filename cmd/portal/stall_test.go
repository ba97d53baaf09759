package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/smakom/webinar-portal/internal/embedded"
	"github.com/smakom/webinar-portal/internal/minioserver"
)

// bucketState lists the bucket's objects and unfinished multipart
// uploads, to compare before and after a failed upload.
func bucketState(t *testing.T, s3 *minioserver.Server) string {
	t.Helper()
	c, err := minio.New(s3.Addr, &minio.Options{Creds: credentials.NewStaticV4(s3.User, s3.Password, "")})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out []string
	for o := range c.ListObjects(ctx, "webinars", minio.ListObjectsOptions{Recursive: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		out = append(out, "object "+o.Key+" "+strconv.FormatInt(o.Size, 10))
	}
	for u := range c.ListIncompleteUploads(ctx, "webinars", "", true) {
		if u.Err != nil {
			t.Fatal(u.Err)
		}
		out = append(out, "unfinished upload "+u.Key)
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// recordingOf is the webinar's recording as the API shows it ("null"
// when it has none).
func recordingOf(t *testing.T, p *portalProcess, token, slug string) string {
	t.Helper()
	res := p.request(http.MethodGet, "/api/v1/webinars/"+slug, token, nil, nil)
	defer res.Body.Close()
	var w struct {
		Recording json.RawMessage `json:"recording"`
	}
	if err := json.NewDecoder(res.Body).Decode(&w); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("webinar %s: %s, %v", slug, res.Status, err)
	}
	if len(w.Recording) == 0 {
		return "null"
	}
	return string(w.Recording)
}

// trickleUpload PUTs data as a recording: first bytes at once, then it
// calls midway (to cause a fault) and sends the rest. It returns the
// answer and how long after midway it came.
func trickleUpload(t *testing.T, p *portalProcess, token, slug string, data []byte, first int, midway func()) (*http.Response, string, time.Duration) {
	t.Helper()
	body, w := io.Pipe()
	var faultAt atomic.Int64
	go func() {
		if _, err := w.Write(data[:first]); err != nil {
			w.CloseWithError(err)
			return
		}
		midway()
		faultAt.Store(time.Now().UnixNano())
		_, err := w.Write(data[first:])
		w.CloseWithError(err)
	}()
	req, _ := http.NewRequest(http.MethodPut, p.url("/api/v1/webinars/"+slug+"/recording"), body)
	req.ContentLength = int64(len(data))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "video/mp4")
	client := &http.Client{Timeout: 2 * time.Minute} // a hang fails the test instead of stalling it
	res, err := client.Do(req)
	body.CloseWithError(io.ErrClosedPipe) // the writer may still be blocked
	if err != nil {
		t.Fatalf("upload got no answer: %v", err)
	}
	answer, _ := io.ReadAll(res.Body)
	res.Body.Close()
	took := time.Duration(0)
	if at := faultAt.Load(); at > 0 {
		took = time.Since(time.Unix(0, at))
	}
	return res, string(answer), took
}

// TestMongoDBHangsDuringUpload: the MongoDB-wire server stays connected
// and answers the driver's heartbeats, but swallows every operation (a
// proxy reads them and never forwards them) while a raw upload streams in. The upload's database calls, which run
// under the upload's own long-lived context, are cut by MONGO_TIMEOUT:
// the client gets a 503 within bounds, and neither an object nor an
// unfinished multipart upload is left in S3, nor does the webinar point
// at anything.
func TestMongoDBHangsDuringUpload(t *testing.T) {
	bin := buildPortal(t)
	s3 := startMinIO(t)
	mongoAddr := fmt.Sprintf("127.0.0.1:%d", freeTCPPort(t))
	db, err := embedded.StartMongoWire(filepath.Join(t.TempDir(), "db"), mongoAddr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { db.Stop() }()
	proxy := startProxy(t, "127.0.0.1:0", mongoAddr)

	const mongoTimeout = 2 * time.Second
	p := &portalProcess{t: t, bin: bin, dataDir: t.TempDir(), port: freeTCPPort(t)}
	p.extra = []string{"MONGODB_URI=mongodb://" + proxy.addr + "/", "MONGO_TIMEOUT=" + mongoTimeout.String(),
		"S3_ENDPOINT=" + s3.Addr, "S3_ACCESS_KEY=" + s3.User, "S3_SECRET_KEY=" + s3.Password}
	token := p.staffToken()
	p.start()
	p.createPublicWebinar(token, "Databasen tystnar")
	before := bucketState(t, s3)

	clip := readClip(t)
	data := bytes.Repeat(clip, (40<<20)/len(clip)+1)[:40<<20]
	// After 20 MiB (one part stored, the upload recorded in MongoDB)
	// MongoDB goes silent to operations, while its heartbeats are still
	// answered.
	res, answer, took := trickleUpload(t, p, token, "databasen-tystnar", data, 20<<20, func() { proxy.set(dropOps, pass, true) })
	t.Logf("upload with MongoDB swallowing requests: %s after %v (MONGO_TIMEOUT %v): %s", res.Status, took.Round(time.Millisecond), mongoTimeout, answer)
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(answer, `"code":"unavailable"`) || res.Header.Get("Retry-After") == "" {
		t.Errorf("upload while MongoDB hangs: %s Retry-After %q %s; want 503 unavailable", res.Status, res.Header.Get("Retry-After"), answer)
	}
	if strings.Contains(answer, proxy.addr) || strings.Contains(answer, "context deadline") {
		t.Errorf("the answer shows the internal error: %s", answer)
	}

	// MongoDB answers again: nothing was kept.
	proxy.set(pass, pass, true)
	if !waitFor(30*time.Second, func() bool {
		res := p.request(http.MethodGet, "/readyz", "", nil, nil)
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	}) {
		t.Fatal("/readyz not 200 within 30 s of MongoDB answering again")
	}
	if got := recordingOf(t, p, token, "databasen-tystnar"); got != "null" {
		t.Errorf("the webinar points at a recording after the failed upload: %s", got)
	}
	if after := bucketState(t, s3); after != before {
		t.Errorf("S3 after the failed upload:\n%s\nwant as before:\n%s", after, before)
	}
	// And the portal works again without a restart.
	res = p.request(http.MethodPut, "/api/v1/webinars/databasen-tystnar/recording", token, bytes.NewReader(data[:4<<20]), nil)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("upload after MongoDB answers again: %s", res.Status)
	}
}

func readClip(t *testing.T) []byte {
	t.Helper()
	res, err := os.ReadFile("../../internal/demo/assets/vattenforsorjning.mp4")
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// goroutines reads the portal's go_goroutines from its metrics listener.
func goroutines(t *testing.T, metricsAddr string) int {
	t.Helper()
	for _, l := range strings.Split(scrapeMetrics(t, metricsAddr), "\n") {
		if v, ok := strings.CutPrefix(l, "go_goroutines "); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no go_goroutines in /metrics")
	return 0
}

// waitFor polls cond every 100 ms until it holds or limit passes.
func waitFor(limit time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(limit); ; {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestS3StallsMidBody: the S3 server (MinIO behind a proxy) stays
// connected but stops sending in the middle of a recording's body, and
// later stops reading in the middle of an upload's part. The stream is
// cut (the viewer's connection closes, short of the whole body) within
// S3_TIMEOUT plus HTTP_IDLE_TIMEOUT, and the portal's connections to S3
// and its goroutines return to where they were; the upload is answered
// 503 and leaves nothing in S3 or in the webinar.
func TestS3StallsMidBody(t *testing.T) {
	bin := buildPortal(t)
	s3 := startMinIO(t)
	proxy := startProxy(t, "127.0.0.1:0", s3.Addr)

	const s3Timeout, idle = 2 * time.Second, 3 * time.Second
	metricsAddr := fmt.Sprintf("127.0.0.1:%d", freeTCPPort(t))
	p := &portalProcess{t: t, bin: bin, dataDir: t.TempDir(), port: freeTCPPort(t)}
	p.extra = []string{"S3_ENDPOINT=" + proxy.addr, "S3_ACCESS_KEY=" + s3.User, "S3_SECRET_KEY=" + s3.Password,
		"S3_TIMEOUT=" + s3Timeout.String(), "HTTP_IDLE_TIMEOUT=" + idle.String(), "METRICS_ADDR=" + metricsAddr}
	token := p.staffToken()
	p.start()
	const size = 24 << 20
	slug, data := p.publishRecording(token, "Lagringen stannar", size)

	// A whole stream first, so pooled connections and goroutines settle.
	res, err := http.Get(p.url("/webinars/" + slug + "/recording"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !bytes.Equal(b, data) {
		t.Fatalf("recording before the fault: %s, %d bytes", res.Status, len(b))
	}
	time.Sleep(time.Second)
	baseConns, baseGoroutines := proxy.open(), goroutines(t, metricsAddr)
	t.Logf("baseline: %d connections to S3, %d goroutines", baseConns, baseGoroutines)

	// The stream: S3 stops sending after the viewer has 2 MiB.
	conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", p.port))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.(*net.TCPConn).SetReadBuffer(64 << 10)
	fmt.Fprintf(conn, "GET /webinars/%s/recording HTTP/1.1\r\nHost: x\r\n\r\n", slug)
	br := bufio.NewReader(conn)
	head, err := http.ReadResponse(br, nil)
	if err != nil || head.StatusCode != http.StatusOK {
		t.Fatalf("stream: %v %v", head, err)
	}
	got := make([]byte, 2<<20)
	if _, err := io.ReadFull(head.Body, got); err != nil {
		t.Fatal(err)
	}
	proxy.set(pass, block, false)
	stalled := time.Now()
	_ = conn.SetReadDeadline(time.Now().Add(time.Minute)) // a hang fails the test
	rest, err := io.Copy(io.Discard, head.Body)
	cut := time.Since(stalled)
	t.Logf("stream with S3 silent mid-body: %d of %d bytes, then %v after %v (S3_TIMEOUT %v, HTTP_IDLE_TIMEOUT %v)",
		len(got)+int(rest), size, err, cut.Round(time.Millisecond), s3Timeout, idle)
	if isTimeout(err) {
		t.Fatalf("the stream hung for a minute with S3 silent")
	}
	if err == nil || int(rest)+len(got) >= size {
		t.Errorf("the stream ended as if whole (%d bytes, %v); want it cut short", len(got)+int(rest), err)
	}
	proxy.set(pass, pass, true)
	if !waitFor(30*time.Second, func() bool { return proxy.open() <= baseConns }) {
		t.Errorf("connections to S3: %d, %d before the stall (one leaks)", proxy.open(), baseConns)
	}
	var n int
	if !waitFor(30*time.Second, func() bool { n = goroutines(t, metricsAddr); return n <= baseGoroutines+2 }) {
		t.Errorf("goroutines after the cut stream: %d, %d before", n, baseGoroutines)
	}
	t.Logf("after the cut: %d connections to S3, %d goroutines", proxy.open(), n)
	// The same recording streams whole again.
	if res, err = http.Get(p.url("/webinars/" + slug + "/recording")); err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if !bytes.Equal(b, data) {
		t.Errorf("recording after the stall: %s, %d bytes", res.Status, len(b))
	}

	// The upload: after 20 MiB, S3 stops reading what the portal sends.
	p.createPublicWebinar(token, "Lagringen slutar läsa")
	before := bucketState(t, s3)
	up := bytes.Repeat(readClip(t), (40<<20)/len(readClip(t))+1)[:40<<20]
	res, answer, took := trickleUpload(t, p, token, "lagringen-slutar-lasa", up, 20<<20, func() {
		time.Sleep(200 * time.Millisecond) // the first part is on its way to S3
		proxy.set(block, pass, false)
	})
	t.Logf("upload with S3 no longer reading: %s after %v: %s", res.Status, took.Round(time.Millisecond), answer)
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
		t.Errorf("upload while S3 stops reading: %s %s; want 503 with Retry-After", res.Status, answer)
	}
	proxy.set(pass, pass, true)
	if got := recordingOf(t, p, token, "lagringen-slutar-lasa"); got != "null" {
		t.Errorf("the webinar points at a recording after the failed upload: %s", got)
	}
	var after string
	if !waitFor(30*time.Second, func() bool { after = bucketState(t, s3); return after == before }) {
		t.Errorf("S3 after the failed upload:\n%s\nwant as before:\n%s", after, before)
	}
}

// TestMongoDBDownDuringStream: a whole and a ranged stream of a recording
// run when the MongoDB-wire server stops. Each either ends with all its
// bytes (SHA-256 as uploaded) or fails cleanly (the connection closes),
// never hangs; meanwhile a page that needs the database answers 503 within
// MONGO_TIMEOUT and a margin, and the catalogue answers (200 from memory,
// or 503).
func TestMongoDBDownDuringStream(t *testing.T) {
	bin := buildPortal(t)
	mongoAddr := fmt.Sprintf("127.0.0.1:%d", freeTCPPort(t))
	db, err := embedded.StartMongoWire(filepath.Join(t.TempDir(), "db"), mongoAddr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { db.Stop() }()
	const mongoTimeout = 2 * time.Second
	p := &portalProcess{t: t, bin: bin, dataDir: t.TempDir(), port: freeTCPPort(t)}
	p.extra = []string{"MONGODB_URI=mongodb://" + mongoAddr + "/", "MONGO_TIMEOUT=" + mongoTimeout.String()}
	token := p.staffToken()
	p.start()
	const size = 32 << 20
	slug, data := p.publishRecording(token, "Strömmen fortsätter", size)

	type stream struct {
		name string
		want []byte
		conn net.Conn
		body io.Reader
		got  []byte
	}
	open := func(name, rangeHeader string, want []byte) *stream {
		conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", p.port))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		_ = conn.(*net.TCPConn).SetReadBuffer(64 << 10)
		fmt.Fprintf(conn, "GET /webinars/%s/recording HTTP/1.1\r\nHost: x\r\n%s\r\n", slug, rangeHeader)
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil || res.ContentLength != int64(len(want)) {
			t.Fatalf("%s: %v, %v", name, res, err)
		}
		got := make([]byte, 1<<20)
		if _, err := io.ReadFull(res.Body, got); err != nil {
			t.Fatal(err)
		}
		return &stream{name: name, want: want, conn: conn, body: res.Body, got: got}
	}
	const from, to = 3 << 20, 27<<20 - 1
	streams := []*stream{
		open("whole stream", "", data),
		open("ranged stream", fmt.Sprintf("Range: bytes=%d-%d\r\n", from, to), data[from:to+1]),
	}

	db.Stop()
	stopped := time.Now()
	t.Logf("MongoDB-wire server stopped")

	// Pages while MongoDB is down, with the streams still open.
	client := &http.Client{Timeout: time.Minute} // a hang fails the test
	get := func(path string) (int, time.Duration) {
		t.Helper()
		start := time.Now()
		res, err := client.Get(p.url(path))
		if err != nil {
			t.Fatalf("GET %s with MongoDB down: %v", path, err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode, time.Since(start)
	}
	status, took := get("/wishes")
	t.Logf("/wishes with MongoDB down: %d in %v (MONGO_TIMEOUT %v)", status, took.Round(time.Millisecond), mongoTimeout)
	if status != http.StatusServiceUnavailable {
		t.Errorf("/wishes with MongoDB down: %d, want 503", status)
	}
	if took > mongoTimeout+15*time.Second {
		t.Errorf("/wishes with MongoDB down took %v: not bounded by MONGO_TIMEOUT (%v)", took, mongoTimeout)
	}
	status, took = get("/")
	t.Logf("catalogue with MongoDB down: %d in %v", status, took.Round(time.Millisecond))
	if status != http.StatusOK && status != http.StatusServiceUnavailable {
		t.Errorf("catalogue with MongoDB down: %d, want 200 (from memory) or 503", status)
	}

	// The streams go on to their end: whole, or cut cleanly.
	for _, s := range streams {
		_ = s.conn.SetReadDeadline(time.Now().Add(time.Minute))
		rest, err := io.ReadAll(s.body)
		got := append(s.got, rest...)
		switch {
		case err == nil && len(got) == len(s.want):
			if sha256.Sum256(got) != sha256.Sum256(s.want) {
				t.Errorf("%s: all %d bytes arrived but the SHA-256 differs", s.name, len(got))
			}
			t.Logf("%s: all %d bytes, SHA-256 as uploaded, %v after MongoDB stopped", s.name, len(got), time.Since(stopped).Round(time.Millisecond))
		case isTimeout(err):
			t.Errorf("%s: hung with MongoDB down (%d of %d bytes in a minute)", s.name, len(got), len(s.want))
		case err != nil:
			t.Logf("%s: cut cleanly with MongoDB down after %d of %d bytes: %v", s.name, len(got), len(s.want), err)
			if !bytes.Equal(got, s.want[:len(got)]) {
				t.Errorf("%s: the bytes before the cut differ from the recording", s.name)
			}
		default:
			t.Errorf("%s: ended without error after %d of %d bytes", s.name, len(got), len(s.want))
		}
	}
}
