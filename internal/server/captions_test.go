package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/smakom/webinar-portal/internal/account"
	"github.com/smakom/webinar-portal/internal/subtitle"
)

func msDur(n int64) time.Duration { return time.Duration(n) * time.Millisecond }

// captionWebinar makes a public webinar with the demo clip as recording
// (14 s) and svSRT as Swedish subtitles, and returns its slug.
func captionWebinar(t *testing.T, api *client, title string) string {
	t.Helper()
	slug := api.createWebinar(title, "public")
	clip := fakeMP4(0)
	expectStatus(t, api.put("/api/v1/webinars/"+slug+"/recording", bytes.NewReader(clip), int64(len(clip))), http.StatusOK)
	expectStatus(t, api.put("/api/v1/webinars/"+slug+"/subtitles/sv", strings.NewReader(svSRT), int64(len(svSRT))), http.StatusOK)
	return slug
}

func (c *client) putCues(slug, lang string, body any) response {
	b, _ := json.Marshal(body)
	req := httptest.NewRequest(http.MethodPut, "/api/v1/webinars/"+slug+"/subtitles/"+lang+"/cues", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	return c.do(req)
}

func errorBody(t *testing.T, r response) (code, msg string, fields map[string]string) {
	t.Helper()
	var e struct {
		Error struct {
			Code    string            `json:"code"`
			Message string            `json:"message"`
			Fields  map[string]string `json:"fields"`
		} `json:"error"`
	}
	if err := json.Unmarshal(r.Body, &e); err != nil {
		t.Fatalf("error body is not JSON: %v: %s", err, r.Body)
	}
	return e.Error.Code, e.Error.Message, e.Error.Fields
}

// TestCaptionEditAPI covers saving edited cues: the revision check (409,
// nothing changed), validation on the server (400 naming the cue, nothing
// changed) and what a successful save changes.
func TestCaptionEditAPI(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	slug := captionWebinar(t, api, "Redigerade undertexter")

	read := api.track(slug, "sv")
	if read.Revision != 1 || len(read.Cues) != 2 || read.RecordingMS < 13_000 || read.Kind != "subtitles" {
		t.Fatalf("track as read: %+v", read)
	}
	if r := p.anonymous().get("/api/v1/webinars/" + slug + "/subtitles/sv"); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous GET of the track for editing: %d, want 401", r.StatusCode)
	}
	if r := p.loginAs(account.RoleMember).get("/api/v1/webinars/" + slug + "/subtitles/sv"); r.StatusCode != http.StatusForbidden {
		t.Errorf("member GET of the track for editing: %d, want 403", r.StatusCode)
	}

	// unchanged checks that a refused request left the track as it was.
	unchanged := func(t *testing.T, want apiTrack) {
		t.Helper()
		got := api.track(slug, "sv")
		if got.Revision != want.Revision || !equalCues(got.Cues, want.Cues) {
			t.Errorf("a refused request changed the track: revision %d, cues %+v; want revision %d, %+v", got.Revision, got.Cues, want.Revision, want.Cues)
		}
		vtt := p.anonymous().get("/webinars/" + slug + "/subtitles/sv.vtt")
		if cues, _, err := subtitle.Parse(vtt.Body, ""); err != nil || !reflect.DeepEqual(cues, toCues(want.Cues)) {
			t.Errorf("the WebVTT export changed after a refused request: %v\n%s", err, vtt.Body)
		}
	}

	edited := []cueJSON{
		{StartMS: 1000, EndMS: 2500, Text: "Välkommen <script>alert(1)</script>"},
		{StartMS: 2500, EndMS: 3500, Text: "  till webbinariet\r\n om vattenförsörjning.  "},
		{StartMS: 4000, EndMS: 6000, Text: "Åtgärder för små kommuner."},
	}
	var saved apiTrack
	t.Run("save", func(t *testing.T) {
		r := api.putCues(slug, "sv", map[string]any{"revision": read.Revision, "cues": edited})
		expectStatus(t, r, http.StatusOK)
		if err := json.Unmarshal(r.Body, &saved); err != nil {
			t.Fatal(err)
		}
		if saved.Revision != 2 || len(saved.Cues) != 3 || saved.Cues[1].Text != "till webbinariet\nom vattenförsörjning." {
			t.Errorf("saved: %+v", saved)
		}
		// The exports are made from the stored cues, escaped.
		vtt := p.anonymous().get("/webinars/" + slug + "/subtitles/sv.vtt")
		expectContains(t, vtt, "00:00:02.500 --> 00:00:03.500\ntill webbinariet\nom vattenförsörjning.", "Välkommen &lt;script&gt;alert(1)&lt;/script&gt;")
		srt := p.anonymous().get("/webinars/" + slug + "/subtitles/sv.srt")
		expectContains(t, srt, "3\n00:00:04,000 --> 00:00:06,000\nÅtgärder för små kommuner.")
		// The webinar's track list counts the cues.
		expectContains(t, api.get("/api/v1/webinars/"+slug), `"lang":"sv","label":"Svenska","kind":"subtitles","cues":3`)
	})

	t.Run("stale revision is a conflict", func(t *testing.T) {
		r := api.putCues(slug, "sv", map[string]any{"revision": read.Revision, "cues": edited[:1]})
		expectStatus(t, r, http.StatusConflict)
		code, msg, _ := errorBody(t, r)
		if code != "conflict" || !strings.Contains(msg, "ändrats av någon annan") || !strings.Contains(msg, "version 2") {
			t.Errorf("conflict error %q: %q", code, msg)
		}
		unchanged(t, saved)
	})

	for _, tt := range []struct {
		name   string
		body   string
		status int
		code   string
		msg    string
		field  string
	}{
		{"overlap", `{"revision":2,"cues":[{"start_ms":1000,"end_ms":3000,"text":"a"},{"start_ms":2000,"end_ms":4000,"text":"b"}]}`,
			400, "invalid_cues", "Text 2 börjar 00:00:02,000, innan text 1 slutar 00:00:03,000", "cues.2"},
		{"end before start", `{"revision":2,"cues":[{"start_ms":3000,"end_ms":1000,"text":"a"}]}`,
			400, "invalid_cues", "Text 1: sluttiden ligger före starttiden", "cues.1"},
		{"negative", `{"revision":2,"cues":[{"start_ms":-5,"end_ms":1000,"text":"a"}]}`, 400, "invalid_cues", "Text 1: tiden är negativ", "cues.1"},
		{"empty text", `{"revision":2,"cues":[{"start_ms":0,"end_ms":1000,"text":"a"},{"start_ms":1000,"end_ms":2000,"text":" \n "}]}`,
			400, "invalid_cues", "Text 2: texten är tom", "cues.2"},
		{"after the recording", `{"revision":2,"cues":[{"start_ms":0,"end_ms":1000,"text":"a"},{"start_ms":13000,"end_ms":60000,"text":"b"}]}`,
			400, "invalid_cues", "Text 2 slutar 00:01:00,000, efter inspelningens slut", "cues.2"},
		{"no cues", `{"revision":2,"cues":[]}`, 400, "invalid_cues", "inga textrader", ""},
		{"no revision", `{"cues":[{"start_ms":0,"end_ms":1000,"text":"a"}]}`, 400, "revision_required", "Ange revision", ""},
		{"unknown field", `{"revision":2,"cues":[{"start":0,"end_ms":1000,"text":"a"}]}`, 400, "invalid_json", "unknown field", ""},
		{"not json", `revision=2`, 400, "invalid_json", "Ogiltig JSON", ""},
		{"trailing data", `{"revision":2,"cues":[{"start_ms":0,"end_ms":1000,"text":"a"}]} {}`, 400, "invalid_json", "mer data", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPut, "/api/v1/webinars/"+slug+"/subtitles/sv/cues", strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/json")
			r := api.do(req)
			expectStatus(t, r, tt.status)
			code, msg, fields := errorBody(t, r)
			if code != tt.code || !strings.Contains(msg, tt.msg) {
				t.Errorf("error %q %q; want %q containing %q", code, msg, tt.code, tt.msg)
			}
			if tt.field != "" && fields[tt.field] == "" {
				t.Errorf("fields %v lack %q", fields, tt.field)
			}
			unchanged(t, saved)
		})
	}

	t.Run("wrong content type", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodPut, "/api/v1/webinars/"+slug+"/subtitles/sv/cues", strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "text/plain")
		expectStatus(t, api.do(req), http.StatusUnsupportedMediaType)
		unchanged(t, saved)
	})
	t.Run("no such track", func(t *testing.T) {
		r := api.putCues(slug, "en", map[string]any{"revision": 1, "cues": edited})
		expectStatus(t, r, http.StatusNotFound)
		expectStatus(t, api.putCues("finns-inte", "sv", map[string]any{"revision": 1, "cues": edited}), http.StatusNotFound)
	})
	t.Run("anonymous and members may not save", func(t *testing.T) {
		body := map[string]any{"revision": 2, "cues": edited[:1]}
		if r := p.anonymous().putCues(slug, "sv", body); r.StatusCode != http.StatusUnauthorized {
			t.Errorf("anonymous save: %d", r.StatusCode)
		}
		if r := p.loginAs(account.RoleMember).putCues(slug, "sv", body); r.StatusCode != http.StatusForbidden {
			t.Errorf("member save: %d", r.StatusCode)
		}
		unchanged(t, saved)
	})
	t.Run("staff session needs the CSRF header", func(t *testing.T) {
		staff := p.loginAs(account.RoleStaff)
		body := map[string]any{"revision": 2, "cues": edited[:2]}
		expectStatus(t, staff.putCues(slug, "sv", body), http.StatusForbidden)
		unchanged(t, saved)
		b, _ := json.Marshal(body)
		req := httptest.NewRequest(http.MethodPut, "/api/v1/webinars/"+slug+"/subtitles/sv/cues", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", staff.cookies[csrfCookie])
		r := staff.do(req)
		expectStatus(t, r, http.StatusOK)
		expectContains(t, r, `"revision":3`)
		// Fewer cues: the webinar's count follows.
		expectContains(t, api.get("/api/v1/webinars/"+slug), `"lang":"sv","label":"Svenska","kind":"subtitles","cues":2`)
	})
}

func equalCues(a, b []cueJSON) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (c *client) shift(slug, lang string, body any) response {
	return c.sendJSON(http.MethodPost, "/api/v1/webinars/"+slug+"/subtitles/"+lang+"/shift", body)
}

// TestSubtitleShiftAPI: a whole track moves by ± milliseconds; a shift
// that would make a time negative or run past the recording is refused
// with a message saying how far it can go, and changes nothing.
func TestSubtitleShiftAPI(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	slug := captionWebinar(t, api, "Förskjutna undertexter")
	before := api.track(slug, "sv") // 1.000-3.500, 4.000-6.000

	r := api.shift(slug, "sv", map[string]any{"offset_ms": 1500})
	expectStatus(t, r, http.StatusOK)
	after := api.track(slug, "sv")
	if after.Revision != 2 || after.Cues[0].StartMS != 2500 || after.Cues[0].EndMS != 5000 || after.Cues[1].StartMS != 5500 || after.Cues[1].EndMS != 7500 {
		t.Errorf("after +1500 ms: %+v", after)
	}
	expectContains(t, p.anonymous().get("/webinars/"+slug+"/subtitles/sv.srt"), "00:00:02,500 --> 00:00:05,000", "00:00:05,500 --> 00:00:07,500")

	r = api.shift(slug, "sv", map[string]any{"offset_ms": -2500, "revision": 2})
	expectStatus(t, r, http.StatusOK)
	expectContains(t, r, `"revision":3`, `"start_ms":0,"end_ms":2500`)

	current := api.track(slug, "sv")
	for _, tt := range []struct {
		name   string
		body   map[string]any
		status int
		msg    string
	}{
		{"negative time", map[string]any{"offset_ms": -1}, 400, "Förskjutningen -1 ms skulle ge text 1 en negativ starttid (00:00:00,000 blir -00:00:00,001). Texterna kan flyttas högst 0 ms bakåt."},
		{"past the recording", map[string]any{"offset_ms": 60_000}, 400, "förbi inspelningens slut"},
		{"zero", map[string]any{"offset_ms": 0}, 400, "skild från 0 ms"},
		{"no offset", map[string]any{"revision": 3}, 400, "Ange offset_ms"},
		{"stale revision", map[string]any{"offset_ms": 100, "revision": 2}, 409, "version 3"},
		{"not a number", map[string]any{"offset_ms": "1,5 s"}, 400, "Ogiltig JSON"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := api.shift(slug, "sv", tt.body)
			expectStatus(t, r, tt.status)
			if _, msg, _ := errorBody(t, r); !strings.Contains(msg, tt.msg) {
				t.Errorf("message %q lacks %q", msg, tt.msg)
			}
			if got := api.track(slug, "sv"); got.Revision != current.Revision || !equalCues(got.Cues, current.Cues) {
				t.Errorf("refused shift changed the track: %+v", got)
			}
		})
	}
	expectStatus(t, api.shift(slug, "en", map[string]any{"offset_ms": 100}), http.StatusNotFound)
	if before.Revision != 1 {
		t.Errorf("revision before shifting = %d", before.Revision)
	}
}

// TestCaptionEditorPage: the staff page lists the cues read-only (escaped)
// for browsers without JavaScript, and its shift form works without it.
func TestCaptionEditorPage(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	slug := captionWebinar(t, api, "Sidan för undertexter")
	evil := "1\n00:00:01,000 --> 00:00:02,000\n&lt;script&gt;alert(1)&lt;/script&gt;\n\n2\n00:00:03,000 --> 00:00:04,000\nÅtgärder\n"
	expectStatus(t, api.put("/api/v1/webinars/"+slug+"/subtitles/sv", strings.NewReader(evil), int64(len(evil))), http.StatusOK)

	editURL := "/staff/webinars/" + slug + "/subtitles/sv/edit"
	if r := p.anonymous().get(editURL); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
		t.Errorf("anonymous editor: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	expectStatus(t, p.loginAs(account.RoleMember).get(editURL), http.StatusForbidden)

	staff := p.loginAs(account.RoleStaff)
	edit := staff.get("/staff/webinars/" + slug + "/edit")
	expectContains(t, edit, `<a href="`+editURL+`" aria-label="Redigera Svenska">Redigera</a>`)

	page := staff.get(editURL)
	expectStatus(t, page, http.StatusOK)
	expectContains(t, page, "<h1>Redigera undertexter: Svenska", `id="ce-readonly"`, "<td>00:00:01,000</td><td>00:00:02,000</td><td>&lt;script&gt;alert(1)&lt;/script&gt;</td>",
		`<script src="`+staticURL("caption-editor.js")+`" defer></script>`, `href="`+staticURL("caption-editor.css")+`"`, `data-revision="2"`, `<label for="shift-offset">`,
		`name="revision" value="2"`, `<track kind="subtitles" srclang="sv" label="Svenska" src="/webinars/`+slug+`/subtitles/sv.vtt" default>`)
	if strings.Contains(page.text(), "<script>alert") {
		t.Error("the editor page carries the cue's markup unescaped")
	}
	expectStatus(t, staff.get("/staff/webinars/"+slug+"/subtitles/fi/edit"), http.StatusNotFound)
	for _, f := range []string{"/static/caption-editor.js", "/static/caption-editor.css"} {
		r := staff.get(f)
		expectStatus(t, r, http.StatusOK)
		if len(r.Body) < 1000 {
			t.Errorf("%s: %d bytes", f, len(r.Body))
		}
	}

	shiftURL := "/staff/webinars/" + slug + "/subtitles/sv/shift"
	for _, tt := range []struct {
		name     string
		offset   string
		revision string
		status   int
		msg      string
	}{
		{"not a number", "1,5 s", "2", 400, "Förskjutningen måste vara ett heltal i millisekunder"},
		{"too far back", "-1001", "2", 400, "Texterna kan flyttas högst 1000 ms bakåt."},
		{"stale revision", "100", "1", 409, "de är nu version 2"},
		{"no revision", "100", "", 400, "saknar undertexternas version"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := staff.postForm(shiftURL, url.Values{"offset_ms": {tt.offset}, "revision": {tt.revision}})
			expectStatus(t, r, tt.status)
			expectContains(t, r, `role="alert" id="shift-error"`, tt.msg, `value="`+tt.offset+`"`, `aria-invalid="true"`)
			if got := api.track(slug, "sv"); got.Revision != 2 || got.Cues[0].StartMS != 1000 {
				t.Errorf("refused shift changed the track: %+v", got)
			}
		})
	}
	r := staff.postForm(shiftURL, url.Values{"offset_ms": {"−250"}, "revision": {"2"}})
	expectStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != editURL {
		t.Errorf("after shifting: redirect to %q", loc)
	}
	page = staff.get(editURL)
	expectContains(t, page, "Alla 2 texter är flyttade -0,250 s. Undertexterna är nu version 3.", "<td>00:00:00,750</td><td>00:00:01,750</td>", `name="revision" value="3"`)
	// Without a CSRF token the form changes nothing.
	r = staff.postForm(shiftURL, url.Values{"offset_ms": {"100"}, "revision": {"3"}, "_csrf": {"falsk"}})
	expectStatus(t, r, http.StatusForbidden)
	if got := api.track(slug, "sv"); got.Revision != 3 {
		t.Errorf("shift without CSRF token: revision %d", got.Revision)
	}
}
