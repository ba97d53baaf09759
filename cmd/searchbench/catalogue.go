package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	mongooptions "go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/smakom/webinar-portal/internal/account"
	"github.com/smakom/webinar-portal/internal/embedded"
	"github.com/smakom/webinar-portal/internal/media"
	"github.com/smakom/webinar-portal/internal/search"
	"github.com/smakom/webinar-portal/internal/search/synth"
	"github.com/smakom/webinar-portal/internal/server"
	"github.com/smakom/webinar-portal/internal/subtitle"
	"github.com/smakom/webinar-portal/internal/upload"
	"github.com/smakom/webinar-portal/internal/webinar"
	"github.com/smakom/webinar-portal/internal/wish"
)

// catalogueResult is the catalogue page timed with and without a query.
type catalogueResult struct {
	webinars        int
	load, index     time.Duration
	with, without   []time.Duration
	bytesWith       int // page bytes (before compression), summed
	bytesWithout    int
	requestsEach    int
	emptyWithHits   int // query pages that found something
	queryPageSample string
}

// measureCatalogue runs the portal's HTTP server in this process on the
// embedded MongoDB-wire and S3 servers, fills it with n generated webinars
// (metadata through the webinar service, transcripts as SRT through the
// subtitle import), lets the search index catch up and then times the
// catalogue page with a query against the same page without one,
// alternating the two.
func measureCatalogue(ctx context.Context, dir string, n, cues, requests int, seed uint64, profile string) (*catalogueResult, error) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	dataDir, err := filepath.Abs(filepath.Join(dir, "portal"))
	if err != nil {
		return nil, err
	}
	indexDir := filepath.Join(dataDir, "search")
	srv, err := embedded.Start(ctx, dataDir, quiet)
	if err != nil {
		return nil, err
	}
	defer srv.Stop()
	client, err := mongo.Connect(mongooptions.Client().ApplyURI(srv.MongoURI).SetMaxPoolSize(1))
	if err != nil {
		return nil, err
	}
	defer client.Disconnect(context.Background())
	db := client.Database("portal")
	objects, err := media.Open(ctx, media.Config{Endpoint: srv.S3Endpoint, AccessKey: srv.S3AccessKey, SecretKey: srv.S3SecretKey, Bucket: "webinars"})
	if err != nil {
		return nil, err
	}
	store, err := webinar.NewStore(ctx, db)
	if err != nil {
		return nil, err
	}
	tracks := subtitle.NewStore(db)
	svc := webinar.NewService(store, objects, tracks, webinar.Limits{RecordingBytes: 1 << 30, SlidesBytes: 1 << 20, SubtitleBytes: 5 << 20}, quiet)
	accounts, err := account.NewService(ctx, db, time.Hour)
	if err != nil {
		return nil, err
	}

	res := &catalogueResult{webinars: n, requestsEach: requests}
	gen := synth.New(seed)
	start := time.Now()
	for i := 0; i < n; i++ {
		w, cs := gen.Webinar(i, cues)
		vis := string(w.Visibility)
		held := w.HeldAt.Format("2006-01-02")
		created, err := svc.Create(ctx, webinar.Fields{Title: &w.Title, Summary: &w.Summary, Description: &w.Description,
			Organiser: &w.Organiser, Topics: &w.Topics, Speakers: &w.Speakers, HeldAt: &held, Visibility: &vis})
		if err != nil {
			return nil, fmt.Errorf("create webinar %d: %w", i, err)
		}
		if _, _, err := svc.SetSubtitles(ctx, created.Slug, webinar.SubtitleInput{Lang: "sv", Filename: "sv.srt", Data: srt(cs)}); err != nil {
			return nil, fmt.Errorf("subtitles of webinar %d: %w", i, err)
		}
		if (i+1)%50 == 0 {
			fmt.Fprintf(os.Stderr, "\rloading the portal %d/%d", i+1, n)
		}
	}
	fmt.Fprintln(os.Stderr)
	res.load = time.Since(start)

	ix, _, err := search.Open(indexDir)
	if err != nil {
		return nil, err
	}
	defer ix.Close()
	start = time.Now()
	if err := search.NewSyncer(ix, search.Source{Webinars: store, Tracks: tracks}, quiet).Rebuild(ctx, nil); err != nil {
		return nil, err
	}
	res.index = time.Since(start)

	uploads, err := upload.NewStore(filepath.Join(dataDir, "uploads"), upload.Options{Objects: objects, Target: svc})
	if err != nil {
		return nil, err
	}
	app, err := server.New(server.Deps{Accounts: accounts, Webinars: svc, Wishes: wish.NewStore(db), Objects: objects,
		Uploads: uploads, Search: ix, Logger: quiet, WishesPerHour: 5, SessionTTL: time.Hour})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	go func() { _ = app.App().Listener(ln) }()
	defer app.App().Shutdown()
	base := "http://" + ln.Addr().String()

	hc := &http.Client{Timeout: 30 * time.Second}
	get := func(path string) (time.Duration, string, error) {
		t0 := time.Now()
		r, err := hc.Get(base + path)
		if err != nil {
			return 0, "", err
		}
		body, err := io.ReadAll(r.Body)
		r.Body.Close()
		d := time.Since(t0)
		if err == nil && r.StatusCode != http.StatusOK {
			err = fmt.Errorf("GET %s: %s", path, r.Status)
		}
		return d, string(body), err
	}
	queries := gen.Queries(requests)
	for i := 0; i < 5; i++ { // warm up both pages
		if _, _, err := get("/"); err != nil {
			return nil, err
		}
		if _, _, err := get("/?q=" + url.QueryEscape(queries[i].Text)); err != nil {
			return nil, err
		}
	}
	// Anonymous pages are cached whole; a number unique to each request
	// keeps both pages out of the cache, so what is timed is the page
	// being made (from the in-memory listing without a query, from the
	// index with one).
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
		defer pprof.StopCPUProfile()
	}
	for i := 0; i < requests; i++ {
		d, body, err := get("/?n=" + strconv.Itoa(i))
		if err != nil {
			return nil, err
		}
		res.without = append(res.without, d)
		res.bytesWithout += len(body)
		d, body, err = get("/?q=" + url.QueryEscape(queries[i].Text) + "&n=" + strconv.Itoa(i))
		if err != nil {
			return nil, err
		}
		res.with = append(res.with, d)
		res.bytesWith += len(body)
		if strings.Contains(body, `class="moments"`) {
			res.emptyWithHits++
			if res.queryPageSample == "" {
				res.queryPageSample = queries[i].Text
			}
		}
	}
	return res, nil
}

// srt writes cues as an SRT file.
func srt(cues []subtitle.Cue) []byte {
	var b strings.Builder
	stamp := func(d time.Duration) string {
		ms := d.Milliseconds()
		return fmt.Sprintf("%02d:%02d:%02d,%03d", ms/3600000, ms/60000%60, ms/1000%60, ms%1000)
	}
	for i, c := range cues {
		fmt.Fprintf(&b, "%d\n%s --> %s\n%s\n\n", i+1, stamp(c.Start), stamp(c.End), c.Text)
	}
	return []byte(b.String())
}
