package main

// End-to-end test of the staff workflow in a browser: a staff account made
// with `portal user add`, then `portal serve` (without --demo) on embedded
// storage in a fresh DATA_DIR, driven by headless Chromium through
// chromedp: log in, create a webinar as a draft, upload a recording (the
// progress bar is seen to move) and subtitles through the JavaScript
// upload forms (web/static/upload.js), check that a visitor does not see
// the draft, publish it with the button, see it as a visitor in the
// catalogue and follow its card, try a wrong file, watch the result and
// log out.
//
// Like TestPortalEndToEnd it holds the embedded servers only while it runs
// and never calls t.Parallel (see the comment at the top of cli_test.go).
// Chromium is found and started by newBrowser (browser_test.go): without
// it the test fails when $CI is set. Screenshots go to $SCREENSHOT_DIR when
// it is set.

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// startServe runs the portal command line args (e.g. "serve") with DATA_DIR
// set to dataDir and a free PORT until the test ends, and returns once
// /readyz answers 200. The caller may have prepared dataDir (accounts)
// before.
func startServe(t *testing.T, dataDir string, args ...string) *portal {
	t.Helper()
	return startServeEnv(t, dataDir, nil, args...)
}

// startServeEnv is startServe with more settings, given the port the
// portal will listen on (for PUBLIC_URL).
func startServeEnv(t *testing.T, dataDir string, env func(port int) []string, args ...string) *portal {
	t.Helper()
	port := freeTCPPort(t)
	settings := []string{"DATA_DIR=" + dataDir, "PORT=" + strconv.Itoa(port), "LOG_LEVEL=warn"}
	if env != nil {
		settings = append(settings, env(port)...)
	}
	setCleanEnv(t, settings...)
	// Start from a temporary working directory (see inTempDir) and move
	// back once serve has stopped.
	restoreDir := inTempDir(t)

	ctx, cancel := context.WithCancel(context.Background())
	var (
		runErr       error
		stoppedEarly bool
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		runErr = run(ctx, args)
	}()
	t.Cleanup(func() {
		stopping := time.Now()
		cancel()
		select {
		case <-done:
			t.Logf("%s stopped %v after cancel", strings.Join(args, " "), time.Since(stopping).Round(time.Millisecond))
			if runErr != nil && !stoppedEarly {
				t.Errorf("%s returned %v after its context was cancelled; want nil", strings.Join(args, " "), runErr)
			}
		case <-time.After(60 * time.Second):
			t.Errorf("%s did not return within 60 s of its context being cancelled", strings.Join(args, " "))
		}
		restoreDir()
	})

	started := time.Now()
	p := &portal{url: fmt.Sprintf("http://127.0.0.1:%d", port)}
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		select {
		case <-done:
			stoppedEarly = true
			t.Fatalf("%s stopped before it was ready: %v", strings.Join(args, " "), runErr)
		default:
		}
		resp, err := client.Get(p.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET /readyz did not answer 200 within 2 minutes (last: %v)", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("%s ready after %v", strings.Join(args, " "), time.Since(started).Round(time.Millisecond))
	return p
}

// catalogueCardState is what a visitor's catalogue shows of one card.
type catalogueCardState struct {
	Found    bool   `json:"found"`
	Visible  bool   `json:"visible"`
	Href     string `json:"href"`
	Text     string `json:"text"`
	Main     string `json:"main"` // the whole main content's text
	LoggedIn bool   `json:"loggedIn"`
}

// uploadBox is the progress box of one upload form on the staff edit page.
type uploadBox struct {
	Hidden   bool   `json:"hidden"`
	Text     string `json:"text"`
	Value    int    `json:"value"`
	Disabled bool   `json:"disabled"` // the form's submit button
}

// editState is what the staff edit page shows about uploads.
type editState struct {
	Stayed    bool       `json:"stayed"` // the marker set before an upload: no reload since
	Ready     string     `json:"ready"`
	Path      string     `json:"path"`
	H1        string     `json:"h1"`
	Flash     string     `json:"flash"`
	Recording string     `json:"recording"` // the paragraph under "Inspelning"
	SHA       string     `json:"sha"`       // its <code>
	Subtitles []string   `json:"subtitles"` // the list items under "Undertexter"
	RecBox    *uploadBox `json:"recBox"`
	SubBox    *uploadBox `json:"subBox"`
	// Log is what the MutationObserver set up by watchUploadJS saw of the
	// progress box, kept in sessionStorage across the reload.
	Log []uploadBox `json:"log"`
}

const editStateJS = `(() => {
	const sec = id => { const h = document.getElementById(id); return h ? h.closest('section') : null; };
	const box = id => {
		const s = sec(id), b = s && s.querySelector('.progress');
		if (!b) return null;
		return {hidden: b.hidden, text: b.querySelector('.progress-text').textContent,
			value: b.querySelector('progress').value,
			disabled: s.querySelector('form[data-upload] button[type=submit]').disabled};
	};
	const rec = sec('h-recording'), subs = sec('h-subtitles');
	const recP = rec && rec.querySelector('p');
	const code = recP && recP.querySelector('code');
	let log = [];
	try { log = JSON.parse(sessionStorage.getItem('uploadLog') || '[]'); } catch (e) {}
	return {
		stayed: window.__uploadMarker === true,
		ready: document.readyState,
		path: location.pathname,
		h1: (document.querySelector('h1') || {}).textContent || '',
		flash: ((document.querySelector('.flash') || {}).textContent || '').trim(),
		recording: recP ? recP.textContent.replace(/\s+/g, ' ').trim() : '',
		sha: code ? code.textContent.trim() : '',
		subtitles: subs ? [...subs.querySelectorAll(':scope > ul > li')].map(li => li.textContent.replace(/\s+/g, ' ').trim()) : [],
		recBox: box('h-recording'), subBox: box('h-subtitles'), log: log,
	};
})()`

// watchUploadJS marks the page (window.__uploadMarker, gone after a
// reload) and records every change of the progress box of the form whose
// action ends in the argument into sessionStorage, so that the test sees
// the box even when a small upload is over, and the page reloaded, before
// the next poll.
const watchUploadJS = `((suffix) => {
	window.__uploadMarker = true;
	sessionStorage.setItem('uploadLog', '[]');
	const form = document.querySelector('form[data-upload][action$="' + suffix + '"]');
	if (!form) return false;
	const box = form.querySelector('.progress');
	const text = box.querySelector('.progress-text');
	const bar = box.querySelector('progress');
	const submit = form.querySelector('button[type=submit]');
	const record = () => {
		const log = JSON.parse(sessionStorage.getItem('uploadLog') || '[]');
		log.push({hidden: box.hidden, text: text.textContent, value: bar.value, disabled: submit.disabled});
		sessionStorage.setItem('uploadLog', JSON.stringify(log));
	};
	new MutationObserver(record).observe(box, {attributes: true, childList: true, characterData: true, subtree: true});
	return true;
})`

func fileSHA256(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// writePadded copies the MP4 at path into a temporary file of size bytes,
// padded with a top-level "free" box (still a playable MP4).
func writePadded(t *testing.T, path string, size int) string {
	t.Helper()
	clip, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, size)
	copy(b, clip)
	pad := b[len(clip):]
	binary.BigEndian.PutUint32(pad, uint32(len(pad)))
	copy(pad[4:], "free")
	for i := 8; i < len(pad); i++ {
		pad[i] = byte(i*7 + i/251)
	}
	out := filepath.Join(t.TempDir(), filepath.Base(path))
	if err := os.WriteFile(out, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestStaffUploadInBrowser(t *testing.T) {
	// Absolute paths first: the embedded S3 server moves the working
	// directory while the portal runs.
	assets, err := filepath.Abs(filepath.Join("..", "..", "internal", "demo", "assets"))
	if err != nil {
		t.Fatal(err)
	}
	clip := filepath.Join(assets, "vattenforsorjning.mp4")
	srt := filepath.Join(assets, "vattenforsorjning.sv.srt")
	for _, f := range []string{clip, srt} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("demo asset: %v", err)
		}
	}
	// The recording is the demo clip padded to 20 MiB, so it goes up in
	// two chunks (two S3 parts); the wrong file is 20 MiB that is no
	// video, named .mp4, refused from its first chunk.
	clip = writePadded(t, clip, 20<<20)
	notVideo := filepath.Join(t.TempDir(), "inspelning.mp4")
	if err := os.WriteFile(notVideo, append([]byte("MZ\x90\x00"), make([]byte, 20<<20)...), 0o644); err != nil {
		t.Fatal(err)
	}
	clipSHA := fileSHA256(t, clip)
	shots := screenshotDir(t)

	const (
		email    = "redaktor@smakom.example"
		password = "korrekt-häst-batteri-staple"
		title    = "Webbinarium från webbläsaren"
	)
	// The account is made before serve starts: serve locks DATA_DIR.
	dataDir := t.TempDir()
	setCleanEnv(t, "DATA_DIR="+dataDir, "LOG_LEVEL=error")
	addUser(t, email, "staff", password)
	p := startServe(t, dataDir, "serve")

	tab := openTab(t, 4*time.Minute)
	if tab == nil {
		return
	}
	ctx, problems := tab.ctx, tab.problems
	checkProblems := tab.checkProblems
	shot := func(t *testing.T, name string) { saveScreenshot(t, ctx, shots, name) }
	// click clicks sel and waits for the page it leads to.
	click := func(t *testing.T, what string, sel chromedp.Search) int64 {
		t.Helper()
		cctx, ccancel := context.WithTimeout(ctx, 30*time.Second)
		defer ccancel()
		resp, err := chromedp.RunResponse(cctx, chromedp.Click(sel))
		if err != nil {
			t.Fatalf("click %s (%s): %v", what, sel, err)
		}
		return resp.Status
	}
	location := func(t *testing.T) string {
		t.Helper()
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	state := func(t *testing.T) editState {
		t.Helper()
		st, err := chromedp.Run(ctx, chromedp.Evaluate[editState](editStateJS))
		if err != nil {
			t.Fatalf("read the edit page: %v", err)
		}
		return st
	}
	// waitState polls the edit page until done says so, across reloads.
	waitState := func(t *testing.T, timeout time.Duration, done func(editState) bool) (editState, bool) {
		t.Helper()
		var last editState
		deadline := time.Now().Add(timeout)
		for time.Now().Before(deadline) {
			ectx, ecancel := context.WithTimeout(ctx, 5*time.Second)
			st, err := chromedp.Run(ectx, chromedp.Evaluate[editState](editStateJS))
			ecancel()
			if err == nil { // errors while the page reloads: try again
				last = st
				if done(st) {
					return st, true
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
		return last, false
	}
	// upload puts file into the file input and clicks the form's button
	// after marking the page (see watchUploadJS).
	upload := func(t *testing.T, input, file, actionSuffix, button string) {
		t.Helper()
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](watchUploadJS+"("+strconv.Quote(actionSuffix)+")"))
		if err != nil || !ok {
			t.Fatalf("no upload form with action …%s on the page: %v", actionSuffix, err)
		}
		if err := chromedp.Do(ctx,
			chromedp.SetUploadFiles(chromedp.ID(input), []string{file}),
			chromedp.Click(chromedp.Search(`//button[normalize-space()="`+button+`"]`)),
		); err != nil {
			t.Fatalf("choose %s in #%s and click %q: %v", filepath.Base(file), input, button, err)
		}
	}
	step := func(name string, f func(t *testing.T)) {
		t.Helper()
		if !t.Run(name, f) {
			t.Fatalf("step %q failed; the later steps build on it", name)
		}
	}
	// throttle limits the tab's upload speed to bytesPerSec (-1: no limit)
	// through Chromium's network emulation.
	throttle := func(t *testing.T, bytesPerSec float64) {
		t.Helper()
		if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			MatchedNetworkConditions: []*network.Conditions{{DownloadThroughput: -1, UploadThroughput: bytesPerSec}},
		}); err != nil {
			t.Fatalf("limit the upload speed: %v", err)
		}
	}
	// anon is a second browser window with its own cookies: a visitor who
	// is not logged in.
	anonCtx, cancelAnon := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	defer cancelAnon()
	anonProblems := &pageProblems{allowed: map[string]bool{}}
	if err := chromedp.Listen(anonCtx, anonProblems.listen); err != nil {
		t.Fatal(err)
	}
	catalogueCard := func(t *testing.T) catalogueCardState {
		t.Helper()
		resp, err := chromedp.Run(anonCtx, chromedp.NavigateResponse(p.url+"/"))
		if err != nil || resp.Status != http.StatusOK {
			t.Fatalf("the visitor opens /: %v %v", resp, err)
		}
		st, err := chromedp.Run(anonCtx, chromedp.Evaluate[catalogueCardState](`((title) => {
			const li = [...document.querySelectorAll('ul.cards > li.card')].find(li => (li.querySelector('h2') || {}).textContent?.trim() === title);
			const main = document.querySelector('main').innerText.replace(/\s+/g, ' ').trim();
			const loggedIn = !!document.querySelector('form[action="/logout"]');
			if (!li) return {main, loggedIn};
			const r = li.getBoundingClientRect(), a = li.querySelector('a.card-link');
			return {found: true, main, loggedIn, visible: r.width > 0 && r.height > 0 && li.innerText.includes(title),
				href: a ? a.getAttribute('href') : '', text: li.innerText.replace(/\s+/g, ' ').trim()};
		})(`+strconv.Quote(title)+`)`))
		if err != nil {
			t.Fatal(err)
		}
		if st.LoggedIn {
			t.Fatal("the visitor's window is logged in; want a separate, anonymous session")
		}
		return st
	}

	step("log in", func(t *testing.T) {
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(p.url+"/login"))
		if err != nil || resp.Status != http.StatusOK {
			t.Fatalf("GET /login: %v %v", resp, err)
		}
		if err := chromedp.Do(ctx,
			chromedp.SendKeys(chromedp.ID("email"), email),
			chromedp.SendKeys(chromedp.ID("password"), password),
		); err != nil {
			t.Fatalf("fill in the login form: %v", err)
		}
		if status := click(t, "Logga in", `//form[@action="/login"]//button[normalize-space()="Logga in"]`); status != http.StatusOK {
			t.Errorf("page after login answered %d", status)
		}
		if loc := location(t); loc != p.url+"/staff" && loc != p.url+"/staff/" {
			st := state(t)
			t.Fatalf("after login the browser is at %s (h1 %q); want %s/staff", loc, st.H1, p.url)
		}
		h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
		if err != nil {
			t.Fatal(err)
		}
		if h1 != "Redaktion: webbinarier" {
			t.Fatalf("after login h1 = %q; want %q", h1, "Redaktion: webbinarier")
		}
		checkProblems(t)
	})

	var slug, editURL string
	step("create a webinar", func(t *testing.T) {
		click(t, "Nytt webbinarium", `//a[normalize-space()="Nytt webbinarium"]`)
		if loc := location(t); loc != p.url+"/staff/webinars/new" {
			t.Fatalf("the link Nytt webbinarium led to %s", loc)
		}
		// The visibility is left as it starts: a draft, seen only by staff
		// until it is published below.
		if err := chromedp.Do(ctx,
			chromedp.SendKeys(chromedp.ID("title"), title),
			chromedp.SetValue(chromedp.ID("held_at"), "2024-05-06"),
		); err != nil {
			t.Fatalf("fill in the new webinar form: %v", err)
		}
		type formValues struct {
			Title, Date, Visibility, Label string
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[formValues](`(() => { const v = document.getElementById('visibility');
			return {Title: document.getElementById('title').value, Date: document.getElementById('held_at').value,
				Visibility: v.value, Label: v.selectedOptions.length ? v.selectedOptions[0].textContent.trim() : ''}; })()`))
		if err != nil {
			t.Fatal(err)
		}
		if want := (formValues{title, "2024-05-06", "draft", "Utkast"}); got != want {
			t.Fatalf("form before submit = %+v; want %+v", got, want)
		}
		if status := click(t, "Skapa", `//form[@action="/staff/webinars"]//button[normalize-space()="Skapa"]`); status != http.StatusOK {
			t.Errorf("page after Skapa answered %d", status)
		}
		loc := location(t)
		rest, ok := strings.CutPrefix(loc, p.url+"/staff/webinars/")
		s, ok2 := strings.CutSuffix(rest, "/edit")
		st := state(t)
		if !ok || !ok2 || s == "" || strings.Contains(s, "/") {
			t.Fatalf("after Skapa the browser is at %s (h1 %q, flash %q); want the edit page", loc, st.H1, st.Flash)
		}
		slug, editURL = s, loc
		if !strings.Contains(st.Flash, "Webbinariet är skapat") {
			t.Errorf("flash message %q; want it to contain %q", st.Flash, "Webbinariet är skapat")
		}
		if want := "Redigera ”" + title + "”"; st.H1 != want {
			t.Errorf("h1 = %q; want %q", st.H1, want)
		}
		if st.Recording != "Ingen inspelning uppladdad." {
			t.Errorf("new webinar: recording paragraph %q; want %q", st.Recording, "Ingen inspelning uppladdad.")
		}
		vis, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main h1 + p strong")))
		if err != nil || vis != "Utkast" {
			t.Errorf("Synlighet on the edit page = %q, %v; want Utkast", vis, err)
		}
		t.Logf("created %s", loc)
		checkProblems(t)
	})

	step("upload the recording", func(t *testing.T) {
		// On loopback 20 MiB go up in a blink; the browser's own network
		// emulation slows the upload to 4 MiB/s (about 5 s) so that the
		// bar is seen to move, as it does for a person on a real line.
		throttle(t, 4<<20)
		upload(t, "recording-file", clip, "/recording", "Ladda upp inspelning")
		if mid, ok := waitState(t, 30*time.Second, func(st editState) bool {
			return st.Stayed && st.RecBox != nil && st.RecBox.Value >= 20 && st.RecBox.Value < 100
		}); ok {
			shot(t, "staff-upload-progress.png")
			t.Logf("during the upload the box reads %q", mid.RecBox.Text)
		}
		st, ok := waitState(t, 90*time.Second, func(st editState) bool {
			return !st.Stayed && st.Ready == "complete" && strings.HasPrefix(st.Recording, "Nuvarande: video/mp4")
		})
		throttle(t, -1)
		if !ok {
			t.Fatalf("the page did not reload with the recording within 90 s: at %s, stayed=%v, recording %q, progress %+v, seen %+v",
				st.Path, st.Stayed, st.Recording, st.RecBox, st.Log)
		}
		t.Logf("the progress box changed %d times during the upload", len(st.Log))
		// The bar moves: distinct values between 0 and 100, rising, shown
		// with their percentage in the visible text, then Klart!.
		var moving, texts []int
		sawDone, sawHundred := false, false
		for _, b := range st.Log {
			if b.Hidden {
				continue
			}
			if b.Value > 0 && b.Value < 100 && (len(moving) == 0 || b.Value != moving[len(moving)-1]) {
				moving = append(moving, b.Value)
			}
			// The text, updated every 10 %, reads "NN % (… av …)".
			if n, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(b.Text, "%", 2)[0])); err == nil && n > 0 && n < 100 &&
				(len(texts) == 0 || n != texts[len(texts)-1]) {
				texts = append(texts, n)
				if n > b.Value {
					t.Errorf("the text says %d %% while the bar shows %d", n, b.Value)
				}
			}
			sawHundred = sawHundred || b.Value == 100
			sawDone = sawDone || (strings.HasPrefix(b.Text, "Klart!") && b.Value == 100)
		}
		if len(moving) < 2 {
			t.Errorf("the progress bar showed %d distinct values below 100 (%v); want at least two, rising", len(moving), moving)
		}
		for i := 1; i < len(moving); i++ {
			if moving[i] <= moving[i-1] {
				t.Errorf("the progress bar went back from %d to %d: %v", moving[i-1], moving[i], moving)
			}
		}
		if len(texts) < 2 {
			t.Errorf("the progress text showed %d distinct percentages below 100 (%v); want at least two", len(texts), texts)
		}
		for i := 1; i < len(texts); i++ {
			if texts[i] <= texts[i-1] {
				t.Errorf("the progress text went back from %d %% to %d %%: %v", texts[i-1], texts[i], texts)
			}
		}
		if !sawHundred || !sawDone {
			t.Errorf("the progress box never reached 100 and Klart! (seen %+v)", st.Log)
		}
		t.Logf("progress bar values below 100, in order: %v; percentages in the text: %v", moving, texts)
		if st.Path != "/staff/webinars/"+slug+"/edit" {
			t.Errorf("after the upload the page is %s; want the edit page", st.Path)
		}
		if st.SHA != clipSHA {
			t.Errorf("edit page shows SHA-256 %q; want %s (the file's): %q", st.SHA, clipSHA, st.Recording)
		}
		if st.RecBox == nil || !st.RecBox.Hidden {
			t.Errorf("after the reload the progress box is %+v; want it hidden", st.RecBox)
		}
		checkProblems(t)
	})

	step("upload subtitles", func(t *testing.T) {
		upload(t, "sub-file", srt, "/subtitles", "Ladda upp undertexter")
		st, ok := waitState(t, 60*time.Second, func(st editState) bool {
			if st.Stayed || st.Ready != "complete" {
				return false
			}
			for _, s := range st.Subtitles {
				if strings.Contains(s, "Svenska (sv") {
					return true
				}
			}
			return false
		})
		if !ok {
			t.Fatalf("the page did not reload with Swedish subtitles within 60 s: at %s, stayed=%v, subtitles %q, progress %+v, seen %+v",
				st.Path, st.Stayed, st.Subtitles, st.SubBox, st.Log)
		}
		t.Logf("subtitles: %q", st.Subtitles)
		if !strings.HasPrefix(st.Recording, "Nuvarande: video/mp4") || st.SHA != clipSHA {
			t.Errorf("after the subtitle upload the recording is %q; want the uploaded clip", st.Recording)
		}
		shot(t, "staff-edit-uploaded.png")
		checkProblems(t)
	})

	step("the draft is not in the visitor's catalogue", func(t *testing.T) {
		st := catalogueCard(t)
		if st.Found || strings.Contains(st.Main, title) {
			t.Errorf("a visitor sees the draft in the catalogue: %+v", st)
		}
		anonProblems.allow(http.StatusNotFound, p.url+"/webinars/"+slug)
		resp, err := chromedp.Run(anonCtx, chromedp.NavigateResponse(p.url+"/webinars/"+slug))
		if err != nil || resp.Status != http.StatusNotFound {
			t.Errorf("the visitor opens the draft's address: %v %v; want 404", resp, err)
		}
		for _, pr := range anonProblems.take() {
			t.Errorf("page problem (visitor): %s", pr)
		}
	})

	step("staff publish it", func(t *testing.T) {
		if status := click(t, "Publicera för alla", chromedp.Search(`//form[@action="/staff/webinars/`+slug+`/publish"]//button[normalize-space()="Publicera för alla"]`)); status != http.StatusOK {
			t.Errorf("page after Publicera för alla answered %d", status)
		}
		st := state(t)
		if st.Path != "/staff/webinars/"+slug+"/edit" || !strings.Contains(st.Flash, "Webbinariet är publicerat.") {
			t.Errorf("after Publicera för alla: at %s, flash %q; want the edit page saying Webbinariet är publicerat.", st.Path, st.Flash)
		}
		vis, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main h1 + p strong")))
		if err != nil || vis != "Publik" {
			t.Errorf("Synlighet after publishing = %q, %v; want Publik", vis, err)
		}
		if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('form[action$="/unpublish"] button').length`)); err != nil || n != 1 {
			t.Errorf("no Avpublicera button after publishing (%d, %v)", n, err)
		}
		shot(t, "staff-published.png")
		checkProblems(t)
	})

	step("a visitor finds it in the catalogue and opens it", func(t *testing.T) {
		st := catalogueCard(t)
		if !st.Found || !st.Visible {
			t.Fatalf("the visitor's catalogue has no visible card titled %q: %+v", title, st)
		}
		if st.Href != "/webinars/"+slug {
			t.Errorf("the card links to %q; want /webinars/%s", st.Href, slug)
		}
		t.Logf("card: %q → %s", st.Text, st.Href)
		png, err := chromedp.Run(anonCtx, chromedp.FullScreenshot(100))
		if err == nil {
			err = os.WriteFile(filepath.Join(shots, "visitor-catalogue-published.png"), png, 0o644)
		}
		if err != nil {
			t.Error(err)
		}
		cctx, ccancel := context.WithTimeout(anonCtx, 30*time.Second)
		defer ccancel()
		resp, err := chromedp.RunResponse(cctx, chromedp.Click(chromedp.Search(`//li[contains(@class,"card")][.//h2[normalize-space()="`+title+`"]]//a[contains(@class,"card-link")]`)))
		if err != nil || resp.Status != http.StatusOK {
			t.Fatalf("the visitor clicks the card: %v %v", resp, err)
		}
		loc, err := chromedp.Run(anonCtx, chromedp.Location())
		if err != nil || loc != p.url+"/webinars/"+slug {
			t.Errorf("the card led to %s, %v; want the watch page /webinars/%s", loc, err, slug)
		}
		h1, err := chromedp.Run(anonCtx, chromedp.Text(chromedp.CSS("h1")))
		if err != nil || h1 != title {
			t.Errorf("watch page h1 = %q, %v; want %q", h1, err, title)
		}
		if n, err := chromedp.Run(anonCtx, chromedp.Evaluate[int](`document.querySelectorAll('video#player source').length`)); err != nil || n == 0 {
			t.Errorf("the visitor's watch page has no video source (%d, %v)", n, err)
		}
		// The recording the visitor gets is the uploaded file, byte for byte.
		resp2, err := http.Get(p.url + "/webinars/" + slug + "/recording")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp2.Body)
		resp2.Body.Close()
		sum := sha256.Sum256(body)
		if resp2.StatusCode != http.StatusOK || hex.EncodeToString(sum[:]) != clipSHA {
			t.Errorf("GET recording = %d, %d bytes, SHA-256 %x; want 200 and the uploaded file", resp2.StatusCode, len(body), sum)
		}
		for _, pr := range anonProblems.take() {
			t.Errorf("page problem (visitor): %s", pr)
		}
	})

	step("a wrong file as recording is refused", func(t *testing.T) {
		const want = "Inspelningen måste vara en MP4- eller WebM-video."
		// Recordings go up through the resumable upload endpoint; the
		// refusal comes with the first chunk, from the file's first bytes.
		problems.allow(http.StatusUnsupportedMediaType, p.url+"/api/v1/uploads/*")
		upload(t, "recording-file", notVideo, "/recording", "Ladda upp inspelning")
		st, ok := waitState(t, 30*time.Second, func(st editState) bool {
			return !st.Stayed || (st.RecBox != nil && st.RecBox.Text != "" && st.RecBox.Text != "Laddar upp…" &&
				!strings.Contains(st.RecBox.Text, "%"))
		})
		if !ok {
			t.Fatalf("no answer to the wrong upload within 30 s: progress %+v", st.RecBox)
		}
		if !st.Stayed {
			t.Fatalf("the page reloaded after uploading a subtitle file as the recording: recording now %q", st.Recording)
		}
		if st.RecBox.Text != want {
			t.Errorf("progress text %q; want %q", st.RecBox.Text, want)
		}
		if st.RecBox.Hidden {
			t.Error("the progress box with the error is hidden")
		}
		if st.RecBox.Disabled {
			t.Error("the submit button stays disabled after the error; the user cannot try again")
		}
		shot(t, "staff-edit-wrong-file.png")
		// Nothing of it is kept: the upload folder holds only the
		// description of the finished upload.
		entries, err := os.ReadDir(filepath.Join(dataDir, "uploads"))
		if err != nil || len(entries) != 1 || !strings.HasSuffix(entries[0].Name(), ".json") {
			t.Errorf("upload folder after the refused upload: %v, %v; want one description", entries, err)
		}
		// The earlier recording is kept (load the page again to be sure).
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(editURL))
		if err != nil || resp.Status != http.StatusOK {
			t.Fatalf("reload the edit page: %v %v", resp, err)
		}
		st = state(t)
		if !strings.HasPrefix(st.Recording, "Nuvarande: video/mp4") || st.SHA != clipSHA {
			t.Errorf("after the refused upload the recording is %q; want the earlier clip (SHA-256 %s)", st.Recording, clipSHA)
		}
		checkProblems(t)
	})

	step("watch page plays with Swedish subtitles", func(t *testing.T) {
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(p.url+"/webinars/"+slug))
		if err != nil || resp.Status != http.StatusOK {
			t.Fatalf("GET the watch page: %v %v", resp, err)
		}
		h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
		if err != nil || h1 != title {
			t.Errorf("watch page h1 = %q, %v; want %q", h1, err, title)
		}
		playCtx, cancelPlay := context.WithTimeout(ctx, 30*time.Second)
		started, err := chromedp.Run(playCtx, chromedp.Evaluate[string](`Promise.race([
				(v => { v.loop = true; return v.play(); })(document.getElementById('player')).then(() => 'playing', e => 'play() rejected: ' + e.name + ': ' + e.message),
				new Promise(r => setTimeout(() => r('play() still pending after 15 s'), 15000))])`,
			chromedp.EvalAwaitPromise))
		cancelPlay()
		const stateJS = `(v => JSON.stringify({time: v.currentTime, ready: v.readyState, network: v.networkState, paused: v.paused,
			error: v.error && (v.error.code + ' ' + v.error.message), src: v.currentSrc,
			tracks: [...v.textTracks].map(t => t.language + ':' + t.mode + ':' + (t.cues ? t.cues.length : -1))}))(document.getElementById('player'))`
		if err != nil || started != "playing" {
			st, _ := chromedp.Run(ctx, chromedp.Evaluate[string](stateJS))
			t.Fatalf("video.play(): %q %v; video %s; page problems %q", started, err, st, problems.take())
		}
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`(v => !!v.error || v.currentTime > 1)(document.getElementById('player'))`,
			chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			st, _ := chromedp.Run(ctx, chromedp.Evaluate[string](stateJS))
			t.Fatalf("video did not play past 1 s: %v; video %s", err, st)
		}
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`[...document.getElementById('player').textTracks].some(t => t.language === 'sv' && t.mode === 'showing' && t.cues && t.cues.length > 0)`,
			chromedp.WithPollingTimeout(10*time.Second))); err != nil {
			st, _ := chromedp.Run(ctx, chromedp.Evaluate[string](stateJS))
			t.Errorf("no Swedish text track showing with cues: %v; video %s", err, st)
		}
		st, err := chromedp.Run(ctx, chromedp.Evaluate[string](stateJS))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("video: %s", st)
		if strings.Contains(st, `"error":"`) {
			t.Errorf("the video has an error: %s", st)
		}
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(v => { v.pause(); return true; })(document.getElementById('player'))`)); err != nil {
			t.Error(err)
		}
		checkProblems(t)
	})

	step("log out", func(t *testing.T) {
		click(t, "Logga ut", `//form[@action="/logout"]//button[normalize-space()="Logga ut"]`)
		if loc := location(t); loc != p.url+"/" {
			t.Errorf("after Logga ut the browser is at %s; want %s/", loc, p.url)
		}
		if flash, err := chromedp.Run(ctx, chromedp.Evaluate[string](`((document.querySelector('.flash') || {}).textContent || '').trim()`)); err != nil || flash != "Du är utloggad." {
			t.Errorf("flash after logging out = %q, %v; want %q", flash, err, "Du är utloggad.")
		}
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(p.url+"/staff"))
		if err != nil {
			t.Fatalf("GET /staff after logging out: %v", err)
		}
		loc := location(t)
		if !strings.HasPrefix(loc, p.url+"/login") {
			t.Fatalf("after logging out /staff ended at %s (status %d); want a redirect to /login", loc, resp.Status)
		}
		h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
		if err != nil || h1 != "Logga in" {
			t.Errorf("h1 after the redirect = %q, %v; want %q", h1, err, "Logga in")
		}
		checkProblems(t)
	})
}
