package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/smakom/webinar-portal/internal/account"
	"github.com/smakom/webinar-portal/internal/audit"
	"github.com/smakom/webinar-portal/internal/media"
	"github.com/smakom/webinar-portal/internal/resume"
	"github.com/smakom/webinar-portal/internal/subtitle"
	"github.com/smakom/webinar-portal/internal/testenv"
	"github.com/smakom/webinar-portal/internal/upload"
	"github.com/smakom/webinar-portal/internal/views"
	"github.com/smakom/webinar-portal/internal/webinar"
	"github.com/smakom/webinar-portal/internal/wish"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// portal is a server on the real embedded MongoDB-wire and S3 servers,
// with one fresh database and bucket per test.
type portal struct {
	t        *testing.T
	srv      *Server
	accounts *account.Service
	webinars *webinar.Service
	objects  *media.Store
	uploads  *upload.Store
	// uploadsDir holds the resumable uploads' descriptions and tails.
	uploadsDir string
	s3         media.Config
	db         *mongo.Database
}

// newPortal runs the server on the embedded test servers; opts adjust its
// dependencies.
func newPortal(t *testing.T, opts ...func(*Deps)) *portal {
	t.Helper()
	return newPortalOn(t, testenv.S3Config(t), opts...)
}

// newPortalOn runs the server on the embedded MongoDB-wire server and the
// S3 server s3 (say, testenv.MinIO). Resumable uploads use the smallest
// parts S3 allows, so a few MiB make several parts.
func newPortalOn(t *testing.T, s3 media.Config, opts ...func(*Deps)) *portal {
	t.Helper()
	ctx := context.Background()
	db := testenv.MongoDB(t)
	objects, err := media.Open(ctx, s3)
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := account.NewService(ctx, db, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	store, err := webinar.NewStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	svc := webinar.NewService(store, objects, subtitle.NewStore(db), webinar.Limits{RecordingBytes: 64 << 20, SlidesBytes: 8 << 20, SubtitleBytes: 5 << 20}, log)
	uploadsDir := t.TempDir()
	uploads, err := upload.NewStore(uploadsDir, upload.Options{Objects: objects, Target: svc, PartSize: media.MinPartSize})
	if err != nil {
		t.Fatal(err)
	}
	deps := Deps{Uploads: uploads, Accounts: accounts, Webinars: svc, Wishes: wish.NewStore(db), Objects: objects,
		Ready: map[string]Pinger{"mongodb": store, "s3": objects}, Logger: log, WishesPerHour: 1000, SessionTTL: time.Hour,
		// As the portal runs: view counts, resume positions, the audit log.
		Views: views.New(db, log), Positions: resume.NewStore(db), Audit: audit.New(db)}
	for _, o := range opts {
		o(&deps)
	}
	srv, err := New(deps)
	if err != nil {
		t.Fatal(err)
	}
	return &portal{t: t, srv: srv, accounts: accounts, webinars: svc, objects: objects, uploads: uploads, uploadsDir: uploadsDir, s3: s3, db: db}
}

// client carries cookies like a browser, or a bearer token like a script.
type client struct {
	p       *portal
	cookies map[string]string
	token   string
}

func (p *portal) anonymous() *client { return &client{p: p, cookies: map[string]string{}} }

// loginAs creates a user with the role and logs in through the form.
func (p *portal) loginAs(role account.Role) *client {
	p.t.Helper()
	email := fmt.Sprintf("%s-%d@kommun.se", role, time.Now().UnixNano())
	if _, err := p.accounts.AddUser(context.Background(), email, role, "ett långt lösenord"); err != nil {
		p.t.Fatal(err)
	}
	c := p.anonymous()
	c.get("/login")
	res := c.postForm("/login", url.Values{"email": {email}, "password": {"ett långt lösenord"}})
	if res.StatusCode != http.StatusSeeOther || c.cookies[sessionCookie] == "" {
		p.t.Fatalf("login as %s: status %d", role, res.StatusCode)
	}
	return c
}

// apiClient is a staff member's API token.
func (p *portal) apiClient() *client {
	p.t.Helper()
	email := fmt.Sprintf("api-%d@smakom.se", time.Now().UnixNano())
	if _, err := p.accounts.AddUser(context.Background(), email, account.RoleStaff, "ett långt lösenord"); err != nil {
		p.t.Fatal(err)
	}
	tok, err := p.accounts.CreateToken(context.Background(), email, "test")
	if err != nil {
		p.t.Fatal(err)
	}
	return &client{p: p, cookies: map[string]string{}, token: tok}
}

type response struct {
	*http.Response
	Body []byte
}

func (r response) text() string { return string(r.Body) }

func (c *client) do(req *http.Request) response {
	c.p.t.Helper()
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := c.p.srv.App().Test(req, -1)
	if err != nil {
		c.p.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	body, err := io.ReadAll(res.Body)
	if err != nil {
		c.p.t.Fatalf("read body: %v", err)
	}
	for _, ck := range res.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	return response{res, body}
}

func (c *client) get(path string, headers ...string) response {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return c.do(req)
}

func (c *client) head(path string, headers ...string) response {
	req := httptest.NewRequest(http.MethodHead, path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return c.do(req)
}

// postForm sends a form with the CSRF token a browser would have.
func (c *client) postForm(path string, form url.Values) response {
	if _, ok := form["_csrf"]; !ok && c.cookies[csrfCookie] != "" {
		form.Set("_csrf", c.cookies[csrfCookie])
	}
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// postFile sends a multipart upload form, _csrf first as browsers do.
func (c *client) postFile(path string, fields map[string]string, filename string, data []byte, withCSRF bool) response {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if withCSRF {
		_ = mw.WriteField("_csrf", c.cookies[csrfCookie])
	}
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", filename)
	_, _ = fw.Write(data)
	_ = mw.Close()
	req := httptest.NewRequest(http.MethodPost, path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

func (c *client) sendJSON(method, path string, body any) response {
	b, _ := json.Marshal(body)
	req := httptest.NewRequest(method, path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	return c.do(req)
}

func (c *client) put(path string, body io.Reader, size int64) response {
	req := httptest.NewRequest(http.MethodPut, path, body)
	req.ContentLength = size
	return c.do(req)
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func expectStatus(t *testing.T, r response, want int) {
	t.Helper()
	if r.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d; body: %.400s", r.Request.Method, r.Request.URL, r.StatusCode, want, r.Body)
	}
}

func expectContains(t *testing.T, r response, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(r.text(), p) {
			t.Errorf("%s %s: body lacks %q; body: %.600s", r.Request.Method, r.Request.URL, p, r.Body)
		}
	}
}

// demoClip is a real MP4 (H.264/AAC, faststart), read at package start
// before the embedded S3 server moves the working directory.
var demoClip = func() []byte {
	b, err := os.ReadFile("../demo/assets/vattenforsorjning.mp4")
	if err != nil {
		panic(err)
	}
	return b
}()

// fakeMP4 is a playable MP4 of at least size bytes: the demo clip padded
// with a top-level "free" box of filler, so probing accepts it and the
// bytes still differ from position to position.
func fakeMP4(size int) []byte {
	if size < len(demoClip)+8 {
		size = len(demoClip) + 8
	}
	b := make([]byte, size)
	copy(b, demoClip)
	pad := b[len(demoClip):]
	binary.BigEndian.PutUint32(pad, uint32(len(pad)))
	copy(pad[4:], "free")
	for i := 8; i < len(pad); i++ {
		pad[i] = byte(i*7 + i/251)
	}
	return b
}

const svSRT = "1\r\n00:00:01,000 --> 00:00:03,500\r\nVälkommen till webbinariet om vattenförsörjning.\r\n\r\n2\r\n00:00:04,000 --> 00:00:06,000\r\nÅtgärder för små kommuner.\r\n"

// createWebinar makes a webinar through the API and returns its slug.
func (c *client) createWebinar(title, visibility string) string {
	c.p.t.Helper()
	r := c.sendJSON(http.MethodPost, "/api/v1/webinars", map[string]any{
		"title": title, "summary": "Sammanfattning", "held_at": "2024-05-06", "visibility": visibility,
		"organiser": "SmåKom", "topics": []string{"Vatten"},
		"speakers": []map[string]string{{"name": "Ulf Thysell", "role": "strateg", "organisation": "Svenskt Vatten"}},
	})
	expectStatus(c.p.t, r, http.StatusCreated)
	var w struct{ Slug string }
	if err := json.Unmarshal(r.Body, &w); err != nil || w.Slug == "" {
		c.p.t.Fatalf("create webinar: %v %s", err, r.Body)
	}
	return w.Slug
}
