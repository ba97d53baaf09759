package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// portalProcess is the portal binary running as its own process, so the
// test can kill it the hard way.
type portalProcess struct {
	t       *testing.T
	bin     string
	dataDir string
	port    int
	cmd     *exec.Cmd
	log     syncBuffer
	extra   []string // more environment, KEY=value
}

// syncBuffer collects the process output; exec copies into it from its
// own goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func buildPortal(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "portal")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func (p *portalProcess) env() []string {
	env := append(os.Environ(), "DATA_DIR="+p.dataDir, "PORT="+strconv.Itoa(p.port), "LOG_LEVEL=warn",
		"MONGODB_URI=", "S3_ENDPOINT=")
	return append(env, p.extra...)
}

func (p *portalProcess) command(stdin string, args ...string) string {
	p.t.Helper()
	cmd := exec.Command(p.bin, args...)
	cmd.Env = p.env()
	cmd.Stdin = strings.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		p.t.Fatalf("portal %v: %v\n%s", args, err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

// start runs the portal with p's environment and waits until it is ready
// (see startWith).
func (p *portalProcess) start() {
	p.t.Helper()
	p.startWith()
}

func (p *portalProcess) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	_, _ = p.cmd.Process.Wait()
}

func (p *portalProcess) url(path string) string {
	return fmt.Sprintf("http://127.0.0.1:%d%s", p.port, path)
}

func (p *portalProcess) request(method, path, token string, body io.Reader, headers map[string]string) *http.Response {
	p.t.Helper()
	req, _ := http.NewRequest(method, p.url(path), body)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatalf("%s %s: %v", method, path, err)
	}
	return res
}

// staffToken adds a staff account and returns an API token for it. Call
// it before start: serve locks DATA_DIR.
func (p *portalProcess) staffToken() string {
	p.t.Helper()
	p.command("ett långt lösenord\n", "user", "add", "--email", "redaktor@smakom.example", "--role", "staff", "--password-stdin")
	return p.command("", "token", "create", "--email", "redaktor@smakom.example", "--name", "test")
}

// createPublicWebinar creates a public webinar through the API.
func (p *portalProcess) createPublicWebinar(token, title string) {
	p.t.Helper()
	res := p.request(http.MethodPost, "/api/v1/webinars", token, strings.NewReader(`{"title":"`+title+`","visibility":"public"}`),
		map[string]string{"Content-Type": "application/json"})
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		p.t.Fatalf("create webinar %q: %s", title, res.Status)
	}
}

// TestUploadSurvivesSIGKILL: the portal is killed while a chunk is on
// the wire; after a restart the upload resumes from the last committed
// byte (its S3 parts and the tail on disk) and the recording arrives
// whole. The portal's own part size (16 MiB) applies.
func TestUploadSurvivesSIGKILL(t *testing.T) {
	p := &portalProcess{t: t, bin: buildPortal(t), dataDir: t.TempDir(), port: freeTCPPort(t)}
	token := p.staffToken()
	p.start()
	defer func() {
		if p.cmd.ProcessState == nil {
			p.kill()
		}
	}()

	p.createPublicWebinar(token, "Avbruten")
	clip, err := os.ReadFile("../../internal/demo/assets/vattenforsorjning.mp4")
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat(clip, (40<<20)/len(clip)+1) // over 40 MB; a real MP4 at its start
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tus := map[string]string{"Tus-Resumable": "1.0.0"}
	res := p.request(http.MethodPost, "/api/v1/uploads", token, nil, map[string]string{"Tus-Resumable": "1.0.0",
		"Upload-Length": strconv.Itoa(len(data)), "Upload-Metadata": "slug " + b64("avbruten") + ",kind " + b64("recording") + ",filename " + b64("film.mp4")})
	res.Body.Close()
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusCreated || loc == "" {
		t.Fatalf("create upload: %s", res.Status)
	}
	id := loc[strings.LastIndex(loc, "/")+1:]
	patch := func(offset int, chunk []byte) *http.Response {
		return p.request(http.MethodPatch, loc, token, bytes.NewReader(chunk), map[string]string{"Tus-Resumable": "1.0.0",
			"Content-Type": "application/offset+octet-stream", "Upload-Offset": strconv.Itoa(offset)})
	}
	offset := func() int {
		t.Helper()
		res := p.request(http.MethodHead, loc, token, nil, tus)
		res.Body.Close()
		off, _ := strconv.Atoi(res.Header.Get("Upload-Offset"))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("HEAD after restart: %s", res.Status)
		}
		return off
	}
	// killDuring sends a chunk's headers and sent bytes of it, then kills
	// the portal and starts it again.
	killDuring := func(offset, length, sent int) {
		t.Helper()
		conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", p.port))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "PATCH %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nTus-Resumable: 1.0.0\r\n"+
			"Content-Type: application/offset+octet-stream\r\nUpload-Offset: %d\r\nContent-Length: %d\r\n\r\n", loc, token, offset, length)
		conn.Write(data[offset : offset+sent])
		time.Sleep(300 * time.Millisecond)
		p.kill()
		conn.Close()
		p.start()
	}

	// 17 MiB: a 16 MiB part in S3 and 1 MiB in the tail on disk.
	first := 17 << 20
	if res := patch(0, data[:first]); res.StatusCode != http.StatusNoContent {
		t.Fatalf("first chunk: %s", res.Status)
	}
	// The next chunk is on the wire when the portal dies, before it has
	// sent its first part (the tail and 15 MiB of the chunk).
	killDuring(first, 20<<20, 14<<20)
	if off := offset(); off != first {
		t.Fatalf("after SIGKILL mid-part and a restart the upload stands at %d; want %d (committed)", off, first)
	}
	// Killed again, this time after a whole part went to S3 (no answer
	// yet for the chunk): the part counts.
	killDuring(first, 20<<20, 18<<20)
	off := offset()
	if off != first && off != first+15<<20 {
		t.Fatalf("after the second SIGKILL the upload stands at %d; want %d or %d", off, first, first+15<<20)
	}
	t.Logf("resuming at byte %d of %d after two SIGKILLs", off, len(data))
	entries, _ := os.ReadDir(filepath.Join(p.dataDir, "uploads"))
	for _, e := range entries {
		if info, err := e.Info(); err == nil && info.Size() > 16<<20 {
			t.Errorf("a file of %d bytes in the upload folder (%s): the upload is staged on disk", info.Size(), e.Name())
		}
	}
	if res := patch(off, data[off:]); res.StatusCode != http.StatusNoContent {
		body, _ := io.ReadAll(res.Body)
		t.Fatalf("resumed chunk: %s %s", res.Status, body)
	}
	res = p.request(http.MethodGet, "/webinars/avbruten/recording", "", nil, nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("recording after resuming: %s", res.Status)
	}
	h := sha256.New()
	io.Copy(h, res.Body)
	res.Body.Close()
	want := sha256.Sum256(data)
	if hex.EncodeToString(h.Sum(nil)) != hex.EncodeToString(want[:]) {
		t.Fatal("the recording after resuming differs from the file sent")
	}
	// Only the finished upload's description is left.
	entries, _ = os.ReadDir(filepath.Join(p.dataDir, "uploads"))
	if len(entries) != 1 || entries[0].Name() != id+".json" {
		t.Errorf("upload folder after the upload: %v; want only %s.json", entries, id)
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	_, _ = p.cmd.Process.Wait()

	// No unfinished multipart upload is left in the embedded S3 server.
	out := p.command("", "sweep", "--dry-run", "--grace", "0s")
	if !strings.Contains(out, "0 unfinished uploads") {
		t.Errorf("sweep --dry-run after the upload:\n%s\nwant 0 unfinished uploads", out)
	}
}
