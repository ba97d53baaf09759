package server

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/apperr"
	"github.com/smakom/webinar-portal/internal/upload"
	"github.com/smakom/webinar-portal/internal/webinar"
)

// Resumable uploads speak the tus protocol 1.0.0 (core, creation,
// termination and checksum extensions), served natively on Fiber so each
// chunk streams into S3 (package upload): tusd's net/http handler would
// get every PATCH body buffered whole through Fiber's adaptor.
const tusVersion = "1.0.0"

func (s *Server) tusHeaders(c *fiber.Ctx) {
	c.Set("Tus-Resumable", tusVersion)
	c.Set(fiber.HeaderCacheControl, "no-store")
}

func (s *Server) tusOptions(c *fiber.Ctx) error {
	s.tusHeaders(c)
	c.Set("Tus-Version", tusVersion)
	c.Set("Tus-Extension", "creation,termination,checksum")
	c.Set("Tus-Checksum-Algorithm", "sha1,sha256")
	c.Set("Tus-Max-Size", strconv.FormatInt(s.deps.Webinars.Limits().RecordingBytes, 10))
	return c.SendStatus(http.StatusNoContent)
}

func tusError(status int, code, msg string) error { return apperr.New(status, code, msg) }

// checkTusVersion refuses clients of another protocol version.
func checkTusVersion(c *fiber.Ctx) error {
	if v := c.Get("Tus-Resumable"); v != tusVersion {
		c.Set("Tus-Version", tusVersion)
		return tusError(http.StatusPreconditionFailed, "tus_version", "Uppladdningen använder en protokollversion som portalen inte stöder (Tus-Resumable "+tusVersion+").")
	}
	return nil
}

// parseTusMetadata reads "key base64,key base64" pairs.
func parseTusMetadata(h string) map[string]string {
	out := map[string]string{}
	for _, pair := range strings.Split(h, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(pair), " ")
		if k == "" {
			continue
		}
		dec, err := base64.StdEncoding.DecodeString(v)
		if err == nil && len(dec) <= 1024 {
			out[k] = string(dec)
		}
	}
	return out
}

// createUpload starts a resumable upload of a recording or slide deck for
// a webinar: Upload-Length and Upload-Metadata (slug, kind, filename).
func (s *Server) createUpload(c *fiber.Ctx) error {
	s.tusHeaders(c)
	if err := checkTusVersion(c); err != nil {
		return err
	}
	meta := parseTusMetadata(c.Get("Upload-Metadata"))
	kind := meta["kind"]
	var limit int64
	switch kind {
	case "recording":
		limit = s.deps.Webinars.Limits().RecordingBytes
	case "slides":
		limit = s.deps.Webinars.Limits().SlidesBytes
	default:
		return tusError(http.StatusBadRequest, "upload_kind", "Ange vad som laddas upp: kind recording eller slides i Upload-Metadata.")
	}
	length, err := strconv.ParseInt(c.Get("Upload-Length"), 10, 64)
	if err != nil || length < 0 {
		return tusError(http.StatusBadRequest, "upload_length", "Upload-Length saknas eller är ogiltig.")
	}
	if length == 0 {
		return tusError(http.StatusBadRequest, "empty_file", "Filen är tom.")
	}
	if length > limit {
		return webinar.TooLarge(limit)
	}
	ctx, cancel := requestContext(c)
	defer cancel()
	w, err := s.deps.Webinars.Get(ctx, meta["slug"], webinar.Viewer{LoggedIn: true, Staff: true})
	if err != nil {
		return err
	}
	info, err := s.deps.Uploads.Create(upload.Info{Slug: w.Slug, Kind: kind, Filename: truncate(meta["filename"], 200),
		Length: length, UserID: currentUser(c).ID})
	if err != nil {
		return err
	}
	s.log.Info("resumable upload started", "request_id", requestID(c), "upload", info.ID, "webinar", w.Slug, "kind", kind, "length", length)
	c.Location("/api/v1/uploads/" + info.ID)
	return c.SendStatus(http.StatusCreated)
}

// uploadFor loads an upload that the user may continue.
func (s *Server) uploadFor(c *fiber.Ctx) (upload.Info, error) {
	info, err := s.deps.Uploads.Get(c.Params("id"))
	if errors.Is(err, upload.ErrNotFound) {
		return info, apperr.NotFound("Uppladdningen finns inte (den kan ha avbrutits eller rensats bort). Börja om.")
	}
	return info, err
}

// uploadOffset tells the client where to resume. An upload whose bytes
// all arrived but whose object was not committed yet (the portal stopped
// in between) is finished first: the client takes offset == length as
// done.
func (s *Server) uploadOffset(c *fiber.Ctx) error {
	s.tusHeaders(c)
	info, err := s.uploadFor(c)
	if err != nil {
		return err
	}
	if info.Complete() && !info.Finished {
		if info, err = s.deps.Uploads.Finish(c.UserContext(), info.ID); err != nil {
			return s.uploadError(c, info, err)
		}
		s.log.Info("resumable upload finished", "request_id", requestID(c), "upload", info.ID, "webinar", info.Slug, "kind", info.Kind, "bytes", info.Length)
		auditFinishedUpload(c, info.Kind, info.Slug)
	}
	c.Set("Upload-Offset", strconv.FormatInt(info.Offset, 10))
	c.Set("Upload-Length", strconv.FormatInt(info.Length, 10))
	return c.SendStatus(http.StatusOK)
}

// chunkChecksum reads the checksum extension's Upload-Checksum header.
func chunkChecksum(c *fiber.Ctx) (*upload.Checksum, error) {
	h := c.Get("Upload-Checksum")
	if h == "" {
		return nil, nil
	}
	algo, b64, _ := strings.Cut(h, " ")
	want, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, tusError(http.StatusBadRequest, "checksum", "Upload-Checksum är ogiltig.")
	}
	var hs hash.Hash
	switch algo {
	case "sha1":
		hs = sha1.New()
	case "sha256":
		hs = sha256.New()
	default:
		return nil, tusError(http.StatusBadRequest, "checksum_algorithm", "Kontrollsumman måste vara sha1 eller sha256.")
	}
	return &upload.Checksum{Hash: hs, Want: want}, nil
}

// appendUpload streams one chunk into the upload's S3 multipart upload;
// the chunk that completes the file has its object committed.
func (s *Server) appendUpload(c *fiber.Ctx) error {
	s.tusHeaders(c)
	if err := checkTusVersion(c); err != nil {
		return err
	}
	if c.Get(fiber.HeaderContentType) != "application/offset+octet-stream" {
		return tusError(http.StatusUnsupportedMediaType, "content_type", "Delar av en uppladdning skickas som application/offset+octet-stream.")
	}
	offset, err := strconv.ParseInt(c.Get("Upload-Offset"), 10, 64)
	if err != nil || offset < 0 {
		return tusError(http.StatusBadRequest, "upload_offset", "Upload-Offset saknas eller är ogiltig.")
	}
	sum, err := chunkChecksum(c)
	if err != nil {
		return err
	}
	// No deadline: a chunk from a slow link takes as long as it takes.
	body, size := rawBody(c)
	info, err := s.deps.Uploads.Append(c.UserContext(), c.Params("id"), offset, body, size, sum)
	if err != nil {
		// Also for a chunk refused as too long, which handleError leaves.
		drainRefusedBody(c, body)
		return s.uploadError(c, info, err)
	}
	if info.Finished && offset < info.Length {
		s.log.Info("resumable upload finished", "request_id", requestID(c), "upload", info.ID, "webinar", info.Slug, "kind", info.Kind, "bytes", info.Length)
		auditFinishedUpload(c, info.Kind, info.Slug)
	}
	c.Set("Upload-Offset", strconv.FormatInt(info.Offset, 10))
	return c.SendStatus(http.StatusNoContent)
}

// drainLimit bounds the bytes of a refused upload read and dropped; the
// staff pages send chunks of 16 MiB.
const drainLimit = 64 << 20

// drainRefusedBody reads what is left of a refused upload (up to
// drainLimit), so the client gets the answer instead of a connection reset
// while it still sends; but not for long, as the connection closes after
// the answer anyway.
func drainRefusedBody(c *fiber.Ctx, body io.Reader) {
	_ = c.Context().Conn().SetReadDeadline(time.Now().Add(10 * time.Second))
	_, _ = io.CopyN(io.Discard, body, drainLimit)
}

// uploadError answers a chunk (or finish) that failed. An upload refused
// for what it is (not a video, its webinar gone) is removed.
func (s *Server) uploadError(c *fiber.Ctx, info upload.Info, err error) error {
	switch {
	case errors.Is(err, upload.ErrOffset):
		c.Set("Upload-Offset", strconv.FormatInt(info.Offset, 10))
		return tusError(http.StatusConflict, "upload_offset", fmt.Sprintf("Fel position: uppladdningen står på byte %d, inte %s.", info.Offset, c.Get("Upload-Offset")))
	case errors.Is(err, upload.ErrTooLong):
		return tusError(http.StatusRequestEntityTooLarge, "upload_too_long", "Delen går förbi den angivna filstorleken.")
	case errors.Is(err, upload.ErrChecksum):
		return tusError(460, "checksum_mismatch", "Delen kom fram förändrad (kontrollsumman stämmer inte). Den sparades inte; skicka den igen.")
	case errors.Is(err, upload.ErrBusy):
		return tusError(http.StatusLocked, "upload_busy", "Uppladdningen tar redan emot data i en annan förfrågan.")
	case errors.Is(err, upload.ErrNotFound):
		return apperr.NotFound("Uppladdningen finns inte (den kan ha avbrutits eller rensats bort). Börja om.")
	case errors.Is(err, errTooSlow):
		// Too slow to hold an upload slot: what was committed stays, so
		// a faster connection resumes from there.
		s.log.Info("upload chunk too slow", "request_id", requestID(c), "upload", info.ID, "offset", info.Offset, "err", err)
		c.Set("Upload-Offset", strconv.FormatInt(info.Offset, 10))
		return tusError(http.StatusRequestTimeout, "upload_too_slow", "Överföringen gick för långsamt och avbröts; uppladdningen fortsätter där den slutade.")
	case errors.Is(err, upload.ErrInterrupted):
		// The client went away mid-chunk: what was committed stays.
		s.log.Info("upload chunk interrupted", "request_id", requestID(c), "upload", info.ID, "offset", info.Offset, "err", err)
		c.Set("Upload-Offset", strconv.FormatInt(info.Offset, 10))
		return tusError(http.StatusBadRequest, "upload_interrupted", "Överföringen avbröts; uppladdningen fortsätter där den slutade.")
	}
	if ae, ok := apperr.As(err); ok && ae.Status < 500 {
		if derr := s.deps.Uploads.Delete(context.WithoutCancel(c.UserContext()), c.Params("id")); derr != nil {
			s.log.Error("delete refused upload", "request_id", requestID(c), "upload", c.Params("id"), "err", derr)
		}
	}
	return err
}

// cancelUpload removes an upload and aborts its S3 multipart upload (tus
// termination).
func (s *Server) cancelUpload(c *fiber.Ctx) error {
	s.tusHeaders(c)
	if _, err := s.uploadFor(c); err != nil {
		return err
	}
	ctx, cancel := requestContext(c)
	defer cancel()
	if err := s.deps.Uploads.Delete(ctx, c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(http.StatusNoContent)
}
