package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/smakom/webinar-portal/internal/minioserver"
)

// TestS3OutageDuringUpload: the S3 server (a MinIO process) dies while a
// recording streams in. The upload fails with a clear message, no
// metadata points at a half-written object, the portal says it is not
// ready while S3 is away and recovers by itself when S3 returns; then
// the sweeper leaves no orphan behind.
// startMinIO starts a MinIO server process for a test, stopped when the
// test ends.
func startMinIO(t *testing.T) *minioserver.Server {
	t.Helper()
	bin, err := minioserver.Binary()
	if err != nil {
		t.Fatalf("MinIO server: %v; run `make test-deps` to build it into .tools/ (or set MINIO_BIN)", err)
	}
	s, err := minioserver.Start(context.Background(), bin, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop() })
	return s
}

func TestS3OutageDuringUpload(t *testing.T) {
	minio := startMinIO(t)
	p := &portalProcess{t: t, bin: buildPortal(t), dataDir: t.TempDir(), port: freeTCPPort(t),
		extra: []string{"S3_ENDPOINT=" + minio.Addr, "S3_ACCESS_KEY=" + minio.User, "S3_SECRET_KEY=" + minio.Password, "S3_BUCKET=webinars"}}
	token := p.staffToken()
	p.start()
	defer func() {
		if p.cmd.ProcessState == nil {
			p.kill()
		}
	}()
	p.createPublicWebinar(token, "Avbrott")
	clip, err := os.ReadFile("../../internal/demo/assets/vattenforsorjning.mp4")
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat(clip, (96<<20)/len(clip)+1)

	// The upload streams; after 40 MB (two parts in S3) MinIO dies.
	body, w := io.Pipe()
	go func() {
		w.Write(data[:40<<20])
		time.Sleep(300 * time.Millisecond)
		minio.Kill()
		_, err := w.Write(data[40<<20:])
		w.CloseWithError(err)
	}()
	req, _ := http.NewRequest(http.MethodPut, p.url("/api/v1/webinars/avbrott/recording"), body)
	req.ContentLength = int64(len(data))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "video/mp4")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("the upload got no answer when S3 died: %v", err)
	}
	answer, _ := io.ReadAll(res.Body)
	res.Body.Close()
	t.Logf("upload while S3 died: %s %s", res.Status, answer)
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(answer), "Lagringen") {
		t.Errorf("upload while S3 died: %s %s; want 503 saying the storage is unavailable", res.Status, answer)
	}
	if res.Header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	recording := func() json.RawMessage {
		t.Helper()
		res := p.request(http.MethodGet, "/api/v1/webinars/avbrott", token, nil, nil)
		defer res.Body.Close()
		var w struct {
			Recording json.RawMessage `json:"recording"`
		}
		if err := json.NewDecoder(res.Body).Decode(&w); err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("webinar while S3 is away: %s, %v", res.Status, err)
		}
		return w.Recording
	}
	if r := recording(); len(r) > 0 && string(r) != "null" {
		t.Errorf("the webinar points at a recording after the failed upload: %s", r)
	}
	res = p.request(http.MethodGet, "/readyz", "", nil, nil)
	ready, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(ready), "s3") {
		t.Errorf("/readyz while S3 is away: %s %s; want 503 naming s3", res.Status, ready)
	}
	res = p.request(http.MethodGet, "/", "", nil, nil)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("catalogue while S3 is away: %s; it needs only MongoDB", res.Status)
	}

	// S3 comes back on the same address: the portal recovers without a
	// restart, and the same upload now goes through.
	minio, err = minio.Restart(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { minio.Stop() })
	deadline := time.Now().Add(30 * time.Second)
	for {
		res := p.request(http.MethodGet, "/readyz", "", nil, nil)
		res.Body.Close()
		if res.StatusCode == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still %s 30 s after S3 returned", res.Status)
		}
		time.Sleep(200 * time.Millisecond)
	}
	res = p.request(http.MethodPut, "/api/v1/webinars/avbrott/recording", token, bytes.NewReader(data[:20<<20]),
		map[string]string{"Content-Type": "video/mp4"})
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("upload after S3 returned: %s", res.Status)
	}

	// The sweeper (here from the command line, the portal stopped) finds
	// the failed upload's leftovers and leaves nothing behind.
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.cmd.Process.Wait()
	out := p.command("", "sweep", "--grace", "0s")
	t.Logf("sweep after the outage:\n%s", out)
	out = p.command("", "sweep", "--dry-run", "--grace", "0s")
	if !strings.Contains(out, "0 unfinished uploads") || !strings.Contains(out, "0 orphaned objects") {
		t.Errorf("sweep --dry-run after sweeping:\n%s\nwant 0 unfinished uploads and 0 orphaned objects", out)
	}
	if out := p.command("", "verify"); !strings.Contains(out, "0 problems") {
		t.Errorf("verify after the outage:\n%s", out)
	}
	// On MinIO's disk no unfinished upload is left (MinIO itself no
	// longer lists uploads started before it restarted).
	multipart := filepath.Join(minio.DataDir(), ".minio.sys", "multipart")
	var left []string
	filepath.WalkDir(multipart, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			left = append(left, strings.TrimPrefix(path, multipart))
		}
		return nil
	})
	if len(left) > 0 {
		t.Errorf("MinIO still keeps parts of unfinished uploads: %v", left)
	}
}
