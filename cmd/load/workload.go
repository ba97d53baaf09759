package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/smakom/webinar-portal/internal/portalproc"
)

// Request classes, in the order the report lists them.
const (
	classCatalogue = "catalogue"
	classWatch     = "watch page"
	classMedia     = "media range"
	classAPI       = "api"
	classUpload    = "upload"
)

var classOrder = []string{classCatalogue, classWatch, classMedia, classAPI, classUpload}

// classStats are one class's measurements.
type classStats struct {
	lat      []time.Duration
	errors   int
	examples []string
	bytes    int64
}

type tally map[string]*classStats

func (t tally) get(class string) *classStats {
	s, ok := t[class]
	if !ok {
		s = &classStats{}
		t[class] = s
	}
	return s
}

func (t tally) merge(o tally) {
	for class, s := range o {
		d := t.get(class)
		d.lat = append(d.lat, s.lat...)
		d.errors += s.errors
		d.bytes += s.bytes
		for _, e := range s.examples {
			if len(d.examples) < 3 && !slices.Contains(d.examples, e) {
				d.examples = append(d.examples, e)
			}
		}
	}
}

func (t tally) record(class string, took time.Duration, n int64, err string) {
	s := t.get(class)
	s.lat = append(s.lat, took)
	s.bytes += n
	if err != "" {
		s.errors++
		if len(s.examples) < 3 && !slices.Contains(s.examples, err) {
			s.examples = append(s.examples, err)
		}
	}
}

// percentile of sorted durations (nearest rank).
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// phaseResult is one measured phase: what each class did in elapsed.
type phaseResult struct {
	name    string
	elapsed time.Duration
	classes tally
	capped  bool // the request bound ended the phase early
}

// mix is who asks what: the URLs of the synthetic archive.
type mix struct {
	pages     int      // catalogue pages of 12
	slugs     []string // published webinars
	withVideo []string
	videoSize int64
}

// catalogueURL is a catalogue or search page view: the first page, later
// pages, searches and facet filters.
func (m mix) catalogueURL(r *rand.Rand) string {
	word := func() string { return url.QueryEscape(searchWords[r.IntN(len(searchWords))]) }
	switch n := r.IntN(100); {
	case n < 30:
		return "/"
	case n < 55:
		return fmt.Sprintf("/?page=%d", 2+r.IntN(max(1, m.pages-1)))
	case n < 80:
		if r.IntN(4) == 0 {
			return fmt.Sprintf("/?q=%s&page=2", word())
		}
		return "/?q=" + word()
	case n < 88:
		return "/?topic=" + url.QueryEscape(topics[r.IntN(len(topics))])
	case n < 92:
		return fmt.Sprintf("/?year=%d", years[r.IntN(len(years))])
	case n < 96:
		return fmt.Sprintf("/?q=%s&topic=%s", word(), url.QueryEscape(topics[r.IntN(len(topics))]))
	default:
		return fmt.Sprintf("/?q=%s&organiser=%s&sort=newest", word(), url.QueryEscape(organisers[r.IntN(len(organisers))]))
	}
}

func (m mix) apiURL(r *rand.Rand) string {
	if r.IntN(2) == 0 {
		return fmt.Sprintf("/api/v1/webinars?page=%d", 1+r.IntN(max(1, m.pages)))
	}
	return "/api/v1/search?q=" + url.QueryEscape(searchWords[r.IntN(len(searchWords))])
}

// loader sends requests with keep-alive connections.
type loader struct {
	base   string
	client *http.Client
}

func newLoader(base string, conns int) *loader {
	tr := &http.Transport{MaxConnsPerHost: conns + 8, MaxIdleConnsPerHost: conns + 8, MaxIdleConns: conns + 8,
		IdleConnTimeout: 2 * time.Minute, DisableCompression: true, ResponseHeaderTimeout: 60 * time.Second}
	return &loader{base: base, client: &http.Client{Transport: tr, Timeout: 2 * time.Minute,
		// A redirect counts as an answer; it is not followed.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// visitor is one connection's visitor: like a browser, it sends back
// the CSRF cookie the portal gave it on the first page.
type visitor struct{ csrf string }

// get sends one GET and reads the whole answer. err describes a
// transport error or a status other than 2xx/3xx. lang, when set, is
// sent as the language cookie.
func (l *loader) get(ctx context.Context, v *visitor, path, lang string, header ...string) (took time.Duration, n int64, errText string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.base+path, nil)
	if err != nil {
		return 0, 0, err.Error()
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	var cookies []string
	if v.csrf != "" {
		cookies = append(cookies, "portal_csrf="+v.csrf)
	}
	if lang != "" {
		cookies = append(cookies, "portal_lang="+lang)
	}
	if len(cookies) > 0 {
		req.Header.Set("Cookie", strings.Join(cookies, "; "))
	}
	start := time.Now()
	res, err := l.client.Do(req)
	if err != nil {
		return time.Since(start), 0, "GET " + path + ": " + shortErr(err)
	}
	if v.csrf == "" {
		for _, c := range res.Cookies() {
			if c.Name == "portal_csrf" {
				v.csrf = c.Value
			}
		}
	}
	n, err = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	took = time.Since(start)
	if err != nil {
		return took, n, "GET " + path + ": reading the body: " + shortErr(err)
	}
	if res.StatusCode >= 400 {
		return took, n, fmt.Sprintf("GET %s: %s", path, res.Status)
	}
	return took, n, ""
}

func shortErr(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i > 0 && len(s) > 120 {
		s = s[i+2:]
	}
	return s
}

// stepFunc does one visitor action, records it in t and returns how many
// requests it sent.
type stepFunc func(ctx context.Context, r *rand.Rand, v *visitor, t tally) int

// runPhase runs conns workers for warmup (not counted) and then d, each
// doing one step after another, until d is over or maxRequests were sent.
func runPhase(ctx context.Context, name string, conns int, warmup, d time.Duration, maxRequests int64,
	step stepFunc) *phaseResult {
	measureFrom := time.Now().Add(warmup)
	end := measureFrom.Add(d)
	var sent atomic.Int64
	var mu sync.Mutex
	all := tally{}
	capped := false
	var wg sync.WaitGroup
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
			v := &visitor{}
			mine, scratch := tally{}, tally{}
			for ctx.Err() == nil {
				now := time.Now()
				if !now.Before(end) {
					break
				}
				if now.Before(measureFrom) {
					step(ctx, r, v, scratch)
					clear(scratch)
					continue
				}
				if sent.Load() >= maxRequests {
					mu.Lock()
					capped = true
					mu.Unlock()
					break
				}
				sent.Add(int64(step(ctx, r, v, mine)))
			}
			mu.Lock()
			all.merge(mine)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return &phaseResult{name: name, elapsed: time.Since(measureFrom), classes: all, capped: capped}
}

// mixedStep is one visitor action of the mixed workload: 70% catalogue
// and search pages, 20% a watch page and a ranged read of its recording,
// 10% API reads.
func mixedStep(l *loader, m mix) stepFunc {
	catalogue := catalogueStep(l, m)
	return func(ctx context.Context, r *rand.Rand, v *visitor, t tally) int {
		switch n := r.IntN(100); {
		case n < 70:
			return catalogue(ctx, r, v, t)
		case n < 90:
			slug := m.withVideo[r.IntN(len(m.withVideo))]
			took, b, err := l.get(ctx, v, "/webinars/"+slug, "")
			t.record(classWatch, took, b, err)
			const span = 256 << 10
			off := r.Int64N(max(1, m.videoSize-span))
			took, b, err = l.get(ctx, v, "/webinars/"+slug+"/recording", "", "Range", fmt.Sprintf("bytes=%d-%d", off, off+span-1))
			if err == "" && b != span {
				err = fmt.Sprintf("GET /webinars/%s/recording: %d bytes for a range of %d", slug, b, span)
			}
			t.record(classMedia, took, b, err)
			return 2
		default:
			took, b, err := l.get(ctx, v, m.apiURL(r), "")
			t.record(classAPI, took, b, err)
			return 1
		}
	}
}

// catalogueStep is one catalogue or search page view; one in five
// visitors reads English (the language cookie).
func catalogueStep(l *loader, m mix) stepFunc {
	return func(ctx context.Context, r *rand.Rand, v *visitor, t tally) int {
		lang := ""
		if r.IntN(5) == 0 {
			lang = "en"
		}
		took, b, err := l.get(ctx, v, m.catalogueURL(r), lang)
		t.record(classCatalogue, took, b, err)
		return 1
	}
}

// uploaders run n uploads at a time until stop is closed: each makes a
// fresh draft webinar and PUTs a recording to it through the raw API.
// Only uploads that start after measureFrom are counted.
func uploaders(ctx context.Context, a *api, n int, video []byte, measureFrom time.Time, stop <-chan struct{}) tally {
	var mu sync.Mutex
	all := tally{}
	var wg sync.WaitGroup
	var seq atomic.Int64
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := tally{}
			for {
				select {
				case <-stop:
					mu.Lock()
					all.merge(mine)
					mu.Unlock()
					return
				default:
				}
				i := seq.Add(1)
				start := time.Now()
				errText := ""
				fields := webinarFields(int(100000+i), "draft")
				fields["title"] = fmt.Sprintf("Uppladdning under lasttest %d", i)
				slug, err := a.createWebinar(ctx, fields)
				if err == nil {
					err = a.putRecording(ctx, slug, video)
				}
				if err != nil {
					if ctx.Err() != nil {
						return
					}
					errText = shortErr(err)
				}
				if start.After(measureFrom) {
					mine.record(classUpload, time.Since(start), int64(len(video)), errText)
				}
			}
		}()
	}
	wg.Wait()
	return all
}

// rssSeries samples the portal's VmRSS every second until stop is closed.
func rssSeries(p *portalproc.Process, stop <-chan struct{}) <-chan []int64 {
	out := make(chan []int64, 1)
	go func() {
		var s []int64
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			if v, err := p.RSS(); err == nil {
				s = append(s, v)
			}
			select {
			case <-stop:
				out <- s
				return
			case <-t.C:
			}
		}
	}()
	return out
}

func sortedLat(s *classStats) []time.Duration {
	l := append([]time.Duration(nil), s.lat...)
	sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
	return l
}
