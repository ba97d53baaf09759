package main

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/smakom/webinar-portal/internal/demo"
)

// The synthetic archive: titles, topics, organisers and years drawn from
// fixed lists, so catalogue pages, searches and facets all have matches.
var (
	topics = []string{"Vatten", "Skola", "Energi", "Digitalisering", "Äldreomsorg", "Budget", "Kollektivtrafik",
		"Bostäder", "Krisberedskap", "Upphandling", "Klimat", "Näringsliv"}
	organisers = []string{"SmåKom", "Svenskt Vatten", "SKR", "Länsstyrelsen", "Energimyndigheten", "Boverket"}
	subjects   = []string{"vattenförsörjning", "skolskjuts", "solceller", "bredband", "hemtjänst", "budgetprocess",
		"busslinjer", "hyresrätter", "elavbrott", "ramavtal", "översvämningar", "besöksnäring", "avlopp",
		"kompetensförsörjning", "fiber", "livsmedelsberedskap"}
	searchWords = []string{"vattenförsörjning", "skolskjuts", "solceller", "bredband", "hemtjänst", "budget",
		"busslinjer", "elavbrott", "ramavtal", "översvämningar", "avlopp", "fiber", "kommuner", "små", "planering"}
	years = []int{2019, 2020, 2021, 2022, 2023, 2024, 2025}
)

// seeded is what the archive holds after seeding.
type seeded struct {
	webinars   int
	slugs      []string // all published webinars
	withVideo  []string // those with a recording
	subtitled  int
	videoBytes int64
	took       time.Duration // seeding through the API
	indexWait  time.Duration // then until the search index had them all
}

// api is a staff client of the portal's JSON API.
type api struct {
	base, token string
	http        *http.Client
}

func (a *api) do(ctx context.Context, method, path, contentType string, body io.Reader, size int64, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, body)
	if err != nil {
		return err
	}
	if size >= 0 {
		req.ContentLength = size
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := a.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if res.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s: %s", method, path, res.Status, bytes.TrimSpace(b))
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// createWebinar makes a webinar and returns its slug.
func (a *api) createWebinar(ctx context.Context, fields map[string]any) (string, error) {
	b, _ := json.Marshal(fields)
	var w struct{ Slug string }
	if err := a.do(ctx, http.MethodPost, "/api/v1/webinars", "application/json", bytes.NewReader(b), int64(len(b)), &w); err != nil {
		return "", err
	}
	if w.Slug == "" {
		return "", errors.New("create webinar: no slug in the answer")
	}
	return w.Slug, nil
}

func (a *api) putRecording(ctx context.Context, slug string, video []byte) error {
	return a.do(ctx, http.MethodPut, "/api/v1/webinars/"+slug+"/recording?duration_seconds=60", "video/mp4",
		bytes.NewReader(video), int64(len(video)), nil)
}

func webinarFields(i int, visibility string) map[string]any {
	r := rand.New(rand.NewPCG(uint64(i), 7))
	subj := subjects[i%len(subjects)]
	topic := topics[r.IntN(len(topics))]
	year := years[r.IntN(len(years))]
	held := time.Date(year, time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
	return map[string]any{
		"title":      fmt.Sprintf("%s i små kommuner, del %d", strings.ToUpper(subj[:1])+subj[1:], i+1),
		"summary":    fmt.Sprintf("Hur små kommuner arbetar med %s och %s: planering, budget och erfarenheter.", subj, strings.ToLower(topic)),
		"held_at":    held.Format("2006-01-02"),
		"visibility": visibility,
		"organiser":  organisers[r.IntN(len(organisers))],
		"topics":     []string{topic, topics[(i+3)%len(topics)]},
		"speakers":   []map[string]string{{"name": fmt.Sprintf("Talare %d", i%97), "organisation": organisers[i%len(organisers)]}},
	}
}

// subtitleTrack is a short Swedish SRT track of a few cues.
func subtitleTrack(i int) string {
	var b strings.Builder
	for c := 0; c < 6; c++ {
		fmt.Fprintf(&b, "%d\n00:00:%02d,000 --> 00:00:%02d,500\nVi talar om %s och %s i kommunen.\n\n",
			c+1, c*5, c*5+4, subjects[(i+c)%len(subjects)], searchWords[(i*3+c)%len(searchWords)])
	}
	return b.String()
}

// seed fills the archive through the API with n published webinars; every
// fifth gets a subtitle track and the first videos a recording of
// videoSize bytes.
func seed(ctx context.Context, a *api, n, videos int, videoSize int64, workers int) (*seeded, error) {
	start := time.Now()
	video, err := makeRecording(videoSize, 1)
	if err != nil {
		return nil, err
	}
	out := &seeded{webinars: n, slugs: make([]string, n), videoBytes: videoSize}
	var next atomic.Int64
	var subtitled atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				err := seedOne(ctx, a, i, i < videos, video, &subtitled, out)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("seed webinar %d: %w", i, err)
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	out.withVideo = append([]string(nil), out.slugs[:min(videos, n)]...)
	out.subtitled = int(subtitled.Load())
	out.took = time.Since(start)
	return out, nil
}

func seedOne(ctx context.Context, a *api, i int, withVideo bool, video []byte, subtitled *atomic.Int64, out *seeded) error {
	// One with a recording is created as a draft and published last, so
	// it is never listed without its recording.
	vis := "public"
	if withVideo {
		vis = "draft"
	}
	slug, err := a.createWebinar(ctx, webinarFields(i, vis))
	if err != nil {
		return err
	}
	out.slugs[i] = slug
	if i%5 == 0 {
		srt := subtitleTrack(i)
		if err := a.do(ctx, http.MethodPut, "/api/v1/webinars/"+slug+"/subtitles/sv", "application/x-subrip",
			strings.NewReader(srt), int64(len(srt)), nil); err != nil {
			return err
		}
		subtitled.Add(1)
	}
	if !withVideo {
		return nil
	}
	if err := a.putRecording(ctx, slug, video); err != nil {
		return err
	}
	b := []byte(`{"visibility":"public"}`)
	return a.do(ctx, http.MethodPatch, "/api/v1/webinars/"+slug, "application/json", bytes.NewReader(b), int64(len(b)), nil)
}

// waitIndexed waits until the portal's search index has every published
// webinar, so searches during the run find the whole archive.
func waitIndexed(ctx context.Context, a *api, n int) error {
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		var res struct{ Total int }
		// "kommuner" is in every title.
		if err := a.do(ctx, http.MethodGet, "/api/v1/search?q=kommuner&per_page=1", "", nil, -1, &res); err == nil && res.Total >= n {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	return fmt.Errorf("the search index did not reach %d webinars within 3 minutes", n)
}

// makeRecording is a playable MP4 of size bytes: the demo clip's ftyp
// and moov, then its mdat declared to run to the end of the file, filled
// up with an AES-CTR keystream (seeded by n, so uploads differ).
func makeRecording(size int64, n uint64) ([]byte, error) {
	clip, err := demoClip()
	if err != nil {
		return nil, err
	}
	if size < int64(len(clip)) {
		size = int64(len(clip))
	}
	out := make([]byte, size)
	block, err := aes.NewCipher([]byte("smakom-load-k16!"))
	if err != nil {
		return nil, err
	}
	var iv [16]byte
	binary.BigEndian.PutUint64(iv[:8], n)
	cipher.NewCTR(block, iv[:]).XORKeyStream(out, out)
	copy(out, clip)
	return out, nil
}

func demoClip() ([]byte, error) {
	webinars, err := demo.Webinars()
	if err != nil {
		return nil, err
	}
	if len(webinars) == 0 || len(webinars[0].Video) == 0 {
		return nil, errors.New("the demo archive has no video clip")
	}
	clip := append([]byte(nil), webinars[0].Video...)
	for off := 0; off+8 <= len(clip); {
		size := int(binary.BigEndian.Uint32(clip[off:]))
		if string(clip[off+4:off+8]) == "mdat" {
			if size == 1 || off+size != len(clip) {
				return nil, errors.New("demo clip: the mdat is not a plain last box")
			}
			binary.BigEndian.PutUint32(clip[off:], 0) // to the end of the file
			return clip, nil
		}
		if size < 8 {
			return nil, fmt.Errorf("demo clip: box of size %d at %d", size, off)
		}
		off += size
	}
	return nil, errors.New("demo clip: no mdat box")
}
