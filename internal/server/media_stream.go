package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/apperr"
	"github.com/smakom/webinar-portal/internal/httprange"
	"github.com/smakom/webinar-portal/internal/media"
	"github.com/smakom/webinar-portal/internal/webinar"
)

// streamedObject says what to send and how.
type streamedObject struct {
	Key         string
	ContentType string
	Filename    string // for Content-Disposition
	Download    bool   // attachment rather than inline
	Public      bool   // may be cached by shared caches
	// Known, when set, describes the object from the metadata committed
	// with it (keys are never reused, so it cannot go stale): no S3 stat.
	Known *media.Object
}

// disposition is the Content-Disposition for a named file, or "".
func (o streamedObject) disposition() string {
	if o.Filename == "" {
		return ""
	}
	disp := "inline"
	if o.Download {
		disp = "attachment"
	}
	return mime.FormatMediaType(disp, map[string]string{"filename": o.Filename})
}

// streamObject answers GET and HEAD for an object with Range support
// (RFC 9110: single, open-ended and suffix ranges, If-Range, 416 with
// "bytes */SIZE", several ranges answered with the whole body), ETag,
// Last-Modified and conditional requests. The body is streamed from a
// ranged S3 read and never held whole.
func (s *Server) streamObject(c *fiber.Ctx, o streamedObject) error {
	ctx, cancel := requestContext(c)
	defer cancel()
	if s.deps.Presigner != nil && o.Public {
		return s.redirectToObject(c, ctx, o.Key, o.disposition())
	}
	var obj media.Object
	if o.Known != nil {
		obj = *o.Known
	} else {
		var err error
		obj, err = s.deps.Objects.Stat(ctx, o.Key)
		if errors.Is(err, media.ErrNotFound) {
			return apperr.NotFound("Filen finns inte längre.")
		}
		if err != nil {
			return err
		}
	}
	etag := `"` + strings.Trim(obj.ETag, `"`) + `"`
	lastMod := obj.LastModified.UTC().Truncate(time.Second)
	h := &c.Response().Header
	h.Set(fiber.HeaderAcceptRanges, "bytes")
	h.Set(fiber.HeaderETag, etag)
	h.Set(fiber.HeaderLastModified, lastMod.Format(http.TimeFormat))
	h.Set(fiber.HeaderContentType, o.ContentType)
	fileHeaders(c, o.ContentType)
	if o.Public {
		h.Set(fiber.HeaderCacheControl, "public, max-age=300")
	} else {
		h.Set(fiber.HeaderCacheControl, "private, max-age=0, must-revalidate")
	}
	if d := o.disposition(); d != "" {
		h.Set(fiber.HeaderContentDisposition, d)
	}
	if notModified(c, etag, lastMod) {
		c.Status(http.StatusNotModified)
		return nil
	}

	start, length, status := int64(0), obj.Size, http.StatusOK
	if rh := c.Get(fiber.HeaderRange); rh != "" && httprange.IfRangeMatches(c.Get(fiber.HeaderIfRange), etag, lastMod) {
		ranges, err := httprange.Parse(rh, obj.Size)
		if errors.Is(err, httprange.ErrUnsatisfiable) {
			h.Set(fiber.HeaderContentRange, fmt.Sprintf("bytes */%d", obj.Size))
			h.Del(fiber.HeaderContentType)
			return c.Status(http.StatusRequestedRangeNotSatisfiable).SendString("")
		}
		if len(ranges) == 1 {
			start, length, status = ranges[0].Start, ranges[0].Length, http.StatusPartialContent
			h.Set(fiber.HeaderContentRange, ranges[0].ContentRange(obj.Size))
		}
	}
	c.Status(status)
	if c.Method() == fiber.MethodHead {
		h.SetContentLength(int(length))
		c.Context().Response.SkipBody = true
		return nil
	}
	if s.deps.LocalFiles != nil && o.Known != nil {
		if fr, err := s.deps.LocalFiles.Open(o.Key, obj.Size, start, length); err == nil {
			c.Context().SetBodyStream(s.mediaBody(c, fr), int(length))
			return nil
		}
	}
	if s.deps.Ranges != nil && length > 0 {
		body, err := s.deps.Ranges.Get(ctx, o.Key, start, length)
		if err == nil {
			c.Context().SetBodyStream(s.mediaBody(c, body), int(length))
			return nil
		}
		if errors.Is(err, media.ErrNotFound) {
			return apperr.NotFound("Filen finns inte längre.")
		}
		s.log.Warn("spliced media read failed; reading through S3", "key", o.Key, "err", err, "request_id", requestID(c))
	}
	body, err := s.openObject(c, o.Key, start, length)
	if errors.Is(err, media.ErrNotFound) {
		return apperr.NotFound("Filen finns inte längre.")
	}
	if err != nil {
		return err
	}
	c.Context().SetBodyStream(s.mediaBody(c, largeWrites{body}), int(length))
	return nil
}

// openObject starts a ranged read. The body is written after the
// handler returns, so the read must not be tied to this handler's
// context; only opening it (the S3 server's answer, with the client's
// retries) is bounded by the request timeout.
func (s *Server) openObject(c *fiber.Ctx, key string, start, length int64) (io.ReadCloser, error) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(c.UserContext()))
	d, _ := c.Locals("call_timeout").(time.Duration)
	if d <= 0 {
		d = defaultCallTimeout
	}
	timer := time.AfterFunc(d, cancel)
	body, err := s.deps.Objects.Get(ctx, key, start, length)
	if !timer.Stop() && err != nil {
		err = fmt.Errorf("open %s: %w (%w)", key, err, context.DeadlineExceeded)
	}
	if err != nil {
		cancel()
		return nil, err
	}
	return cancelOnClose{ReadCloser: body, cancel: cancel}, nil
}

// cancelOnClose releases the read's context with its body.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// redirectToObject sends a public object's bytes straight from the S3
// server: a 302 to a presigned URL, cacheable for as long as the URL
// stays valid (minus a margin).
func (s *Server) redirectToObject(c *fiber.Ctx, ctx context.Context, key, disposition string) error {
	u, maxAge, err := s.deps.Presigner.URL(ctx, key, disposition)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, fmt.Sprintf("public, max-age=%d", int(maxAge.Seconds())))
	return c.Redirect(u, http.StatusFound)
}

// largeWrites hands the body to the connection in large pieces: fasthttp
// would otherwise copy it through its 4 KiB write buffer, one system call
// each.
type largeWrites struct{ io.ReadCloser }

var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

func (l largeWrites) WriteTo(w io.Writer) (int64, error) {
	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	// struct{ io.Reader } hides any WriteTo/ReadFrom so the buffer is used.
	return io.CopyBuffer(struct{ io.Writer }{w}, struct{ io.Reader }{l.ReadCloser}, *buf)
}

// notModified applies If-None-Match, or If-Modified-Since when there is
// no If-None-Match (RFC 9110 13.1).
func notModified(c *fiber.Ctx, etag string, lastMod time.Time) bool {
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == "*" || t == etag {
				return true
			}
		}
		return false
	}
	if ims := c.Get(fiber.HeaderIfModifiedSince); ims != "" {
		if t, err := http.ParseTime(ims); err == nil && !lastMod.After(t) {
			return true
		}
	}
	return false
}

// knownObject describes an object from its metadata, or nil when the
// metadata lacks what the headers need.
func knownObject(key string, size int64, sha256 string, uploaded time.Time) *media.Object {
	if sha256 == "" || size <= 0 || uploaded.IsZero() {
		return nil
	}
	return &media.Object{Key: key, Size: size, ETag: sha256[:32], LastModified: uploaded}
}

// visibleWebinar loads a webinar the viewer may see, or answers 404.
// The answer about a webinar that is not public is marked noindex.
func (s *Server) visibleWebinar(c *fiber.Ctx) (*webinar.Webinar, error) {
	ctx, cancel := requestContext(c)
	defer cancel()
	w, err := s.webinarFor(ctx, c.Params("slug"), viewer(c))
	if err != nil {
		return nil, err
	}
	markNoindex(c, w)
	return w, nil
}

func isPublic(w *webinar.Webinar) bool {
	return w.Visibility == webinar.Public || w.Visibility == webinar.Unlisted
}

func (s *Server) serveRecording(c *fiber.Ctx) error {
	w, err := s.visibleWebinar(c)
	if err != nil {
		return err
	}
	if w.Recording == nil {
		return apperr.NotFound("Inspelningen är inte uppladdad ännu.")
	}
	r := w.Recording
	return s.streamObject(c, streamedObject{Key: r.Key, ContentType: r.ContentType, Public: isPublic(w),
		Known: knownObject(r.Key, r.Size, r.SHA256, r.UploadedAt)})
}

func (s *Server) serveSlides(c *fiber.Ctx) error {
	w, err := s.visibleWebinar(c)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(c.Params("n"))
	if err != nil || n < 1 || n > len(w.Slides) {
		return apperr.NotFound("Presentationen finns inte.")
	}
	d := w.Slides[n-1]
	return s.streamObject(c, streamedObject{Key: d.Key, ContentType: d.ContentType, Filename: d.Filename,
		Download: c.Query("download") != "" || !d.IsPDF(), Public: isPublic(w),
		Known: knownObject(d.Key, d.Size, d.SHA256, d.UploadedAt)})
}

func (s *Server) servePoster(c *fiber.Ctx) error {
	w, err := s.visibleWebinar(c)
	if err != nil {
		return err
	}
	if w.Poster == nil {
		c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
		c.Set(fiber.HeaderContentType, "image/svg+xml")
		fileHeaders(c, "image/svg+xml")
		return c.Send(placeholderPoster)
	}
	return s.streamObject(c, streamedObject{Key: w.Poster.Key, ContentType: w.Poster.ContentType, Public: isPublic(w)})
}
