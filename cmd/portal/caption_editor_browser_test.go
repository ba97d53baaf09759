package main

// End-to-end test of the caption editor in headless Chromium: `portal
// serve --demo` on embedded storage, a staff account and an API token made
// with the command line first. The test opens the editor for the Swedish
// track of a demo webinar from the staff edit page, plays a cue, edits a
// text, nudges a time, splits, merges, deletes and adds cues, is stopped by
// the validation, saves, reloads and finds the changes stored. Then a save
// conflicts with a change made through the API meanwhile: the editor says
// so, keeps the user's edits (also across a reload, from localStorage,
// after the warning about leaving with unsaved changes) and saves them
// only when the user chooses to.
//
// Like the other browser tests it never calls t.Parallel, and needs
// Chromium (see newBrowser). Screenshots go to $SCREENSHOT_DIR when set.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// editorState is what the caption editor shows.
type editorState struct {
	Ready    bool     `json:"ready"`    // the editor replaced the read-only table
	Readonly bool     `json:"readonly"` // the read-only table is visible
	Starts   []string `json:"starts"`
	Ends     []string `json:"ends"`
	Texts    []string `json:"texts"`
	Errors   []string `json:"errors"` // per-row messages shown
	Summary  string   `json:"summary"`
	Alert    string   `json:"alert"`
	Status   string   `json:"status"`
	Dirty    bool     `json:"dirty"`
	Revision string   `json:"revision"`
	Focused  string   `json:"focused"` // id (or else text) of the focused element
	Draft    bool     `json:"draft"`   // localStorage holds unsaved edits
	// Unlabelled lists the form fields without a label, Unnamed the
	// buttons without an accessible name.
	Unlabelled []string `json:"unlabelled"`
	Unnamed    int      `json:"unnamed"`
}

const editorStateJS = `(() => {
	const app = document.getElementById('ce-app');
	const ro = document.getElementById('ce-readonly');
	const rows = [...document.querySelectorAll('#ce-list > li')];
	const val = (li, sel) => { const f = li.querySelector(sel); return f ? f.value : ''; };
	const vis = e => !!e && !e.hidden;
	const txt = id => { const e = document.getElementById(id); return vis(e) ? e.textContent.replace(/\s+/g, ' ').trim() : ''; };
	let draft = false;
	try { draft = Object.keys(localStorage).some(k => k.startsWith('caption-editor:')); } catch (e) {}
	const fields = app ? [...app.querySelectorAll('input, textarea')] : [];
	return {
		ready: vis(app) && rows.length > 0,
		readonly: vis(ro),
		starts: rows.map(li => val(li, 'input[id$="-start"]')),
		ends: rows.map(li => val(li, 'input[id$="-end"]')),
		texts: rows.map(li => val(li, 'textarea')),
		errors: rows.map(li => { const e = li.querySelector('.ce-error'); return e && !e.hidden ? e.textContent : ''; }),
		summary: txt('ce-errors'), alert: txt('ce-alert'), status: txt('ce-status'),
		dirty: vis(document.getElementById('ce-dirty')),
		revision: (document.getElementById('ce-revision') || {}).textContent || '',
		focused: document.activeElement ? (document.activeElement.id || document.activeElement.textContent.replace(/\s+/g, ' ').trim()) : '',
		draft: draft,
		unlabelled: fields.filter(f => !f.id || !document.querySelector('label[for="' + f.id + '"]')).map(f => f.id || f.outerHTML),
		unnamed: app ? [...app.querySelectorAll('button')].filter(b => !b.textContent.trim()).length : -1,
	};
})()`

// apiCue is a cue in the subtitle API.
type apiCue struct {
	StartMS int64  `json:"start_ms"`
	EndMS   int64  `json:"end_ms"`
	Text    string `json:"text"`
}

type apiTrack struct {
	Revision int64    `json:"revision"`
	Cues     []apiCue `json:"cues"`
}

func TestCaptionEditorInBrowser(t *testing.T) {
	shots := screenshotDir(t)
	const (
		email    = "textare@smakom.example"
		password = "undertexter-är-viktiga-2024"
	)
	dataDir := t.TempDir()
	setCleanEnv(t, "DATA_DIR="+dataDir, "LOG_LEVEL=error")
	addUser(t, email, "staff", password)
	out, err := runCommand(t, "", "token", "create", "--email", email, "--name", "caption test")
	if err != nil {
		t.Fatalf("portal token create: %v", err)
	}
	token := strings.TrimSpace(out)
	p := startServe(t, dataDir, "serve", "--demo")
	slug := slugByTitle(t, p, svensktVatten)
	trackURL := p.url + "/api/v1/webinars/" + slug + "/subtitles/sv"

	// api calls the subtitle API with the token, as a script or another
	// editor would.
	api := func(t *testing.T, method, url string, body any) (int, []byte) {
		t.Helper()
		var r io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			r = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, url, r)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, url, err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, b
	}
	stored := func(t *testing.T) apiTrack {
		t.Helper()
		status, b := api(t, http.MethodGet, trackURL, nil)
		var tr apiTrack
		if status != http.StatusOK || json.Unmarshal(b, &tr) != nil {
			t.Fatalf("GET the track: %d %s", status, b)
		}
		return tr
	}
	original := stored(t)
	if original.Revision != 1 || len(original.Cues) != 7 {
		t.Fatalf("demo track: revision %d, %d cues; want 1 and 7", original.Revision, len(original.Cues))
	}

	tab := openTab(t, 4*time.Minute)
	if tab == nil {
		return
	}
	ctx := tab.ctx
	tab.problems.allow(http.StatusConflict, trackURL+"/cues") // the conflict below
	checkProblems := tab.checkProblems
	// Dialogs (the warning before leaving with unsaved edits) are
	// recorded and accepted.
	var (
		dialogMu sync.Mutex
		dialogs  []string
	)
	go func() {
		for ev, err := range chromedp.Events(ctx, page.JavascriptDialogOpening) {
			if err != nil {
				return
			}
			dialogMu.Lock()
			dialogs = append(dialogs, string(ev.Type))
			dialogMu.Unlock()
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()

	shot := func(t *testing.T, name string) { saveScreenshot(t, ctx, shots, name) }
	state := func(t *testing.T) editorState {
		t.Helper()
		st, err := chromedp.Run(ctx, chromedp.Evaluate[editorState](editorStateJS))
		if err != nil {
			t.Fatalf("read the editor: %v", err)
		}
		return st
	}
	// waitFor polls the editor until done says so.
	waitFor := func(t *testing.T, what string, done func(editorState) bool) editorState {
		t.Helper()
		return pollState(t, ctx, editorStateJS, what, 30*time.Second, done)
	}
	// press clicks the button whose visible text starts with label inside
	// the row of cue n (0: outside the list).
	press := func(t *testing.T, n int, label string) {
		t.Helper()
		scope := `//*[@id="ce-app"]`
		if n > 0 {
			scope = `//li[@id="cue-` + strconv.Itoa(n) + `"]`
		}
		sel := scope + `//button[starts-with(normalize-space(.), "` + label + `")]`
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.Search(sel))); err != nil {
			t.Fatalf("click %q in cue %d: %v", label, n, err)
		}
	}
	// typeInto replaces the value of a field by typing, as a person would.
	typeInto := func(t *testing.T, id, text string) {
		t.Helper()
		if err := chromedp.Do(ctx,
			chromedp.Focus(chromedp.ID(id)),
			chromedp.Evaluate[chromedp.Void](`document.getElementById(`+jsString(id)+`).select()`),
			chromedp.KeyEvent(text),
		); err != nil {
			t.Fatalf("type into #%s: %v", id, err)
		}
	}
	step := func(name string, f func(t *testing.T)) {
		t.Helper()
		if !t.Run(name, f) {
			t.Fatalf("step %q failed; the later steps build on it", name)
		}
	}

	step("log in", func(t *testing.T) {
		if err := chromedp.Do(ctx,
			chromedp.Navigate(p.url+"/login"),
			chromedp.SendKeys(chromedp.ID("email"), email),
			chromedp.SendKeys(chromedp.ID("password"), password),
			chromedp.Click(chromedp.Search(`//form[@action="/login"]//button`)),
			chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Redaktion: webbinarier"]`)),
		); err != nil {
			t.Fatalf("log in: %v", err)
		}
	})

	editURL := p.url + "/staff/webinars/" + slug + "/subtitles/sv/edit"
	step("open the editor from the staff page", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Navigate(p.url+"/staff/webinars/"+slug+"/edit")); err != nil {
			t.Fatal(err)
		}
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.Search(`//a[@aria-label="Redigera Svenska"]`)))
		if err != nil || resp.Status != http.StatusOK {
			t.Fatalf("click Redigera: %v %v", resp, err)
		}
		if loc, _ := chromedp.Run(ctx, chromedp.Location()); loc != editURL {
			t.Fatalf("the link led to %s; want %s", loc, editURL)
		}
		st := waitFor(t, "the editor loads", func(st editorState) bool { return st.Ready })
		if st.Readonly || len(st.Texts) != 7 || st.Revision != "1" || st.Dirty {
			t.Fatalf("editor on load: %+v", st)
		}
		if st.Starts[0] != "00:00:00,500" || st.Ends[6] != "00:00:13,900" || st.Texts[0] != original.Cues[0].Text {
			t.Errorf("cues shown: %q %q %q", st.Starts, st.Ends, st.Texts)
		}
		if len(st.Unlabelled) > 0 || st.Unnamed > 0 {
			t.Errorf("fields without a label: %q; buttons without a name: %d", st.Unlabelled, st.Unnamed)
		}
		shot(t, "caption-editor.png")
		checkProblems(t)
	})

	step("play a cue", func(t *testing.T) {
		press(t, 2, "Spela")
		// The cue runs 2.5-4.4 s; the editor pauses the video at its end.
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`(v => v.paused && v.currentTime > 2.6)(document.getElementById('ce-video'))`,
			chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			t.Fatalf("the video did not play cue 2 and pause: %v", err)
		}
		type video struct {
			Time    float64 `json:"time"`
			Current string  `json:"current"`
			Track   int     `json:"track"`
		}
		v, err := chromedp.Run(ctx, chromedp.Evaluate[video](`(v => ({time: v.currentTime,
			current: (document.querySelector('#ce-list > li[aria-current="time"]') || {}).id || '',
			track: [...v.textTracks].filter(t => t.mode === 'showing' && t.cues && t.cues.length === 7).length}))(document.getElementById('ce-video'))`))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("paused at %.3f s", v.Time)
		if v.Time < 4.3 || v.Time > 4.8 {
			t.Errorf("playing cue 2 (2.5-4.4 s) paused at %.3f s", v.Time)
		}
		if v.Track != 1 {
			t.Errorf("%d showing text tracks hold the editor's 7 cues; want 1", v.Track)
		}
		if v.Current != "" {
			t.Errorf("at %.3f s, between cues, the row marked as current is %q", v.Time, v.Current)
		}
		// Inside a cue, its row is marked as current.
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('ce-video').currentTime = 3; true`)); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!!document.querySelector('#cue-2[aria-current="time"].ce-current')`,
			chromedp.WithPollingTimeout(10*time.Second))); err != nil {
			t.Errorf("at 3 s cue 2 is not marked as current: %v", err)
		}
		checkProblems(t)
	})

	step("edit, nudge, split, merge, delete and add", func(t *testing.T) {
		typeInto(t, "cue-1-text", "Välkommen till SmåKoms webbinarium om <vatten> & avlopp!")
		st := waitFor(t, "the text edit", func(st editorState) bool { return st.Dirty })
		if st.Texts[0] != "Välkommen till SmåKoms webbinarium om <vatten> & avlopp!" {
			t.Errorf("text after typing: %q", st.Texts[0])
		}

		press(t, 2, "+0,1 s")
		press(t, 2, "+0,1 s")
		press(t, 2, "−0,1 s")
		st = state(t)
		if st.Starts[1] != "00:00:02,600" {
			t.Errorf("start of cue 2 after +0,1 +0,1 −0,1: %q; want 00:00:02,600", st.Starts[1])
		}

		// The video is paused at 3 s, outside cue 3 (4.5-6.4 s): split on
		// the midpoint.
		press(t, 3, "Dela")
		st = waitFor(t, "the split", func(st editorState) bool { return len(st.Texts) == 8 })
		if st.Ends[2] != "00:00:05,450" || st.Starts[3] != "00:00:05,450" || st.Ends[3] != "00:00:06,400" ||
			st.Texts[2] != "Dricksvatten är vårt" || st.Texts[3] != "viktigaste livsmedel." {
			t.Errorf("after splitting cue 3: %q %q %q", st.Starts[2:4], st.Ends[2:4], st.Texts[2:4])
		}
		if st.Focused != "cue-4-text" {
			t.Errorf("after splitting, focus is on %q; want the new cue's text", st.Focused)
		}

		press(t, 7, "Slå ihop med nästa")
		st = waitFor(t, "the merge", func(st editorState) bool { return len(st.Texts) == 7 })
		if st.Starts[6] != "00:00:10,500" || st.Ends[6] != "00:00:13,900" || st.Texts[6] != original.Cues[5].Text+"\n"+original.Cues[6].Text {
			t.Errorf("after merging 7 and 8: %q %q %q", st.Starts[6], st.Ends[6], st.Texts[6])
		}

		press(t, 6, "Ta bort")
		st = waitFor(t, "the deletion", func(st editorState) bool { return len(st.Texts) == 6 })
		for _, text := range st.Texts {
			if text == original.Cues[4].Text {
				t.Errorf("the deleted cue is still there: %q", st.Texts)
			}
		}

		press(t, 5, "Lägg till efter")
		st = waitFor(t, "the new cue", func(st editorState) bool { return len(st.Texts) == 7 })
		if st.Starts[5] != "00:00:08,400" || st.Ends[5] != "00:00:10,400" || st.Texts[5] != "" || st.Focused != "cue-6-text" {
			t.Errorf("added cue: %q-%q %q, focus %q", st.Starts[5], st.Ends[5], st.Texts[5], st.Focused)
		}
		if !strings.Contains(st.Errors[5], "Text 6: texten är tom") {
			t.Errorf("an empty new cue is not flagged: %q", st.Errors)
		}
		if err := chromedp.Do(ctx, chromedp.KeyEvent("Ny text om reservvatten")); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "typing into the new cue", func(st editorState) bool { return st.Texts[5] == "Ny text om reservvatten" && st.Errors[5] == "" })
		checkProblems(t)
	})

	step("validation stops a bad save", func(t *testing.T) {
		typeInto(t, "cue-2-end", "00:00:02,000")
		st := waitFor(t, "the error", func(st editorState) bool { return st.Errors[1] != "" })
		if st.Errors[1] != "Text 2: sluttiden måste ligga efter starttiden." {
			t.Errorf("error shown for cue 2: %q", st.Errors[1])
		}
		press(t, 0, "Spara ändringar")
		st = waitFor(t, "the summary", func(st editorState) bool { return st.Summary != "" })
		if !strings.Contains(st.Summary, "1 fel måste rättas innan du sparar") || st.Focused != "ce-errors" {
			t.Errorf("summary %q, focus %q", st.Summary, st.Focused)
		}
		shot(t, "caption-editor-invalid.png")
		if got := stored(t); got.Revision != 1 {
			t.Fatalf("an invalid track was saved: revision %d", got.Revision)
		}
		// The summary links to the field.
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.Search(`//*[@id="ce-errors"]//a`))); err != nil {
			t.Fatal(err)
		}
		if st := state(t); st.Focused != "cue-2-start" {
			t.Errorf("the summary's link focused %q", st.Focused)
		}
		typeInto(t, "cue-2-end", "4,4")
		waitFor(t, "the fix", func(st editorState) bool { return st.Errors[1] == "" && st.Summary == "" })
	})

	var want []string
	step("save and reload", func(t *testing.T) {
		before := state(t)
		want = before.Texts
		press(t, 0, "Spara ändringar")
		st := waitFor(t, "the save", func(st editorState) bool { return strings.HasPrefix(st.Status, "Sparat.") })
		if st.Status != "Sparat. Undertexterna är nu version 2." || st.Dirty || st.Revision != "2" || st.Draft {
			t.Errorf("after saving: %+v", st)
		}
		if st.Texts[1] != original.Cues[1].Text || st.Ends[1] != "00:00:04,400" {
			t.Errorf("cue 2 after saving: %q %q", st.Ends[1], st.Texts[1])
		}
		if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
			t.Fatal(err)
		}
		st = waitFor(t, "the editor after reloading", func(st editorState) bool { return st.Ready })
		if len(st.Texts) != 7 || st.Revision != "2" || st.Dirty || st.Alert != "" {
			t.Fatalf("after reloading: %+v", st)
		}
		for i := range want {
			if st.Texts[i] != want[i] {
				t.Errorf("text %d after reloading: %q; want %q", i+1, st.Texts[i], want[i])
			}
		}
		if st.Starts[1] != "00:00:02,600" || st.Ends[2] != "00:00:05,450" || st.Starts[5] != "00:00:08,400" {
			t.Errorf("times after reloading: %q %q", st.Starts, st.Ends)
		}
		// The downloads are made from the stored cues.
		res, err := http.Get(p.url + "/webinars/" + slug + "/subtitles/sv.vtt")
		if err != nil {
			t.Fatal(err)
		}
		vtt, _ := io.ReadAll(res.Body)
		res.Body.Close()
		for _, part := range []string{"00:00:02.600 --> 00:00:04.400", "om &lt;vatten&gt; &amp; avlopp!", "00:00:08.400 --> 00:00:10.400\nNy text om reservvatten"} {
			if !strings.Contains(string(vtt), part) {
				t.Errorf("the WebVTT download lacks %q:\n%s", part, vtt)
			}
		}
		if got := stored(t); got.Revision != 2 || len(got.Cues) != 7 {
			t.Errorf("stored after saving: revision %d, %d cues", got.Revision, len(got.Cues))
		}
		checkProblems(t)
	})

	const mine = "Min ändring som inte får försvinna"
	step("a conflicting save keeps the user's edits", func(t *testing.T) {
		typeInto(t, "cue-3-text", mine)
		waitFor(t, "the edit", func(st editorState) bool { return st.Dirty && st.Draft })
		// Someone else saves first, through the API.
		theirs := stored(t)
		theirs.Cues[0].Text = "Ändrad av en kollega"
		if status, b := api(t, http.MethodPut, trackURL+"/cues", map[string]any{"revision": theirs.Revision, "cues": theirs.Cues}); status != http.StatusOK {
			t.Fatalf("the colleague's save: %d %s", status, b)
		}
		press(t, 0, "Spara ändringar")
		st := waitFor(t, "the conflict message", func(st editorState) bool { return st.Alert != "" })
		if !strings.Contains(st.Alert, "Undertexterna har ändrats av någon annan") || !strings.Contains(st.Alert, "de är nu version 3, dina ändringar bygger på version 2") ||
			!strings.Contains(st.Alert, "Dina ändringar är inte sparade, men de finns kvar här") {
			t.Errorf("conflict message: %q", st.Alert)
		}
		if st.Texts[2] != mine || !st.Dirty || !st.Draft {
			t.Errorf("after the conflict the edit is gone: text %q, dirty %v, draft %v", st.Texts[2], st.Dirty, st.Draft)
		}
		if !strings.HasPrefix(st.Focused, "Spara mina ändringar ändå") {
			t.Errorf("after the conflict the focus is on %q; want the first choice in the message", st.Focused)
		}
		shot(t, "caption-editor-conflict.png")
		if got := stored(t); got.Revision != 3 || got.Cues[0].Text != "Ändrad av en kollega" || got.Cues[2].Text == mine {
			t.Errorf("the conflicting save overwrote the colleague's: %+v", got)
		}
		checkProblems(t)
	})

	step("the edits survive a reload and are saved when the user says so", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
			t.Fatal(err)
		}
		dialogMu.Lock()
		seen := append([]string(nil), dialogs...)
		dialogMu.Unlock()
		if len(seen) != 1 || seen[0] != string(page.DialogTypeBeforeunload) {
			t.Errorf("dialogs when leaving with unsaved edits: %q; want one beforeunload", seen)
		}
		st := waitFor(t, "the editor after reloading", func(st editorState) bool { return st.Ready && st.Alert != "" })
		if !strings.Contains(st.Alert, "Osparade ändringar är återställda") || !strings.Contains(st.Alert, "version 2 → 3") {
			t.Errorf("restore message: %q", st.Alert)
		}
		if st.Texts[2] != mine || st.Texts[0] == "Ändrad av en kollega" || !st.Dirty {
			t.Errorf("restored edits: %q, dirty %v", st.Texts, st.Dirty)
		}
		shot(t, "caption-editor-restored.png")
		press(t, 0, "Spara ändringar")
		waitFor(t, "the conflict again", func(st editorState) bool { return strings.Contains(st.Alert, "ändrats av någon annan") })
		press(t, 0, "Spara mina ändringar ändå")
		st = waitFor(t, "the save", func(st editorState) bool { return strings.HasPrefix(st.Status, "Sparat.") })
		if st.Revision != "4" || st.Dirty || st.Draft || st.Alert != "" {
			t.Errorf("after saving over version 3: %+v", st)
		}
		if got := stored(t); got.Revision != 4 || got.Cues[2].Text != mine || got.Cues[0].Text != want[0] {
			t.Errorf("stored: revision %d, cue 1 %q, cue 3 %q", got.Revision, got.Cues[0].Text, got.Cues[2].Text)
		}
		checkProblems(t)
	})

	step("without JavaScript the cues read as a table", func(t *testing.T) {
		if err := scriptsDisabled(ctx, true); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = scriptsDisabled(ctx, false) }()
		if err := chromedp.Do(ctx, chromedp.Navigate(editURL), chromedp.WaitVisible(chromedp.ID("ce-readonly"))); err != nil {
			t.Fatalf("load the editor without JavaScript: %v", err)
		}
		rows, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#ce-readonly tbody")))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(rows, mine) || !strings.Contains(rows, "00:00:02,600") {
			t.Errorf("read-only table: %q", rows)
		}
		shot(t, "caption-editor-nojs.png")
	})
}

// scriptsDisabled switches JavaScript off (or on again) in the tab.
func scriptsDisabled(ctx context.Context, off bool) error {
	_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: off})
	return err
}

// jsString quotes s for a JavaScript expression.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
