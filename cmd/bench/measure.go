package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/smakom/webinar-portal/internal/portalproc"
)

// backendRun measures one S3 backend through one running portal.
type backendRun struct {
	name    string
	opts    options
	dataDir string
	portal  *portalproc.Process
	api     *portalClient
	viewer  *http.Client // anonymous, as a browser (keeps cookies)
	direct  *minio.Client
	// viaRelay is direct's client through a bare TCP relay (see relay)
	viaRelay *minio.Client
	// transports of the three clients, closed before the portal stops
	transports []*http.Transport
	digests    *digestCache
	rows       []row
	notes      []string
}

func (b *backendRun) note(format string, a ...any) {
	b.notes = append(b.notes, fmt.Sprintf(format, a...))
}

func (b *backendRun) failed(measure string, err error) {
	logf("[%s] %s: %v", b.name, measure, err)
	b.rows = append(b.rows, row{backend: b.name, measure: measure, portal: "error", result: errored})
	b.note("%s: %v", measure, err)
}

// cleanupContext outlives a cancelled run long enough to delete what a
// phase stored.
func cleanupContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), time.Minute)
}

// streamingPhases stores a public recording of -size-stream through the
// API, then measures (a) whole streams, (b) seeks and (e) viewers on it.
func (b *backendRun) streamingPhases(ctx context.Context) {
	size := b.opts.sizeStream
	g, err := newRecording(size)
	if err != nil {
		b.failed("setup: streaming recording", err)
		return
	}
	logf("[%s] uploading the %s streaming recording (public webinar)", b.name, humanSize(size))
	w, key, err := b.storeRecording(ctx, g, "Benchmark strömning", "public")
	if err != nil {
		b.failed("setup: streaming recording", err)
		return
	}
	defer b.deleteWebinar(w)

	logf("[%s] (a) streaming %s, %d rounds each", b.name, humanSize(size), b.opts.streamRuns)
	if err := b.measureStreaming(ctx, w.Slug, key, size, proxied); err != nil {
		b.failed(fmt.Sprintf("(a) stream %s", humanSize(size)), err)
	}
	if ctx.Err() != nil {
		return
	}
	logf("[%s] (b) %d random 64 KiB seeks each", b.name, b.opts.seeks)
	if err := b.measureSeeks(ctx, w.Slug, key, g); err != nil {
		b.failed("(b) seek TTFB", err)
	}
	if ctx.Err() != nil {
		return
	}
	logf("[%s] (e) %d viewers for %v, through the portal then direct", b.name, b.opts.viewers, b.opts.viewersDuration)
	b.measureViewers(ctx, w.Slug, key, g)
}

// storeRecording creates a webinar, uploads g through the raw API, checks
// the stored size and SHA-256 and returns the webinar and object key.
func (b *backendRun) storeRecording(ctx context.Context, g *recording, title, visibility string) (webinarJSON, string, error) {
	want, err := b.digests.get(ctx, g)
	if err != nil {
		return webinarJSON{}, "", err
	}
	w, err := b.api.createWebinar(ctx, title+" "+b.name, visibility)
	if err != nil {
		return w, "", err
	}
	rec, err := b.api.putRecording(ctx, w.Slug, g.reader(0, g.size), g.size)
	if err == nil {
		err = checkStored(rec, g.size, want)
	}
	if err != nil {
		b.deleteWebinar(w)
		return w, "", err
	}
	key, err := b.recordingKey(ctx, w.ID)
	if err != nil {
		b.deleteWebinar(w)
	}
	return w, key, err
}

func checkStored(rec storedRecording, size int64, sha string) error {
	if rec.Size != size || rec.SHA256 != sha {
		return fmt.Errorf("the portal stored %d bytes with SHA-256 %s; the generator sent %d bytes with %s", rec.Size, rec.SHA256, size, sha)
	}
	return nil
}

// recordingKey finds the object the portal stored for a webinar's
// recording (the API does not show keys): webinars/<id>/recording-*.
func (b *backendRun) recordingKey(ctx context.Context, id string) (string, error) {
	var keys []string
	for obj := range b.direct.ListObjects(ctx, bucket, minio.ListObjectsOptions{Prefix: "webinars/" + id + "/recording-", Recursive: true}) {
		if obj.Err != nil {
			return "", obj.Err
		}
		keys = append(keys, obj.Key)
	}
	if len(keys) != 1 {
		return "", fmt.Errorf("want one recording object for webinar %s, found %v", id, keys)
	}
	return keys[0], nil
}

// deleteWebinar removes a webinar through the API and checks that its
// objects went with it.
func (b *backendRun) deleteWebinar(w webinarJSON) {
	ctx, cancel := cleanupContext()
	defer cancel()
	if err := b.api.deleteWebinar(ctx, w.Slug); err != nil {
		b.note("cleanup: %v", err)
		return
	}
	var left []string
	for obj := range b.direct.ListObjects(ctx, bucket, minio.ListObjectsOptions{Prefix: "webinars/" + w.ID + "/", Recursive: true}) {
		if obj.Err == nil {
			left = append(left, obj.Key)
		}
	}
	if len(left) > 0 {
		b.note("after DELETE /api/v1/webinars/%s these objects were still stored: %v", w.Slug, left)
	}
}

// drain is the read loop both sides use: 256 KiB reads, no
// ReaderFrom shortcut.
func drain(r io.Reader, buf []byte) (int64, error) {
	return io.CopyBuffer(struct{ io.Writer }{io.Discard}, r, buf)
}

// delivery is how the portal answers for a public recording
// (MEDIA_DELIVERY).
type delivery string

const (
	proxied    delivery = "proxy"    // the bytes pass through the portal
	redirected delivery = "redirect" // a 302 to a presigned S3 URL
)

// measureStreaming is (a): the whole recording through the portal and
// straight from S3, alternating which goes first, median of the runs.
// The viewer follows the portal's answer as a browser does, and must
// have been redirected to S3 or not as mode says.
func (b *backendRun) measureStreaming(ctx context.Context, slug, key string, size int64, mode delivery) error {
	buf := make([]byte, 256<<10)
	portalURL := b.portal.URL() + "/webinars/" + slug + "/recording"
	viaPortal := func() (float64, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, portalURL, nil)
		if err != nil {
			return 0, err
		}
		start := time.Now()
		res, err := b.viewer.Do(req)
		if err != nil {
			return 0, err
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("portal GET: %s", res.Status)
		}
		if wentTo := res.Request.URL.Host; (wentTo != req.URL.Host) != (mode == redirected) {
			return 0, fmt.Errorf("MEDIA_DELIVERY=%s, but the recording came from %s (asked %s)", mode, wentTo, req.URL.Host)
		}
		n, err := drain(res.Body, buf)
		if err == nil && n != size {
			err = fmt.Errorf("portal GET: %d of %d bytes", n, size)
		}
		return mbps(n, time.Since(start)), err
	}
	getObject := func(client *minio.Client, what string) func() (float64, error) {
		return func() (float64, error) {
			start := time.Now()
			body, _, _, err := minio.Core{Client: client}.GetObject(ctx, bucket, key, minio.GetObjectOptions{})
			if err != nil {
				return 0, err
			}
			defer body.Close()
			n, err := drain(body, buf)
			if err == nil && n != size {
				err = fmt.Errorf("%s GetObject: %d of %d bytes", what, n, size)
			}
			return mbps(n, time.Since(start)), err
		}
	}
	var portal, s3, relayed []float64
	type side struct {
		get func() (float64, error)
		got *[]float64
	}
	sides := []side{{viaPortal, &portal}, {getObject(b.direct, "direct"), &s3}}
	if b.viaRelay != nil && mode == proxied {
		sides = append(sides, side{getObject(b.viaRelay, "relayed"), &relayed})
	}
	for i := 0; i < b.opts.streamRuns; i++ {
		// Each round starts with the next side, so none always goes first.
		order := append(sides[i%len(sides):len(sides):len(sides)], sides[:i%len(sides)]...)
		for _, s := range order {
			v, err := s.get()
			if err != nil {
				return err
			}
			*s.got = append(*s.got, v)
		}
	}
	p, d := median(portal), median(s3)
	// The target is on the default, proxy; redirect is for reference.
	what, target := "", 0.9
	if mode == redirected {
		what, target = ", MEDIA_DELIVERY=redirect", 0
	}
	b.rows = append(b.rows, ratioRow(b.name, fmt.Sprintf("(a) stream %s%s, median of %d", humanSize(size), what, len(portal)),
		p, d, fmtMBps, higher, target))
	b.note("(a) runs%s, MB/s: portal %s; direct %s", what, fmtList(portal, "%.0f"), fmtList(s3, "%.0f"))
	if len(relayed) > 0 {
		r := median(relayed)
		b.note("(a) for reference, the same GetObject through a bare TCP relay process (an extra process and loopback hop, no HTTP in it): runs %s MB/s, median %.0f MB/s = %.2f× direct; the portal reached %.2f× of the relay",
			fmtList(relayed, "%.0f"), r, r/d, p/r)
	}
	return nil
}

// fetchPortalRange asks the portal for a range as a browser's seek does.
func (b *backendRun) fetchPortalRange(ctx context.Context, slug string, off int64, buf []byte) (time.Duration, error) {
	req, err := http.NewRequest(http.MethodGet, b.portal.URL()+"/webinars/"+slug+"/recording", nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", off, off+int64(len(buf))-1))
	var ttfb time.Duration
	start := time.Now()
	trace := &httptrace.ClientTrace{GotFirstResponseByte: func() { ttfb = time.Since(start) }}
	res, err := b.viewer.Do(req.WithContext(httptrace.WithClientTrace(ctx, trace)))
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusPartialContent {
		return ttfb, fmt.Errorf("status %s", res.Status)
	}
	return ttfb, readExactly(res.Body, buf)
}

// fetchDirectRange is a ranged GetObject from the same server.
func (b *backendRun) fetchDirectRange(ctx context.Context, key string, off int64, buf []byte) (time.Duration, error) {
	opts := minio.GetObjectOptions{}
	if err := opts.SetRange(off, off+int64(len(buf))-1); err != nil {
		return 0, err
	}
	var ttfb time.Duration
	start := time.Now()
	trace := &httptrace.ClientTrace{GotFirstResponseByte: func() { ttfb = time.Since(start) }}
	body, _, _, err := minio.Core{Client: b.direct}.GetObject(httptrace.WithClientTrace(ctx, trace), bucket, key, opts)
	if err != nil {
		return ttfb, err
	}
	defer body.Close()
	return ttfb, readExactly(body, buf)
}

// readExactly fills buf from r and fails if r has more or fewer bytes.
func readExactly(r io.Reader, buf []byte) error {
	if n, err := io.ReadFull(r, buf); err != nil {
		return fmt.Errorf("body: %d of %d bytes: %w", n, len(buf), err)
	}
	var one [1]byte
	if n, _ := r.Read(one[:]); n > 0 {
		return fmt.Errorf("body longer than the %d bytes asked for", len(buf))
	}
	return nil
}

// measureSeeks is (b): the same random 64 KiB ranges through the portal
// and direct, alternating, after a few warm-up requests each; every body
// is checked against the generator.
func (b *backendRun) measureSeeks(ctx context.Context, slug, key string, g *recording) error {
	const length = 64 << 10
	rng := rand.New(rand.NewPCG(uint64(b.opts.seed), 2))
	buf, scratch := make([]byte, length), make([]byte, length)
	fetch := func(portal bool, off int64) (time.Duration, error) {
		var ttfb time.Duration
		var err error
		if portal {
			ttfb, err = b.fetchPortalRange(ctx, slug, off, buf)
		} else {
			ttfb, err = b.fetchDirectRange(ctx, key, off, buf)
		}
		if err == nil {
			err = g.check(buf, scratch, off)
		}
		side := "direct"
		if portal {
			side = "portal"
		}
		if err != nil {
			return 0, fmt.Errorf("%s range at %d: %w", side, off, err)
		}
		return ttfb, nil
	}
	for i := 0; i < 3; i++ {
		off := rng.Int64N(g.size - length + 1)
		for _, portal := range []bool{true, false} {
			if _, err := fetch(portal, off); err != nil {
				return err
			}
		}
	}
	var portal, s3 []float64
	for i := 0; i < b.opts.seeks; i++ {
		off := rng.Int64N(g.size - length + 1)
		order := []bool{true, false}
		if i%2 == 1 {
			order = []bool{false, true}
		}
		for _, p := range order {
			t, err := fetch(p, off)
			if err != nil {
				return err
			}
			ms := float64(t) / float64(time.Millisecond)
			if p {
				portal = append(portal, ms)
			} else {
				s3 = append(s3, ms)
			}
		}
	}
	b.seekBreakdown(ctx, slug, key)
	b.rows = append(b.rows,
		ratioRow(b.name, fmt.Sprintf("(b) seek TTFB median, %d × 64 KiB", len(portal)), median(portal), median(s3), fmtMs, lower, 1.3),
		ratioRow(b.name, fmt.Sprintf("(b) seek TTFB p95, %d × 64 KiB", len(portal)), percentile(portal, 95), percentile(s3, 95), fmtMs, lower, 1.3))
	return nil
}

// seekBreakdown notes what a seek costs the portal before it reads any
// media: HEAD answers after the webinar lookup and the S3 stat that every
// GET does first, so HEAD vs StatObject shows the portal's own share.
func (b *backendRun) seekBreakdown(ctx context.Context, slug, key string) {
	var head, stat []float64
	for i := 0; i < 30; i++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodHead, b.portal.URL()+"/webinars/"+slug+"/recording", nil)
		if err != nil {
			return
		}
		t0 := time.Now()
		res, err := b.viewer.Do(req)
		if err != nil {
			return
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.note("(b) breakdown: HEAD of the recording answered %s", res.Status)
			return
		}
		head = append(head, float64(time.Since(t0))/float64(time.Millisecond))
		t0 = time.Now()
		if _, err := b.direct.StatObject(ctx, bucket, key, minio.StatObjectOptions{}); err != nil {
			return
		}
		stat = append(stat, float64(time.Since(t0))/float64(time.Millisecond))
	}
	b.note("(b) breakdown: HEAD of the recording through the portal (everything before the media read) median %.2f ms; StatObject direct median %.2f ms",
		median(head), median(stat))
}

// viewerResult sums up (e) for one side.
type viewerResult struct {
	requests, bytes, errors int64
	elapsed                 time.Duration
	latencies               []float64 // ms, whole request
	errorKinds              map[string]int64
}

// runViewers has n viewers read random 256 KiB ranges for d, each
// checked against the generator.
func runViewers(ctx context.Context, n int, d time.Duration, g *recording, seed int64,
	fetch func(ctx context.Context, off int64, buf []byte) (time.Duration, error)) viewerResult {
	const length = 256 << 10
	res := viewerResult{errorKinds: map[string]int64{}}
	var mu sync.Mutex
	var requests, bytes, errs atomic.Int64
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for v := 0; v < n; v++ {
		wg.Add(1)
		go func(v int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(seed), uint64(1000+v)))
			buf, scratch := make([]byte, length), make([]byte, length)
			var lat []float64
			for time.Now().Before(deadline) && ctx.Err() == nil {
				off := rng.Int64N(g.size - length + 1)
				t0 := time.Now()
				_, err := fetch(ctx, off, buf)
				if err == nil {
					err = g.check(buf, scratch, off)
				}
				requests.Add(1)
				if err != nil {
					if ctx.Err() != nil {
						break
					}
					errs.Add(1)
					kind := err.Error()
					if i := strings.Index(kind, " at "); i > 0 {
						kind = kind[:i]
					}
					mu.Lock()
					res.errorKinds[shorten(kind, 160)]++
					mu.Unlock()
					continue
				}
				bytes.Add(length)
				lat = append(lat, float64(time.Since(t0))/float64(time.Millisecond))
			}
			mu.Lock()
			res.latencies = append(res.latencies, lat...)
			mu.Unlock()
		}(v)
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.requests, res.bytes, res.errors = requests.Load(), bytes.Load(), errs.Load()
	return res
}

// measureViewers is (e): concurrent viewers through the portal, then the
// same against S3 directly for comparison.
func (b *backendRun) measureViewers(ctx context.Context, slug, key string, g *recording) {
	portal := runViewers(ctx, b.opts.viewers, b.opts.viewersDuration, g, b.opts.seed, func(ctx context.Context, off int64, buf []byte) (time.Duration, error) {
		return b.fetchPortalRange(ctx, slug, off, buf)
	})
	if ctx.Err() != nil {
		return
	}
	direct := runViewers(ctx, b.opts.viewers, b.opts.viewersDuration, g, b.opts.seed, func(ctx context.Context, off int64, buf []byte) (time.Duration, error) {
		return b.fetchDirectRange(ctx, key, off, buf)
	})
	if ctx.Err() != nil {
		return
	}
	label := fmt.Sprintf("(e) %d viewers × %v, 256 KiB ranges", b.opts.viewers, b.opts.viewersDuration)
	r := ratioRow(b.name, label+": throughput", mbps(portal.bytes, portal.elapsed), mbps(direct.bytes, direct.elapsed), fmtMBps, higher, 0)
	b.rows = append(b.rows, r)
	errRow := row{backend: b.name, measure: label + ": errors",
		portal: fmt.Sprintf("%d of %d requests", portal.errors, portal.requests),
		direct: fmt.Sprintf("%d of %d requests", direct.errors, direct.requests),
		ratio:  "—", target: "0 errors", result: passed}
	if portal.errors > 0 || portal.requests == 0 {
		errRow.result = failed
	}
	b.rows = append(b.rows, errRow)
	b.note("(e) request latency through the portal: median %.1f ms, p95 %.1f ms; direct: median %.1f ms, p95 %.1f ms",
		median(portal.latencies), percentile(portal.latencies, 95), median(direct.latencies), percentile(direct.latencies, 95))
	for kind, n := range portal.errorKinds {
		b.note("(e) portal errors: %d × %s", n, kind)
	}
	for kind, n := range direct.errorKinds {
		b.note("(e) direct errors: %d × %s", n, kind)
	}
}

// uploadPhases is (c) and (d): -size-upload through the raw API and the
// resumable path, and PutObject of the same stream straight to S3, each
// object deleted before the next; the portal's peak RSS during each
// portal upload.
func (b *backendRun) uploadPhases(ctx context.Context) {
	size := b.opts.sizeUpload
	g, err := newRecording(size)
	if err != nil {
		b.failed("(c) upload", err)
		return
	}
	want, err := b.digests.get(ctx, g)
	if err != nil {
		b.failed("(c) upload", err)
		return
	}
	var direct, raw, tus []float64
	var rawRSS, tusRSS []rssReading
	for run := 0; run < b.opts.uploadRuns && ctx.Err() == nil; run++ {
		logf("[%s] (c) direct PutObject of %s", b.name, humanSize(size))
		if v, err := b.directUpload(ctx, g); err != nil {
			b.failed("(c) upload: direct PutObject", err)
			return
		} else {
			direct = append(direct, v)
		}

		logf("[%s] (c) raw API PUT of %s", b.name, humanSize(size))
		v, rss, err := b.portalUpload(ctx, g, want, "raw")
		if err != nil {
			b.failed(fmt.Sprintf("(c) upload %s: raw API PUT", humanSize(size)), err)
		} else {
			raw, rawRSS = append(raw, v), append(rawRSS, rss)
		}
		if ctx.Err() != nil {
			return
		}

		logf("[%s] (c) resumable (tus) upload of %s in %s chunks", b.name, humanSize(size), humanSize(b.opts.tusChunk))
		v, rss, err = b.portalUpload(ctx, g, want, "tus")
		if err != nil {
			b.failed(fmt.Sprintf("(c) upload %s: tus", humanSize(size)), err)
		} else {
			tus, tusRSS = append(tus, v), append(tusRSS, rss)
		}
	}
	runs := ""
	if b.opts.uploadRuns > 1 {
		runs = fmt.Sprintf(", median of %d", b.opts.uploadRuns)
	}
	d := median(direct)
	if len(raw) > 0 {
		b.rows = append(b.rows, ratioRow(b.name, fmt.Sprintf("(c) upload %s: raw API PUT%s", humanSize(size), runs), median(raw), d, fmtMBps, higher, 0.8))
	}
	if len(tus) > 0 {
		b.rows = append(b.rows, ratioRow(b.name, fmt.Sprintf("(c) upload %s: tus, %s PATCHes%s", humanSize(size), humanSize(b.opts.tusChunk), runs), median(tus), d, fmtMBps, higher, 0.8))
	}
	for _, r := range []struct {
		path     string
		readings []rssReading
	}{{"raw API PUT", rawRSS}, {"tus", tusRSS}} {
		if len(r.readings) == 0 {
			continue
		}
		peak := r.readings[0]
		for _, x := range r.readings[1:] {
			if x.hwm > peak.hwm {
				peak = x
			}
		}
		res := passed
		if peak.hwm > 150<<20 {
			res = failed
		}
		b.rows = append(b.rows, row{backend: b.name, measure: fmt.Sprintf("(d) portal peak RSS during %s upload: %s", humanSize(size), r.path),
			portal: fmtMiB(peak.hwm), direct: "—", ratio: "—", target: "≤ 150 MiB", result: res})
		b.note("(d) %s: VmHWM after the upload %s (reset before it: %s); largest VmRSS sampled every 50 ms %s",
			r.path, fmtMiB(peak.sinceStart), peak.reset, fmtMiB(peak.sampled))
	}
}

type rssReading struct {
	hwm, sampled, sinceStart int64
	reset                    string
}

// directUpload is the baseline: PutObject of the same stream with the
// options the portal uses (known size, unsigned payload on loopback).
// Keep them in step with media.Store.Put.
func (b *backendRun) directUpload(ctx context.Context, g *recording) (float64, error) {
	key := "bench/direct-" + randomHex(6) + ".mp4"
	start := time.Now()
	info, err := b.direct.PutObject(ctx, bucket, key, g.reader(0, g.size), g.size,
		minio.PutObjectOptions{ContentType: "video/mp4", DisableContentSha256: true})
	d := time.Since(start)
	cctx, cancel := cleanupContext()
	defer cancel()
	if rerr := b.direct.RemoveObject(cctx, bucket, key, minio.RemoveObjectOptions{}); rerr != nil && err == nil {
		b.note("cleanup: remove %s: %v", key, rerr)
	}
	if err != nil {
		return 0, err
	}
	if info.Size != g.size {
		return 0, fmt.Errorf("PutObject stored %d of %d bytes", info.Size, g.size)
	}
	return mbps(g.size, d), nil
}

// portalUpload uploads g to a new draft webinar by the raw API or tus,
// checks what the portal stored, reads the peak RSS and deletes the
// webinar.
func (b *backendRun) portalUpload(ctx context.Context, g *recording, want, path string) (float64, rssReading, error) {
	w, err := b.api.createWebinar(ctx, "Benchmark uppladdning "+path, "draft")
	if err != nil {
		return 0, rssReading{}, err
	}
	defer b.deleteWebinar(w)
	reading := rssReading{reset: "yes"}
	if err := b.portal.ResetPeakRSS(); err != nil {
		reading.reset = "no (" + err.Error() + "): the value is the peak since the portal started"
	}
	sampler := sampleRSS(b.portal)
	start := time.Now()
	var rec storedRecording
	switch path {
	case "raw":
		rec, err = b.api.putRecording(ctx, w.Slug, g.reader(0, g.size), g.size)
	case "tus":
		var t tusTiming
		t, err = b.api.tusUpload(ctx, w.Slug, "bench.mp4", g, b.opts.tusChunk)
		if err == nil {
			b.note("(c) tus: %.1f s in all, of which %.1f s for the last PATCH (it sends the last part, completes the S3 upload, probes and commits the object before answering)",
				t.total.Seconds(), t.finish.Seconds())
			var got webinarJSON
			if got, err = b.api.webinar(ctx, w.Slug); err == nil {
				if got.Recording == nil {
					err = errors.New("the finished upload left the webinar without a recording")
				} else {
					rec = *got.Recording
				}
			}
		}
	}
	d := time.Since(start)
	reading.sampled = sampler.finish()
	reading.hwm, _ = b.portal.PeakRSS()
	reading.sinceStart = reading.hwm
	// The kernel updates VmHWM lazily; a sample can be a little higher.
	reading.hwm = max(reading.hwm, reading.sampled)
	if err != nil {
		return 0, reading, err
	}
	if err := checkStored(rec, g.size, want); err != nil {
		return 0, reading, err
	}
	if path == "tus" {
		b.checkStagingEmpty()
	}
	return mbps(g.size, d), reading, nil
}

// checkStagingEmpty notes files a finished resumable upload left in the
// portal's upload folder besides its description (kept a day, so a
// client that lost the last answer learns the upload finished), and the
// largest file there.
func (b *backendRun) checkStagingEmpty() {
	entries, err := os.ReadDir(filepath.Join(b.dataDir, "uploads"))
	if err != nil {
		return
	}
	var left []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			left = append(left, e.Name())
		}
	}
	if len(left) > 0 {
		b.note("after a finished tus upload, DATA_DIR/uploads still holds %v", left)
	}
}

// digestCache computes each size's SHA-256 once per run.
type digestCache struct {
	mu   sync.Mutex
	sums map[int64]string
}

func (c *digestCache) get(ctx context.Context, g *recording) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.sums[g.size]; ok {
		return s, nil
	}
	s, err := g.sha256(ctx)
	if err != nil {
		return "", err
	}
	c.sums[g.size] = s
	return s, nil
}

func mbps(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / 1e6 / d.Seconds()
}

func median(xs []float64) float64 { return percentile(xs, 50) }

// percentile by nearest rank.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if p == 50 && len(s)%2 == 0 {
		return (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	rank := int(p/100*float64(len(s))+0.999999) - 1
	return s[min(max(rank, 0), len(s)-1)]
}

func shorten(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
