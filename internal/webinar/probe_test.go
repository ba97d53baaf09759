package webinar_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smakom/webinar-portal/internal/probe"
	"github.com/smakom/webinar-portal/internal/webinar"
)

// Recording fixtures: the bundled demo clips and the probe package's.
const (
	demoClip  = "demo/assets/vattenforsorjning.mp4" // 480x270, 14 s, H.264 + AAC, faststart
	demoJPEG  = "demo/assets/vattenforsorjning.jpg"
	moovAtEnd = "probe/testdata/moov-at-end.mp4" // 320x180, 3 s, index after the media data
	vp9WebM   = "probe/testdata/vp9-opus.webm"   // 320x180, 2.541 s
	audioOnly = "probe/testdata/audio-only.mp4"
)

// internalDir is resolved when the test binary starts: the embedded S3
// server changes the working directory of the process when it starts.
var internalDir = func() string {
	dir, err := filepath.Abs("..")
	if err != nil {
		panic(err)
	}
	return dir
}()

// fixture reads a file under internal/.
func fixture(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(internalDir, path))
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return b
}

// withFFmpeg makes the service see ffmpeg at path ("" for not installed)
// until the test ends. The tests of this package never run in parallel.
func withFFmpeg(t *testing.T, path string) {
	t.Helper()
	saved := webinar.LookFFmpeg
	webinar.LookFFmpeg = func() string { return path }
	t.Cleanup(func() { webinar.LookFFmpeg = saved })
}

// requireFFmpeg returns ffmpeg's path, failing (never skipping) without it.
func requireFFmpeg(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Fatalf("this test needs ffmpeg on PATH: install it with `apt-get install -y ffmpeg` (make test-deps does): %v", err)
	}
	return path
}

// emptyTempDir points os.TempDir at a fresh directory and checks at the
// end of the test that nothing was left in it.
func emptyTempDir(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	t.Cleanup(func() {
		if left, _ := os.ReadDir(dir); len(left) > 0 {
			t.Errorf("temporary files left behind: %v", left)
		}
	})
}

func upload(t *testing.T, e env, slug string, data []byte, durationMS int64) *webinar.Webinar {
	t.Helper()
	w, err := e.svc.ReplaceRecording(testCtx(t), slug, bytes.NewReader(data), int64(len(data)), durationMS)
	if err != nil {
		t.Fatalf("ReplaceRecording: %v", err)
	}
	return w
}

// probeObject probes a stored object again, through ranged reads.
func probeObject(t *testing.T, e env, key string, size int64) probe.Info {
	t.Helper()
	ctx := testCtx(t)
	r := probe.ReaderAt(ctx, func(ctx context.Context, offset, length int64) (io.ReadCloser, error) {
		return e.media.Get(ctx, key, offset, length)
	})
	info, err := probe.Probe(r, size)
	if err != nil {
		t.Fatalf("probe stored %s: %v", key, err)
	}
	return info
}

func readObject(t *testing.T, e env, key string) []byte {
	t.Helper()
	body, err := e.media.Get(testCtx(t), key, 0, -1)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	defer body.Close()
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return b
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func TestRecordingIsProbed(t *testing.T) {
	withFFmpeg(t, "")
	e := newEnv(t)

	t.Run("mp4", func(t *testing.T) {
		w := create(t, e.svc, "Probad MP4")
		clip := fixture(t, demoClip)
		got := upload(t, e, w.Slug, clip, 0)
		rec := got.Recording
		if rec.Container != "mp4" || rec.ContentType != "video/mp4" || rec.Width != 480 || rec.Height != 270 ||
			rec.DurationMS != 14000 || !strings.HasPrefix(rec.VideoCodec, "avc1.4d40") || rec.AudioCodec != "mp4a.40.2" ||
			!rec.FastStart || rec.SHA256 != sha(clip) {
			t.Errorf("recording = %+v", rec)
		}
		if rec.VideoCodecName() != "H.264" || rec.AudioCodecName() != "AAC" || rec.NeedsFastStart() || !rec.Probed() {
			t.Errorf("recording names %q %q, needs faststart %v", rec.VideoCodecName(), rec.AudioCodecName(), rec.NeedsFastStart())
		}
		if got.DurationMS != 14000 {
			t.Errorf("webinar duration %d ms, want the probed 14000 when the upload gave none", got.DurationMS)
		}
		stored, err := e.svc.Store().BySlug(testCtx(t), w.Slug)
		if err != nil {
			t.Fatal(err)
		}
		if *stored.Recording != *rec {
			t.Errorf("stored recording\n %+v, want\n %+v", *stored.Recording, *rec)
		}

		got = upload(t, e, w.Slug, clip, 61000)
		if got.DurationMS != 61000 || got.Recording.DurationMS != 14000 {
			t.Errorf("with a duration given: webinar %d ms, recording %d ms; want 61000 and 14000", got.DurationMS, got.Recording.DurationMS)
		}
		if keys := e.keys(t, "webinars/"+w.ID+"/"); !slices.Equal(keys, []string{got.Recording.Key}) {
			t.Errorf("objects = %v, want only the recording", keys)
		}
	})

	t.Run("webm", func(t *testing.T) {
		w := create(t, e.svc, "Probad WebM")
		got := upload(t, e, w.Slug, fixture(t, vp9WebM), 0)
		rec := got.Recording
		if rec.Container != "webm" || rec.ContentType != "video/webm" || rec.Width != 320 || rec.Height != 180 ||
			rec.DurationMS != 2541 || rec.VideoCodec != "vp9" || rec.AudioCodec != "opus" || !rec.FastStart {
			t.Errorf("recording = %+v", rec)
		}
	})
}

func TestRecordingRemuxedToFastStart(t *testing.T) {
	withFFmpeg(t, requireFFmpeg(t))
	emptyTempDir(t)
	e := newEnv(t)
	w := create(t, e.svc, "Index i slutet")
	data := fixture(t, moovAtEnd)

	got := upload(t, e, w.Slug, data, 0)
	rec := got.Recording
	if !rec.FastStart || rec.NeedsFastStart() || rec.Container != "mp4" || rec.Width != 320 || rec.Height != 180 || rec.DurationMS != 3000 {
		t.Errorf("recording = %+v, want a faststart 320x180 3 s MP4", rec)
	}
	if rec.SHA256 == sha(data) {
		t.Error("the stored recording is the uploaded file; want the remuxed one")
	}
	stored := readObject(t, e, rec.Key)
	if int64(len(stored)) != rec.Size || sha(stored) != rec.SHA256 {
		t.Errorf("metadata says %d bytes %s; the object has %d bytes %s", rec.Size, rec.SHA256, len(stored), sha(stored))
	}
	if info := probeObject(t, e, rec.Key, rec.Size); !info.FastStart || info.Duration != 3*time.Second {
		t.Errorf("stored object probes as %+v, want faststart", info)
	}
	recordings := e.keys(t, "webinars/"+w.ID+"/recording-")
	if !slices.Equal(recordings, []string{rec.Key}) {
		t.Errorf("recording objects = %v, want only the remuxed %s", recordings, rec.Key)
	}
	// ffmpeg is there and the webinar had no poster: a frame became one.
	if got.Poster == nil || got.Poster.ContentType != "image/jpeg" {
		t.Fatalf("poster = %+v, want a JPEG frame", got.Poster)
	}
	if jpeg := readObject(t, e, got.Poster.Key); !bytes.HasPrefix(jpeg, []byte{0xFF, 0xD8, 0xFF}) {
		t.Errorf("poster object is not a JPEG: % x", jpeg[:min(8, len(jpeg))])
	}
	if keys := e.keys(t, "webinars/"+w.ID+"/"); len(keys) != 2 {
		t.Errorf("objects = %v, want the recording and the poster", keys)
	}
}

func TestRecordingWithoutFFmpeg(t *testing.T) {
	withFFmpeg(t, "")
	e := newEnv(t)
	w := create(t, e.svc, "Utan ffmpeg")
	data := fixture(t, moovAtEnd)

	got := upload(t, e, w.Slug, data, 0)
	rec := got.Recording
	if rec.FastStart || !rec.NeedsFastStart() || rec.SHA256 != sha(data) || rec.Width != 320 || rec.DurationMS != 3000 {
		t.Errorf("recording = %+v, want the upload kept as it is, FastStart false", rec)
	}
	if got.Poster != nil {
		t.Errorf("poster %+v made without ffmpeg", got.Poster)
	}
	if keys := e.keys(t, "webinars/"+w.ID+"/"); !slices.Equal(keys, []string{rec.Key}) {
		t.Errorf("objects = %v, want only the recording", keys)
	}
}

// A broken ffmpeg never costs the upload: it is kept as uploaded.
func TestRecordingFFmpegFails(t *testing.T) {
	broken := filepath.Join(t.TempDir(), "ffmpeg")
	if err := os.WriteFile(broken, []byte("#!/bin/sh\necho 'ffmpeg: broken on purpose' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	withFFmpeg(t, broken)
	emptyTempDir(t)
	e := newEnv(t)
	w := create(t, e.svc, "Trasig ffmpeg")
	data := fixture(t, moovAtEnd)

	got := upload(t, e, w.Slug, data, 0)
	if got.Recording.FastStart || got.Recording.SHA256 != sha(data) || got.Poster != nil {
		t.Errorf("recording = %+v, poster %+v; want the upload kept as it is, no poster", got.Recording, got.Poster)
	}
	if keys := e.keys(t, "webinars/"+w.ID+"/"); !slices.Equal(keys, []string{got.Recording.Key}) {
		t.Errorf("objects = %v, want only the recording", keys)
	}
}

func TestPosterFrame(t *testing.T) {
	withFFmpeg(t, requireFFmpeg(t))
	emptyTempDir(t)
	e := newEnv(t)

	// Faststart files are streamed into ffmpeg, which reads only their start.
	for _, file := range []string{demoClip, vp9WebM} {
		t.Run(filepath.Base(file), func(t *testing.T) {
			w := create(t, e.svc, "Affisch "+filepath.Base(file))
			got := upload(t, e, w.Slug, fixture(t, file), 0)
			if got.Poster == nil {
				t.Fatal("no poster made")
			}
			if jpeg := readObject(t, e, got.Poster.Key); !bytes.HasPrefix(jpeg, []byte{0xFF, 0xD8, 0xFF}) || len(jpeg) < 500 {
				t.Errorf("poster is not a JPEG frame (%d bytes)", len(jpeg))
			}
		})
	}

	t.Run("a staff poster is kept", func(t *testing.T) {
		w := create(t, e.svc, "Egen affisch")
		img := fixture(t, demoJPEG)
		withPoster, err := e.svc.SetPoster(testCtx(t), w.Slug, bytes.NewReader(img), int64(len(img)))
		if err != nil {
			t.Fatal(err)
		}
		got := upload(t, e, w.Slug, fixture(t, demoClip), 0)
		if got.Poster == nil || got.Poster.Key != withPoster.Poster.Key {
			t.Errorf("poster = %+v, want the staff's %+v", got.Poster, withPoster.Poster)
		}
		want := []string{got.Recording.Key, withPoster.Poster.Key}
		slices.Sort(want)
		if keys := e.keys(t, "webinars/"+w.ID+"/"); !slices.Equal(keys, want) {
			t.Errorf("objects = %v, want %v", keys, want)
		}
	})
}

// A file browsers cannot play is refused with a 4xx and a Swedish
// message; nothing of it is kept and the earlier recording stays.
func TestRefusedRecordingKeepsOld(t *testing.T) {
	withFFmpeg(t, "")
	e := newEnv(t)
	ctx := testCtx(t)
	w := create(t, e.svc, "Behåll den gamla")
	mine := "webinars/" + w.ID + "/"
	first := upload(t, e, w.Slug, fixture(t, demoClip), 0)

	clip := fixture(t, demoClip)
	atEnd := fixture(t, moovAtEnd)
	noMoov := atEnd[:bytes.Index(atEnd, []byte("moov"))-4] // ftyp, free, mdat
	random := make([]byte, 5000)
	for i := range random {
		random[i] = byte(i*i*7 + i/13)
	}
	// A WebM whose Tracks element got another (unknown) ID: the last
	// Tracks ID before the first Cluster, after the SeekHead's mention.
	webmNoTracks := bytes.Clone(fixture(t, vp9WebM))
	head := webmNoTracks[:bytes.Index(webmNoTracks, []byte{0x1F, 0x43, 0xB6, 0x75})]
	webmNoTracks[bytes.LastIndex(head, []byte{0x16, 0x54, 0xAE, 0x6B})+3] = 0x6C
	tests := []struct {
		name    string
		data    []byte
		status  int
		message string
	}{
		{"MP4 cut in half", clip[:len(clip)/2], http.StatusUnprocessableEntity, "ofullständig"},
		{"MP4 without moov", noMoov, http.StatusUnprocessableEntity, "saknar index (moov)"},
		{"random bytes after an ftyp box", append(clip[:32:32], random...), http.StatusUnprocessableEntity, "spelbar MP4"},
		{"ftyp box and filler", append(clip[:32:32], bytes.Repeat([]byte("x"), 40000)...), http.StatusUnprocessableEntity, ""},
		{"audio-only MP4", fixture(t, audioOnly), http.StatusUnsupportedMediaType, "saknar videospår"},
		{"WebM without tracks", webmNoTracks, http.StatusUnprocessableEntity, "WebM-filen saknar spår"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.ReplaceRecording(ctx, w.Slug, bytes.NewReader(tt.data), int64(len(tt.data)), 0)
			ae := wantAppErr(t, err, tt.status)
			if ae.Message == "" || !strings.Contains(ae.Message, tt.message) || !strings.HasPrefix(ae.Message, strings.ToUpper(ae.Message[:1])) {
				t.Errorf("message %q, want one containing %q", ae.Message, tt.message)
			}
			if keys := e.keys(t, mine); !slices.Equal(keys, []string{first.Recording.Key}) {
				t.Errorf("objects = %v, want only the earlier recording %s", keys, first.Recording.Key)
			}
			stored, err := e.svc.Store().BySlug(ctx, w.Slug)
			if err != nil {
				t.Fatal(err)
			}
			if *stored.Recording != *first.Recording || !stored.UpdatedAt.Equal(first.UpdatedAt) {
				t.Errorf("refused upload changed the recording: %+v", stored.Recording)
			}
		})
	}
}
