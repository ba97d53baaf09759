// Command load is the portal's load test (`make load`). It builds the
// portal, starts it as its own process on a fresh data folder with the
// embedded default, seeds it through the staff API with a synthetic
// archive, and measures:
//
//  1. a mixed workload at a fixed concurrency: catalogue and search page
//     views, watch pages each followed by a ranged read of the recording,
//     API reads, with uploads running throughout; latency per class,
//     errors, and the portal's RSS every second;
//  2. the catalogue page mix alone on the portal, and the same mix against
//     a bare Fiber handler that serves the portal's catalogue page from
//     memory (the baseline), for the throughput ratio.
//
// It prints a markdown table and writes it to load-results.md. Exit
// status 1: a target was missed; 2: something could not be measured.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/portalproc"
)

type options struct {
	duration, warmup     time.Duration
	conns                int
	webinars, videos     int
	videoSize            int64
	uploads              int
	uploadSize           int64
	maxRequests          int64
	seedWorkers          int
	out                  string
	skipBaseline, keep   bool
	machineNote, version string
}

func main() {
	var o options
	var videoSize, uploadSize string
	flag.DurationVar(&o.duration, "duration", 60*time.Second, "how long each measured phase runs")
	flag.DurationVar(&o.warmup, "warmup", 5*time.Second, "unmeasured run before each phase")
	flag.IntVar(&o.conns, "concurrency", 200, "connections (each one request at a time)")
	flag.IntVar(&o.webinars, "webinars", 1000, "published webinars to seed")
	flag.IntVar(&o.videos, "videos", 50, "seeded webinars with a recording")
	flag.StringVar(&videoSize, "video-size", "4MiB", "size of each seeded recording")
	flag.IntVar(&o.uploads, "uploads", 5, "uploads running at once during the mixed phase")
	flag.StringVar(&uploadSize, "upload-size", "32MiB", "size of each uploaded recording")
	flag.Int64Var(&o.maxRequests, "max-requests", 5_000_000, "bound on requests per phase")
	flag.IntVar(&o.seedWorkers, "seed-workers", 4, "parallel API clients while seeding")
	flag.StringVar(&o.out, "out", "load-results.md", "where the table is written")
	flag.BoolVar(&o.skipBaseline, "skip-baseline", false, "only the mixed phase")
	flag.BoolVar(&o.keep, "keep", false, "keep the data folder and the portal's log")
	flag.StringVar(&o.machineNote, "note", "", "a line about the machine for the report")
	flag.Parse()
	var err error
	if o.videoSize, err = parseSize(videoSize); err != nil {
		fail(2, "-video-size: %v", err)
	}
	if o.uploadSize, err = parseSize(uploadSize); err != nil {
		fail(2, "-upload-size: %v", err)
	}
	if o.conns < 1 || o.webinars < 1 || o.videos < 1 || o.videos > o.webinars || o.duration <= 0 {
		fail(2, "need -concurrency ≥ 1, -webinars ≥ 1, 1 ≤ -videos ≤ -webinars, -duration > 0")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	missed, err := runLoad(ctx, o)
	if err != nil {
		fail(2, "load: %v", err)
	}
	if missed {
		os.Exit(1)
	}
}

func fail(code int, format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(code)
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

func runLoad(ctx context.Context, o options) (missed bool, err error) {
	dir, err := os.MkdirTemp("", "portal-load-*")
	if err != nil {
		return false, err
	}
	if o.keep {
		logf("data folder and log kept in %s", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	logf("building the portal")
	bin, err := portalproc.Build(ctx, dir)
	if err != nil {
		return false, err
	}
	// Room for the test's uploads (MAX_CONCURRENT_UPLOADS bounds uploads
	// running at once where the portal has that setting).
	portal := portalproc.Binary{Path: bin, Env: portalproc.Env(portalSettings, "DATA_DIR="+filepath.Join(dir, "data"), "LOG_LEVEL=warn",
		"MAX_RECORDING_BYTES="+strconv.FormatInt(max(o.videoSize, o.uploadSize)+(64<<20), 10),
		"MAX_CONCURRENT_UPLOADS="+strconv.Itoa(max(o.uploads, o.seedWorkers)+1))}
	token, err := portal.StaffToken(ctx, "load@smakom.se", "load-password-123", "load")
	if err != nil {
		return false, err
	}
	p, err := portal.Serve(ctx, filepath.Join(dir, "portal.log"), 20*time.Second)
	if err != nil {
		return false, err
	}
	defer p.Stop()
	staff := &api{base: p.URL(), token: token, http: newLoader(p.URL(), o.seedWorkers+o.uploads).client}

	logf("seeding %d webinars (%d with a %s recording) through the API", o.webinars, o.videos, human(o.videoSize))
	s, err := seed(ctx, staff, o.webinars, o.videos, o.videoSize, o.seedWorkers)
	if err != nil {
		return false, fmt.Errorf("%w; portal log:\n%s", err, p.LogTail(4<<10))
	}
	seedEnd := time.Now()
	if err := waitIndexed(ctx, staff, o.webinars); err != nil {
		return false, err
	}
	s.indexWait = time.Since(seedEnd)
	logf("seeded in %v, indexed %v later", s.took.Round(time.Second), s.indexWait.Round(time.Second))
	m := mix{pages: (o.webinars + 11) / 12, slugs: s.slugs, withVideo: s.withVideo, videoSize: o.videoSize}

	page, err := fetchCatalogue(ctx, p.URL())
	if err != nil {
		return false, err
	}
	upload, err := makeRecording(o.uploadSize, 2)
	if err != nil {
		return false, err
	}

	rep := &report{opts: o, seeded: s, pageBytes: len(page), version: sourceVersion(ctx)}
	l := newLoader(p.URL(), o.conns)

	logf("mixed workload: %d connections, %d uploads, %v (+%v warm-up)", o.conns, o.uploads, o.duration, o.warmup)
	measureFrom := time.Now().Add(o.warmup)
	stopUploads := make(chan struct{})
	upDone := make(chan tally, 1)
	go func() { upDone <- uploaders(ctx, staff, o.uploads, upload, measureFrom, stopUploads) }()
	// RSS is sampled over the measured part only.
	stopRSS := make(chan struct{})
	series := make(chan []int64, 1)
	go func() {
		select {
		case <-time.After(o.warmup):
			series <- <-rssSeries(p, stopRSS)
		case <-ctx.Done():
			series <- nil
		}
	}()
	rep.mixed = runPhase(ctx, "mixed", o.conns, o.warmup, o.duration, o.maxRequests, mixedStep(l, m))
	close(stopRSS)
	close(stopUploads)
	rep.mixed.classes.merge(<-upDone)
	rep.rss = <-series
	if ctx.Err() != nil {
		return false, ctx.Err()
	}

	if !o.skipBaseline {
		logf("catalogue pages alone on the portal: %d connections, %v", o.conns, o.duration)
		rep.catalogue = runPhase(ctx, "catalogue alone", o.conns, o.warmup, o.duration, o.maxRequests, catalogueStep(l, m))
		base, stopBase, err := startBaseline(page)
		if err != nil {
			return false, err
		}
		logf("the same against the baseline (bare Fiber, page from memory)")
		bl := newLoader(base, o.conns)
		rep.baseline = runPhase(ctx, "baseline", o.conns, o.warmup, o.duration, o.maxRequests, catalogueStep(bl, m))
		bl.client.CloseIdleConnections()
		stopBase()
	}
	if _, err := p.RSS(); err != nil {
		return false, fmt.Errorf("the portal stopped during the run; its log:\n%s", p.LogTail(4<<10))
	}
	text, missed := rep.markdown()
	fmt.Println(text)
	if err := os.WriteFile(o.out, []byte(text), 0o644); err != nil {
		return missed, err
	}
	logf("written to %s", o.out)
	return missed, nil
}

// fetchCatalogue is the portal's first catalogue page as an anonymous
// visitor sees it: what the baseline serves.
func fetchCatalogue(ctx context.Context, base string) ([]byte, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err == nil && res.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET /: %s", res.Status)
	}
	return b, err
}

// startBaseline serves page for every path from memory with a bare Fiber
// app (default settings), on a loopback port of its own.
func startBaseline(page []byte) (string, func(), error) {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/*", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
		return c.Send(page)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	go func() { _ = app.Listener(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = app.ShutdownWithTimeout(5 * time.Second) }, nil
}

// parseSize reads 4MiB, 32MB, 1GiB or a plain number of bytes.
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}}
	for _, u := range units {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			v, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64)
			if err != nil || v <= 0 {
				return 0, errors.New("not a size: " + s)
			}
			return v * u.mult, nil
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v <= 0 {
		return 0, errors.New("not a size: " + s)
	}
	return v, nil
}

func human(b int64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", b>>10)
}
