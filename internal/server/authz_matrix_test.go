package server

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/account"
	"github.com/smakom/webinar-portal/internal/search"
	"github.com/smakom/webinar-portal/internal/subtitle"
	"github.com/smakom/webinar-portal/internal/webinar"
	"github.com/smakom/webinar-portal/internal/wish"
)

// matrixTable, when set, writes the route-by-role table of the
// authorization matrix as Markdown (for the README):
// go test ./internal/server -run TestAuthorizationMatrix -matrix-table /tmp/t.md
var matrixTable = flag.String("matrix-table", "", "write the authorization matrix as a Markdown table to this file")

// outcome is what a request should get.
type outcome int

const (
	allow        outcome = iota // 2xx or 3xx (not a redirect to the login page)
	hidden                      // 404: as if the webinar did not exist
	toLogin                     // 303 to /login?next=...
	forbidden                   // 403
	unauthorized                // 401
)

func (o outcome) String() string {
	return [...]string{"allowed", "404 hidden", "303 to login", "403 forbidden", "401 unauthorized"}[o]
}

// The viewers of the matrix, in the order of the table.
var matrixViewers = []string{"anonymous", "member", "staff", "admin"}

// The visibilities a route with :slug is tried with.
var matrixVisibilities = []webinar.Visibility{webinar.Public, webinar.Members, webinar.Draft, webinar.Unlisted}

// canSee is who may see a webinar of a visibility (webinar.VisibleTo).
func canSee(who string, vis webinar.Visibility) bool {
	switch vis {
	case webinar.Public, webinar.Unlisted:
		return true
	case webinar.Members:
		return who != "anonymous"
	}
	return who == "staff" || who == "admin"
}

// Expectations shared by many routes.
var (
	everyone = func(string, webinar.Visibility) outcome { return allow }
	seeable  = func(who string, vis webinar.Visibility) outcome {
		return map[bool]outcome{true: allow, false: hidden}[canSee(who, vis)]
	}
	embedding = func(_ string, vis webinar.Visibility) outcome {
		if vis == webinar.Public || vis == webinar.Unlisted {
			return allow
		}
		return hidden
	}
	staffPage = func(who string, _ webinar.Visibility) outcome {
		switch who {
		case "anonymous":
			return toLogin
		case "member":
			return forbidden
		}
		return allow
	}
	staffAPI = func(who string, _ webinar.Visibility) outcome {
		switch who {
		case "anonymous":
			return unauthorized
		case "member":
			return forbidden
		}
		return allow
	}
	// loggedIn: any account; anonymous visitors are sent to log in.
	loggedIn = func(who string, _ webinar.Visibility) outcome {
		return map[bool]outcome{true: toLogin, false: allow}[who == "anonymous"]
	}
	// ownPosition: an account's own place in a webinar it may see.
	ownPosition = func(who string, vis webinar.Visibility) outcome {
		if who == "anonymous" {
			return unauthorized
		}
		return seeable(who, vis)
	}
	// adminPage: staff pages only admins may use; staff get 403.
	adminPage = func(who string, vis webinar.Visibility) outcome {
		if who == "staff" {
			return forbidden
		}
		return staffPage(who, vis)
	}
	// badPassword: a wrong password is refused whoever sends it.
	badPassword = func(string, webinar.Visibility) outcome { return unauthorized }
)

// rule is one route of the matrix: who gets what, and how to send a
// request to it (nil: a GET of the filled-in path).
type rule struct {
	expect func(who string, vis webinar.Visibility) outcome
	send   func(m *matrix, who string, c *client, path, slug string) response
}

// form posts an empty form with the CSRF token (or given fields).
func form(fields ...string) func(*matrix, string, *client, string, string) response {
	return func(m *matrix, _ string, c *client, path, _ string) response {
		v := url.Values{}
		for i := 0; i+1 < len(fields); i += 2 {
			v.Add(fields[i], fields[i+1])
		}
		if m.noCSRF {
			v.Set("_csrf", "")
		}
		return c.postForm(path, v)
	}
}

// sendUpload posts a multipart upload form with the CSRF token.
func sendUpload(filename string, data func() []byte, fields ...string) func(*matrix, string, *client, string, string) response {
	return func(m *matrix, _ string, c *client, path, _ string) response {
		f := map[string]string{}
		for i := 0; i+1 < len(fields); i += 2 {
			f[fields[i]] = fields[i+1]
		}
		return c.postFile(path, f, filename, data(), !m.noCSRF)
	}
}

// call sends an API request; session clients add the CSRF header as the
// portal's own scripts do.
func call(method, ctype string, body func() []byte, headers ...string) func(*matrix, string, *client, string, string) response {
	return func(m *matrix, _ string, c *client, path, _ string) response {
		var b []byte
		if body != nil {
			b = body()
		}
		req := httptest.NewRequest(method, path, bytes.NewReader(b))
		req.ContentLength = int64(len(b))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		if tok := c.cookies[csrfCookie]; tok != "" && !m.noCSRF {
			req.Header.Set("X-CSRF-Token", tok)
		}
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		return c.do(req)
	}
}

func jsonBody(v any) func() []byte {
	return func() []byte { b, _ := json.Marshal(v); return b }
}

func bytesOf(s string) func() []byte { return func() []byte { return []byte(s) } }

const tinyPDF = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

// posterPNG is a small real PNG.
func posterPNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 16, 9))
	for x := 0; x < 16; x++ {
		for y := 0; y < 9; y++ {
			img.Set(x, y, color.RGBA{R: uint8(x * 16), G: 80, B: 160, A: 255})
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}

// matrixRules is the authorization matrix: every route of the portal, by
// "METHOD pattern" as Fiber registers it. A route missing here fails
// TestAuthorizationMatrix.
var matrixRules = map[string]rule{
	"GET /healthz":                {expect: everyone},
	"GET /readyz":                 {expect: everyone},
	"GET /static/*":               {expect: everyone},
	"GET /favicon.ico":            {expect: everyone},
	"GET /":                       {expect: everyone},
	"GET /login":                  {expect: everyone},
	"GET /wishes/new":             {expect: everyone},
	"GET /wishes/thanks":          {expect: everyone},
	"GET /feeds/webinars.:format": {expect: everyone},
	"GET /api/v1/webinars":        {expect: everyone},
	"GET /api/v1/search":          {expect: everyone},
	"GET /wishes":                 {expect: everyone},
	"GET /tillganglighet":         {expect: everyone},

	"GET /webinars/:slug":                 {expect: seeable},
	"GET /webinars/:slug/recording":       {expect: seeable},
	"GET /webinars/:slug/slides/:n":       {expect: seeable},
	"GET /webinars/:slug/subtitles/:file": {expect: seeable},
	"GET /webinars/:slug/poster":          {expect: seeable},
	"GET /webinars/:slug/chapters.vtt":    {expect: seeable},
	"GET /webinars/:slug/embed":           {expect: embedding},
	"GET /api/v1/webinars/:slug":          {expect: seeable},

	"POST /login": {expect: badPassword, send: form("email", "ingen@kommun.se", "password", "fel lösenord här")},
	"POST /logout": {expect: everyone, send: func(m *matrix, who string, _ *client, path, _ string) response {
		return m.fresh(who).postForm(path, url.Values{})
	}},
	"POST /wishes":             {expect: everyone, send: form("topic", "Dagvatten i små kommuner", "municipality", "Ydre")},
	"POST /wishes/:id/support": {expect: loggedIn, send: form()},
	"PUT /api/v1/me/positions/:slug": {expect: ownPosition, send: call(http.MethodPut, fiber.MIMEApplicationJSON,
		jsonBody(map[string]any{"seconds": 1}))},
	"POST /api/v1/wishes": {expect: everyone, send: call(http.MethodPost, fiber.MIMEApplicationJSON,
		jsonBody(map[string]string{"topic": "Bredband på landsbygden", "municipality": "Dals-Ed"}))},

	"GET /staff/":                                       {expect: staffPage},
	"GET /staff/webinars/new":                           {expect: staffPage},
	"GET /staff/wishes":                                 {expect: staffPage},
	"GET /staff/webinars/:slug/edit":                    {expect: staffPage},
	"GET /staff/webinars/:slug/delete":                  {expect: staffPage},
	"GET /staff/webinars/:slug/chapters":                {expect: staffPage},
	"GET /staff/webinars/:slug/subtitles/:lang/edit":    {expect: staffPage},
	"POST /staff/webinars":                              {expect: staffPage, send: form("title", "Nytt från matrisen", "held_at", "2024-05-06", "visibility", "draft")},
	"POST /staff/webinars/:slug":                        {expect: staffPage, send: form("title", "Ändrad titel", "held_at", "2024-05-06")},
	"POST /staff/webinars/:slug/publish":                {expect: staffPage, send: form()},
	"POST /staff/webinars/:slug/unpublish":              {expect: staffPage, send: form()},
	"POST /staff/webinars/:slug/delete":                 {expect: staffPage, send: form()},
	"POST /staff/webinars/:slug/recording":              {expect: staffPage, send: sendUpload("film.mp4", func() []byte { return fakeMP4(0) })},
	"POST /staff/webinars/:slug/slides":                 {expect: staffPage, send: sendUpload("bilder.pdf", bytesOf(tinyPDF))},
	"POST /staff/webinars/:slug/slides/:n/delete":       {expect: staffPage, send: form()},
	"POST /staff/webinars/:slug/subtitles":              {expect: staffPage, send: sendUpload("en.srt", bytesOf(svSRT), "lang", "en")},
	"POST /staff/webinars/:slug/subtitles/:lang/delete": {expect: staffPage, send: form()},
	"POST /staff/webinars/:slug/subtitles/:lang/shift":  {expect: staffPage, send: form("offset_ms", "500")},
	"POST /staff/webinars/:slug/poster":                 {expect: staffPage, send: sendUpload("affisch.png", posterPNG)},
	"POST /staff/webinars/:slug/chapters":               {expect: staffPage, send: form("chapter_start", "0:00", "chapter_title", "Inledning", "chapter_slide", "")},
	"POST /staff/wishes/:id/status":                     {expect: staffPage, send: form("status", "done")},
	"GET /staff/audit":                                  {expect: staffPage},
	"GET /staff/wishes.csv":                             {expect: staffPage},
	"POST /staff/wishes/:id":                            {expect: staffPage, send: form("status", "planned", "reply", "Vi planerar det.", "webinar", "")},
	"POST /staff/wishes/merge": {expect: staffPage, send: func(m *matrix, who string, c *client, path, slug string) response {
		return form("duplicate", m.duplicates[who], "target", m.wishID)(m, who, c, path, slug)
	}},

	// Accounts: the own account page, one-time links, staff's list.
	"GET /account":           {expect: loggedIn},
	"POST /account/password": {expect: loggedIn, send: form("current", "inte mitt lösenord", "password", "ett nytt långt lösenord", "repeat", "ett nytt långt lösenord")},
	"POST /account/logout-all": {expect: loggedIn, send: func(m *matrix, who string, _ *client, path, _ string) response {
		return m.post(m.fresh(who), path, url.Values{})
	}},
	"GET /invite": {expect: everyone, send: func(m *matrix, _ string, c *client, path, _ string) response {
		return c.get(path + "?token=" + url.QueryEscape(m.link(account.LinkInvite)))
	}},
	"GET /reset": {expect: everyone, send: func(m *matrix, _ string, c *client, path, _ string) response {
		return c.get(path + "?token=" + url.QueryEscape(m.link(account.LinkReset)))
	}},
	"POST /invite": {expect: everyone, send: func(m *matrix, who string, _ *client, path, _ string) response {
		return m.post(m.fresh(who), path, url.Values{"token": {m.link(account.LinkInvite)}, "password": {"ett långt lösenord"}, "repeat": {"ett långt lösenord"}})
	}},
	"POST /reset": {expect: everyone, send: func(m *matrix, who string, _ *client, path, _ string) response {
		return m.post(m.fresh(who), path, url.Values{"token": {m.link(account.LinkReset)}, "password": {"ett långt lösenord"}, "repeat": {"ett långt lösenord"}})
	}},
	"GET /forgot":         {expect: everyone},
	"POST /forgot":        {expect: everyone, send: form("email", "ingen@kommun.se")},
	"GET /staff/accounts": {expect: staffPage},
	"POST /staff/accounts/invite": {expect: staffPage, send: func(m *matrix, who string, c *client, path, slug string) response {
		return form("email", fmt.Sprintf("inbjuden-%s-%d@kommun.se", who, time.Now().UnixNano()), "municipality", "Ydre")(m, who, c, path, slug)
	}},
	"POST /staff/accounts/:id/disable": {expect: staffPage, send: onMember("/disable")},
	"POST /staff/accounts/:id/enable":  {expect: staffPage, send: onMember("/enable")},
	"POST /staff/accounts/:id/reset":   {expect: staffPage, send: onMember("/reset")},
	// Roles are changed by admins only; staff get 403.
	"POST /staff/accounts/:id/role": {expect: adminPage, send: func(m *matrix, who string, c *client, _ string, slug string) response {
		u, err := m.p.accounts.AddUser(context.Background(), fmt.Sprintf("roll-%d@kommun.se", time.Now().UnixNano()), account.RoleMember, "ett långt lösenord")
		if err != nil {
			m.t.Fatal(err)
		}
		return form("role", "staff")(m, who, c, "/staff/accounts/"+u.ID+"/role", slug)
	}},
	// API tokens: staff manage their own, admins everyone's.
	"GET /staff/tokens":  {expect: staffPage},
	"POST /staff/tokens": {expect: staffPage, send: form("name", "Matrisens skript")},
	"POST /staff/tokens/:ref/revoke": {expect: staffPage, send: func(m *matrix, who string, c *client, _ string, slug string) response {
		return form()(m, who, c, "/staff/tokens/"+m.tokenRef(who, c)+"/revoke", slug)
	}},

	"POST /api/v1/webinars": {expect: staffAPI, send: call(http.MethodPost, fiber.MIMEApplicationJSON,
		jsonBody(map[string]any{"title": "API-matrisen", "held_at": "2024-05-06", "visibility": "draft"}))},
	"PATCH /api/v1/webinars/:slug":               {expect: staffAPI, send: call(http.MethodPatch, fiber.MIMEApplicationJSON, jsonBody(map[string]string{"summary": "Ändrad"}))},
	"DELETE /api/v1/webinars/:slug":              {expect: staffAPI, send: call(http.MethodDelete, "", nil)},
	"PUT /api/v1/webinars/:slug/recording":       {expect: staffAPI, send: call(http.MethodPut, "video/mp4", func() []byte { return fakeMP4(0) })},
	"PUT /api/v1/webinars/:slug/slides":          {expect: staffAPI, send: call(http.MethodPut, "application/pdf", bytesOf(tinyPDF))},
	"PUT /api/v1/webinars/:slug/subtitles/:lang": {expect: staffAPI, send: call(http.MethodPut, "", bytesOf(svSRT))},
	"GET /api/v1/webinars/:slug/subtitles/:lang": {expect: staffAPI},
	"PUT /api/v1/webinars/:slug/subtitles/:lang/cues": {expect: staffAPI, send: func(m *matrix, who string, c *client, path, slug string) response {
		return call(http.MethodPut, fiber.MIMEApplicationJSON, jsonBody(map[string]any{"revision": m.revision(slug),
			"cues": []map[string]any{{"start_ms": 1000, "end_ms": 2000, "text": "Hej"}}}))(m, who, c, path, slug)
	}},
	"POST /api/v1/webinars/:slug/subtitles/:lang/shift": {expect: staffAPI, send: call(http.MethodPost, fiber.MIMEApplicationJSON, jsonBody(map[string]any{"offset_ms": 250}))},
	"GET /api/v1/wishes":      {expect: staffAPI},
	"OPTIONS /api/v1/uploads": {expect: staffAPI, send: call(http.MethodOptions, "", nil, "Tus-Resumable", "1.0.0")},
	"POST /api/v1/uploads": {expect: staffAPI, send: func(m *matrix, who string, c *client, path, slug string) response {
		return call(http.MethodPost, "", nil, "Tus-Resumable", "1.0.0", "Upload-Length", "1000",
			"Upload-Metadata", metadata("slug", m.fixture[webinar.Draft], "kind", "slides", "filename", "b.pdf"))(m, who, c, path, slug)
	}},
	"HEAD /api/v1/uploads/:id":   {expect: staffAPI, send: call(http.MethodHead, "", nil, "Tus-Resumable", "1.0.0")},
	"PATCH /api/v1/uploads/:id":  {expect: staffAPI, send: call(http.MethodPatch, "application/offset+octet-stream", bytesOf("%PDF-1.4\n"), "Tus-Resumable", "1.0.0", "Upload-Offset", "0")},
	"DELETE /api/v1/uploads/:id": {expect: staffAPI, send: call(http.MethodDelete, "", nil, "Tus-Resumable", "1.0.0")},
}

// onMember posts to an account action on a throw-away member account.
func onMember(action string) func(*matrix, string, *client, string, string) response {
	return func(m *matrix, who string, c *client, _ string, slug string) response {
		u, err := m.p.accounts.AddUser(context.Background(), fmt.Sprintf("medlem-%d@kommun.se", time.Now().UnixNano()), account.RoleMember, "ett långt lösenord")
		if err != nil {
			m.t.Fatal(err)
		}
		return form()(m, who, c, "/staff/accounts/"+u.ID+action, slug)
	}
}

// tokenRef makes an API token the viewer may revoke (their own, found
// through the session) and returns its reference; for anonymous visitors
// and members, a staff member's token.
func (m *matrix) tokenRef(who string, c *client) string {
	m.t.Helper()
	ctx := context.Background()
	owner := ""
	if who == "staff" || who == "admin" {
		u, err := m.p.accounts.SessionUser(ctx, c.cookies[sessionCookie])
		if err != nil {
			m.t.Fatalf("the %s session: %v", who, err)
		}
		owner = u.ID
	} else {
		u, err := m.p.accounts.AddUser(ctx, fmt.Sprintf("nyckel-%d@kommun.se", time.Now().UnixNano()), account.RoleStaff, "ett långt lösenord")
		if err != nil {
			m.t.Fatal(err)
		}
		owner = u.ID
	}
	_, info, err := m.p.accounts.CreateTokenFor(ctx, owner, "matrisen")
	if err != nil {
		m.t.Fatal(err)
	}
	return info.Ref
}

// post sends a form, without the CSRF token when the matrix leaves it out.
func (m *matrix) post(c *client, path string, v url.Values) response {
	if m.noCSRF {
		v.Set("_csrf", "")
	}
	return c.postForm(path, v)
}

// link makes a fresh invite or reset link on a new account.
func (m *matrix) link(kind account.LinkKind) string {
	m.t.Helper()
	ctx := context.Background()
	email := fmt.Sprintf("lank-%d@kommun.se", time.Now().UnixNano())
	if kind == account.LinkInvite {
		_, secret, err := m.p.accounts.Invite(ctx, email, "Ydre", time.Hour)
		if err != nil {
			m.t.Fatal(err)
		}
		return secret
	}
	u, err := m.p.accounts.AddUser(ctx, email, account.RoleMember, "ett långt lösenord")
	if err != nil {
		m.t.Fatal(err)
	}
	_, secret, err := m.p.accounts.ResetLink(ctx, u.ID, time.Hour)
	if err != nil {
		m.t.Fatal(err)
	}
	return secret
}

// matrixKeys lists the routes registered on the app as "METHOD pattern";
// the HEAD that Fiber adds to every GET is covered by the GET.
func matrixKeys(app *fiber.App) []string {
	gets := map[string]bool{}
	routes := app.GetRoutes(true)
	for _, r := range routes {
		if r.Method == fiber.MethodGet {
			gets[r.Path] = true
		}
	}
	seen := map[string]bool{}
	var keys []string
	for _, r := range routes {
		if r.Method == fiber.MethodHead && gets[r.Path] {
			continue
		}
		k := r.Method + " " + r.Path
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// unmatchedRoutes are the registered routes the matrix has no rule for.
func unmatchedRoutes(app *fiber.App, rules map[string]rule) []string {
	var out []string
	for _, k := range matrixKeys(app) {
		if _, ok := rules[k]; !ok {
			out = append(out, k)
		}
	}
	return out
}

// matrix holds the fixtures: one webinar of each visibility with a
// recording, slides, Swedish subtitles, chapters and a poster, a wish and
// a resumable upload.
type matrix struct {
	t       *testing.T
	p       *portal
	api     *client
	viewers map[string]*client
	fixture map[webinar.Visibility]string
	wishID  string
	// duplicates has a wish per viewer to merge into wishID.
	duplicates map[string]string
	upload     string
	checks     int
	// noCSRF leaves the CSRF token out of forms and API calls.
	noCSRF bool
}

func newMatrix(t *testing.T, p *portal) *matrix {
	m := &matrix{t: t, p: p, api: p.apiClient(), fixture: map[webinar.Visibility]string{}}
	for _, vis := range matrixVisibilities {
		m.fixture[vis] = m.webinar(vis, "Matris "+string(vis))
	}
	w, err := p.srv.deps.Wishes.Create(context.Background(), wish.Input{Topic: "Vattenrening", Municipality: "Ydre"})
	if err != nil {
		t.Fatal(err)
	}
	m.wishID = w.ID
	m.duplicates = map[string]string{}
	for _, who := range matrixViewers {
		d, err := p.srv.deps.Wishes.Create(context.Background(), wish.Input{Topic: "Vattenrening igen", Municipality: "Ydre"})
		if err != nil {
			t.Fatal(err)
		}
		m.duplicates[who] = d.ID
	}
	m.upload = m.newUpload()
	m.viewers = map[string]*client{"anonymous": p.anonymous(), "member": p.loginAs(account.RoleMember),
		"staff": p.loginAs(account.RoleStaff), "admin": p.loginAs(account.RoleAdmin)}
	m.viewers["anonymous"].get("/") // a browser has the CSRF cookie from its first page
	return m
}

// webinar creates a webinar of a visibility with everything a route may
// serve: recording, slides, Swedish subtitles, poster and a chapter.
func (m *matrix) webinar(vis webinar.Visibility, title string) string {
	m.t.Helper()
	slug := m.api.createWebinar(title, string(vis))
	clip := fakeMP4(0)
	expectStatus(m.t, m.api.put("/api/v1/webinars/"+slug+"/recording", bytes.NewReader(clip), int64(len(clip))), http.StatusOK)
	expectStatus(m.t, m.api.put("/api/v1/webinars/"+slug+"/slides?filename=bilder.pdf", strings.NewReader(tinyPDF), int64(len(tinyPDF))), http.StatusOK)
	expectStatus(m.t, m.api.put("/api/v1/webinars/"+slug+"/subtitles/sv", strings.NewReader(svSRT), int64(len(svSRT))), http.StatusOK)
	ctx := context.Background()
	poster := posterPNG()
	if _, err := m.p.webinars.SetPoster(ctx, slug, bytes.NewReader(poster), int64(len(poster))); err != nil {
		m.t.Fatal(err)
	}
	if _, err := m.p.webinars.SetChapters(ctx, slug, []webinar.ChapterRow{{Start: "0:00", Title: "Inledning"}}, nil); err != nil {
		m.t.Fatal(err)
	}
	return slug
}

// throwaway is a webinar with only what the route needs, for one
// allowed change.
func (m *matrix) throwaway(vis webinar.Visibility, pattern, title string) string {
	m.t.Helper()
	slug := m.api.createWebinar(title, string(vis))
	put := func(path, data string) {
		expectStatus(m.t, m.api.put("/api/v1/webinars/"+slug+path, strings.NewReader(data), int64(len(data))), http.StatusOK)
	}
	if strings.Contains(pattern, "/chapters") {
		put("/recording", string(fakeMP4(0)))
	}
	if strings.Contains(pattern, "/slides/:n") {
		put("/slides?filename=bilder.pdf", tinyPDF)
	}
	if strings.Contains(pattern, "/subtitles/:lang") {
		put("/subtitles/sv", svSRT)
	}
	return slug
}

func (m *matrix) newUpload() string {
	m.t.Helper()
	r := call(http.MethodPost, "", nil, "Tus-Resumable", "1.0.0", "Upload-Length", "1000",
		"Upload-Metadata", metadata("slug", m.fixture[webinar.Draft], "kind", "slides", "filename", "b.pdf"))(m, "", m.api, "/api/v1/uploads", "")
	expectStatus(m.t, r, http.StatusCreated)
	loc := r.Header.Get("Location")
	return loc[strings.LastIndex(loc, "/")+1:]
}

// fresh is a new session of a role (or a new anonymous browser), for
// routes that end the session they are sent with.
func (m *matrix) fresh(who string) *client {
	m.t.Helper()
	c := m.p.anonymous()
	if who != "anonymous" {
		email := fmt.Sprintf("fresh-%s-%d@kommun.se", who, time.Now().UnixNano())
		u, err := m.p.accounts.AddUser(context.Background(), email, account.Role(who), "ett långt lösenord")
		if err != nil {
			m.t.Fatal(err)
		}
		secret, err := m.p.accounts.StartSession(context.Background(), u.ID)
		if err != nil {
			m.t.Fatal(err)
		}
		c.cookies[sessionCookie] = secret
	}
	c.get("/")
	return c
}

// revision is the current revision of a webinar's Swedish track.
func (m *matrix) revision(slug string) int64 {
	_, t, err := m.p.webinars.SubtitleTrackForStaff(context.Background(), slug, "sv")
	if err != nil {
		return 0
	}
	return t.Revision
}

// fill puts real values into a route pattern.
func (m *matrix) fill(pattern, slug, upload, wishID string) string {
	r := strings.NewReplacer(":slug", slug, ":n", "1", ":file", "sv.vtt", ":lang", "sv", ":format", "rss",
		":id", map[bool]string{true: upload, false: wishID}[strings.HasPrefix(pattern, "/api/v1/uploads/")], "*", "portal.css")
	return r.Replace(pattern)
}

// snapshot is everything a refused request must leave as it was.
func (m *matrix) snapshot() string {
	m.t.Helper()
	ctx := context.Background()
	var b strings.Builder
	for _, vis := range matrixVisibilities {
		w, err := m.p.webinars.Store().BySlug(ctx, m.fixture[vis])
		if err != nil {
			m.t.Fatalf("fixture %s: %v", vis, err)
		}
		j, _ := json.Marshal(w)
		b.Write(j)
		_, t, err := m.p.webinars.SubtitleTrackForStaff(ctx, m.fixture[vis], "sv")
		if err != nil {
			m.t.Fatal(err)
		}
		j, _ = json.Marshal(t)
		b.Write(j)
	}
	_, total, err := m.p.webinars.Store().List(ctx, webinar.Filter{PerPage: 1, Page: 1})
	if err != nil {
		m.t.Fatal(err)
	}
	keys, err := m.p.objects.Keys(ctx, "")
	if err != nil {
		m.t.Fatal(err)
	}
	sort.Strings(keys)
	wishes, err := m.p.srv.deps.Wishes.List(ctx, "")
	if err != nil {
		m.t.Fatal(err)
	}
	for _, w := range wishes {
		if w.ID == m.wishID {
			fmt.Fprintf(&b, "\nwish %s %v", w.ID, w.Status)
		}
	}
	info, err := m.p.srv.deps.Uploads.Get(m.upload)
	fmt.Fprintf(&b, "\nwebinars %d\nkeys %v\nupload %d %v", total, keys, info.Offset, err)
	return b.String()
}

// check sends one request and compares what came back with want.
func (m *matrix) check(key, who string, vis webinar.Visibility, c *client, path, slug string, want outcome) {
	m.t.Helper()
	m.checks++
	method, pattern, _ := strings.Cut(key, " ")
	r := matrixRules[key]
	var res response
	if r.send != nil {
		res = r.send(m, who, c, path, slug)
	} else {
		res = c.get(path)
	}
	got := res.StatusCode
	where := fmt.Sprintf("%s %s (pattern %s) as %s", method, path, pattern, who)
	if vis != "" {
		where += " on a " + string(vis) + " webinar"
	}
	toLoginPage := got == http.StatusSeeOther && strings.HasPrefix(res.Header.Get("Location"), "/login")
	ok := false
	switch want {
	case allow:
		if method == fiber.MethodGet || method == fiber.MethodHead || method == fiber.MethodOptions {
			ok = got < 400 && !toLoginPage
		} else {
			// Authorised changes may still be refused for what they
			// carry (409, 422); never for who sends them.
			ok = got < 500 && got != 401 && got != 403 && got != 404 && !toLoginPage
		}
	case hidden:
		ok = got == http.StatusNotFound
	case toLogin:
		ok = toLoginPage
	case forbidden:
		ok = got == http.StatusForbidden
	case unauthorized:
		ok = got == http.StatusUnauthorized
	}
	if !ok {
		m.t.Errorf("%s: status %d (Location %q), want %s; body: %.200s", where, got, res.Header.Get("Location"), want, res.Body)
	}
	if want == hidden && len(res.Body) > 0 && vis != "" {
		// A 404 must not give the webinar away.
		w, _ := m.p.webinars.Store().BySlug(context.Background(), slug)
		if w != nil && strings.Contains(res.text(), w.Title) {
			m.t.Errorf("%s: the 404 names the webinar %q", where, w.Title)
		}
	}
}

func (c *client) clone() *client {
	n := &client{p: c.p, cookies: map[string]string{}, token: c.token}
	for k, v := range c.cookies {
		n.cookies[k] = v
	}
	return n
}

func safeMethod(method string) bool {
	return method == fiber.MethodGet || method == fiber.MethodHead || method == fiber.MethodOptions
}

// TestAuthorizationMatrix walks every route registered on the router as
// anonymous, member, staff and admin, on a public, members-only, draft
// and unlisted webinar where the route takes one, and checks the status
// against matrixRules. Refused requests must change nothing; allowed
// changes run on throw-away webinars so the order does not matter.
func TestAuthorizationMatrix(t *testing.T) {
	p, idx := newIndexedPortal(t)
	if missing := unmatchedRoutes(p.srv.App(), matrixRules); len(missing) > 0 {
		for _, k := range missing {
			t.Errorf("route %s is registered but not in the authorization matrix: add it to matrixRules", k)
		}
	}
	keys := matrixKeys(p.srv.App())
	for k := range matrixRules {
		if !slices.Contains(keys, k) {
			t.Errorf("matrixRules has %s, which the router no longer registers: remove it", k)
		}
	}
	m := newMatrix(t, p)
	idx.sync(t)
	before := m.snapshot()

	type later struct {
		key, who string
		vis      webinar.Visibility
	}
	var allowedChanges []later
	table := map[string]map[string][]string{} // route → viewer → what it gets
	for _, key := range keys {
		r, ok := matrixRules[key]
		if !ok {
			continue
		}
		method, pattern, _ := strings.Cut(key, " ")
		visList := []webinar.Visibility{""}
		if strings.Contains(pattern, ":slug") {
			visList = matrixVisibilities
		}
		table[key] = map[string][]string{}
		for _, who := range matrixViewers {
			for _, vis := range visList {
				want := r.expect(who, vis)
				label := want.String()
				if vis != "" {
					label = string(vis) + ": " + label
				}
				table[key][who] = append(table[key][who], label)
				if want == allow && !safeMethod(method) {
					allowedChanges = append(allowedChanges, later{key, who, vis})
					continue
				}
				slug := m.fixture[vis]
				m.check(key, who, vis, m.viewers[who].clone(), m.fill(pattern, slug, m.upload, m.wishID), slug, want)
			}
		}
	}
	if after := m.snapshot(); after != before {
		t.Errorf("refused requests changed something:\nbefore %s\nafter  %s", before, after)
	}
	refused := m.checks

	// Allowed changes, each on its own webinar, wish and upload.
	for _, l := range allowedChanges {
		_, pattern, _ := strings.Cut(l.key, " ")
		slug := ""
		if l.vis != "" {
			slug = m.throwaway(l.vis, pattern, fmt.Sprintf("Engångs %s %s", l.vis, l.who))
		}
		w, err := p.srv.deps.Wishes.Create(context.Background(), wish.Input{Topic: "Engångsönskemål", Municipality: "Ydre"})
		if err != nil {
			t.Fatal(err)
		}
		upload := ""
		if strings.HasPrefix(pattern, "/api/v1/uploads/") {
			upload = m.newUpload()
		}
		m.check(l.key, l.who, l.vis, m.viewers[l.who].clone(), m.fill(pattern, slug, upload, w.ID), slug, allow)
	}
	t.Logf("authorization matrix: %d routes, %d checks (%d read or refused, %d allowed changes)",
		len(keys), m.checks, refused, m.checks-refused)

	if *matrixTable != "" {
		writeMatrixTable(t, *matrixTable, keys, table)
	}
}

// writeMatrixTable writes the matrix as Markdown: one row per route, one
// column per viewer; where the outcome depends on the webinar, the
// visibilities are grouped by outcome.
func writeMatrixTable(t *testing.T, file string, keys []string, table map[string]map[string][]string) {
	var b strings.Builder
	b.WriteString("| Route | " + strings.Join(matrixViewers, " | ") + " |\n|---|" + strings.Repeat("---|", len(matrixViewers)) + "\n")
	for _, k := range keys {
		row := []string{"`" + k + "`"}
		for _, who := range matrixViewers {
			var order []string
			byOutcome := map[string][]string{}
			for _, label := range table[k][who] {
				vis, out, ok := strings.Cut(label, ": ")
				if !ok {
					vis, out = "", label
				}
				if _, seen := byOutcome[out]; !seen {
					order = append(order, out)
				}
				byOutcome[out] = append(byOutcome[out], vis)
			}
			var cell []string
			for _, out := range order {
				if len(order) == 1 {
					cell = append(cell, out)
				} else {
					cell = append(cell, strings.Join(byOutcome[out], ", ")+": "+out)
				}
			}
			row = append(row, strings.Join(cell, "; "))
		}
		b.WriteString("| " + strings.Join(row, " | ") + " |\n")
	}
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestMatrixNamesNewRoutes shows that a route added to the router without
// a rule is reported.
func TestMatrixNamesNewRoutes(t *testing.T) {
	p := newPortal(t)
	if missing := unmatchedRoutes(p.srv.App(), matrixRules); len(missing) != 0 {
		t.Fatalf("routes without a rule: %v", missing)
	}
	p.srv.App().Post("/staff/secret-new-thing", func(c *fiber.Ctx) error { return nil })
	missing := unmatchedRoutes(p.srv.App(), matrixRules)
	if !slices.Equal(missing, []string{"POST /staff/secret-new-thing"}) {
		t.Fatalf("a new route is not reported: %v", missing)
	}
}

// open gives the index a fresh folder over the portal's database.
func (i *indexFor) open(t *testing.T, p *portal) {
	t.Helper()
	ix, _, err := search.Open(filepath.Join(t.TempDir(), "search"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	i.ix = ix
	i.syncer = search.NewSyncer(ix, search.Source{Webinars: p.webinars.Store(), Tracks: subtitle.NewStore(p.db)},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// sync brings the index up to date with the database.
func (i *indexFor) sync(t *testing.T) {
	t.Helper()
	if _, _, err := i.syncer.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
}
