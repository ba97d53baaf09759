package webinar

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/smakom/webinar-portal/internal/media"
	"github.com/smakom/webinar-portal/internal/probe"
)

// LookFFmpeg finds the ffmpeg binary, "" when it is not installed. ffmpeg
// is optional: with it, uploads are remuxed to faststart and get a poster
// frame. Tests replace it to run both with and without ffmpeg.
var LookFFmpeg = func() string {
	path, err := exec.LookPath("ffmpeg")
	if err != nil {
		return ""
	}
	return path
}

// Bounds for the ffmpeg runs; a remux copies streams (no re-encoding) and
// a poster decodes a few seconds.
const (
	remuxTimeout  = 30 * time.Minute
	posterTimeout = 2 * time.Minute
)

// postprocess improves a probed recording when ffmpeg is installed: an
// MP4 whose index (moov) sits after its media data is remuxed so that it
// streams (the uploaded object is then replaced by the remuxed one), and a
// webinar without a poster gets a frame of the video as its poster. ffmpeg
// never decides whether an upload is accepted: without it, or when it
// fails, the recording is kept as uploaded and the failure is logged. It
// returns the object and probe to commit and the poster, if one was made
// (an object the caller commits or deletes). Temporary files are removed.
func (s *Service) postprocess(ctx context.Context, w *Webinar, obj media.Object, info probe.Info) (media.Object, probe.Info, *Poster) {
	ffmpeg := LookFFmpeg()
	get, ok := s.objects.(objectGetter)
	if ffmpeg == "" || !ok || !info.NeedsFastStart() && w.Poster != nil {
		return obj, info, nil
	}
	dir, err := os.MkdirTemp("", "portal-recording-*")
	if err != nil {
		s.log.ErrorContext(ctx, "post-process recording: temporary directory", "err", err)
		return obj, info, nil
	}
	defer os.RemoveAll(dir)

	local := "" // a copy of the recording on disk, when the remux made one
	if info.NeedsFastStart() {
		start := time.Now()
		remuxed, remuxedInfo, path, err := s.remuxFastStart(ctx, ffmpeg, dir, w.ID, obj, get)
		if err != nil {
			s.log.WarnContext(ctx, "faststart remux failed; the recording is kept as uploaded", "webinar", w.ID, "key", obj.Key, "err", err)
		} else {
			s.log.InfoContext(ctx, "recording remuxed to faststart", "webinar", w.ID, "from", obj.Key, "to", remuxed.Key,
				"size", remuxed.Size, "took", time.Since(start).Round(time.Millisecond))
			s.deleteReplaced(ctx, obj.Key)
			obj, info, local = remuxed, remuxedInfo, path
		}
	}
	var poster *Poster
	if w.Poster == nil {
		p, err := s.makePoster(ctx, ffmpeg, dir, w.ID, obj, info, local, get)
		if err != nil {
			s.log.WarnContext(ctx, "no poster frame made", "webinar", w.ID, "key", obj.Key, "err", err)
		} else {
			poster = p
		}
	}
	return obj, info, poster
}

// remuxFastStart downloads obj, has ffmpeg move the index to the front
// (copying the streams) and stores the result as a new object. It returns
// the new object, its probe and the path of the remuxed file in dir.
func (s *Service) remuxFastStart(ctx context.Context, ffmpeg, dir, ownerID string, obj media.Object, get objectGetter) (media.Object, probe.Info, string, error) {
	ctx, cancel := context.WithTimeout(ctx, remuxTimeout)
	defer cancel()
	in, out := filepath.Join(dir, "uploaded.mp4"), filepath.Join(dir, "faststart.mp4")
	if err := download(ctx, get, obj, in); err != nil {
		return media.Object{}, probe.Info{}, "", err
	}
	err := runFFmpeg(ctx, ffmpeg, nil, "-nostdin", "-v", "error", "-i", in, "-c", "copy", "-movflags", "+faststart", "-y", out)
	_ = os.Remove(in) // the disk holds one copy at a time of a 2 GB file
	if err != nil {
		return media.Object{}, probe.Info{}, "", err
	}
	f, err := os.Open(out)
	if err != nil {
		return media.Object{}, probe.Info{}, "", err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return media.Object{}, probe.Info{}, "", err
	}
	info, err := probe.Probe(f, st.Size())
	if err != nil {
		return media.Object{}, probe.Info{}, "", fmt.Errorf("probe remuxed file: %w", err)
	}
	if !info.FastStart {
		return media.Object{}, probe.Info{}, "", errors.New("ffmpeg did not move the index to the front")
	}
	remuxed, err := s.objects.Put(ctx, media.NewKey(ownerID, "recording", media.MP4.Ext), io.NewSectionReader(f, 0, st.Size()), st.Size(), media.MP4.ContentType)
	if err != nil {
		return media.Object{}, probe.Info{}, "", err
	}
	return remuxed, info, out, nil
}

// makePoster has ffmpeg take one frame (at 3 s, or at a tenth of a shorter
// clip) as a JPEG and stores it as a poster object. It reads the local
// copy when there is one; otherwise it streams the object into ffmpeg,
// which stops reading after the frame, so only the first seconds of the
// recording are fetched.
func (s *Service) makePoster(ctx context.Context, ffmpeg, dir, ownerID string, obj media.Object, info probe.Info, local string, get objectGetter) (*Poster, error) {
	if local == "" && !info.FastStart {
		// Streaming needs the index first; downloading it all for a poster is not worth it.
		return nil, errors.New("the recording's index is at its end")
	}
	ctx, cancel := context.WithTimeout(ctx, posterTimeout)
	defer cancel()
	at := 3 * time.Second
	if info.Duration > 0 && info.Duration/10 < at {
		at = info.Duration / 10
	}
	out := filepath.Join(dir, "poster.jpg")
	input, stdin := local, io.Reader(nil)
	if local == "" {
		body, err := get.Get(ctx, obj.Key, 0, -1)
		if err != nil {
			return nil, err
		}
		defer body.Close()
		input, stdin = "pipe:0", body
	}
	err := runFFmpeg(ctx, ffmpeg, stdin, "-v", "error", "-ss", strconv.FormatFloat(at.Seconds(), 'f', 3, 64),
		"-i", input, "-frames:v", "1", "-q:v", "4", "-y", out)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(out)
	if err != nil {
		return nil, fmt.Errorf("ffmpeg wrote no frame: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() == 0 {
		return nil, errors.New("ffmpeg wrote an empty frame")
	}
	stored, kind, err := s.storeUpload(ctx, ownerID, frameRule, f, st.Size(), 20<<20)
	if err != nil {
		return nil, err
	}
	return &Poster{Key: stored.Key, ContentType: kind.ContentType}, nil
}

// download copies an object into a new file at path.
func download(ctx context.Context, get objectGetter, obj media.Object, path string) error {
	body, err := get.Get(ctx, obj.Key, 0, -1)
	if err != nil {
		return err
	}
	defer body.Close()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	n, err := io.Copy(f, body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n != obj.Size {
		err = fmt.Errorf("downloaded %d of %d bytes", n, obj.Size)
	}
	if err != nil {
		return fmt.Errorf("download %s: %w", obj.Key, err)
	}
	return nil
}

// runFFmpeg runs ffmpeg and returns what it printed as the error when it fails.
func runFFmpeg(ctx context.Context, ffmpeg string, stdin io.Reader, args ...string) error {
	cmd := exec.CommandContext(ctx, ffmpeg, args...)
	cmd.Stdin = stdin
	// ffmpeg stops reading a piped input once it has its frame; the copy
	// into its stdin then ends with EPIPE, which os/exec ignores.
	cmd.WaitDelay = 10 * time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &limitedBuffer{buf: &stderr, n: 4 << 10}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("ffmpeg %s: %w: %s", args[len(args)-1], err, bytes.TrimSpace(stderr.Bytes()))
	}
	return nil
}

// limitedBuffer keeps the first n bytes written to it.
type limitedBuffer struct {
	buf *bytes.Buffer
	n   int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.n - l.buf.Len(); room > 0 {
		l.buf.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}
