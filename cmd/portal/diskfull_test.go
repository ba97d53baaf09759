package main

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDiskFull: the portal runs embedded with DATA_DIR on a small
// filesystem (a 160 MiB tmpfs). A recording larger than the space left
// fails with a clear answer, takes no space afterwards, and the
// catalogue, watch pages and existing media keep being served.
func TestDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test mounts a small tmpfs and needs root: run `sudo make test` (CI runs as root)")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=160m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount a 160 MiB tmpfs: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	free := func() uint64 {
		var st syscall.Statfs_t
		if err := syscall.Statfs(dir, &st); err != nil {
			t.Fatal(err)
		}
		return st.Bavail * uint64(st.Bsize)
	}

	p := &portalProcess{t: t, bin: buildPortal(t), dataDir: dir, port: freeTCPPort(t)}
	token := p.staffToken()
	p.start()
	defer p.kill()
	for _, title := range []string{"Full disk", "Liten film"} {
		p.createPublicWebinar(token, title)
	}
	clip, err := os.ReadFile("../../internal/demo/assets/vattenforsorjning.mp4")
	if err != nil {
		t.Fatal(err)
	}
	res := p.request(http.MethodPut, "/api/v1/webinars/liten-film/recording", token, bytes.NewReader(clip), map[string]string{"Content-Type": "video/mp4"})
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("small recording: %s", res.Status)
	}

	before := free()
	big := bytes.Repeat(clip, int(before+(32<<20))/len(clip)+1) // 32 MiB more than fits
	res = p.request(http.MethodPut, "/api/v1/webinars/full-disk/recording", token, bytes.NewReader(big), map[string]string{"Content-Type": "video/mp4"})
	answer, _ := io.ReadAll(res.Body)
	res.Body.Close()
	t.Logf("a %d MiB recording with %d MiB free: %s %s", len(big)>>20, before>>20, res.Status, answer)
	if res.StatusCode != http.StatusInsufficientStorage || !strings.Contains(string(answer), "full") {
		t.Errorf("recording larger than the free space: %s %s; want 507 saying the storage is full", res.Status, answer)
	}
	// The S3 server drops the cut-off parts as the abort reaches it (and
	// the portal deletes a cut-off object once more 2 s later).
	after := free()
	for deadline := time.Now().Add(15 * time.Second); after+(4<<20) < before && time.Now().Before(deadline); after = free() {
		time.Sleep(200 * time.Millisecond)
	}
	if after+(4<<20) < before {
		t.Errorf("%d MiB free before the failed upload, %d MiB 15 s after: its bytes were kept", before>>20, after>>20)
		logLargeFiles(t, dir)
	}

	// The staff page's resumable path on a disk with 2 MiB left: a 17 MiB
	// chunk (a 16 MiB part for S3 and a tail on the portal's disk).
	filler := filepath.Join(dir, "filler")
	if err := os.WriteFile(filler, make([]byte, free()-(2<<20)), 0o600); err != nil {
		t.Fatalf("fill the disk: %v", err)
	}
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	res = p.request(http.MethodPost, "/api/v1/uploads", token, nil, map[string]string{"Tus-Resumable": "1.0.0",
		"Upload-Length": strconv.Itoa(len(big)), "Upload-Metadata": "slug " + b64("full-disk") + ",kind " + b64("recording") + ",filename " + b64("film.mp4")})
	res.Body.Close()
	if res.StatusCode == http.StatusCreated {
		res = p.request(http.MethodPatch, res.Header.Get("Location"), token, bytes.NewReader(big[:17<<20]), map[string]string{"Tus-Resumable": "1.0.0",
			"Content-Type": "application/offset+octet-stream", "Upload-Offset": "0"})
		answer, _ = io.ReadAll(res.Body)
		res.Body.Close()
	} else {
		answer, _ = io.ReadAll(res.Body)
	}
	t.Logf("a resumable upload with 2 MiB free: %s %s", res.Status, answer)
	if res.StatusCode != http.StatusInsufficientStorage {
		t.Errorf("resumable upload on a full disk: %s %s; want 507", res.Status, answer)
	}

	for _, path := range []string{"/", "/webinars/liten-film", "/webinars/full-disk", "/?q=film"} {
		res := p.request(http.MethodGet, path, "", nil, nil)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s after the disk filled: %s", path, res.Status)
		}
	}
	res = p.request(http.MethodGet, "/webinars/liten-film/recording", "", nil, nil)
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !bytes.Equal(got, clip) {
		t.Errorf("the existing recording after the disk filled: %s, %d of %d bytes", res.Status, len(got), len(clip))
	}
	res = p.request(http.MethodGet, "/api/v1/webinars/full-disk", token, nil, nil)
	meta, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if strings.Contains(string(meta), `"recording":{`) {
		t.Errorf("the failed recording is in the metadata: %s", meta)
	}
}

// logLargeFiles names the files of 1 MiB or more under dir, to tell where
// kept bytes are.
func logLargeFiles(t *testing.T, dir string) {
	filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && info.Size() >= 1<<20 {
			t.Logf("  %s: %d MiB, modified %s", strings.TrimPrefix(path, dir), info.Size()>>20, info.ModTime().Format("15:04:05.000"))
		}
		return nil
	})
}
