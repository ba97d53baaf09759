package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/apperr"
	"github.com/smakom/webinar-portal/internal/webinar"
)

// uploadForm is a multipart upload form read as a stream: small fields
// first, then the file, which is handed on without being buffered.
type uploadForm struct {
	fields   map[string]string
	file     io.Reader
	filename string
}

// readUploadForm reads fields up to the part named "file". When the CSRF
// check was left to this handler, _csrf must come before the file.
func readUploadForm(c *fiber.Ctx) (*uploadForm, error) {
	_, params, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || params["boundary"] == "" {
		return nil, apperr.New(http.StatusBadRequest, "bad_form", "Formuläret skickades inte som en filuppladdning (multipart/form-data).")
	}
	var stream io.Reader = bytes.NewReader(c.Request().Body())
	if st := c.Context().RequestBodyStream(); st != nil {
		stream = newClientBody(c, st)
	}
	mr := multipart.NewReader(stream, params["boundary"])
	form := &uploadForm{fields: map[string]string{}}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, apperr.New(http.StatusBadRequest, "bad_form", "Uppladdningen kunde inte läsas. Försök igen.")
		}
		name := part.FormName()
		if name == "file" {
			if c.Locals("csrf_pending") == true && !tokensEqual(form.fields["_csrf"], csrfToken(c)) {
				return nil, csrfError()
			}
			form.file, form.filename = part, part.FileName()
			return form, nil
		}
		v, err := io.ReadAll(io.LimitReader(part, 4097))
		if err != nil || len(v) > 4096 {
			return nil, apperr.New(http.StatusBadRequest, "bad_form", fmt.Sprintf("Fältet %q är för långt.", name))
		}
		form.fields[name] = string(v)
	}
	if c.Locals("csrf_pending") == true && !tokensEqual(form.fields["_csrf"], csrfToken(c)) {
		return nil, csrfError()
	}
	return nil, apperr.New(http.StatusBadRequest, "no_file", "Välj en fil att ladda upp.")
}

// uploadDone answers the upload script with JSON, a plain form with a
// redirect back to the edit page.
func (s *Server) uploadDone(c *fiber.Ctx, w *webinar.Webinar, msg string) error {
	if wantsJSON(c) {
		return c.JSON(fiber.Map{"ok": true, "message": msg, "slug": w.Slug})
	}
	s.setFlash(c, msg)
	return c.Redirect("/staff/webinars/"+w.Slug+"/edit", http.StatusSeeOther)
}

// checkDeclaredSize refuses a request whose Content-Length already says
// it is over the limit, before reading any of it.
func checkDeclaredSize(c *fiber.Ctx, limit int64) error {
	if n := int64(c.Request().Header.ContentLength()); n > limit+64<<10 {
		return webinar.TooLarge(limit)
	}
	return nil
}

func (s *Server) uploadRecordingForm(c *fiber.Ctx) error {
	if err := checkDeclaredSize(c, s.deps.Webinars.Limits().RecordingBytes); err != nil {
		return err
	}
	form, err := readUploadForm(c)
	if err != nil {
		return err
	}
	w, err := s.deps.Webinars.ReplaceRecording(c.UserContext(), c.Params("slug"), form.file, -1, 0)
	if err != nil {
		return err
	}
	return s.uploadDone(c, w, s.tr(c, "flash.recording_uploaded", Base{Lang: s.pageLang(c)}.Bytes(w.Recording.Size)))
}

func (s *Server) uploadSlidesForm(c *fiber.Ctx) error {
	if err := checkDeclaredSize(c, s.deps.Webinars.Limits().SlidesBytes); err != nil {
		return err
	}
	form, err := readUploadForm(c)
	if err != nil {
		return err
	}
	w, err := s.deps.Webinars.AddSlides(c.UserContext(), c.Params("slug"), form.filename, form.file, -1)
	if err != nil {
		return err
	}
	return s.uploadDone(c, w, s.tr(c, "flash.slides_uploaded"))
}

func (s *Server) uploadPosterForm(c *fiber.Ctx) error {
	if err := checkDeclaredSize(c, 20<<20); err != nil {
		return err
	}
	form, err := readUploadForm(c)
	if err != nil {
		return err
	}
	w, err := s.deps.Webinars.SetPoster(c.UserContext(), c.Params("slug"), form.file, -1)
	if err != nil {
		return err
	}
	return s.uploadDone(c, w, s.tr(c, "flash.poster_uploaded"))
}

func (s *Server) uploadSubtitlesForm(c *fiber.Ctx) error {
	limit := s.deps.Webinars.Limits().Subtitles()
	if err := checkDeclaredSize(c, limit); err != nil {
		return err
	}
	form, err := readUploadForm(c)
	if err != nil {
		return err
	}
	data, err := readLimited(form.file, limit)
	if err != nil {
		return err
	}
	ctx, cancel := requestContext(c)
	defer cancel()
	w, n, err := s.deps.Webinars.SetSubtitles(ctx, c.Params("slug"), webinar.SubtitleInput{
		Lang: form.fields["lang"], Kind: form.fields["kind"], Label: form.fields["label"], Filename: form.filename, Data: data})
	if err != nil {
		return err
	}
	return s.uploadDone(c, w, s.tr(c, "flash.subtitles_uploaded", n))
}

// readLimited reads a small body whole, refusing more than limit bytes.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, apperr.New(http.StatusBadRequest, "upload_incomplete", "Filen kom inte fram helt. Försök igen.")
	}
	if int64(len(b)) > limit {
		return nil, webinar.TooLarge(limit)
	}
	return b, nil
}
