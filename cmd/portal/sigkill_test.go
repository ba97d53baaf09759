package main

import (
	"bytes"
	"crypto/sha256"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestSIGKILLDuringUploadsAndStreams: the portal is killed hard while
// viewers stream a recording and a raw upload of another recording is
// half way. After a restart the committed recording is whole, the cut
// upload left no metadata, and after a sweep nothing half-done remains
// (no unfinished multipart upload, no orphaned object). Resumable
// uploads cut by SIGKILL are in TestUploadSurvivesSIGKILL.
func TestSIGKILLDuringUploadsAndStreams(t *testing.T) {
	p := &portalProcess{t: t, bin: buildPortal(t), dataDir: t.TempDir(), port: freeTCPPort(t)}
	token := p.staffToken()
	p.start()
	defer func() {
		if p.cmd.ProcessState == nil {
			p.kill()
		}
	}()
	for _, title := range []string{"Klar", "Halvvägs"} {
		p.createPublicWebinar(token, title)
	}
	clip, err := os.ReadFile("../../internal/demo/assets/vattenforsorjning.mp4")
	if err != nil {
		t.Fatal(err)
	}
	committed := bytes.Repeat(clip, (32<<20)/len(clip)+1)
	res := p.request(http.MethodPut, "/api/v1/webinars/klar/recording", token, bytes.NewReader(committed), map[string]string{"Content-Type": "video/mp4"})
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("committed recording: %s", res.Status)
	}

	// Viewers read the committed recording slowly...
	type seen struct {
		status int
		n      int64
		sum    []byte // SHA-256 of the bytes received
		err    error
	}
	var viewers sync.WaitGroup
	views := make([]seen, 3)
	for i := range views {
		viewers.Add(1)
		go func() {
			defer viewers.Done()
			res, err := http.Get(p.url("/webinars/klar/recording"))
			if err != nil {
				views[i].err = err
				return
			}
			defer res.Body.Close()
			views[i].status = res.StatusCode
			h := sha256.New()
			buf := make([]byte, 64<<10)
			for {
				n, err := res.Body.Read(buf)
				h.Write(buf[:n])
				views[i].n += int64(n)
				if err != nil {
					views[i].sum = h.Sum(nil)
					return
				}
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	// ...while another recording uploads: 40 MiB sent of 64 MiB, then
	// the portal dies.
	partial := bytes.Repeat(clip, (64<<20)/len(clip)+1)
	body, w := io.Pipe()
	uploadDone := make(chan struct{})
	go func() {
		defer close(uploadDone)
		req, _ := http.NewRequest(http.MethodPut, p.url("/api/v1/webinars/halvvags/recording"), body)
		req.ContentLength = int64(len(partial))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "video/mp4")
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
		}
	}()
	w.Write(partial[:40<<20])
	time.Sleep(500 * time.Millisecond)
	p.kill()
	w.CloseWithError(io.ErrClosedPipe)
	<-uploadDone
	// Every viewer's connection ends (none hangs), and what each got
	// before the kill is the recording's first bytes.
	viewersDone := make(chan struct{})
	go func() { viewers.Wait(); close(viewersDone) }()
	select {
	case <-viewersDone:
	case <-time.After(2 * time.Minute):
		t.Fatal("a viewer's stream still hangs 2 minutes after SIGKILL")
	}
	for i, v := range views {
		if v.err != nil || v.status != http.StatusOK {
			t.Errorf("viewer %d: %d %v", i, v.status, v.err)
			continue
		}
		want := sha256.Sum256(committed[:min(v.n, int64(len(committed)))])
		if v.n == 0 || v.n > int64(len(committed)) || !bytes.Equal(v.sum, want[:]) {
			t.Errorf("viewer %d got %d bytes that are not the first %d bytes of the recording", i, v.n, v.n)
		}
		t.Logf("viewer %d received %d of %d bytes before the kill, a correct prefix", i, v.n, len(committed))
	}

	p.start()
	res = p.request(http.MethodGet, "/webinars/klar/recording", "", nil, nil)
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !bytes.Equal(got, committed) {
		t.Errorf("the committed recording after SIGKILL: %s, %d of %d bytes equal: %v", res.Status, len(got), len(committed), bytes.Equal(got, committed))
	}
	res = p.request(http.MethodGet, "/api/v1/webinars/halvvags", token, nil, nil)
	meta, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if strings.Contains(string(meta), `"recording":{`) {
		t.Errorf("the cut upload is in the metadata: %s", meta)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.cmd.Process.Wait()

	if out := p.command("", "verify"); !strings.Contains(out, "0 problems") {
		t.Errorf("verify after SIGKILL:\n%s", out)
	}
	// The kill left something half-done (the cut upload's multipart
	// upload, or its object), and the first sweep removes it.
	out := p.command("", "sweep", "--dry-run", "--grace", "0s")
	before := sweptCounts(t, out)
	if before[1]+before[2] == 0 {
		t.Errorf("the dry run after SIGKILL lists no unfinished upload or orphaned object:\n%s", out)
	}
	out = p.command("", "sweep", "--grace", "0s")
	t.Logf("sweep after SIGKILL: %s", out)
	if c := sweptCounts(t, out); c != before {
		t.Errorf("the sweep removed %v (resumable, unfinished, orphaned, tracks); the dry run listed %v", c, before)
	}
	out = p.command("", "sweep", "--dry-run", "--grace", "0s")
	if c := sweptCounts(t, out); c != [4]int{} {
		t.Errorf("after sweeping, half-done work remains %v:\n%s", c, out)
	}
	if entries, _ := os.ReadDir(filepath.Join(p.dataDir, "uploads")); len(entries) > 0 {
		t.Errorf("the upload folder keeps %d entries", len(entries))
	}
}
