package server

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/smakom/webinar-portal/internal/media"
	"github.com/smakom/webinar-portal/internal/testenv"
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

// Resumable uploads send their parts straight into S3: every test runs
// on the embedded versitygw and on MinIO (production's S3 stand-in).
var s3Backends = []struct {
	name   string
	config func(testing.TB) media.Config
}{
	{"versitygw", testenv.S3Config},
	{"minio", testenv.MinIO},
}

// tusPortal is a portal on a real listener with a staff token.
func tusPortal(t *testing.T, s3 media.Config, title string) (*portal, *client, *tusClient, string) {
	t.Helper()
	p := newPortalOn(t, s3)
	api := p.apiClient()
	slug := api.createWebinar(title, "public")
	addr := p.listen(t)
	return p, api, &tusClient{t: t, base: "http://" + addr, addr: addr, token: api.token}, slug
}

// waitOffset waits until the server has taken in a dropped chunk (it
// answers 423 while the request still holds the upload).
func (tc *tusClient) waitOffset(loc string, above int) int {
	tc.t.Helper()
	var off int
	for i := 0; i < 400; i++ { // generous: CI machines are loaded
		res := tc.do(http.MethodHead, loc, nil, nil)
		res.Body.Close()
		off, _ = strconv.Atoi(res.Header.Get("Upload-Offset"))
		if res.StatusCode == http.StatusOK && off > above {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	return off
}

// patchUnlocked sends a chunk, retrying while the server still holds the
// upload for a dropped request (423).
func (tc *tusClient) patchUnlocked(loc string, offset int, chunk []byte, extra ...string) *http.Response {
	res := tc.patch(loc, offset, chunk, extra...)
	for i := 0; i < 400 && res.StatusCode == http.StatusLocked; i++ {
		time.Sleep(50 * time.Millisecond)
		res = tc.patch(loc, offset, chunk, extra...)
	}
	return res
}

// checkClean: nothing of finished or refused uploads is left in S3 but
// the committed objects (and posters made from them), and only
// descriptions of finished uploads on disk.
func (p *portal) checkClean(t *testing.T, wantObjects int) {
	t.Helper()
	keys, _ := p.objects.Keys(t.Context(), "")
	var uploaded []string
	for _, k := range keys {
		if !strings.Contains(k, "/poster-") {
			uploaded = append(uploaded, k)
		}
	}
	if len(uploaded) != wantObjects {
		t.Errorf("objects in S3: %v; want %d besides posters", keys, wantObjects)
	}
	ups, err := p.objects.IncompleteUploads(t.Context(), "")
	if err != nil || len(ups) != 0 {
		t.Errorf("unfinished multipart uploads: %+v, %v; want none", ups, err)
	}
	entries, _ := os.ReadDir(p.uploadsDir)
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			t.Errorf("left in the upload folder: %s", e.Name())
		}
	}
}

func TestResumableUpload(t *testing.T) {
	for _, b := range s3Backends {
		t.Run(b.name, func(t *testing.T) { testResumableUpload(t, b.config(t)) })
	}
}

func testResumableUpload(t *testing.T, s3 media.Config) {
	p, api, tc, slug := tusPortal(t, s3, "Återupptagen uppladdning")
	data := fakeMP4(6<<20 + 321)

	loc := tc.create(slug, "recording", len(data))
	if res := tc.patch(loc, 0, data[:2<<20]); res.StatusCode != http.StatusNoContent || res.Header.Get("Upload-Offset") != strconv.Itoa(2<<20) {
		t.Fatalf("first chunk: %s offset %q", res.Status, res.Header.Get("Upload-Offset"))
	}
	// The connection drops part way through the second chunk: the bytes
	// that arrived wait in the tail (too few for a part) and count.
	tc.cutPatch(loc, 2<<20, data[2<<20:4<<20], 700000)
	if off := tc.waitOffset(loc, 2<<20); off != 2<<20+700000 {
		t.Fatalf("after a dropped chunk the upload stands at %d, want %d", off, 2<<20+700000)
	}
	// A chunk at the wrong offset is refused and changes nothing.
	if res := tc.patchUnlocked(loc, 0, data[:1000]); res.StatusCode != http.StatusConflict {
		t.Fatalf("wrong offset: %s", res.Status)
	}
	off := tc.offset(loc)
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
	// The rest, checked with sha1: the tail and the first bytes make a
	// whole part, the rest the last part.
	good := sha1.Sum(data[off:])
	res := tc.patch(loc, off, data[off:], "Upload-Checksum", "sha1 "+base64.StdEncoding.EncodeToString(good[:]))
	if res.StatusCode != http.StatusNoContent || res.Header.Get("Upload-Offset") != strconv.Itoa(len(data)) {
		t.Fatalf("last chunk: %s", res.Status)
	}
	got := p.anonymous().get("/webinars/" + slug + "/recording")
	if sha(got.Body) != sha(data) {
		t.Fatal("the resumed upload is not the recording served")
	}
	if w := api.get("/api/v1/webinars/" + slug); !strings.Contains(w.text(), `"sha256":"`+sha(data)+`"`) {
		t.Errorf("the recording's metadata lacks its SHA-256 %s: %.600s", sha(data), w.Body)
	}
	// A client that lost the answer to its last chunk learns on retry
	// that the upload is complete, and nothing is stored twice.
	if off := tc.offset(loc); off != len(data) {
		t.Fatalf("finished upload reports offset %d", off)
	}
	if res := tc.patch(loc, len(data), nil); res.StatusCode != http.StatusNoContent {
		t.Fatalf("retried last chunk: %s", res.Status)
	}
	p.checkClean(t, 1)
}

// TestResumableUploadKeepsStoredParts: a chunk that breaks off keeps the
// parts S3 stored before; a chunk with a checksum that fails keeps none of
// the parts it sent, and sending them again replaces them.
func TestResumableUploadKeepsStoredParts(t *testing.T) {
	for _, b := range s3Backends {
		t.Run(b.name, func(t *testing.T) {
			p, _, tc, slug := tusPortal(t, b.config(t), "Delar som hann fram")
			data := fakeMP4(20 << 20)
			loc := tc.create(slug, "recording", len(data))
			tc.cutPatch(loc, 0, data[:12<<20], 9<<20)
			if off := tc.waitOffset(loc, 0); off != media.MinPartSize {
				t.Fatalf("after a chunk cut in its second part the upload stands at %d; want %d (one part)", off, media.MinPartSize)
			}
			off := media.MinPartSize
			chunk := data[off : off+11<<20]
			wrong := sha256.Sum256(chunk[1:])
			if res := tc.patchUnlocked(loc, off, chunk, "Upload-Checksum", "sha256 "+base64.StdEncoding.EncodeToString(wrong[:])); res.StatusCode != 460 {
				t.Fatalf("checksum mismatch over two parts: %s", res.Status)
			}
			if now := tc.offset(loc); now != off {
				t.Fatalf("a refused chunk moved the offset to %d", now)
			}
			right := sha256.Sum256(chunk)
			if res := tc.patch(loc, off, chunk, "Upload-Checksum", "sha256 "+base64.StdEncoding.EncodeToString(right[:])); res.StatusCode != http.StatusNoContent {
				t.Fatalf("chunk sent again: %s", res.Status)
			}
			off += len(chunk)
			if res := tc.patch(loc, off, data[off:]); res.StatusCode != http.StatusNoContent {
				t.Fatalf("last chunk: %s", res.Status)
			}
			if got := p.anonymous().get("/webinars/" + slug + "/recording"); sha(got.Body) != sha(data) {
				t.Fatal("the recording served is not the file sent")
			}
			p.checkClean(t, 1)
		})
	}
}

func TestResumableUploadRefusals(t *testing.T) {
	for _, b := range s3Backends {
		t.Run(b.name, func(t *testing.T) { testResumableUploadRefusals(t, b.config(t)) })
	}
}

func testResumableUploadRefusals(t *testing.T, s3 media.Config) {
	p, api, tc, slug := tusPortal(t, s3, "Vägrade uppladdningar")

	// A non-video named .mp4 is refused from its first bytes, with a
	// message, and nothing is kept.
	exe := append([]byte("MZ\x90\x00"), make([]byte, 7<<20)...)
	loc := tc.create(slug, "recording", len(exe))
	res := tc.do(http.MethodPatch, loc, bytes.NewReader(exe[:6<<20]), map[string]string{
		"Content-Type": "application/offset+octet-stream", "Upload-Offset": "0"})
	msg, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusUnsupportedMediaType || !strings.Contains(string(msg), "Inspelningen måste vara en MP4- eller WebM-video.") {
		t.Fatalf("exe as recording: %s %s", res.Status, msg)
	}
	if res := tc.do(http.MethodHead, loc, nil, nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("refused upload still there: %s", res.Status)
	}
	// A PDF is no recording; as slides it is refused when too large.
	pdf := append([]byte("%PDF-1.7\n"), make([]byte, 9000)...)
	loc = tc.create(slug, "recording", len(pdf))
	if res := tc.patch(loc, 0, pdf); res.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("PDF as recording: %s", res.Status)
	}
	// An upload for a webinar deleted meanwhile is refused.
	data := fakeMP4(10000)
	loc = tc.create(slug, "recording", len(data))
	expectStatus(t, api.sendJSON(http.MethodDelete, "/api/v1/webinars/"+slug, nil), http.StatusNoContent)
	if res := tc.patch(loc, 0, data); res.StatusCode != http.StatusNotFound {
		t.Fatalf("upload for a deleted webinar: %s", res.Status)
	}
	p.checkClean(t, 0)
	if entries, _ := os.ReadDir(p.uploadsDir); len(entries) != 0 {
		t.Errorf("refused uploads left files: %v", entries)
	}
	// Bad creations.
	for name, h := range map[string]map[string]string{
		"unknown webinar":  {"Upload-Length": "10", "Upload-Metadata": metadata("slug", "finns-inte", "kind", "recording")},
		"no kind":          {"Upload-Length": "10", "Upload-Metadata": metadata("slug", slug)},
		"no length":        {"Upload-Metadata": metadata("slug", slug, "kind", "recording")},
		"too large":        {"Upload-Length": strconv.Itoa(64<<20 + 1), "Upload-Metadata": metadata("slug", slug, "kind", "recording")},
		"slides too large": {"Upload-Length": strconv.Itoa(8<<20 + 1), "Upload-Metadata": metadata("slug", slug, "kind", "slides")},
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

// TestResumableSlides: a slide deck goes up in chunks and is listed with
// the file's name.
func TestResumableSlides(t *testing.T) {
	p, api, tc, slug := tusPortal(t, testenv.S3Config(t), "Bilder i delar")
	pdf := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("vattenförsörjning "), 400000)...)
	res := tc.do(http.MethodPost, "/api/v1/uploads", nil, map[string]string{
		"Upload-Length": strconv.Itoa(len(pdf)), "Upload-Metadata": metadata("slug", slug, "kind", "slides", "filename", "Bilder om vatten.pdf")})
	res.Body.Close()
	loc := res.Header.Get("Location")
	for off := 0; off < len(pdf); off += 3 << 20 {
		end := min(off+3<<20, len(pdf))
		if res := tc.patch(loc, off, pdf[off:end]); res.StatusCode != http.StatusNoContent {
			t.Fatalf("chunk at %d: %s", off, res.Status)
		}
	}
	w := api.get("/api/v1/webinars/" + slug)
	expectContains(t, w, `"filename":"Bilder om vatten.pdf"`, `"sha256":"`+sha(pdf)+`"`)
	if got := p.anonymous().get("/webinars/" + slug + "/slides/1"); sha(got.Body) != sha(pdf) {
		t.Error("the deck served is not the file sent")
	}
	p.checkClean(t, 1)
}

// TestCancelResumableUpload: cancelling part way leaves no file, no
// object and no unfinished multipart upload.
func TestCancelResumableUpload(t *testing.T) {
	for _, b := range s3Backends {
		t.Run(b.name, func(t *testing.T) {
			p, api, tc, slug := tusPortal(t, b.config(t), "Avbruten av redaktören")
			data := fakeMP4(20 << 20)
			loc := tc.create(slug, "recording", len(data))
			if res := tc.patch(loc, 0, data[:12<<20]); res.StatusCode != http.StatusNoContent {
				t.Fatalf("first chunk: %s", res.Status)
			}
			if ups, _ := p.objects.IncompleteUploads(t.Context(), ""); len(ups) != 1 {
				t.Fatalf("unfinished multipart uploads while uploading: %+v; want 1", ups)
			}
			res := tc.do(http.MethodDelete, loc, nil, nil)
			res.Body.Close()
			if res.StatusCode != http.StatusNoContent {
				t.Fatalf("cancel: %s", res.Status)
			}
			if res := tc.do(http.MethodHead, loc, nil, nil); res.StatusCode != http.StatusNotFound {
				t.Fatalf("cancelled upload still there: %s", res.Status)
			}
			p.checkClean(t, 0)
			if entries, _ := os.ReadDir(p.uploadsDir); len(entries) != 0 {
				t.Errorf("a cancelled upload left files: %v", entries)
			}
			if w := api.get("/api/v1/webinars/" + slug); strings.Contains(w.text(), `"recording"`) {
				t.Error("a cancelled upload set a recording")
			}
		})
	}
}

// TestResumableUploadChunkedBody: a chunk sent without Content-Length
// (Transfer-Encoding: chunked) counts only whole: one running past the
// declared length is refused and nothing of it kept.
func TestResumableUploadChunkedBody(t *testing.T) {
	p, _, tc, slug := tusPortal(t, testenv.S3Config(t), "Utan längd")
	data := fakeMP4(13<<20 + 5)
	loc := tc.create(slug, "recording", len(data))
	chunked := func(offset int, chunk []byte) *http.Response {
		// A reader of unknown length: the client sends it chunked.
		res := tc.do(http.MethodPatch, loc, io.MultiReader(bytes.NewReader(chunk)), map[string]string{
			"Content-Type": "application/offset+octet-stream", "Upload-Offset": strconv.Itoa(offset)})
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	if res := chunked(0, data[:7<<20]); res.StatusCode != http.StatusNoContent || res.Header.Get("Upload-Offset") != strconv.Itoa(7<<20) {
		t.Fatalf("chunked chunk: %s, offset %q", res.Status, res.Header.Get("Upload-Offset"))
	}
	if res := chunked(7<<20, append(bytes.Clone(data[7<<20:]), 'x')); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked chunk past the end: %s", res.Status)
	}
	if off := tc.offset(loc); off != 7<<20 {
		t.Fatalf("a refused chunked chunk moved the offset to %d", off)
	}
	if res := chunked(7<<20, data[7<<20:]); res.StatusCode != http.StatusNoContent {
		t.Fatalf("last chunked chunk: %s", res.Status)
	}
	if got := p.anonymous().get("/webinars/" + slug + "/recording"); sha(got.Body) != sha(data) {
		t.Fatal("the recording served is not the file sent")
	}
	p.checkClean(t, 1)
}
