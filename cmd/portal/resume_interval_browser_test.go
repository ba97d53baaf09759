package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// positionLog reads the player's position saves and the watch page's
// loads off a recorder in front of the portal.
type positionLog struct {
	rec                     *requestRecorder
	positionPath, watchPath string
}

// startPositionLog puts a recorder before the portal at target that
// keeps the body of every PUT to positionPath.
func startPositionLog(t *testing.T, target, positionPath, watchPath string) *positionLog {
	t.Helper()
	rec := startRequestRecorder(t, target, func(r *http.Request) bool {
		return r.Method == http.MethodPut && r.URL.Path == positionPath
	})
	return &positionLog{rec: rec, positionPath: positionPath, watchPath: watchPath}
}

type positionEvent struct {
	save     bool    // a PUT of the position (else a GET of the watch page)
	seconds  float64 // the position sent
	status   int     // the portal's answer (0 while in flight)
	answered int     // sequence number of the answer (0 while in flight)
	arrived  int     // sequence number of the arrival
}

// events are the position saves and loads of the watch page so far, in
// order of arrival.
func (l *positionLog) events() []positionEvent {
	var out []positionEvent
	for _, r := range l.rec.since(0) {
		save := r.Method == http.MethodPut && r.Path == l.positionPath
		if !save && (r.Method != http.MethodGet || r.Path != l.watchPath) {
			continue
		}
		e := positionEvent{save: save, arrived: r.Arrived, answered: r.Answered}
		if r.Answered != 0 {
			e.status = r.Status
		}
		if save {
			var body struct{ Seconds float64 }
			_ = json.Unmarshal(r.Body, &body)
			e.seconds = body.Seconds
		}
		out = append(out, e)
	}
	return out
}

// saves are the answered position saves so far.
func (l *positionLog) saves() []positionEvent {
	var out []positionEvent
	for _, e := range l.events() {
		if e.save && e.status != 0 {
			out = append(out, e)
		}
	}
	return out
}

// longClip makes a 60 s H.264/AAC MP4 with ffmpeg, which the test needs.
func longClip(t *testing.T) string {
	t.Helper()
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Fatal("ffmpeg not found: install it (make test-deps, i.e. apt-get install ffmpeg): this test makes a 60 s recording with it")
	}
	path := filepath.Join(t.TempDir(), "minut.mp4")
	cmd := exec.Command(ffmpeg, "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25", "-f", "lavfi", "-i", "sine=frequency=440",
		"-t", "60", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-movflags", "+faststart", path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	return path
}

// TestResumeWhilePlaying: a logged-in member plays a 60 s recording and
// never pauses. While it plays, the player saves the position every few
// seconds (the portal receives at least two saves, each further on);
// the member then leaves the page without pausing, and on coming back
// the video starts where the portal last saved it.
func TestResumeWhilePlaying(t *testing.T) {
	const (
		member   = "tittare@smakom.example"
		password = "spola-fram-och-tillbaka-42"
		editor   = "redaktor@smakom.example"
	)
	clip := longClip(t)
	dataDir := t.TempDir()
	setCleanEnv(t, "DATA_DIR="+dataDir, "LOG_LEVEL=error")
	addUser(t, member, "member", password)
	addUser(t, editor, "staff", password)
	out, err := runCommand(t, "", "token", "create", "--email", editor, "--name", "resume test")
	if err != nil {
		t.Fatalf("portal token create: %v", err)
	}
	token := strings.TrimSpace(out)
	p := startServe(t, dataDir, "serve")

	// The webinar and its minute-long recording, through the API.
	api := func(method, path, contentType string, body io.Reader) []byte {
		t.Helper()
		req, _ := http.NewRequest(method, p.url+path, body)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", contentType)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode >= 300 {
			t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, b)
		}
		return b
	}
	meta, _ := json.Marshal(map[string]any{"title": "En minut om dagvatten", "summary": "Provinspelning för att fortsätta titta.",
		"held_at": "2024-05-06", "visibility": "public", "organiser": "SmåKom", "topics": []string{"Vatten"}})
	var created struct{ Slug string }
	if err := json.Unmarshal(api(http.MethodPost, "/api/v1/webinars", "application/json", bytes.NewReader(meta)), &created); err != nil || created.Slug == "" {
		t.Fatalf("create webinar: %v", err)
	}
	f, err := os.Open(clip)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	api(http.MethodPut, "/api/v1/webinars/"+created.Slug+"/recording", "video/mp4", f)

	watchPath := "/webinars/" + created.Slug
	log := startPositionLog(t, p.url, "/api/v1/me/positions/"+created.Slug, watchPath)
	base := log.rec.url

	tab := openTab(t, 5*time.Minute)
	if tab == nil {
		return
	}
	ctx := tab.ctx
	tab.problems.allow(http.StatusNotFound, base+"/favicon.ico")
	if resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(base+"/login")); err != nil || resp.Status != http.StatusOK {
		t.Fatalf("GET /login: %v %v", resp, err)
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("email"), member), chromedp.SendKeys(chromedp.ID("password"), password)); err != nil {
		t.Fatal(err)
	}
	if resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`))); err != nil || resp.Status != http.StatusOK {
		t.Fatalf("log in: %v %v", resp, err)
	}

	if resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(base+watchPath)); err != nil || resp.Status != http.StatusOK {
		t.Fatalf("GET %s: %v %v", watchPath, resp, err)
	}
	// Play muted (headless autoplay rules), counting any pause.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](`(() => { const v = document.getElementById('player');
		window.pauses = 0; v.addEventListener('pause', () => { window.pauses++; });
		v.muted = true; v.play(); })()`)); err != nil {
		t.Fatal(err)
	}
	type playState struct {
		Paused bool    `json:"paused"`
		Pauses int     `json:"pauses"`
		At     float64 `json:"at"`
	}
	const stateJS = `(() => { const v = document.getElementById('player'); return {paused: v.paused, pauses: window.pauses, at: v.currentTime}; })()`
	// Wait for two saves while playing, the last past the first tenth of
	// the recording (a position that near the start is not resumed).
	var playing []positionEvent
	st := pollState(t, ctx, stateJS, "two position saves while playing", 3*time.Minute, func(s playState) bool {
		playing = log.saves()
		return !s.Paused && s.Pauses == 0 && len(playing) >= 2 && playing[len(playing)-1].seconds >= 8
	})
	for i, s := range playing {
		if s.status != http.StatusNoContent {
			t.Errorf("save %d (%.1f s) answered %d, want 204", i+1, s.seconds, s.status)
		}
		if i > 0 && s.seconds <= playing[i-1].seconds {
			t.Errorf("save %d at %.1f s is not after save %d at %.1f s", i+1, s.seconds, i, playing[i-1].seconds)
		}
	}
	saved := make([]string, len(playing))
	for i, s := range playing {
		saved[i] = fmt.Sprintf("%.1f", s.seconds)
	}
	t.Logf("saves while playing (never paused): %s s; the video was at %.1f s", strings.Join(saved, ", "), st.At)

	// Leave without pausing, then come back.
	left, err := chromedp.Run(ctx, chromedp.Evaluate[playState](stateJS))
	if err != nil || left.Paused || left.Pauses != 0 {
		t.Fatalf("before leaving: %+v %v; want playing, never paused", left, err)
	}
	if resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(base+"/")); err != nil || resp.Status != http.StatusOK {
		t.Fatalf("GET /: %v %v", resp, err)
	}
	if resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(base+watchPath)); err != nil || resp.Status != http.StatusOK {
		t.Fatalf("GET %s again: %v %v", watchPath, resp, err)
	}
	// What the portal knew when the page came back: the last save
	// answered before that request arrived, or one still on its way.
	events := log.events()
	var back positionEvent
	for _, e := range events {
		if !e.save {
			back = e
		}
	}
	candidates := map[float64]bool{}
	last := -1.0
	for _, e := range events {
		if e.save && e.status == http.StatusNoContent && e.answered < back.arrived {
			last = e.seconds
		}
		if e.save && e.arrived < back.arrived && (e.answered == 0 || e.answered > back.arrived) {
			candidates[e.seconds] = true
		}
	}
	candidates[last] = true
	if last < playing[len(playing)-1].seconds || last > left.At+1 {
		t.Errorf("the last save before coming back is %.1f s; want between the last save while playing (%.1f s) and where the video was left (%.1f s)",
			last, playing[len(playing)-1].seconds, left.At)
	}

	note, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("start-at")))
	if err != nil || !strings.Contains(note, "Du fortsätter där du slutade") {
		t.Fatalf("no resume note (%v): %q", err, note)
	}
	at := pollState(t, ctx, `(() => { const v = document.getElementById('player');
		return v.readyState >= 1 && v.currentTime > 0 ? v.currentTime : 0; })()`, "the video starts at the saved position", time.Minute,
		func(at float64) bool { return at > 0 })
	near := false
	for c := range candidates {
		near = near || math.Abs(at-c) <= 1
	}
	if !near {
		t.Errorf("the video starts at %.1f s; the portal last saved %.1f s (left playing at %.1f s)", at, last, left.At)
	}
	t.Logf("left playing at %.1f s; last save %.1f s; the next visit started at %.1f s (note %q)", left.At, last, at, note)
	tab.checkProblems(t)
}
