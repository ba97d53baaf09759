// Command bench measures the portal's media path against the S3 server
// under it. For each backend (the embedded versitygw, and a real MinIO
// process) it builds the portal, starts it as its own process on a fresh
// data folder and compares, in the same run, what goes through the portal
// with what minio-go gets straight from the same server and bucket:
//
//	(a) streaming a whole recording: GET /webinars/{slug}/recording vs GetObject (MB/s, median of 3);
//	    for reference also GetObject through a bare TCP relay process (see relay.go),
//	    and, on MinIO, the portal restarted with MEDIA_DELIVERY=redirect (302 to S3)
//	(b) time to first byte of 100 random 64 KiB Range requests vs ranged GetObject (median, p95)
//	(c) uploading a generated recording: the raw API PUT and the resumable
//	    path (tus: POST, then 16 MiB PATCHes) vs PutObject of the same stream
//	(d) the portal's peak RSS (VmHWM, reset before each upload path) during (c)
//	(e) concurrent viewers reading random 256 KiB ranges: errors and bytes/s
//
// Recordings are generated (a real MP4 header, then a keystream), never
// held in memory, and every upload's SHA-256 as the API reports it and
// every range read are checked against the generator. Results are printed
// as a table and written as Markdown to -out.
//
//	go run ./cmd/bench                    # what `make bench` runs
//	go run ./cmd/bench -size-stream 64MiB -size-upload 128MiB -viewers-duration 5s
//
// Exit status: 0 when every target is met, 1 when one is missed, 2 when
// something could not be measured.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/smakom/webinar-portal/internal/config"
	"github.com/smakom/webinar-portal/internal/minioserver"
	"github.com/smakom/webinar-portal/internal/portalproc"
)

type options struct {
	sizeStream, sizeUpload int64
	viewers                int
	viewersDuration        time.Duration
	backends               []string
	out                    string
	seeks                  int
	streamRuns             int
	uploadRuns             int
	tusChunk               int64
	seed                   int64
	portalBin              string
}

func parseFlags() (options, error) {
	var o options
	sizeStream := flag.String("size-stream", "1GiB", "size of the recording streamed in (a), (b) and (e)")
	sizeUpload := flag.String("size-upload", "2GiB", "size of the recording uploaded in (c)")
	tusChunk := flag.String("tus-chunk", "16MiB", "size of each tus PATCH")
	flag.IntVar(&o.viewers, "viewers", 50, "concurrent viewers in (e)")
	flag.DurationVar(&o.viewersDuration, "viewers-duration", 60*time.Second, "how long the viewers read, through the portal and again direct")
	backends := flag.String("backends", "embedded,minio", "S3 backends to measure, comma-separated: embedded, minio")
	flag.StringVar(&o.out, "out", "bench-results.md", "Markdown file for the results")
	flag.IntVar(&o.seeks, "seeks", 100, "random Range requests in (b)")
	flag.IntVar(&o.streamRuns, "stream-runs", 3, "whole-file streams in (a), each way")
	flag.IntVar(&o.uploadRuns, "upload-runs", 1, "uploads in (c), each way")
	flag.Int64Var(&o.seed, "seed", 1, "seed of the random ranges")
	flag.StringVar(&o.portalBin, "portal-bin", "", "use this portal binary instead of building ./cmd/portal")
	flag.Parse()
	if flag.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", flag.Arg(0))
	}
	var err error
	for _, s := range []struct {
		name string
		val  string
		dst  *int64
		min  int64
	}{{"size-stream", *sizeStream, &o.sizeStream, 1 << 20}, {"size-upload", *sizeUpload, &o.sizeUpload, 1 << 20}, {"tus-chunk", *tusChunk, &o.tusChunk, 1}} {
		if *s.dst, err = config.ParseBytes(s.val); err != nil || *s.dst < s.min {
			return o, fmt.Errorf("-%s %q: want a size of at least %s", s.name, s.val, humanSize(s.min))
		}
	}
	if o.tusChunk > 4<<30 {
		return o, fmt.Errorf("-tus-chunk %q: at most 4GiB", *tusChunk)
	}
	if o.viewers < 1 || o.seeks < 1 || o.streamRuns < 1 || o.uploadRuns < 1 || o.viewersDuration <= 0 {
		return o, errors.New("-viewers, -seeks, -stream-runs, -upload-runs and -viewers-duration must be positive")
	}
	for _, b := range strings.Split(*backends, ",") {
		b = strings.TrimSpace(b)
		if b != "embedded" && b != "minio" {
			return o, fmt.Errorf("-backends: unknown backend %q (embedded, minio)", b)
		}
		o.backends = append(o.backends, b)
	}
	return o, nil
}

func main() {
	if target := os.Getenv(relayTargetEnv); target != "" {
		os.Exit(runRelay(target))
	}
	opts, err := parseFlags()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	// Ctrl-C (or a closed terminal or pipe) cancels the run; every
	// process and folder is then removed by the deferred cleanup before
	// the exit.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE)
	code := run(ctx, opts)
	stop()
	os.Exit(code)
}

var started = time.Now()

// logf reports progress on stderr; the table goes to stdout.
func logf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "bench %6.1fs  %s\n", time.Since(started).Seconds(), fmt.Sprintf(format, a...))
}

func run(ctx context.Context, opts options) int {
	tmp, err := os.MkdirTemp("", "portal-bench-")
	if err != nil {
		logf("%v", err)
		return 2
	}
	defer func() {
		if err := os.RemoveAll(tmp); err != nil {
			logf("remove %s: %v", tmp, err)
		}
	}()
	if err := checkDisk(tmp, opts); err != nil {
		logf("%v", err)
		return 2
	}

	bin := opts.portalBin
	source := "the binary " + bin
	if bin == "" {
		source = sourceVersion(ctx)
		logf("building the portal (%s)", source)
		if bin, err = portalproc.Build(ctx, tmp); err != nil {
			logf("%v", err)
			return 2
		}
	}
	minioBin := ""
	for _, b := range opts.backends {
		if b == "minio" {
			if minioBin, err = minioserver.Binary(); err != nil {
				logf("%v", err)
				return 2
			}
		}
	}

	digests := &digestCache{sums: map[int64]string{}}
	var rows []row
	var notes []string
	for _, name := range opts.backends {
		if ctx.Err() != nil {
			break
		}
		b := &backendRun{name: name, opts: opts, digests: digests}
		if err := b.run(ctx, bin, minioBin, filepath.Join(tmp, name)); err != nil {
			b.failed("setup", err)
		}
		rows = append(rows, b.rows...)
		for _, n := range b.notes {
			notes = append(notes, name+": "+n)
		}
	}
	if ctx.Err() != nil {
		logf("interrupted; removing %s", tmp)
		return 2
	}

	fmt.Println()
	writeTable(os.Stdout, rows)
	if len(notes) > 0 {
		fmt.Println()
		for _, n := range notes {
			fmt.Println("- " + n)
		}
	}
	if err := writeReport(opts, source, rows, notes); err != nil {
		logf("write %s: %v", opts.out, err)
		return 2
	}
	logf("results written to %s", opts.out)

	code := 0
	for _, r := range rows {
		switch {
		case r.result == errored:
			return 2
		case r.result == failed:
			code = 1
		}
	}
	return code
}

// checkDisk refuses to start when the temporary folder's file system
// cannot hold the largest moment (an upload's parts and its completed
// object, on the S3 server's disk), with room to spare.
func checkDisk(dir string, opts options) error {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return fmt.Errorf("free space in %s: %w", dir, err)
	}
	free := int64(st.Bavail) * int64(st.Bsize)
	need := 2*opts.sizeUpload + opts.sizeStream + 1<<30
	if free < need {
		return fmt.Errorf("%s has %s free; the benchmark needs about %s (2 × -size-upload + -size-stream + 1 GiB)", dir, humanSize(free), humanSize(need))
	}
	logf("%s: %.1f GiB free, about %.1f GiB needed at most", dir, float64(free)/(1<<30), float64(need)/(1<<30))
	return nil
}

// run measures one backend: start its S3 server if external, add a staff
// user and token, start the portal and run the phases.
func (b *backendRun) run(ctx context.Context, bin, minioBin, dir string) error {
	b.dataDir = filepath.Join(dir, "data")
	if err := os.MkdirAll(b.dataDir, 0o750); err != nil {
		return err
	}
	settings := []string{"DATA_DIR=" + b.dataDir, "LOG_LEVEL=warn", "MEDIA_DELIVERY=proxy"}
	if limit := max(b.opts.sizeStream, b.opts.sizeUpload); limit > 4<<30 {
		settings = append(settings, fmt.Sprintf("MAX_RECORDING_BYTES=%d", limit))
	}
	var endpoint, accessKey, secretKey string
	if b.name == "minio" {
		logf("[%s] starting MinIO (%s)", b.name, minioBin)
		m, err := minioserver.Start(ctx, minioBin, filepath.Join(dir, "minio"))
		if err != nil {
			return err
		}
		defer m.Stop()
		endpoint, accessKey, secretKey = m.Addr, m.User, m.Password
		settings = append(settings, "S3_ENDPOINT="+endpoint, "S3_ACCESS_KEY="+accessKey, "S3_SECRET_KEY="+secretKey)
	}
	portal := portalproc.Binary{Path: bin, Env: portalproc.Env(portalSettings, settings...)}

	logf("[%s] adding a staff user and an API token", b.name)
	token, err := portal.StaffToken(ctx, "bench@smakom.se", "bench-password-"+randomHex(8), "bench")
	if err != nil {
		return err
	}
	logf("[%s] starting the portal", b.name)
	p, err := portal.Serve(ctx, filepath.Join(dir, "portal.log"), 25*time.Second)
	if err != nil {
		return err
	}
	b.portal = p
	defer b.stopPortal()

	if b.name == "embedded" {
		secret, err := os.ReadFile(filepath.Join(b.dataDir, "s3-secret"))
		if err != nil {
			return fmt.Errorf("embedded S3 secret: %w", err)
		}
		accessKey, secretKey = "portal", strings.TrimSpace(string(secret))
		if endpoint, err = embeddedS3Endpoint(ctx, p, accessKey, secretKey, bucket); err != nil {
			return err
		}
	}
	logf("[%s] portal at %s (pid %d), S3 at %s", b.name, p.URL(), p.PID(), endpoint)

	conns := b.opts.viewers
	directTransport := benchTransport(conns)
	if b.direct, err = newDirectWith(endpoint, accessKey, secretKey, directTransport); err != nil {
		return err
	}
	if ok, err := b.direct.BucketExists(ctx, bucket); err != nil || !ok {
		return fmt.Errorf("bucket %q at %s: exists %v, %v", bucket, endpoint, ok, err)
	}
	rl, err := startRelay(ctx, endpoint)
	if err != nil {
		return err
	}
	defer rl.Stop()
	relayTransport := benchTransport(1)
	if b.viaRelay, err = newDirectWith(rl.addr, accessKey, secretKey, relayTransport); err != nil {
		return err
	}
	jar, _ := cookiejar.New(nil)
	apiTransport, viewerTransport := benchTransport(4), benchTransport(conns)
	b.transports = []*http.Transport{apiTransport, viewerTransport, directTransport, relayTransport}
	b.api = &portalClient{base: p.URL(), token: token, http: &http.Client{Transport: apiTransport}}
	b.viewer = &http.Client{Transport: viewerTransport, Jar: jar}

	b.streamingPhases(ctx)
	if ctx.Err() != nil {
		return nil
	}
	b.uploadPhases(ctx)
	// The viewer reaches MinIO as a browser would, so redirect mode is
	// measured there too; with the embedded server the portal sends
	// media from its files and is at full speed already.
	if b.name == "minio" && ctx.Err() == nil {
		if err := b.redirectPhase(ctx, portal, filepath.Join(dir, "portal-redirect.log")); err != nil {
			b.failed("(a) stream, MEDIA_DELIVERY=redirect", err)
		}
	}
	return nil
}

// stopPortal stops the running portal and notes a slow stop and the
// problems in its log.
func (b *backendRun) stopPortal() {
	if b.portal == nil {
		return
	}
	// A client's spare keep-alive connections hold up the portal's
	// shutdown (see the report); a polite client closes them first.
	for _, tr := range b.transports {
		tr.CloseIdleConnections()
	}
	t0 := time.Now()
	b.portal.Stop()
	if d := time.Since(t0); d > 5*time.Second {
		b.note("the portal took %.1f s to stop after SIGTERM", d.Seconds())
	}
	for _, line := range logProblems(b.portal.LogTail(256<<10), 10) {
		b.note("portal log: %s", line)
	}
	b.portal = nil
}

// redirectPhase restarts the portal on the same data with
// MEDIA_DELIVERY=redirect and measures (a) again: the portal then answers
// for a public recording with a 302 to a presigned URL, and the viewer
// reads the bytes from S3.
func (b *backendRun) redirectPhase(ctx context.Context, portal portalproc.Binary, logPath string) error {
	b.stopPortal()
	// The last value of a name wins (os/exec).
	portal.Env = append(slices.Clone(portal.Env), "MEDIA_DELIVERY="+string(redirected))
	logf("[%s] restarting the portal with MEDIA_DELIVERY=redirect", b.name)
	p, err := portal.Serve(ctx, logPath, 25*time.Second)
	if err != nil {
		return err
	}
	b.portal = p
	b.api.base = p.URL()

	g, err := newRecording(b.opts.sizeStream)
	if err != nil {
		return err
	}
	logf("[%s] uploading the %s streaming recording again (public webinar)", b.name, humanSize(g.size))
	w, key, err := b.storeRecording(ctx, g, "Benchmark omdirigering", "public")
	if err != nil {
		return err
	}
	defer b.deleteWebinar(w)
	logf("[%s] (a) streaming %s with MEDIA_DELIVERY=redirect, %d rounds each", b.name, humanSize(g.size), b.opts.streamRuns)
	return b.measureStreaming(ctx, w.Slug, key, g.size, redirected)
}

// logProblems returns up to n warnings and errors from the portal's JSON
// log, leaving out the expected one about the missing admin account.
func logProblems(log string, n int) []string {
	var out []string
	for _, line := range strings.Split(log, "\n") {
		var entry struct {
			Level, Msg string
		}
		if json.Unmarshal([]byte(line), &entry) != nil || entry.Level != "WARN" && entry.Level != "ERROR" ||
			strings.HasPrefix(entry.Msg, "no admin account") {
			continue
		}
		out = append(out, shorten(line, 400))
	}
	if len(out) > n {
		out = append(out[:n], fmt.Sprintf("(%d more)", len(out)-n))
	}
	return out
}

// writeReport writes the Markdown results file.
func writeReport(opts options, source string, rows []row, notes []string) error {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# Portal media benchmark\n\n")
	host, _ := os.Hostname()
	fmt.Fprintf(&buf, "Run %s on %s (%d CPUs, %s); portal built from %s. Every figure is compared with minio-go on the same S3 server and bucket in the same run.\n\n",
		started.Format("2006-01-02 15:04 MST"), host, runtime.NumCPU(), runtime.Version(), source)
	fmt.Fprintf(&buf, "Settings: `-size-stream %s -size-upload %s -viewers %d -viewers-duration %v -seeks %d -stream-runs %d -upload-runs %d -tus-chunk %s -backends %s`\n\n",
		strings.ReplaceAll(humanSize(opts.sizeStream), " ", ""), strings.ReplaceAll(humanSize(opts.sizeUpload), " ", ""),
		opts.viewers, opts.viewersDuration, opts.seeks, opts.streamRuns, opts.uploadRuns,
		strings.ReplaceAll(humanSize(opts.tusChunk), " ", ""), strings.Join(opts.backends, ","))
	writeMarkdown(&buf, rows)
	buf.WriteString(`
Method: the portal runs as its own process (LOG_LEVEL=warn, MEDIA_DELIVERY=proxy) on a fresh data folder;
"embedded" is its in-process versitygw (the portal sends published media from versitygw's files with
sendfile; uploads go through S3), "minio" a MinIO process (the portal then runs only the embedded
MongoDB-wire server); on MinIO the portal is then restarted with MEDIA_DELIVERY=redirect and (a) measured
again, the viewer following the 302 to a presigned MinIO URL. Throughput is MB/s (10^6 bytes). (a) and (b) alternate portal and direct requests;
TTFB is the time to the first response byte. (c) uploads a generated recording (a real MP4 header, so the
portal's probe accepts it, then keystream bytes) and checks the SHA-256 the API reports; the direct
baseline is PutObject of the same non-seekable stream with a known size and unsigned payload, as the
portal does. (a) also reads through a bare TCP relay: this binary run again as a process that only splices
bytes between client and S3 server, the floor for any proxy on this machine. (d) resets VmHWM (/proc/PID/clear_refs) before each upload path. (e) checks every byte read.
The machine is shared, so single figures are noisy; the ratios are what counts.
`)
	if len(notes) > 0 {
		buf.WriteString("\nNotes:\n\n")
		for _, n := range notes {
			fmt.Fprintf(&buf, "- %s\n", strings.ReplaceAll(n, "\n", " "))
		}
	}
	return os.WriteFile(opts.out, buf.Bytes(), 0o644)
}
