package webinar_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smakom/webinar-portal/internal/apperr"
	"github.com/smakom/webinar-portal/internal/media"
	"github.com/smakom/webinar-portal/internal/subtitle"
	"github.com/smakom/webinar-portal/internal/testenv"
	"github.com/smakom/webinar-portal/internal/webinar"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const (
	recordingLimit = 256 << 10
	slidesLimit    = 64 << 10
)

type env struct {
	svc    *webinar.Service
	media  *media.Store
	tracks *subtitle.Store
}

func newEnv(t *testing.T) env {
	t.Helper()
	db := testenv.MongoDB(t)
	store, err := webinar.NewStore(testCtx(t), db)
	if err != nil {
		t.Fatalf("NewStore: %v", err)
	}
	ms := testenv.Media(t)
	tracks := subtitle.NewStore(db)
	svc := webinar.NewService(store, ms, tracks,
		webinar.Limits{RecordingBytes: recordingLimit, SlidesBytes: slidesLimit},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	return env{svc: svc, media: ms, tracks: tracks}
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func ptr[T any](v T) *T { return &v }

func create(t *testing.T, svc *webinar.Service, title string) *webinar.Webinar {
	t.Helper()
	w, err := svc.Create(testCtx(t), webinar.Fields{Title: &title})
	if err != nil {
		t.Fatalf("Create(%q): %v", title, err)
	}
	return w
}

// keys lists the objects under prefix in the test's bucket ("" for all).
func (e env) keys(t *testing.T, prefix string) []string {
	t.Helper()
	keys, err := e.media.Keys(testCtx(t), prefix)
	if err != nil {
		t.Fatalf("list objects: %v", err)
	}
	return keys
}

func wantAppErr(t *testing.T, err error, status int) *apperr.Error {
	t.Helper()
	ae, ok := apperr.As(err)
	if !ok {
		t.Fatalf("error = %v (%T), want *apperr.Error with status %d", err, err, status)
	}
	if ae.Status != status {
		t.Fatalf("status = %d (%v), want %d", ae.Status, err, status)
	}
	return ae
}

// tinyMP4 is the smallest playable recording (64x36, 0.2 s, H.264),
// read at package start: the embedded S3 server moves the working directory.
var tinyMP4 = func() []byte {
	b, err := os.ReadFile("../probe/testdata/tiny.mp4")
	if err != nil {
		panic(err)
	}
	return b
}()

// fakeMP4 is a playable MP4 of n bytes (at least len(tinyMP4)+8): the tiny
// clip followed by a top-level "free" box of fill bytes, which probing
// never reads.
func fakeMP4(n int, fill byte) []byte {
	if n < len(tinyMP4)+8 {
		panic(fmt.Sprintf("fakeMP4(%d): at least %d bytes", n, len(tinyMP4)+8))
	}
	b := append(make([]byte, 0, n), tinyMP4...)
	b = binary.BigEndian.AppendUint32(b, uint32(n-len(tinyMP4)))
	b = append(b, "free"...)
	for len(b) < n {
		b = append(b, fill)
	}
	return b
}

func TestSlugify(t *testing.T) {
	long := strings.Repeat("vattenförsörjning ", 10)
	tests := []struct {
		name, title, want string
	}{
		{"swedish title with dash", "Sveriges nästa potentiella samhällskris – vattenförsörjningen", "sveriges-nasta-potentiella-samhallskris-vattenforsorjningen"},
		{"upper case and digits", "E-tjänster 2024: Vad HÄNDER?", "e-tjanster-2024-vad-hander"},
		{"leading and trailing punctuation", "  »Kompetensförsörjning«!  ", "kompetensforsorjning"},
		{"nordic letters", "Ærø Øresund Straße", "aero-oresund-strasse"},
		{"accents", "Café é ü", "cafe-e-u"},
		{"empty", "", "webbinarium"},
		{"only punctuation", " – !? … ", "webbinarium"},
		{"only non-latin", "Привет 你好", "webbinarium"},
		{"long title", long, strings.TrimSuffix("vattenforsorjning-vattenforsorjning-vattenforsorjning-vattenforsorjning-vattenfo", "-")},
		{"cut lands after a dash", strings.Repeat("a", 79) + " bcd", strings.Repeat("a", 79)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := webinar.Slugify(tt.title)
			if got != tt.want {
				t.Errorf("Slugify(%q) = %q, want %q", tt.title, got, tt.want)
			}
			if len(got) > 80 || strings.HasPrefix(got, "-") || strings.HasSuffix(got, "-") || strings.Contains(got, "--") {
				t.Errorf("Slugify(%q) = %q: longer than 80, or stray dashes", tt.title, got)
			}
		})
	}
}

func TestCreateValidation(t *testing.T) {
	e := newEnv(t)
	ctx := testCtx(t)
	tests := []struct {
		name       string
		f          webinar.Fields
		wantFields []string
	}{
		{"no title", webinar.Fields{Summary: ptr("text")}, []string{"title"}},
		{"blank title", webinar.Fields{Title: ptr("   ")}, []string{"title"}},
		{"title of 201", webinar.Fields{Title: ptr(strings.Repeat("å", 201))}, []string{"title"}},
		{"summary of 501", webinar.Fields{Title: ptr("t"), Summary: ptr(strings.Repeat("s", 501))}, []string{"summary"}},
		{"invalid UTF-8 title", webinar.Fields{Title: ptr("vatten\xff")}, []string{"title"}},
		{"held_at month 13", webinar.Fields{Title: ptr("t"), HeldAt: ptr("2024-13-01")}, []string{"held_at"}},
		{"held_at Swedish order", webinar.Fields{Title: ptr("t"), HeldAt: ptr("06/05/2024")}, []string{"held_at"}},
		{"held_at too early", webinar.Fields{Title: ptr("t"), HeldAt: ptr("1889-01-01")}, []string{"held_at"}},
		{"language xx", webinar.Fields{Title: ptr("t"), Language: ptr("xx")}, []string{"language"}},
		{"language name", webinar.Fields{Title: ptr("t"), Language: ptr("svenska")}, []string{"language"}},
		{"visibility unknown", webinar.Fields{Title: ptr("t"), Visibility: ptr("secret")}, []string{"visibility"}},
		{"visibility label", webinar.Fields{Title: ptr("t"), Visibility: ptr("Publik")}, []string{"visibility"}},
		{"speaker without name", webinar.Fields{Title: ptr("t"), Speakers: &[]webinar.Speaker{{Name: "Anna"}, {Role: "Chef", Organisation: "Kommunen"}}}, []string{"speakers"}},
		{"topic too long", webinar.Fields{Title: ptr("t"), Topics: &[]string{strings.Repeat("t", 61)}}, []string{"topics"}},
		{"negative duration", webinar.Fields{Title: ptr("t"), DurationSeconds: ptr(-1.0)}, []string{"duration_seconds"}},
		{"several", webinar.Fields{Title: ptr(""), Language: ptr("xx"), Visibility: ptr("x")}, []string{"title", "language", "visibility"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := e.svc.Create(ctx, tt.f)
			if err == nil {
				t.Fatalf("Create = %+v, want a validation error", w)
			}
			ae := wantAppErr(t, err, http.StatusUnprocessableEntity)
			for _, f := range tt.wantFields {
				if ae.Fields[f] == "" {
					t.Errorf("no message for %q (fields: %v)", f, ae.Fields)
				}
			}
			if len(ae.Fields) != len(tt.wantFields) {
				t.Errorf("fields %v, want only %v", ae.Fields, tt.wantFields)
			}
		})
	}
	if n, err := e.svc.Store().Count(ctx); err != nil || n != 0 {
		t.Errorf("%d webinars stored after refused creates (err %v), want 0", n, err)
	}
}

func TestCreate(t *testing.T) {
	e := newEnv(t)
	ctx := testCtx(t)
	w, err := e.svc.Create(ctx, webinar.Fields{
		Title:           ptr("  Sveriges nästa potentiella samhällskris – vattenförsörjningen "),
		Speakers:        &[]webinar.Speaker{{Name: " Anna Berg ", Role: "Chef"}, {}, {Name: "Per"}},
		Topics:          &[]string{"Vatten", " Vatten ", "", "Kris", "Vatten"},
		HeldAt:          ptr("2024-05-06"),
		Language:        ptr(" EN "),
		DurationSeconds: ptr(61.5),
	})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"Title", w.Title, "Sveriges nästa potentiella samhällskris – vattenförsörjningen"},
		{"Slug", w.Slug, "sveriges-nasta-potentiella-samhallskris-vattenforsorjningen"},
		{"Topics", strings.Join(w.Topics, "|"), "Vatten|Kris"},
		{"Speakers", len(w.Speakers), 2},
		{"Speaker name trimmed", w.Speakers[0].Name, "Anna Berg"},
		{"HeldAt", w.HeldAt.Format("2006-01-02"), "2024-05-06"},
		{"Language", w.Language, "en"},
		{"Visibility", w.Visibility, webinar.Draft},
		{"PublishedAt unset for a draft", w.PublishedAt == nil, true},
		{"DurationMS", w.DurationMS, int64(61500)},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
			}
		})
	}
	stored, err := e.svc.Store().BySlug(ctx, w.Slug)
	if err != nil {
		t.Fatalf("BySlug: %v", err)
	}
	if stored.ID != w.ID || strings.Join(stored.Topics, "|") != "Vatten|Kris" || stored.Language != "en" {
		t.Errorf("stored webinar = %+v", stored)
	}

	t.Run("defaults", func(t *testing.T) {
		d := create(t, e.svc, "Standard")
		if d.Language != "sv" || d.Visibility != webinar.Draft || d.Speakers == nil || d.Topics == nil {
			t.Errorf("defaults = %+v", d)
		}
	})
	t.Run("public at creation is published", func(t *testing.T) {
		p, err := e.svc.Create(ctx, webinar.Fields{Title: ptr("Publik från start"), Visibility: ptr("public")})
		if err != nil {
			t.Fatal(err)
		}
		if p.PublishedAt == nil || !p.PublishedAt.Equal(p.CreatedAt) {
			t.Errorf("PublishedAt = %v, want the creation time %v", p.PublishedAt, p.CreatedAt)
		}
	})
}

func TestCreateDuplicateTitles(t *testing.T) {
	e := newEnv(t)
	var slugs []string
	for _, title := range []string{"Kris i kommunen", "Kris i kommunen", "KRIS I KOMMUNEN!", "Kris i kommunen"} {
		slugs = append(slugs, create(t, e.svc, title).Slug)
	}
	want := []string{"kris-i-kommunen", "kris-i-kommunen-2", "kris-i-kommunen-3", "kris-i-kommunen-4"}
	if !slices.Equal(slugs, want) {
		t.Errorf("slugs = %v, want %v", slugs, want)
	}
	for _, s := range want {
		if _, err := e.svc.Store().BySlug(testCtx(t), s); err != nil {
			t.Errorf("BySlug(%q): %v", s, err)
		}
	}
}

func TestUpdateConflict(t *testing.T) {
	e := newEnv(t)
	ctx := testCtx(t)
	w := create(t, e.svc, "Första titeln")
	opened := w.UpdatedAt

	first, err := e.svc.Update(ctx, w.Slug, webinar.Fields{Title: ptr("Andra titeln")}, &opened)
	if err != nil {
		t.Fatalf("Update with the current version: %v", err)
	}
	if !first.UpdatedAt.After(opened) {
		t.Errorf("UpdatedAt %v did not move past %v", first.UpdatedAt, opened)
	}
	if first.Slug != w.Slug {
		t.Errorf("slug changed on update: %q → %q", w.Slug, first.Slug)
	}

	_, err = e.svc.Update(ctx, w.Slug, webinar.Fields{Title: ptr("Tredje titeln"), Summary: ptr("ny")}, &opened)
	ae := wantAppErr(t, err, http.StatusConflict)
	if ae.Code != "conflict" {
		t.Errorf("code = %q, want conflict", ae.Code)
	}
	stored, err := e.svc.Store().BySlug(ctx, w.Slug)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Title != "Andra titeln" || stored.Summary != "" || !stored.UpdatedAt.Equal(first.UpdatedAt) {
		t.Errorf("stale update changed the webinar: %+v", stored)
	}

	t.Run("without expected version", func(t *testing.T) {
		got, err := e.svc.Update(ctx, w.Slug, webinar.Fields{Summary: ptr("sammanfattning")}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != "Andra titeln" || got.Summary != "sammanfattning" {
			t.Errorf("Update = %+v", got)
		}
	})
	t.Run("invalid fields change nothing", func(t *testing.T) {
		_, err := e.svc.Update(ctx, w.Slug, webinar.Fields{Title: ptr("Giltig"), Language: ptr("xx")}, nil)
		wantAppErr(t, err, http.StatusUnprocessableEntity)
		got, err := e.svc.Store().BySlug(ctx, w.Slug)
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != "Andra titeln" || got.Language != "sv" {
			t.Errorf("refused update was stored: %+v", got)
		}
	})
	t.Run("unknown slug", func(t *testing.T) {
		_, err := e.svc.Update(ctx, "finns-inte", webinar.Fields{Title: ptr("x")}, nil)
		wantAppErr(t, err, http.StatusNotFound)
	})
}

func TestPublish(t *testing.T) {
	e := newEnv(t)
	ctx := testCtx(t)
	w := create(t, e.svc, "Publicering")

	pub, err := e.svc.Publish(ctx, w.Slug, "")
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if pub.Visibility != webinar.Public || pub.PublishedAt == nil {
		t.Fatalf("after Publish: visibility %s, published %v", pub.Visibility, pub.PublishedAt)
	}
	firstPublished := *pub.PublishedAt

	members, err := e.svc.Publish(ctx, w.Slug, webinar.Members)
	if err != nil {
		t.Fatal(err)
	}
	if members.Visibility != webinar.Members || members.PublishedAt == nil || !members.PublishedAt.Equal(firstPublished) {
		t.Errorf("Publish(members) on a published webinar: visibility %s, published %v (want kept %v)",
			members.Visibility, members.PublishedAt, firstPublished)
	}

	draft, err := e.svc.Unpublish(ctx, w.Slug)
	if err != nil {
		t.Fatalf("Unpublish: %v", err)
	}
	if draft.Visibility != webinar.Draft {
		t.Errorf("after Unpublish: visibility %s", draft.Visibility)
	}
	if _, err := e.svc.Get(ctx, w.Slug, webinar.Viewer{LoggedIn: true}); err == nil {
		t.Error("a member sees an unpublished webinar")
	}

	time.Sleep(5 * time.Millisecond)
	again, err := e.svc.Publish(ctx, w.Slug, webinar.Unlisted)
	if err != nil {
		t.Fatal(err)
	}
	if again.Visibility != webinar.Unlisted || again.PublishedAt == nil || !again.PublishedAt.After(firstPublished) {
		t.Errorf("republish: visibility %s, published %v, want after %v", again.Visibility, again.PublishedAt, firstPublished)
	}
	stored, err := e.svc.Store().BySlug(ctx, w.Slug)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Visibility != webinar.Unlisted || stored.PublishedAt == nil || !stored.PublishedAt.Equal(*again.PublishedAt) {
		t.Errorf("stored: visibility %s, published %v", stored.Visibility, stored.PublishedAt)
	}

	t.Run("unknown visibility", func(t *testing.T) {
		_, err := e.svc.Publish(ctx, w.Slug, webinar.Visibility("world"))
		wantAppErr(t, err, http.StatusUnprocessableEntity)
	})
	t.Run("unknown slug", func(t *testing.T) {
		_, err := e.svc.Publish(ctx, "finns-inte", webinar.Public)
		wantAppErr(t, err, http.StatusNotFound)
	})
}

var (
	anonymous = webinar.Viewer{}
	member    = webinar.Viewer{LoggedIn: true}
	staff     = webinar.Viewer{LoggedIn: true, Staff: true}
)

func TestVisibleTo(t *testing.T) {
	tests := []struct {
		vis                      webinar.Visibility
		anonymous, member, staff bool
	}{
		{webinar.Draft, false, false, true},
		{webinar.Public, true, true, true},
		{webinar.Members, false, true, true},
		{webinar.Unlisted, true, true, true},
		{webinar.Visibility("unknown"), false, false, true},
	}
	for _, tt := range tests {
		for _, v := range []struct {
			name   string
			viewer webinar.Viewer
			want   bool
		}{{"anonymous", anonymous, tt.anonymous}, {"member", member, tt.member}, {"staff", staff, tt.staff}} {
			t.Run(string(tt.vis)+"/"+v.name, func(t *testing.T) {
				w := &webinar.Webinar{Visibility: tt.vis}
				if got := w.VisibleTo(v.viewer); got != v.want {
					t.Errorf("%s webinar VisibleTo(%s) = %v, want %v", tt.vis, v.name, got, v.want)
				}
			})
		}
	}
}

func TestListedFor(t *testing.T) {
	tests := []struct {
		name   string
		viewer webinar.Viewer
		want   []webinar.Visibility
	}{
		{"anonymous", anonymous, []webinar.Visibility{webinar.Public}},
		{"member", member, []webinar.Visibility{webinar.Public, webinar.Members}},
		{"staff", staff, []webinar.Visibility{webinar.Public, webinar.Members}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := webinar.ListedFor(tt.viewer)
			if !slices.Equal(got, tt.want) {
				t.Errorf("ListedFor(%s) = %v, want %v", tt.name, got, tt.want)
			}
			for _, v := range webinar.Visibilities {
				w := &webinar.Webinar{Visibility: v}
				if slices.Contains(got, v) && !w.VisibleTo(tt.viewer) {
					t.Errorf("%s webinars are listed for %s but not visible to them", v, tt.name)
				}
			}
			if slices.Contains(got, webinar.Draft) || slices.Contains(got, webinar.Unlisted) {
				t.Errorf("ListedFor(%s) lists drafts or unlisted webinars: %v", tt.name, got)
			}
		})
	}
}

func TestGetHidesWhatTheViewerMayNotSee(t *testing.T) {
	e := newEnv(t)
	ctx := testCtx(t)
	slugs := map[webinar.Visibility]string{}
	for _, v := range webinar.Visibilities {
		w, err := e.svc.Create(ctx, webinar.Fields{Title: ptr("Synlighet " + string(v)), Visibility: ptr(string(v))})
		if err != nil {
			t.Fatal(err)
		}
		slugs[v] = w.Slug
	}
	for _, v := range webinar.Visibilities {
		for _, viewer := range []struct {
			name string
			v    webinar.Viewer
		}{{"anonymous", anonymous}, {"member", member}, {"staff", staff}} {
			t.Run(string(v)+"/"+viewer.name, func(t *testing.T) {
				w, err := e.svc.Get(ctx, slugs[v], viewer.v)
				want := (&webinar.Webinar{Visibility: v}).VisibleTo(viewer.v)
				if want {
					if err != nil || w.Slug != slugs[v] {
						t.Errorf("Get = %v, %v; want the webinar", w, err)
					}
					return
				}
				wantAppErr(t, err, http.StatusNotFound)
			})
		}
	}
}

// failingReader yields data, then fails with err instead of EOF.
type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func TestReplaceRecording(t *testing.T) {
	withFFmpeg(t, "") // no poster frames among the objects counted
	e := newEnv(t)
	ctx := testCtx(t)
	w := create(t, e.svc, "Inspelning")
	mine := "webinars/" + w.ID + "/"
	// Uploads of a declared size cut off part way go to their own webinar:
	// the embedded S3 server may still commit the truncated body after
	// media.Put has removed the key (see the report on media.Store.Put),
	// and such a leftover must not disturb the object checks below.
	interrupted := create(t, e.svc, "Avbruten inspelning")

	bad := []struct {
		name   string
		body   func() io.Reader
		size   int64
		status int // 0: any error
		// cut: a single PUT of a declared size stopped part way; its
		// object may be left on the server, so only the metadata is checked.
		cut bool
	}{
		{name: "windows executable", body: func() io.Reader { return bytes.NewReader(append([]byte("MZ\x90\x00"), make([]byte, 2000)...)) }, size: 2004, status: http.StatusUnsupportedMediaType},
		{name: "pdf as recording", body: func() io.Reader { return strings.NewReader("%PDF-1.7\n" + strings.Repeat("x", 1000)) }, size: 1009, status: http.StatusUnsupportedMediaType},
		{name: "heic image", body: func() io.Reader { return bytes.NewReader([]byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic")) }, size: 24, status: http.StatusUnsupportedMediaType},
		{name: "empty", body: func() io.Reader { return bytes.NewReader(nil) }, size: 0, status: http.StatusBadRequest},
		{name: "declared size over limit", body: func() io.Reader { return bytes.NewReader(fakeMP4(1000, 'a')) }, size: recordingLimit + 1, status: http.StatusRequestEntityTooLarge},
		{name: "stream over limit, size unknown", body: func() io.Reader { return bytes.NewReader(fakeMP4(recordingLimit+1, 'a')) }, size: -1, status: http.StatusRequestEntityTooLarge},
		{name: "reader fails mid-way, size unknown", body: func() io.Reader {
			return &failingReader{data: fakeMP4(40000, 'c'), err: errors.New("client stopped sending")}
		}, size: -1},
		{name: "client goes away mid-way, size unknown", body: func() io.Reader {
			// A multipart form part reports a dropped connection this way.
			return &failingReader{data: fakeMP4(40000, 'e'), err: io.ErrUnexpectedEOF}
		}, size: -1, status: http.StatusBadRequest},
		{name: "stream ends before declared size", body: func() io.Reader { return bytes.NewReader(fakeMP4(40000, 'a')) }, size: 50000, status: http.StatusBadRequest, cut: true},
		{name: "client goes away mid-way, size known", body: func() io.Reader {
			return &failingReader{data: fakeMP4(40000, 'b'), err: io.ErrUnexpectedEOF}
		}, size: 80000, status: http.StatusBadRequest, cut: true},
		{name: "reader fails mid-way, size known", body: func() io.Reader {
			return &failingReader{data: fakeMP4(40000, 'd'), err: errors.New("client stopped sending")}
		}, size: 80000, cut: true},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			target := w
			if tt.cut {
				target = interrupted
			}
			got, err := e.svc.ReplaceRecording(ctx, target.Slug, tt.body(), tt.size, 5000)
			if err == nil {
				t.Fatalf("ReplaceRecording = %+v, want an error", got.Recording)
			}
			if tt.status != 0 {
				ae := wantAppErr(t, err, tt.status)
				if tt.status == http.StatusRequestEntityTooLarge && !errors.Is(err, webinar.ErrTooLarge) {
					t.Errorf("413 error %v does not wrap ErrTooLarge", err)
				}
				if ae.Message == "" {
					t.Error("no message for the user")
				}
			} else if ae, ok := apperr.As(err); ok && ae.Status < 400 {
				t.Errorf("status %d for a failed upload", ae.Status)
			}
			if !tt.cut {
				if keys := e.keys(t, mine); len(keys) != 0 {
					t.Errorf("objects left after a refused upload: %v", keys)
				}
			}
			stored, err := e.svc.Store().BySlug(ctx, target.Slug)
			if err != nil {
				t.Fatal(err)
			}
			if stored.Recording != nil || stored.DurationMS != 0 || !stored.UpdatedAt.Equal(target.UpdatedAt) {
				t.Errorf("refused upload changed the metadata: recording %+v, duration %d, updated %v (was %v)",
					stored.Recording, stored.DurationMS, stored.UpdatedAt, target.UpdatedAt)
			}
		})
	}

	first := fakeMP4(50000, '1')
	w1, err := e.svc.ReplaceRecording(ctx, w.Slug, bytes.NewReader(first), int64(len(first)), 61000)
	if err != nil {
		t.Fatalf("first ReplaceRecording: %v", err)
	}
	if w1.Recording == nil || w1.Recording.Size != int64(len(first)) || w1.Recording.ContentType != "video/mp4" ||
		w1.Recording.SHA256 == "" || w1.DurationMS != 61000 {
		t.Fatalf("after first upload: recording %+v, duration %d", w1.Recording, w1.DurationMS)
	}
	if keys := e.keys(t, mine); !slices.Equal(keys, []string{w1.Recording.Key}) {
		t.Fatalf("objects = %v, want only %s", keys, w1.Recording.Key)
	}
	if !strings.HasPrefix(w1.Recording.Key, "webinars/"+w.ID+"/") {
		t.Errorf("key %q is not under the webinar's id", w1.Recording.Key)
	}

	t.Run("refused replacement keeps the old recording", func(t *testing.T) {
		_, err := e.svc.ReplaceRecording(ctx, w.Slug, strings.NewReader("MZ not a video at all"), 21, 0)
		wantAppErr(t, err, http.StatusUnsupportedMediaType)
		if keys := e.keys(t, mine); !slices.Equal(keys, []string{w1.Recording.Key}) {
			t.Errorf("objects = %v, want the first recording %s", keys, w1.Recording.Key)
		}
		stored, err := e.svc.Store().BySlug(ctx, w.Slug)
		if err != nil {
			t.Fatal(err)
		}
		if stored.Recording == nil || stored.Recording.Key != w1.Recording.Key {
			t.Errorf("stored recording = %+v, want %s", stored.Recording, w1.Recording.Key)
		}
	})

	second := fakeMP4(70000, '2')
	w2, err := e.svc.ReplaceRecording(ctx, w.Slug, bytes.NewReader(second), -1, 0)
	if err != nil {
		t.Fatalf("second ReplaceRecording (size unknown): %v", err)
	}
	if w2.Recording.Key == w1.Recording.Key || w2.Recording.Size != int64(len(second)) {
		t.Errorf("second recording = %+v", w2.Recording)
	}
	if w2.DurationMS != 200 || w2.Recording.DurationMS != 200 {
		t.Errorf("upload without a duration: webinar %d ms, recording %d ms; want the probed 200 ms of the new file",
			w2.DurationMS, w2.Recording.DurationMS)
	}
	if keys := e.keys(t, mine); !slices.Equal(keys, []string{w2.Recording.Key}) {
		t.Errorf("objects after replace = %v, want exactly the new %s", keys, w2.Recording.Key)
	}
	body, err := e.media.Get(ctx, w2.Recording.Key, 0, -1)
	if err != nil {
		t.Fatalf("read the new recording: %v", err)
	}
	defer body.Close()
	got, err := io.ReadAll(body)
	if err != nil || !bytes.Equal(got, second) {
		t.Errorf("stored recording differs from the upload (%d bytes, %v)", len(got), err)
	}

	t.Run("exactly at the limit", func(t *testing.T) {
		for _, size := range []int64{recordingLimit, -1} {
			full := fakeMP4(recordingLimit, 'L')
			got, err := e.svc.ReplaceRecording(ctx, w.Slug, bytes.NewReader(full), size, 0)
			if err != nil {
				t.Fatalf("ReplaceRecording of exactly %d bytes (size %d): %v", recordingLimit, size, err)
			}
			if got.Recording.Size != recordingLimit {
				t.Errorf("stored size %d, want %d", got.Recording.Size, recordingLimit)
			}
			if keys := e.keys(t, mine); !slices.Equal(keys, []string{got.Recording.Key}) {
				t.Errorf("objects = %v, want only %s", keys, got.Recording.Key)
			}
		}
	})

	t.Run("unknown slug", func(t *testing.T) {
		_, err := e.svc.ReplaceRecording(ctx, "finns-inte", bytes.NewReader(first), int64(len(first)), 0)
		wantAppErr(t, err, http.StatusNotFound)
		if keys := e.keys(t, mine); len(keys) != 1 {
			t.Errorf("objects = %v, want only the current recording", keys)
		}
	})
}

func TestSlides(t *testing.T) {
	e := newEnv(t)
	ctx := testCtx(t)
	w := create(t, e.svc, "Presentationer")
	pdf := []byte("%PDF-1.7\n" + strings.Repeat("%", 3000) + "\n%%EOF\n")

	got, err := e.svc.AddSlides(ctx, w.Slug, `C:\Users\anna\Bilder "final".pdf`, bytes.NewReader(pdf), int64(len(pdf)))
	if err != nil {
		t.Fatalf("AddSlides: %v", err)
	}
	got, err = e.svc.AddSlides(ctx, w.Slug, "../../etc/andra", bytes.NewReader(pdf), -1)
	if err != nil {
		t.Fatalf("second AddSlides: %v", err)
	}
	if len(got.Slides) != 2 {
		t.Fatalf("%d slide decks, want 2", len(got.Slides))
	}
	names := []string{got.Slides[0].Filename, got.Slides[1].Filename}
	if !slices.Equal(names, []string{"Bilder final.pdf", "andra.pdf"}) {
		t.Errorf("file names = %q, want cleaned base names with .pdf", names)
	}
	for _, d := range got.Slides {
		if !d.IsPDF() || d.Size != int64(len(pdf)) {
			t.Errorf("deck %+v", d)
		}
	}
	keys := e.keys(t, "")
	if len(keys) != 2 {
		t.Fatalf("objects = %v, want 2", keys)
	}

	bad := []struct {
		name   string
		data   []byte
		size   int64
		status int
	}{
		{"video as slides", fakeMP4(2000, 'v'), 2000, http.StatusUnsupportedMediaType},
		{"over the slides limit", append([]byte("%PDF-1.7\n"), make([]byte, slidesLimit)...), -1, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.AddSlides(ctx, w.Slug, "x.pdf", bytes.NewReader(tt.data), tt.size)
			wantAppErr(t, err, tt.status)
			if n := len(e.keys(t, "")); n != 2 {
				t.Errorf("%d objects, want the 2 decks", n)
			}
		})
	}

	t.Run("remove unknown deck", func(t *testing.T) {
		for _, n := range []int{0, 3, -1} {
			_, err := e.svc.RemoveSlides(ctx, w.Slug, n)
			wantAppErr(t, err, http.StatusNotFound)
		}
	})

	removed, err := e.svc.RemoveSlides(ctx, w.Slug, 1)
	if err != nil {
		t.Fatalf("RemoveSlides: %v", err)
	}
	if len(removed.Slides) != 1 || removed.Slides[0].Filename != "andra.pdf" {
		t.Errorf("slides after removing the first: %+v", removed.Slides)
	}
	if left := e.keys(t, ""); !slices.Equal(left, []string{removed.Slides[0].Key}) {
		t.Errorf("objects = %v, want only %s", left, removed.Slides[0].Key)
	}
	stored, err := e.svc.Store().BySlug(ctx, w.Slug)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored.Slides) != 1 {
		t.Errorf("stored slides = %+v", stored.Slides)
	}
}

// parseMessage is the Swedish message subtitle.Parse gives for data; the
// service must pass it on so the uploader learns what is wrong.
func parseMessage(t *testing.T, data string) string {
	t.Helper()
	_, _, err := subtitle.Parse([]byte(data), "")
	var pe *subtitle.ParseError
	if !errors.As(err, &pe) || pe.Msg == "" {
		t.Fatalf("subtitle.Parse(%q) = %v, want a *subtitle.ParseError", data, err)
	}
	return pe.Msg
}

const srt = "1\r\n00:00:01,000 --> 00:00:02,500\r\nHej och välkomna.\r\n\r\n" +
	"2\r\n00:00:03,000 --> 00:00:05,000\r\nVi börjar med <i>vattnet</i>.\r\n"

func TestSetSubtitles(t *testing.T) {
	e := newEnv(t)
	ctx := testCtx(t)
	w := create(t, e.svc, "Undertexter")

	got, n, err := e.svc.SetSubtitles(ctx, w.Slug, webinar.SubtitleInput{Lang: "SV", Filename: "vatten.srt", Data: []byte(srt)})
	if err != nil {
		t.Fatalf("SetSubtitles: %v", err)
	}
	if n != 2 {
		t.Errorf("cue count = %d, want 2", n)
	}
	tr, ok := got.Track("sv")
	if !ok || tr.Cues != 2 || tr.Kind != "subtitles" || tr.Label != "Svenska" {
		t.Errorf("track = %+v, %v", tr, ok)
	}
	cues, err := e.svc.Cues(ctx, got, "sv")
	if err != nil {
		t.Fatalf("Cues: %v", err)
	}
	if len(cues) != 2 || cues[0].Start != time.Second || cues[1].End != 5*time.Second || cues[1].Text != "Vi börjar med vattnet." {
		t.Errorf("cues = %+v", cues)
	}

	t.Run("replace keeps one track per language", func(t *testing.T) {
		one := "1\n00:00:01,000 --> 00:00:02,000\nBara en.\n"
		got, n, err := e.svc.SetSubtitles(ctx, w.Slug, webinar.SubtitleInput{Lang: "sv", Kind: "captions", Data: []byte(one)})
		if err != nil {
			t.Fatal(err)
		}
		if n != 1 || len(got.Subtitles) != 1 || got.Subtitles[0].Cues != 1 || got.Subtitles[0].Kind != "captions" {
			t.Errorf("after replacing: %d cues, tracks %+v", n, got.Subtitles)
		}
	})

	bad := []struct {
		name   string
		in     webinar.SubtitleInput
		status int
		msg    string
	}{
		{"unknown language", webinar.SubtitleInput{Lang: "xx", Data: []byte(srt)}, http.StatusBadRequest, "xx"},
		{"language name", webinar.SubtitleInput{Lang: "svenska", Data: []byte(srt)}, http.StatusBadRequest, "svenska"},
		{"unknown kind", webinar.SubtitleInput{Lang: "en", Kind: "chapters", Data: []byte(srt)}, http.StatusBadRequest, ""},
		{"empty file", webinar.SubtitleInput{Lang: "en"}, http.StatusBadRequest, ""},
		{"garbage", webinar.SubtitleInput{Lang: "en", Filename: "x.srt", Data: []byte("this is not a subtitle file\x00\x01")}, http.StatusBadRequest, parseMessage(t, "this is not a subtitle file\x00\x01")},
		{"bad timing", webinar.SubtitleInput{Lang: "en", Data: []byte("1\n00:00:05,000 --> 00:00:01,000\nBakåt.\n")}, http.StatusBadRequest, parseMessage(t, "1\n00:00:05,000 --> 00:00:01,000\nBakåt.\n")},
		{"too large", webinar.SubtitleInput{Lang: "en", Data: make([]byte, subtitle.MaxBytes+1)}, http.StatusRequestEntityTooLarge, ""},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := e.svc.SetSubtitles(ctx, w.Slug, tt.in)
			ae := wantAppErr(t, err, tt.status)
			if ae.Message == "" || !strings.Contains(ae.Message, tt.msg) {
				t.Errorf("message %q, want it to contain %q", ae.Message, tt.msg)
			}
			if _, err := e.tracks.Get(ctx, w.ID, "en"); !errors.Is(err, subtitle.ErrNotFound) {
				t.Errorf("a refused file was stored: %v", err)
			}
		})
	}

	t.Run("unknown slug", func(t *testing.T) {
		_, _, err := e.svc.SetSubtitles(ctx, "finns-inte", webinar.SubtitleInput{Lang: "sv", Data: []byte(srt)})
		wantAppErr(t, err, http.StatusNotFound)
	})
	t.Run("remove", func(t *testing.T) {
		got, err := e.svc.RemoveSubtitles(ctx, w.Slug, "sv")
		if err != nil {
			t.Fatal(err)
		}
		if got.HasSubtitles() {
			t.Errorf("tracks after removal: %+v", got.Subtitles)
		}
		_, err = e.svc.Cues(ctx, got, "sv")
		wantAppErr(t, err, http.StatusNotFound)
		_, err = e.svc.RemoveSubtitles(ctx, w.Slug, "sv")
		wantAppErr(t, err, http.StatusNotFound)
	})
}

func TestDelete(t *testing.T) {
	withFFmpeg(t, "") // no poster frames among the objects counted
	e := newEnv(t)
	ctx := testCtx(t)
	w := create(t, e.svc, "Ska bort")
	keep := create(t, e.svc, "Ska vara kvar")

	video := fakeMP4(30000, 'v')
	if _, err := e.svc.ReplaceRecording(ctx, w.Slug, bytes.NewReader(video), int64(len(video)), 0); err != nil {
		t.Fatal(err)
	}
	pdf := []byte("%PDF-1.4\n%%EOF\n")
	if _, err := e.svc.AddSlides(ctx, w.Slug, "bilder.pdf", bytes.NewReader(pdf), int64(len(pdf))); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"sv", "en"} {
		if _, _, err := e.svc.SetSubtitles(ctx, w.Slug, webinar.SubtitleInput{Lang: lang, Data: []byte(srt)}); err != nil {
			t.Fatal(err)
		}
	}
	keptVideo, err := e.svc.ReplaceRecording(ctx, keep.Slug, bytes.NewReader(video), int64(len(video)), 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.SetSubtitles(ctx, keep.Slug, webinar.SubtitleInput{Lang: "sv", Data: []byte(srt)}); err != nil {
		t.Fatal(err)
	}
	if n := len(e.keys(t, "")); n != 3 {
		t.Fatalf("%d objects before delete, want 3", n)
	}

	if err := e.svc.Delete(ctx, w.Slug); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := e.svc.Store().BySlug(ctx, w.Slug); !errors.Is(err, webinar.ErrNotFound) {
		t.Errorf("BySlug after Delete = %v, want ErrNotFound", err)
	}
	for _, lang := range []string{"sv", "en"} {
		if _, err := e.tracks.Get(ctx, w.ID, lang); !errors.Is(err, subtitle.ErrNotFound) {
			t.Errorf("%s track after Delete: %v, want ErrNotFound", lang, err)
		}
	}
	if keys := e.keys(t, ""); !slices.Equal(keys, []string{keptVideo.Recording.Key}) {
		t.Errorf("objects after Delete = %v, want only the other webinar's %s", keys, keptVideo.Recording.Key)
	}
	if _, err := e.tracks.Get(ctx, keep.ID, "sv"); err != nil {
		t.Errorf("the other webinar's track went too: %v", err)
	}
	if _, err := e.svc.Store().BySlug(ctx, keep.Slug); err != nil {
		t.Errorf("the other webinar went too: %v", err)
	}

	err = e.svc.Delete(ctx, w.Slug)
	wantAppErr(t, err, http.StatusNotFound)
}

func TestHumanBytes(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 byte"},
		{1023, "1023 byte"},
		{1024, "1 KB"},
		{1536, "1,5 KB"},
		{4 << 30, "4 GB"},
		{3 << 29, "1,5 GB"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := webinar.HumanBytes(tt.n); got != tt.want {
				t.Errorf("HumanBytes(%d) = %q, want %q", tt.n, got, tt.want)
			}
		})
	}
}
