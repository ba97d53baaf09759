package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// longRecording makes an MP4 of about 60 s and 30 MB with ffmpeg (a
// test source at a high bit rate, repeated without re-encoding): large
// enough that the player has not loaded its end when it starts.
func longRecording(t *testing.T) string {
	t.Helper()
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Fatalf("this test needs ffmpeg on PATH to make a long recording: install it with `apt-get install -y ffmpeg` (make test-deps does): %v", err)
	}
	dir := t.TempDir()
	part, long := filepath.Join(dir, "part.mp4"), filepath.Join(dir, "lang.mp4")
	for _, args := range [][]string{
		{"-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-f", "lavfi", "-i", "sine=frequency=440",
			"-t", "10", "-c:v", "libx264", "-preset", "ultrafast", "-qp", "1", "-pix_fmt", "yuv420p", "-c:a", "aac", "-movflags", "+faststart", part},
		{"-v", "error", "-y", "-stream_loop", "5", "-i", part, "-c", "copy", "-movflags", "+faststart", long},
	} {
		if out, err := exec.Command(ffmpeg, args...).CombinedOutput(); err != nil {
			t.Fatalf("ffmpeg %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return long
}

// TestSearchToMomentInBrowser: a visitor filters the catalogue by topic,
// types a word into its search box, gets the webinar with the moments its transcript says it,
// follows one, and the watch page starts the video there; the player asks
// the server for byte ranges (206 answers). The visitor opens the slide
// deck on the page and as a link (the portal serves the PDF to the
// browser). On a long recording, seeking past what the player has loaded
// makes the server receive a request for a range from the middle of the
// file, and the video plays from there.
func TestSearchToMomentInBrowser(t *testing.T) {
	const password = "korrekt-häst-batteri-staple"
	long := longRecording(t)
	longInfo, err := os.Stat(long)
	if err != nil {
		t.Fatal(err)
	}
	dataDir := t.TempDir()
	setCleanEnv(t, "DATA_DIR="+dataDir, "LOG_LEVEL=error")
	if _, err := runCommand(t, password+"\n", "user", "add", "--email", "redaktor@smakom.example", "--role", "staff", "--password-stdin"); err != nil {
		t.Fatalf("portal user add: %v", err)
	}
	token, err := runCommand(t, "", "token", "create", "--email", "redaktor@smakom.example", "--name", "test")
	if err != nil {
		t.Fatal(err)
	}
	served := startServe(t, dataDir, "serve", "--demo")
	longSlug := publishRecording(t, served.url, strings.TrimSpace(token), "En lång inspelning att spola i", long)
	// The browser goes through the recorder.
	rec := startRequestRecorder(t, served.url, nil)
	p := &portal{url: rec.url}
	shots := screenshotDir(t)
	tab := openTab(t, 4*time.Minute)
	if tab == nil {
		return
	}
	ctx := tab.ctx
	var (
		mu     sync.Mutex
		ranged []int64 // status of each recording response
	)
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventResponseReceived); ok && strings.HasSuffix(strings.SplitN(e.Response.URL, "?", 2)[0], "/recording") {
			mu.Lock()
			ranged = append(ranged, e.Response.Status)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}

	if resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(p.url+"/")); err != nil || resp.Status != http.StatusOK {
		t.Fatalf("GET /: %v %v", resp, err)
	}
	// Filtering by a topic narrows the catalogue to its webinars.
	cards := func() []string {
		t.Helper()
		titles, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('ul.cards li.card h2')).map(h => h.textContent.trim())`))
		if err != nil {
			t.Fatal(err)
		}
		return titles
	}
	all := cards()
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("topic"), "Vatten och avlopp")); err != nil {
		t.Fatal(err)
	}
	if resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`main form button[type=submit]`))); err != nil || resp.Status != http.StatusOK {
		t.Fatalf("filter by topic: %v %v", resp, err)
	}
	filtered := cards()
	t.Logf("catalogue: %d webinars, %d with the topic Vatten och avlopp: %v", len(all), len(filtered), filtered)
	if len(filtered) == 0 || len(filtered) >= len(all) || !strings.Contains(strings.Join(filtered, "|"), "vattenförsörjningen") {
		t.Errorf("filtering by topic: %v of %v", filtered, all)
	}

	// Typed as a person would: an inflected form the transcript does not
	// contain word for word.
	if resp, err := chromedp.RunResponse(ctx, chromedp.SendKeys(chromedp.ID("q"), "översvämning\n")); err != nil || resp.Status != http.StatusOK {
		t.Fatalf("search: %v %v", resp, err)
	}
	// Right after the start the index may still be built (the page then
	// matches titles only): reload until the moments are there.
	for deadline := time.Now().Add(30 * time.Second); ; {
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('ul.moments a').length`))
		if err == nil && n > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
		if _, err := chromedp.Run(ctx, chromedp.Reload()); err != nil {
			t.Fatal(err)
		}
	}
	// The first moment past the opening second (t=0 would prove nothing).
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
		const a = Array.from(document.querySelectorAll('ul.moments a')).find(a => +new URL(a.href).searchParams.get('t') > 0);
		if (a) a.dataset.pick = '1';
		return !!a; })()`)); err != nil {
		t.Fatal(err)
	}
	first := `document.querySelector('ul.moments a[data-pick]')`
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](first+`?.textContent || ''`))
	if err != nil || text == "" {
		page, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + '\n' + document.body.innerText`))
		t.Fatalf("no transcript moment among the hits (%v):\n%s", err, page)
	}
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](first+`.getAttribute('href')`))
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(href)
	if err != nil {
		t.Fatal(err)
	}
	at, err := strconv.ParseFloat(u.Query().Get("t"), 64)
	if err != nil || at <= 0 {
		t.Fatalf("moment link %q has no start time", href)
	}
	if !strings.Contains(strings.ToLower(text), "översvämning") {
		t.Errorf("the moment %q does not show the word searched for", text)
	}
	t.Logf("first moment: %q → %s", strings.TrimSpace(text), href)

	if resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`ul.moments a[data-pick]`))); err != nil || resp.Status != http.StatusOK {
		t.Fatalf("follow the moment: %v %v", resp, err)
	}
	got, err := chromedp.Run(ctx, chromedp.Poll[float64](`(() => { const v = document.getElementById('player');
		return v && v.readyState >= 1 && v.currentTime > 0 ? v.currentTime : 0; })()`, chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil {
		t.Fatalf("the video did not start at the moment: %v", err)
	}
	if got < at-0.5 || got > at+0.5 {
		t.Errorf("the video starts at %.2f s; the moment is at %.2f s", got, at)
	}
	// Seeking elsewhere plays from there.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](`(() => { const v = document.getElementById('player'); v.muted = true; v.currentTime = 2; v.play(); })()`)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById('player').currentTime > 2.5`, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("the video did not play after seeking: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('player').pause(), true`)); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	statuses := append([]int64(nil), ranged...)
	mu.Unlock()
	partial := 0
	for _, s := range statuses {
		if s == http.StatusPartialContent {
			partial++
		}
	}
	t.Logf("started at %.2f s for a moment at %.2f s; recording answers: %v", got, at, statuses)
	if partial == 0 {
		t.Errorf("the player got no 206 (byte range) answer for the recording: %v", statuses)
	}
	tab.checkProblems(t)
	watchURL, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	shot := func(t *testing.T, name string) { saveScreenshot(t, ctx, shots, name) }

	t.Run("the slide deck opens in the page and as a link", func(t *testing.T) {
		u, _ := url.Parse(watchURL)
		deck := u.Path + "/slides/1"
		pdfAnswers := func(from int) []seenRequest {
			var out []seenRequest
			for _, r := range rec.since(from) {
				if r.Method == http.MethodGet && r.Path == deck {
					out = append(out, r)
				}
			}
			return out
		}
		before := rec.count()
		summary := `//details[contains(@class,"pdf")]/summary[normalize-space()="Visa presentationen här"]`
		if err := chromedp.Do(ctx, chromedp.ScrollIntoView(chromedp.Search(summary)), chromedp.Click(chromedp.Search(summary))); err != nil {
			t.Fatalf("open the details \"Visa presentationen här\": %v", err)
		}
		type objectState struct {
			Open   bool    `json:"open"`
			Data   string  `json:"data"`
			Type   string  `json:"type"`
			Width  float64 `json:"width"`
			Height float64 `json:"height"`
			// The fallback text inside the <object>, drawn only when the
			// browser cannot show the PDF.
			Fallback float64 `json:"fallback"`
		}
		obj := pollState(t, ctx, `(() => { const d = document.querySelector('details.pdf'), o = d && d.querySelector('object');
			const r = o ? o.getBoundingClientRect() : {width: 0, height: 0};
			const f = o && o.querySelector('p');
			return {open: !!(d && d.open), data: o ? o.getAttribute('data') : '', type: o ? o.type : '', width: r.width, height: r.height,
				fallback: f ? f.getBoundingClientRect().height : 0}; })()`,
			"the slide deck's <object> shown", 60*time.Second, func(o objectState) bool { return o.Open && o.Width > 300 && o.Height > 300 })
		if obj.Data != deck || obj.Type != "application/pdf" {
			t.Errorf("the <object> shows %q (%s); want %s as application/pdf", obj.Data, obj.Type, deck)
		}
		if obj.Fallback > 0 {
			t.Errorf("the <object> shows its fallback text (\"Presentationen kan inte visas här\"), not the PDF")
		}
		// The server answered the <object>'s request with the PDF. A
		// request is noted when it arrives and its status when the
		// answer's head is written, so wait for the answer too.
		deadline := time.Now().Add(60 * time.Second)
		for time.Now().Before(deadline) {
			if got := pdfAnswers(before); len(got) > 0 && got[0].Status != 0 {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		got := pdfAnswers(before)
		if len(got) == 0 {
			t.Fatalf("opening the details made no request for %s; requests since: %+v", deck, rec.since(before))
		}
		if got[0].Status != http.StatusOK && got[0].Status != http.StatusPartialContent || !strings.HasPrefix(got[0].ContentType, "application/pdf") {
			t.Errorf("the deck in the page was answered %d %q; want 200 application/pdf", got[0].Status, got[0].ContentType)
		}
		t.Logf("the <object> (%.0f×%.0f px) loaded %s: %+v", obj.Width, obj.Height, deck, got)
		shot(t, "watch-slides-open.png")

		// The link in the list opens the PDF in the browser's viewer.
		before = rec.count()
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`ul.slides a[href="`+deck+`"]`)))
		if err != nil {
			t.Fatalf("follow the link to the deck: %v", err)
		}
		if resp.Status != http.StatusOK || resp.MimeType != "application/pdf" {
			t.Errorf("the link to the deck answered %d %s; want 200 application/pdf", resp.Status, resp.MimeType)
		}
		// Chromium's PDF viewer: the document is the PDF; its pages are
		// drawn outside the page's DOM, so the test looks at the screen:
		// at first the viewer is its dark background, then the slides.
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.contentType === 'application/pdf' && location.pathname === `+strconv.Quote(deck),
			chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			t.Errorf("after following the link the tab does not show a PDF: %v", err)
		}
		var drawn float64
		for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
			png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
			if err != nil {
				t.Fatal(err)
			}
			if drawn = notViewerBackground(t, png); drawn > 0.3 {
				break
			}
		}
		if drawn <= 0.3 {
			t.Errorf("the PDF viewer drew no pages within 60 s: %.0f %% of the screen differs from its background", drawn*100)
		}
		if got := pdfAnswers(before); len(got) == 0 || !strings.HasPrefix(got[0].ContentType, "application/pdf") {
			t.Errorf("the server did not answer the link with the PDF: %+v", got)
		}
		t.Logf("the tab shows %s in the PDF viewer; %.0f %% of the screen is drawn", deck, drawn*100)
		shot(t, "slides-pdf-viewer.png")
		tab.checkProblems(t)
	})

	t.Run("seeking past what is loaded asks the server for a later range", func(t *testing.T) {
		if resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(p.url+"/webinars/"+longSlug)); err != nil || resp.Status != http.StatusOK {
			t.Fatalf("open the long webinar: %v %v", resp, err)
		}
		type player struct {
			Time     float64 `json:"time"`
			Duration float64 `json:"duration"`
			Buffered float64 `json:"buffered"` // end of the last buffered range
			Ready    int     `json:"ready"`
			Paused   bool    `json:"paused"`
			Error    string  `json:"error"`
		}
		const playerJS = `(v => ({time: v.currentTime, duration: v.duration || 0, ready: v.readyState, paused: v.paused,
			buffered: v.buffered.length ? v.buffered.end(v.buffered.length - 1) : 0,
			error: v.error ? v.error.code + ' ' + v.error.message : ''}))(document.getElementById('player'))`
		// Play a moment from the start, muted, then pause.
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(v => { v.muted = true; v.play(); return true; })(document.getElementById('player'))`)); err != nil {
			t.Fatal(err)
		}
		st := pollState(t, ctx, playerJS, "the long video plays from the start", 60*time.Second, func(p player) bool { return p.Error != "" || p.Time > 1 })
		if st.Error != "" {
			t.Fatalf("the long video does not play: %+v", st)
		}
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('player').pause(), true`)); err != nil {
			t.Fatal(err)
		}
		st, err := chromedp.Run(ctx, chromedp.Evaluate[player](playerJS))
		if err != nil {
			t.Fatal(err)
		}
		const target = 50.0
		if st.Duration < 59 || st.Buffered >= target {
			t.Fatalf("before the seek: %+v; want a 60 s video loaded to before %.0f s", st, target)
		}
		before := rec.count()
		t.Logf("before the seek: %+v; recording requests so far: %+v", st, recordingRequests(rec.since(0)))
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(v => { v.currentTime = %g; v.play(); return true; })(document.getElementById('player'))`, target))); err != nil {
			t.Fatal(err)
		}
		st = pollState(t, ctx, playerJS, "the video plays after the seek", 60*time.Second, func(p player) bool {
			return p.Error != "" || (p.Time > target+0.5 && !p.Paused && p.Ready >= 3)
		})
		if st.Error != "" || st.Time < target {
			t.Fatalf("after seeking to %.0f s: %+v", target, st)
		}
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('player').pause(), true`)); err != nil {
			t.Fatal(err)
		}
		after := recordingRequests(rec.since(before))
		t.Logf("after the seek the video is at %.2f s; the server received: %+v", st.Time, after)
		var found *seenRequest
		for i, r := range after {
			from, ok := strings.CutPrefix(r.Range, "bytes=")
			start, err := strconv.ParseInt(strings.SplitN(from, "-", 2)[0], 10, 64)
			// The seek target sits at 5/6 of the file; a range from past
			// its middle shows that the player asked for the place.
			if ok && err == nil && start > longInfo.Size()/2 {
				found = &after[i]
				break
			}
		}
		if found == nil {
			t.Fatalf("after seeking to %.0f s of a %d-byte recording the server received no request with Range: bytes=N- from past the middle: %+v",
				target, longInfo.Size(), after)
		}
		if found.Status != http.StatusPartialContent || !strings.HasPrefix(found.ContentRange, "bytes "+strings.TrimPrefix(strings.SplitN(found.Range, "-", 2)[0], "bytes=")+"-") {
			t.Errorf("the seek's request %q was answered %d, Content-Range %q; want 206 from the same byte", found.Range, found.Status, found.ContentRange)
		}
		shot(t, "watch-long-after-seek.png")
		tab.checkProblems(t)
	})
}

// notViewerBackground is the share of a screenshot's pixels that differ
// from the dark background of Chromium's PDF viewer, rgb(40,40,40).
func notViewerBackground(t *testing.T, b []byte) float64 {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	r := img.Bounds()
	other := 0
	for y := r.Min.Y; y < r.Max.Y; y += 4 {
		for x := r.Min.X; x < r.Max.X; x += 4 {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			if d := func(v uint32) int { return int(v>>8) - 40 }; abs(d(cr)) > 12 || abs(d(cg)) > 12 || abs(d(cb)) > 12 {
				other++
			}
		}
	}
	return float64(other) / float64(((r.Dx()+3)/4)*((r.Dy()+3)/4))
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// recordingRequests keeps the requests for a recording.
func recordingRequests(all []seenRequest) []seenRequest {
	var out []seenRequest
	for _, r := range all {
		if strings.HasSuffix(r.Path, "/recording") {
			out = append(out, r)
		}
	}
	return out
}

// publishRecording makes a public webinar through the API with the file
// as its recording and returns its slug.
func publishRecording(t *testing.T, base, token, title, file string) string {
	t.Helper()
	do := func(method, path, contentType string, body io.Reader) []byte {
		t.Helper()
		req, err := http.NewRequest(method, base+path, body)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", contentType)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode/100 != 2 {
			t.Fatalf("%s %s = %d: %s", method, path, resp.StatusCode, b)
		}
		return b
	}
	meta, _ := json.Marshal(map[string]any{"title": title, "held_at": "2024-05-06", "visibility": "public"})
	var w struct{ Slug string }
	if err := json.Unmarshal(do(http.MethodPost, "/api/v1/webinars", "application/json", bytes.NewReader(meta)), &w); err != nil || w.Slug == "" {
		t.Fatalf("create webinar: %v %q", err, w.Slug)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	do(http.MethodPut, "/api/v1/webinars/"+w.Slug+"/recording", "video/mp4", f)
	return w.Slug
}
