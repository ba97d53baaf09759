package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smakom/webinar-portal/internal/account"
	"github.com/smakom/webinar-portal/internal/media"
	"github.com/smakom/webinar-portal/internal/testenv"
)

// countingLocalFiles counts the reads the embedded S3 server's folder served.
type countingLocalFiles struct {
	LocalFiles
	served atomic.Int64
}

func (c *countingLocalFiles) Open(key string, size, offset, length int64) (*media.FileRange, error) {
	fr, err := c.LocalFiles.Open(key, size, offset, length)
	if err == nil {
		c.served.Add(1)
	}
	return fr, err
}

// countingRanges counts the reads spliced from a plain-HTTP S3 server.
type countingRanges struct {
	*media.RangeProxy
	served atomic.Int64
}

func (c *countingRanges) Get(ctx context.Context, key string, offset, length int64) (*media.ProxiedRange, error) {
	r, err := c.RangeProxy.Get(ctx, key, offset, length)
	if err == nil {
		c.served.Add(1)
	}
	return r, err
}

// TestRecordingRoundTripAndRanges streams through S3 with minio-go, from
// the embedded server's files (the default), and spliced from MinIO (as
// with an external server).
func TestRecordingRoundTripAndRanges(t *testing.T) {
	t.Run("through S3", func(t *testing.T) {
		testRecordingRoundTripAndRanges(t, newPortal(t))
	})
	t.Run("local files", func(t *testing.T) {
		counter := &countingLocalFiles{}
		p := newPortal(t, func(d *Deps) { d.LocalFiles = counter })
		lf, err := media.NewLocalFiles(testenv.Servers(t).ObjectsDir, p.s3.Bucket)
		if err != nil {
			t.Fatal(err)
		}
		counter.LocalFiles = lf
		testRecordingRoundTripAndRanges(t, p)
		if counter.served.Load() < 8 {
			t.Errorf("only %d reads came from local files", counter.served.Load())
		}
	})
	t.Run("spliced from MinIO", func(t *testing.T) {
		s3 := testenv.MinIO(t)
		proxy, err := media.NewRangeProxy(s3)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(proxy.Close)
		counter := &countingRanges{RangeProxy: proxy}
		testRecordingRoundTripAndRanges(t, newPortalOn(t, s3, func(d *Deps) { d.Ranges = counter }))
		if counter.served.Load() < 8 {
			t.Errorf("only %d reads were spliced", counter.served.Load())
		}
	})
}

// testRecordingRoundTripAndRanges uploads a recording and reads it back,
// whole and in ranges.
func testRecordingRoundTripAndRanges(t *testing.T, p *portal) {
	api := p.apiClient()
	slug := api.createWebinar("Rundresa", "public")
	data := fakeMP4(5<<20 + 123) // larger than the in-memory body limit: streamed
	r := api.put("/api/v1/webinars/"+slug+"/recording", bytes.NewReader(data), int64(len(data)))
	expectStatus(t, r, http.StatusOK)
	expectContains(t, r, sha(data), `"size":`+strconv.Itoa(len(data)))

	anon := p.anonymous()
	path := "/webinars/" + slug + "/recording"
	whole := anon.get(path)
	expectStatus(t, whole, http.StatusOK)
	if sha(whole.Body) != sha(data) || whole.Header.Get("Content-Length") != strconv.Itoa(len(data)) {
		t.Fatalf("whole body differs: %d bytes, Content-Length %s", len(whole.Body), whole.Header.Get("Content-Length"))
	}
	if whole.Header.Get("Content-Type") != "video/mp4" || whole.Header.Get("Accept-Ranges") != "bytes" {
		t.Errorf("headers: %v", whole.Header)
	}
	etag, lastMod := whole.Header.Get("ETag"), whole.Header.Get("Last-Modified")
	if etag == "" || lastMod == "" {
		t.Fatal("no ETag or Last-Modified")
	}
	size := int64(len(data))
	for _, tc := range []struct {
		header     string
		start, end int64
	}{
		{"bytes=0-0", 0, 0},
		{"bytes=1000-204799", 1000, 204799},
		{fmt.Sprintf("bytes=%d-", size-777), size - 777, size - 1},
		{"bytes=-500", size - 500, size - 1},
		{fmt.Sprintf("bytes=%d-%d", size-10, size+1000), size - 10, size - 1},
	} {
		t.Run(tc.header, func(t *testing.T) {
			r := anon.get(path, "Range", tc.header)
			expectStatus(t, r, http.StatusPartialContent)
			want := data[tc.start : tc.end+1]
			if !bytes.Equal(r.Body, want) {
				t.Fatalf("range body differs (%d bytes, want %d)", len(r.Body), len(want))
			}
			if got := r.Header.Get("Content-Range"); got != fmt.Sprintf("bytes %d-%d/%d", tc.start, tc.end, size) {
				t.Errorf("Content-Range %q", got)
			}
			if r.Header.Get("Content-Length") != strconv.Itoa(len(want)) {
				t.Errorf("Content-Length %q", r.Header.Get("Content-Length"))
			}
		})
	}
	t.Run("unsatisfiable", func(t *testing.T) {
		r := anon.get(path, "Range", fmt.Sprintf("bytes=%d-", size))
		expectStatus(t, r, http.StatusRequestedRangeNotSatisfiable)
		if got := r.Header.Get("Content-Range"); got != fmt.Sprintf("bytes */%d", size) {
			t.Errorf("Content-Range %q", got)
		}
	})
	t.Run("invalid range ignored", func(t *testing.T) {
		r := anon.get(path, "Range", "bytes=abc")
		expectStatus(t, r, http.StatusOK)
		if len(r.Body) != len(data) {
			t.Errorf("got %d bytes", len(r.Body))
		}
	})
	t.Run("several ranges answered whole", func(t *testing.T) {
		r := anon.get(path, "Range", "bytes=0-1,5-9")
		expectStatus(t, r, http.StatusOK)
		if sha(r.Body) != sha(data) {
			t.Error("multi-range answer is not the whole body")
		}
	})
	t.Run("If-Range", func(t *testing.T) {
		expectStatus(t, anon.get(path, "Range", "bytes=0-9", "If-Range", etag), http.StatusPartialContent)
		r := anon.get(path, "Range", "bytes=0-9", "If-Range", `"another"`)
		expectStatus(t, r, http.StatusOK)
		if len(r.Body) != len(data) {
			t.Error("a stale If-Range must give the whole body")
		}
	})
	t.Run("conditional", func(t *testing.T) {
		expectStatus(t, anon.get(path, "If-None-Match", etag), http.StatusNotModified)
		expectStatus(t, anon.get(path, "If-Modified-Since", lastMod), http.StatusNotModified)
		expectStatus(t, anon.get(path, "If-None-Match", `"x"`), http.StatusOK)
	})
	t.Run("HEAD", func(t *testing.T) {
		r := anon.head(path)
		expectStatus(t, r, http.StatusOK)
		if len(r.Body) != 0 || r.Header.Get("Content-Length") != strconv.Itoa(len(data)) {
			t.Errorf("HEAD: %d body bytes, Content-Length %q", len(r.Body), r.Header.Get("Content-Length"))
		}
		r = anon.head(path, "Range", "bytes=10-19")
		expectStatus(t, r, http.StatusPartialContent)
		if r.Header.Get("Content-Length") != "10" {
			t.Errorf("HEAD range Content-Length %q", r.Header.Get("Content-Length"))
		}
	})
}

func TestReplaceRecordingDeletesOldObject(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	slug := api.createWebinar("Byt inspelning", "public")
	first, second := fakeMP4(300000), fakeMP4(400000)
	expectStatus(t, api.put("/api/v1/webinars/"+slug+"/recording", bytes.NewReader(first), int64(len(first))), http.StatusOK)
	expectStatus(t, api.put("/api/v1/webinars/"+slug+"/recording", bytes.NewReader(second), int64(len(second))), http.StatusOK)
	keys, err := p.objects.Keys(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	// A poster frame may be made when ffmpeg is present; count recordings.
	var recordings []string
	for _, k := range keys {
		if strings.Contains(k, "/recording-") {
			recordings = append(recordings, k)
		}
	}
	if len(recordings) != 1 {
		t.Fatalf("recordings after replace: %v", recordings)
	}
	if got := p.anonymous().get("/webinars/" + slug + "/recording"); sha(got.Body) != sha(second) {
		t.Error("the new recording is not served")
	}
}

// failingReader sends some bytes, then breaks like a dropped connection.
type failingReader struct{ n int }

func (f *failingReader) Read(b []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("connection reset")
	}
	n := min(len(b), f.n)
	copy(b, fakeMP4(n))
	f.n -= n
	return n, nil
}

func TestBadUploadsChangeNothing(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	slug := api.createWebinar("Felaktiga filer", "public")
	exe := append([]byte("MZ\x90\x00"), bytes.Repeat([]byte{0}, 1000)...)
	cases := []struct {
		name   string
		path   string
		body   []byte
		status int
		msg    string
	}{
		{"exe renamed mp4", "/recording", exe, http.StatusUnsupportedMediaType, "MP4"},
		{"empty recording", "/recording", nil, http.StatusBadRequest, "tom"},
		{"too large", "/recording", fakeMP4(64<<20 + 1), http.StatusRequestEntityTooLarge, "för stor"},
		{"slides not pdf", "/slides?filename=a.pdf", []byte("hello"), http.StatusUnsupportedMediaType, "PDF"},
		{"empty subtitles", "/subtitles/sv", nil, http.StatusBadRequest, "tom"},
		{"garbage subtitles", "/subtitles/sv", []byte("this is not a subtitle file"), http.StatusBadRequest, "undertextfilen"},
		{"unknown language", "/subtitles/xx", []byte(svSRT), http.StatusBadRequest, "språkkod"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := api.put("/api/v1/webinars/"+slug+tc.path, bytes.NewReader(tc.body), int64(len(tc.body)))
			expectStatus(t, r, tc.status)
			expectContains(t, r, `"error"`, tc.msg)
		})
	}
	t.Run("dropped connection", func(t *testing.T) {
		r := api.put("/api/v1/webinars/"+slug+"/recording", io.LimitReader(&failingReader{n: 300000}, 300000), 1<<20)
		if r.StatusCode < 400 || r.StatusCode >= 500 {
			t.Errorf("dropped upload: status %d", r.StatusCode)
		}
	})
	t.Run("unknown slug", func(t *testing.T) {
		data := fakeMP4(100)
		expectStatus(t, api.put("/api/v1/webinars/finns-inte/recording", bytes.NewReader(data), 100), http.StatusNotFound)
	})
	// The S3 server may still be writing the dropped body when the
	// portal deletes it; the portal deletes it once more 2 s later.
	keys := p.objectsAfterCleanup(t)
	if len(keys) != 0 {
		t.Errorf("bad uploads left objects behind: %v", keys)
	}
	r := api.get("/api/v1/webinars/" + slug)
	expectStatus(t, r, http.StatusOK)
	if strings.Contains(r.text(), `"recording"`) || strings.Contains(r.text(), `"filename"`) || strings.Contains(r.text(), `"lang"`) {
		t.Errorf("bad uploads changed the webinar: %s", r.Body)
	}
}

func TestStaffFormUploads(t *testing.T) {
	p := newPortal(t)
	staff := p.loginAs(account.RoleStaff)
	staff.get("/staff")
	r := staff.postForm("/staff/webinars", map[string][]string{"title": {"Formulärwebbinarium"}, "held_at": {"2024-05-06"},
		"language": {"sv"}, "visibility": {"public"}, "topics": {"Vatten, Krisberedskap"},
		"speaker_name": {"Ulf Thysell", ""}, "speaker_role": {"strateg", ""}, "speaker_organisation": {"Svenskt Vatten", ""}})
	expectStatus(t, r, http.StatusSeeOther)
	slug := "formularwebbinarium"
	if r.Header.Get("Location") != "/staff/webinars/"+slug+"/edit" {
		t.Fatalf("created at %q", r.Header.Get("Location"))
	}
	video := fakeMP4(300000)
	r = staff.postFile("/staff/webinars/"+slug+"/recording", nil, "film.mp4", video, true)
	expectStatus(t, r, http.StatusSeeOther)
	r = staff.postFile("/staff/webinars/"+slug+"/slides", nil, "Bilder åäö.pdf", []byte("%PDF-1.4\n%%EOF\n"), true)
	expectStatus(t, r, http.StatusSeeOther)
	r = staff.postFile("/staff/webinars/"+slug+"/subtitles", map[string]string{"lang": "sv", "kind": "captions"}, "sv.srt", []byte(svSRT), true)
	expectStatus(t, r, http.StatusSeeOther)
	r = staff.postFile("/staff/webinars/"+slug+"/subtitles", map[string]string{"lang": "sv"}, "sv.srt", []byte("nonsense"), true)
	expectStatus(t, r, http.StatusBadRequest)
	expectContains(t, r, `lang="sv"`, "Fel i undertextfilen")

	edit := staff.get("/staff/webinars/" + slug + "/edit")
	expectStatus(t, edit, http.StatusOK)
	expectContains(t, edit, "Bilder åäö.pdf", "SHA-256", sha(video), "Ulf Thysell", "Krisberedskap")
	anon := p.anonymous()
	if got := anon.get("/webinars/" + slug + "/recording"); sha(got.Body) != sha(video) {
		t.Error("form-uploaded recording differs")
	}
	slides := anon.get("/webinars/" + slug + "/slides/1")
	expectStatus(t, slides, http.StatusOK)
	if slides.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(slides.Header.Get("Content-Disposition"), "inline") {
		t.Errorf("slides headers %v", slides.Header)
	}
	dl := anon.get("/webinars/" + slug + "/slides/1?download=1")
	if !strings.HasPrefix(dl.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("download disposition %q", dl.Header.Get("Content-Disposition"))
	}
	expectStatus(t, anon.get("/webinars/"+slug+"/slides/2"), http.StatusNotFound)
	expectContains(t, anon.get("/webinars/"+slug), `kind="captions"`, "Textad"[:0])

	// Removing a subtitle track removes it from the page and the track URL.
	expectStatus(t, anon.get("/webinars/"+slug+"/subtitles/sv.vtt"), http.StatusOK)
	expectStatus(t, staff.postForm("/staff/webinars/"+slug+"/subtitles/sv/delete", map[string][]string{}), http.StatusSeeOther)
	expectStatus(t, anon.get("/webinars/"+slug+"/subtitles/sv.vtt"), http.StatusNotFound)
	if strings.Contains(anon.get("/webinars/"+slug).text(), "<track") {
		t.Error("removed subtitle track still on the watch page")
	}

	// Delete: confirmation page, then everything is gone.
	expectContains(t, staff.get("/staff/webinars/"+slug+"/delete"), "Ja, ta bort")
	expectStatus(t, staff.postForm("/staff/webinars/"+slug+"/delete", map[string][]string{}), http.StatusSeeOther)
	expectStatus(t, anon.get("/webinars/"+slug), http.StatusNotFound)
	keys, _ := p.objects.Keys(context.Background(), "")
	if len(keys) != 0 {
		t.Errorf("objects left after delete: %v", keys)
	}
}

// objectsAfterCleanup lists the bucket's objects once the portal's second
// round of deletes after failed uploads (media.ReabortAfter) has passed,
// returning early when the bucket is empty.
func (p *portal) objectsAfterCleanup(t *testing.T) []string {
	t.Helper()
	deadline := time.Now().Add(media.ReabortAfter + 3*time.Second)
	for {
		keys, err := p.objects.Keys(context.Background(), "")
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) == 0 || time.Now().After(deadline) {
			return keys
		}
		time.Sleep(100 * time.Millisecond)
	}
}
