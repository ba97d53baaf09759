package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/smakom/webinar-portal/internal/media"
)

// tusClient speaks the tus protocol to a portal on a real listener, so a
// chunk can be cut off mid-body like a dropped connection.
type tusClient struct {
	t     *testing.T
	base  string
	addr  string
	token string
}

func (p *portal) listen(t *testing.T) (addr string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = p.srv.App().Listener(ln) }()
	t.Cleanup(func() { _ = p.srv.App().ShutdownWithTimeout(5 * time.Second) })
	return ln.Addr().String()
}

func (tc *tusClient) do(method, path string, body io.Reader, headers map[string]string) *http.Response {
	tc.t.Helper()
	req, _ := http.NewRequest(method, tc.base+path, body)
	req.Header.Set("Authorization", "Bearer "+tc.token)
	req.Header.Set("Tus-Resumable", "1.0.0")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tc.t.Fatalf("%s %s: %v", method, path, err)
	}
	return res
}

func metadata(pairs ...string) string {
	var parts []string
	for i := 0; i+1 < len(pairs); i += 2 {
		parts = append(parts, pairs[i]+" "+base64.StdEncoding.EncodeToString([]byte(pairs[i+1])))
	}
	return strings.Join(parts, ",")
}

func (tc *tusClient) create(slug, kind string, length int) string {
	tc.t.Helper()
	res := tc.do(http.MethodPost, "/api/v1/uploads", nil, map[string]string{
		"Upload-Length": strconv.Itoa(length), "Upload-Metadata": metadata("slug", slug, "kind", kind, "filename", "film.mp4")})
	res.Body.Close()
	if res.StatusCode != http.StatusCreated || res.Header.Get("Location") == "" || res.Header.Get("Tus-Resumable") != "1.0.0" {
		tc.t.Fatalf("create upload: %s %v", res.Status, res.Header)
	}
	return res.Header.Get("Location")
}

func (tc *tusClient) offset(loc string) int {
	tc.t.Helper()
	res := tc.do(http.MethodHead, loc, nil, nil)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		tc.t.Fatalf("HEAD %s: %s", loc, res.Status)
	}
	n, _ := strconv.Atoi(res.Header.Get("Upload-Offset"))
	return n
}

func (tc *tusClient) patch(loc string, offset int, chunk []byte, extra ...string) *http.Response {
	h := map[string]string{"Content-Type": "application/offset+octet-stream", "Upload-Offset": strconv.Itoa(offset)}
	for i := 0; i+1 < len(extra); i += 2 {
		h[extra[i]] = extra[i+1]
	}
	res := tc.do(http.MethodPatch, loc, bytes.NewReader(chunk), h)
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

// cutPatch sends a chunk's headers and only part of its body, then drops
// the connection.
func (tc *tusClient) cutPatch(loc string, offset int, chunk []byte, sent int) {
	tc.t.Helper()
	conn, err := net.Dial("tcp", tc.addr)
	if err != nil {
		tc.t.Fatal(err)
	}
	fmt.Fprintf(conn, "PATCH %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nTus-Resumable: 1.0.0\r\n"+
		"Content-Type: application/offset+octet-stream\r\nUpload-Offset: %d\r\nContent-Length: %d\r\n\r\n",
		loc, tc.addr, tc.token, offset, len(chunk))
	conn.Write(chunk[:sent])
	time.Sleep(200 * time.Millisecond) // let the server write what it got
	conn.Close()
}

func TestResumableUpload(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	slug := api.createWebinar("Återupptagen uppladdning", "public")
	addr := p.listen(t)
	tc := &tusClient{t: t, base: "http://" + addr, addr: addr, token: api.token}
	data := fakeMP4(6<<20 + 321)

	loc := tc.create(slug, "recording", len(data))
	if res := tc.patch(loc, 0, data[:2<<20]); res.StatusCode != http.StatusNoContent || res.Header.Get("Upload-Offset") != strconv.Itoa(2<<20) {
		t.Fatalf("first chunk: %s offset %q", res.Status, res.Header.Get("Upload-Offset"))
	}
	// The connection drops part way through the second chunk.
	tc.cutPatch(loc, 2<<20, data[2<<20:4<<20], 700000)
	var off int
	for i := 0; i < 400; i++ { // generous: CI machines are loaded
		if off = tc.offset(loc); off > 2<<20 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if off <= 2<<20 || off > 2<<20+700000 {
		t.Fatalf("after a dropped chunk the upload stands at %d, want between %d and %d", off, 2<<20, 2<<20+700000)
	}
	// A chunk at the wrong offset is refused and changes nothing. (Until
	// the server has noticed the dropped connection it answers 423.)
	res := tc.patch(loc, 0, data[:1000])
	for i := 0; i < 400 && res.StatusCode == http.StatusLocked; i++ {
		time.Sleep(50 * time.Millisecond)
		res = tc.patch(loc, 0, data[:1000])
	}
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("wrong offset: %s", res.Status)
	}
	off = tc.offset(loc)
	// A chunk whose checksum does not match is refused.
	bad := sha256.Sum256([]byte("något annat"))
	if res := tc.patch(loc, off, data[off:off+1000], "Upload-Checksum", "sha256 "+base64.StdEncoding.EncodeToString(bad[:])); res.StatusCode != 460 {
		t.Fatalf("checksum mismatch: %s", res.Status)
	}
	if now := tc.offset(loc); now != off {
		t.Fatalf("refused chunks moved the offset from %d to %d", off, now)
	}
	// A chunk past the declared length is refused.
	if res := tc.patch(loc, off, append(bytes.Clone(data[off:]), 'x')); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunk past the end: %s", res.Status)
	}
	good := sha256.Sum256(data[off:])
	res = tc.patch(loc, off, data[off:], "Upload-Checksum", "sha256 "+base64.StdEncoding.EncodeToString(good[:]))
	if res.StatusCode != http.StatusNoContent || res.Header.Get("Upload-Offset") != strconv.Itoa(len(data)) {
		t.Fatalf("last chunk: %s", res.Status)
	}
	got := p.anonymous().get("/webinars/" + slug + "/recording")
	if sha(got.Body) != sha(data) {
		t.Fatal("the resumed upload is not the recording served")
	}
	// A client that lost the answer to its last chunk learns on retry
	// that the upload is complete, and nothing is stored twice.
	if off := tc.offset(loc); off != len(data) {
		t.Fatalf("finished upload reports offset %d", off)
	}
	if res := tc.patch(loc, len(data), nil); res.StatusCode != http.StatusNoContent {
		t.Fatalf("retried last chunk: %s", res.Status)
	}
	keys, _ := p.objects.Keys(t.Context(), "")
	recordings := 0
	for _, k := range keys {
		if strings.Contains(k, "/recording-") {
			recordings++
		}
	}
	if recordings != 1 {
		t.Errorf("recordings stored: %d, want 1 (%v)", recordings, keys)
	}
}

func TestResumableUploadRefusals(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	slug := api.createWebinar("Vägrade uppladdningar", "public")
	addr := p.listen(t)
	tc := &tusClient{t: t, base: "http://" + addr, addr: addr, token: api.token}

	// A non-video named .mp4 is refused when complete, and nothing is kept.
	exe := append([]byte("MZ\x90\x00"), make([]byte, 5000)...)
	loc := tc.create(slug, "recording", len(exe))
	if res := tc.patch(loc, 0, exe); res.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("exe as recording: %s", res.Status)
	}
	if res := tc.do(http.MethodHead, loc, nil, nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("refused upload still staged: %s", res.Status)
	}
	// An upload for a webinar deleted meanwhile is refused.
	data := fakeMP4(10000)
	loc = tc.create(slug, "recording", len(data))
	expectStatus(t, api.sendJSON(http.MethodDelete, "/api/v1/webinars/"+slug, nil), http.StatusNoContent)
	if res := tc.patch(loc, 0, data); res.StatusCode != http.StatusNotFound {
		t.Fatalf("upload for a deleted webinar: %s", res.Status)
	}
	keys, _ := p.objects.Keys(t.Context(), "")
	if len(keys) != 0 {
		t.Errorf("refused uploads left objects: %v", keys)
	}
	// Bad creations.
	for name, h := range map[string]map[string]string{
		"unknown webinar": {"Upload-Length": "10", "Upload-Metadata": metadata("slug", "finns-inte", "kind", "recording")},
		"no kind":         {"Upload-Length": "10", "Upload-Metadata": metadata("slug", slug)},
		"no length":       {"Upload-Metadata": metadata("slug", slug, "kind", "recording")},
		"too large":       {"Upload-Length": strconv.Itoa(64<<20 + 1), "Upload-Metadata": metadata("slug", slug, "kind", "recording")},
	} {
		res := tc.do(http.MethodPost, "/api/v1/uploads", nil, h)
		res.Body.Close()
		if res.StatusCode < 400 || res.StatusCode >= 500 {
			t.Errorf("%s: %s", name, res.Status)
		}
	}
	// Members cannot start uploads; a session needs the CSRF header.
	member := p.loginAs("member")
	req := httptest.NewRequest(http.MethodPost, "/api/v1/uploads", nil)
	req.Header.Set("Tus-Resumable", "1.0.0")
	if r := member.do(req); r.StatusCode != http.StatusForbidden {
		t.Errorf("member creating an upload: %d", r.StatusCode)
	}
}

// TestCancelResumableUpload: cancelling part way leaves no staged file,
// no object and no unfinished multipart upload.
func TestCancelResumableUpload(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	slug := api.createWebinar("Avbruten av redaktören", "public")
	addr := p.listen(t)
	tc := &tusClient{t: t, base: "http://" + addr, addr: addr, token: api.token}
	data := fakeMP4(20 << 20)
	loc := tc.create(slug, "recording", len(data))
	if res := tc.patch(loc, 0, data[:12<<20]); res.StatusCode != http.StatusNoContent {
		t.Fatalf("first chunk: %s", res.Status)
	}
	res := tc.do(http.MethodDelete, loc, nil, nil)
	res.Body.Close()
	if res.StatusCode != http.StatusNoContent {
		t.Fatalf("cancel: %s", res.Status)
	}
	if res := tc.do(http.MethodHead, loc, nil, nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("cancelled upload still staged: %s", res.Status)
	}
	store, err := media.Open(t.Context(), p.s3)
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := store.Keys(t.Context(), "")
	ups, _ := store.IncompleteUploads(t.Context(), "")
	if len(keys) != 0 || len(ups) != 0 {
		t.Errorf("a cancelled upload left objects %v and unfinished uploads %v", keys, ups)
	}
	if w := api.get("/api/v1/webinars/" + slug); strings.Contains(w.text(), `"recording"`) {
		t.Error("a cancelled upload set a recording")
	}
}
