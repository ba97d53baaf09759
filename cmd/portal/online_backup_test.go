package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/smakom/webinar-portal/internal/embedded"
	"github.com/smakom/webinar-portal/internal/media"
	"github.com/smakom/webinar-portal/internal/testenv"
	"github.com/smakom/webinar-portal/internal/webinar"
)

func init() {
	// Sweeper settings a developer's shell must not change in tests.
	configVars = append(configVars, "SWEEP_INTERVAL", "SWEEP_GRACE")
}

// recorded is a webinar with a recording, as fillStore left it.
type recorded struct{ slug, title, key string }

// firstRecorded returns a webinar of st that has a recording.
func firstRecorded(t *testing.T, ctx context.Context, st *stack) recorded {
	t.Helper()
	var r recorded
	if err := st.webinars.Store().ForEach(ctx, func(w *webinar.Webinar) error {
		if r.slug == "" && w.Recording != nil {
			r = recorded{w.Slug, w.Title, w.Recording.Key}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if r.slug == "" {
		t.Fatal("no webinar with a recording")
	}
	return r
}

// runFileStore connects to the embedded servers a serving portal named
// in its run file, as `portal backup` does. Disconnect before stopping
// the portal: its MongoDB-wire server waits for open connections.
func runFileStore(t *testing.T, ctx context.Context, dataDir string) (embedded.RunFile, *mongo.Database, *media.Store) {
	t.Helper()
	rf, err := embedded.ReadRunFile(dataDir)
	if err != nil {
		t.Fatalf("run file of the serving portal: %v", err)
	}
	db, objects := openExternal(t, ctx, rf.MongoURI, media.Config{Endpoint: rf.S3Endpoint, AccessKey: rf.S3AccessKey,
		SecretKey: rf.S3SecretKey, Bucket: "webinars", Region: "us-east-1"})
	return rf, db, objects
}

// readWhile requests pages, a poster and the start of a recording from p
// until stop closes, and sends how many answers it got.
// backupWhileServing runs `portal backup` while viewers keep reading
// from p, checks that requests were served meanwhile and that p is still
// ready afterwards, and returns the archive's path.
func backupWhileServing(t *testing.T, p *portalProcess, slug, what string) string {
	t.Helper()
	stop, served := make(chan struct{}), make(chan int)
	go readWhile(t, p, slug, stop, served)
	archive := filepath.Join(t.TempDir(), "backup.tar.gz")
	out, err := runCommand(t, "", "backup", "--out", archive)
	close(stop)
	n := <-served
	if err != nil {
		t.Fatalf("backup of %s: %v\nportal log:\n%s", what, err, p.log.String())
	}
	t.Logf("%s(%d requests served during the backup)", out, n)
	if n == 0 {
		t.Errorf("no request was served while the backup ran")
	}
	if res := p.request("GET", "/readyz", "", nil, nil); res.StatusCode != 200 {
		t.Errorf("/readyz after the backup: %d", res.StatusCode)
	}
	return archive
}

func readWhile(t *testing.T, p *portalProcess, slug string, stop <-chan struct{}, served chan<- int) {
	n := 0
	defer func() { served <- n }()
	paths := []string{"/", "/webinars/" + slug + "/poster", "/webinars/" + slug + "/recording"}
	for {
		select {
		case <-stop:
			return
		default:
		}
		res, err := http.DefaultClient.Do(mustRequest(p.url(paths[n%len(paths)]), map[string]string{"Range": "bytes=0-65535"}))
		if err != nil {
			t.Errorf("GET %s during the backup: %v", paths[n%len(paths)], err)
			return
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 && res.StatusCode != 206 {
			t.Errorf("GET %s during the backup: %d", paths[n%len(paths)], res.StatusCode)
			return
		}
		n++
	}
}

func mustRequest(url string, headers map[string]string) *http.Request {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		panic(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return req
}

// TestBackupOnlineEmbedded backs up a portal process on the embedded
// default (it holds DATA_DIR locked) while it serves: `portal backup`
// finds its servers through DATA_DIR/run.json. The archive restored into
// a fresh DATA_DIR equals the store. After SIGTERM the run file is gone;
// after SIGKILL it stays, and the next command removes it and backs up
// the stopped store as usual.
func TestBackupOnlineEmbedded(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	p := &portalProcess{t: t, bin: buildPortal(t), dataDir: t.TempDir(), port: freeTCPPort(t)}
	setCleanEnv(t, "DATA_DIR="+p.dataDir, "LOG_LEVEL=error")
	var rec recorded
	withStack(t, func(ctx context.Context, st *stack) {
		fillStore(t, ctx, st)
		rec = firstRecorded(t, ctx, st)
	})
	p.start()
	runPath := filepath.Join(p.dataDir, embedded.RunFileName)
	info, err := os.Stat(runPath)
	if err != nil {
		t.Fatalf("the serving portal wrote no run file: %v", err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("run file mode %v; want 0600 (it holds the S3 secret)", info.Mode().Perm())
	}
	rf, db, objects := runFileStore(t, ctx, p.dataDir)
	if rf.PID != p.cmd.Process.Pid {
		t.Errorf("run file names pid %d; the portal is %d", rf.PID, p.cmd.Process.Pid)
	}
	want := takeSnapshot(t, ctx, db, objects)
	_ = db.Client().Disconnect(ctx)
	if len(want.objects) < 9 || len(want.docs["wish_supporters"]) == 0 || len(want.docs["users"]) == 0 {
		t.Fatalf("the store holds too little to test with: %d objects, %v", len(want.objects), want.docs)
	}

	// Without the run file (a holder that publishes nothing) the command
	// fails at once as before, and with one naming servers that do not
	// answer it says so instead of reading an empty store.
	published, err := os.ReadFile(runPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(runPath); err != nil {
		t.Fatal(err)
	}
	_, err = runCommand(t, "", "backup", "--out", filepath.Join(t.TempDir(), "x.tar"))
	if !errors.Is(err, embedded.ErrLocked) || !strings.Contains(err.Error(), "Stop the running portal first") {
		t.Errorf("backup against a lock holder without run file = %v; want embedded.ErrLocked", err)
	}
	dead := `{"pid": 1, "mongodb_uri": "mongodb://127.0.0.1:` + strconv.Itoa(freeTCPPort(t)) + `/", "s3_endpoint": "127.0.0.1:` +
		strconv.Itoa(freeTCPPort(t)) + `", "s3_access_key": "portal", "s3_secret_key": "x"}`
	if err := os.WriteFile(runPath, []byte(dead), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = runCommand(t, "", "backup", "--out", filepath.Join(t.TempDir(), "x.tar"))
	if err == nil || !strings.Contains(err.Error(), "do not answer") {
		t.Errorf("backup through a run file naming dead servers = %v; want \"do not answer\"", err)
	}
	if err := os.WriteFile(runPath, published, 0o600); err != nil {
		t.Fatal(err)
	}

	archive := backupWhileServing(t, p, rec.slug, "the serving embedded portal")
	// The attached command leaves the portal's working directory alone
	// and starts no servers of its own; the portal still owns the lock.
	if _, err := os.Stat(runPath); err != nil {
		t.Errorf("run file after the backup: %v", err)
	}

	p.sigterm()
	if code := p.waitExit(); code != 0 {
		t.Errorf("portal exit status %d after SIGTERM:\n%s", code, p.log.String())
	}
	if _, err := os.Stat(runPath); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("run file after a clean shutdown: %v; want it removed", err)
	}

	// A crash leaves the run file behind; it must not mislead the next
	// command, which takes the free lock and works on the stopped store.
	p.start()
	p.kill()
	if _, err := os.Stat(runPath); err != nil {
		t.Fatalf("after SIGKILL the run file is gone (%v): the stale case is not tested", err)
	}
	offline := filepath.Join(t.TempDir(), "after-crash.tar")
	if _, err := runCommand(t, "", "backup", "--out", offline); err != nil {
		t.Fatalf("backup after a crash, with a stale run file: %v", err)
	}
	if _, err := os.Stat(runPath); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the stale run file survived the next command: %v", err)
	}

	// Restore each archive into a fresh DATA_DIR and compare.
	for _, a := range []string{archive, offline} {
		setCleanEnv(t, "DATA_DIR="+t.TempDir(), "LOG_LEVEL=error")
		if out, err := runCommand(t, "", "restore", a); err != nil {
			t.Fatalf("restore %s: %v\n%s", a, err, out)
		}
		withStack(t, func(ctx context.Context, st *stack) {
			compareRestored(t, want, takeSnapshot(t, ctx, st.db, st.objects))
			if _, err := st.accounts.Authenticate(ctx, "admin@smakom.example", "korrekt-häst-batteri"); err != nil {
				t.Errorf("the admin cannot log in after restoring %s: %v", a, err)
			}
		})
		if out, err := runCommand(t, "", "verify"); err != nil {
			t.Errorf("verify after restoring %s: %v\n%s", a, err, out)
		}
	}
}

// TestRestoreIntoExternalServers: `portal restore FILE` with MONGODB_URI
// and S3_* set loads an embedded store's archive into a FerretDB server
// and a MinIO process, and a portal on those servers then serves the
// restored webinar and its recording's bytes.
func TestRestoreIntoExternalServers(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	setCleanEnv(t, "DATA_DIR="+t.TempDir(), "LOG_LEVEL=error")
	var want snapshot
	var rec recorded
	withStack(t, func(ctx context.Context, st *stack) {
		fillStore(t, ctx, st)
		want = takeSnapshot(t, ctx, st.db, st.objects)
		rec = firstRecorded(t, ctx, st)
	})
	archive := filepath.Join(t.TempDir(), "embedded.tar")
	if _, err := runCommand(t, "", "backup", "--out", archive); err != nil {
		t.Fatal(err)
	}

	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ferret, err := embedded.StartOnly(ctx, t.TempDir(), quiet, true, false)
	if err != nil {
		t.Fatal(err)
	}
	defer ferret.Stop()
	s3 := testenv.MinIO(t)
	external := []string{"MONGODB_URI=" + ferret.MongoURI, "S3_ENDPOINT=" + s3.Endpoint,
		"S3_ACCESS_KEY=" + s3.AccessKey, "S3_SECRET_KEY=" + s3.SecretKey, "S3_BUCKET=" + s3.Bucket, "LOG_LEVEL=warn"}
	setCleanEnv(t, append(external, "DATA_DIR="+t.TempDir())...)
	out, err := runCommand(t, "", "restore", archive)
	if err != nil || !strings.Contains(out, "Återställt från "+archive) {
		t.Fatalf("restore into external servers: %v\n%s", err, out)
	}
	db, objects := openExternal(t, ctx, ferret.MongoURI, s3)
	got := takeSnapshot(t, ctx, db, objects)
	_ = db.Client().Disconnect(ctx)
	compareRestored(t, want, got)
	if out, err := runCommand(t, "", "verify"); err != nil || !strings.Contains(out, "0 problems") {
		t.Errorf("verify on the external servers after restore: %v\n%s", err, out)
	}

	// A portal on those servers serves what was restored.
	p := &portalProcess{t: t, bin: buildPortal(t), dataDir: t.TempDir(), port: freeTCPPort(t), extra: external}
	p.start()
	res := p.request(http.MethodGet, "/webinars/"+rec.slug, "", nil, nil)
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(page), rec.title) {
		t.Errorf("GET /webinars/%s on the restored servers: %s, title %q in the page: %v", rec.slug, res.Status, rec.title,
			strings.Contains(string(page), rec.title))
	}
	res = p.request(http.MethodGet, "/webinars/"+rec.slug+"/recording", "", nil, nil)
	h := sha256.New()
	size, _ := io.Copy(h, res.Body)
	res.Body.Close()
	if sum := hex.EncodeToString(h.Sum(nil)); res.StatusCode != http.StatusOK || sum != want.objects[rec.key] {
		t.Errorf("the restored recording: %s, %d bytes, SHA-256 %s; want %s", res.Status, size, sum, want.objects[rec.key])
	}
	t.Logf("restored portal served %s (%d bytes of recording)", rec.slug, size)
	p.sigterm()
	p.waitExit()
}

var sweptLine = regexp.MustCompile(`swept: (?:removed|would remove \(dry run\)) (\d+) resumable uploads, (\d+) unfinished uploads, (\d+) orphaned objects, (\d+) subtitle tracks`)

// sweptCounts reads the summary line of `portal sweep`: resumable
// uploads, unfinished uploads, orphaned objects, subtitle tracks.
func sweptCounts(t *testing.T, out string) [4]int {
	t.Helper()
	m := sweptLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no summary line in the sweep's output:\n%s", out)
	}
	var c [4]int
	for i := range c {
		c[i], _ = strconv.Atoi(m[i+1])
	}
	return c
}

// TestSweepByRunningPortal: a portal with a short SWEEP_GRACE and
// SWEEP_INTERVAL removes an orphaned object and aborts a multipart upload
// planted straight into its S3 store, and keeps every object a webinar
// names.
func TestSweepByRunningPortal(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	p := &portalProcess{t: t, bin: buildPortal(t), dataDir: t.TempDir(), port: freeTCPPort(t),
		extra: []string{"SWEEP_INTERVAL=1s", "SWEEP_GRACE=2s", "LOG_LEVEL=info"}}
	setCleanEnv(t, "DATA_DIR="+p.dataDir, "LOG_LEVEL=error")
	withStack(t, func(ctx context.Context, st *stack) { fillStore(t, ctx, st) })
	p.start()
	if !strings.Contains(p.log.String(), "SWEEP_GRACE is shorter than UPLOAD_TIMEOUT") {
		t.Errorf("no warning about a grace shorter than UPLOAD_TIMEOUT in the log:\n%.2000s", p.log.String())
	}

	_, db, objects := runFileStore(t, ctx, p.dataDir)
	defer db.Client().Disconnect(ctx)
	keep := takeSnapshot(t, ctx, db, objects).objects
	if len(keep) < 9 {
		t.Fatalf("%d objects before planting; want the demo's", len(keep))
	}
	orphan := "webinars/planted/orphan.bin"
	junk := bytes.Repeat([]byte("x"), 4096)
	if _, err := objects.Put(ctx, orphan, bytes.NewReader(junk), int64(len(junk)), "application/octet-stream"); err != nil {
		t.Fatal(err)
	}
	partKey := "webinars/planted/unfinished.mp4"
	uploadID, err := objects.NewMultipart(ctx, partKey, "video/mp4")
	if err != nil {
		t.Fatal(err)
	}
	part := bytes.Repeat([]byte("y"), media.MinPartSize)
	if _, err := objects.PutPart(ctx, partKey, uploadID, 1, bytes.NewReader(part), int64(len(part))); err != nil {
		t.Fatal(err)
	}
	planted := time.Now()

	// Bounded: the grace and a few intervals, with room for a slow machine.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		_, statErr := objects.Stat(ctx, orphan)
		ups, err := objects.IncompleteUploads(ctx, "webinars/planted/")
		if err != nil {
			t.Fatal(err)
		}
		if errors.Is(statErr, media.ErrNotFound) && len(ups) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("2 minutes after planting: orphan stat %v, %d unfinished uploads left\nportal log:\n%s",
				statErr, len(ups), p.log.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("the running portal swept the planted leftovers within %v", time.Since(planted).Round(100*time.Millisecond))
	for _, line := range []string{"sweep: orphaned object removed", orphan, "sweep: unfinished upload aborted", partKey} {
		if !strings.Contains(p.log.String(), line) {
			t.Errorf("the portal's log does not mention %q", line)
		}
	}
	after := takeSnapshot(t, ctx, db, objects).objects
	for key, sum := range keep {
		if after[key] != sum {
			t.Errorf("object %s with metadata: SHA-256 %q after the sweeps, want %s", key, after[key], sum)
		}
	}
	if len(after) != len(keep) {
		t.Errorf("%d objects after the sweeps, want %d", len(after), len(keep))
	}
	_ = db.Client().Disconnect(ctx)
	p.sigterm()
	p.waitExit()
}
