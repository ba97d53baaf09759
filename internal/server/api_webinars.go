package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/apperr"
	"github.com/smakom/webinar-portal/internal/webinar"
)

// decodeJSON reads a JSON body strictly: unknown fields are refused, so
// a misspelt field is not silently dropped.
func decodeJSON(c *fiber.Ctx, dst any) error {
	if !bytes.HasPrefix(bytes.ToLower([]byte(c.Get(fiber.HeaderContentType))), []byte(fiber.MIMEApplicationJSON)) {
		return apperr.New(http.StatusUnsupportedMediaType, "json_required", "Skicka kroppen som JSON (Content-Type: application/json).")
	}
	dec := json.NewDecoder(bytes.NewReader(c.Body()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return apperr.New(http.StatusBadRequest, "invalid_json", "Ogiltig JSON: "+err.Error())
	}
	return nil
}

// listWebinarsJSON is GET /api/v1/webinars (apiListWebinars caches it
// for anonymous callers).
func (s *Server) listWebinarsJSON(c *fiber.Ctx) error {
	ctx, cancel := requestContext(c)
	defer cancel()
	v := viewer(c)
	f := catalogueFilter(c, v)
	if per, err := strconv.Atoi(c.Query("per_page")); err == nil && per > 0 && per <= 100 {
		f.PerPage = per
	}
	if v.Staff {
		f.Visibilities = nil // staff see drafts too
		if vis := c.Query("visibility"); vis != "" {
			f.Visibilities = []webinar.Visibility{webinar.Visibility(vis)}
		}
	}
	items, total, err := s.listWebinars(ctx, f)
	if err != nil {
		return err
	}
	if items == nil {
		items = []*webinar.Webinar{}
	}
	return c.JSON(fiber.Map{"items": items, "total": total, "page": f.Page, "per_page": f.PerPage})
}

func (s *Server) apiGetWebinar(c *fiber.Ctx) error {
	w, err := s.visibleWebinar(c)
	if err != nil {
		return err
	}
	return c.JSON(w)
}

func (s *Server) apiCreateWebinar(c *fiber.Ctx) error {
	var f webinar.Fields
	if err := decodeJSON(c, &f); err != nil {
		return err
	}
	ctx, cancel := requestContext(c)
	defer cancel()
	w, err := s.deps.Webinars.Create(ctx, f)
	if err != nil {
		return err
	}
	c.Location("/api/v1/webinars/" + w.Slug)
	return c.Status(http.StatusCreated).JSON(w)
}

func (s *Server) apiUpdateWebinar(c *fiber.Ctx) error {
	var f webinar.Fields
	if err := decodeJSON(c, &f); err != nil {
		return err
	}
	ctx, cancel := requestContext(c)
	defer cancel()
	w, err := s.deps.Webinars.Update(ctx, c.Params("slug"), f, nil)
	if err != nil {
		return err
	}
	return c.JSON(w)
}

func (s *Server) apiDeleteWebinar(c *fiber.Ctx) error {
	ctx, cancel := requestContext(c)
	defer cancel()
	if err := s.deps.Webinars.Delete(ctx, c.Params("slug")); err != nil {
		return err
	}
	return c.SendStatus(http.StatusNoContent)
}

// rawBody is a PUT body as a stream with its declared length (-1 when
// chunked).
func rawBody(c *fiber.Ctx) (stream io.Reader, size int64) {
	size = int64(c.Request().Header.ContentLength())
	if size < 0 {
		size = -1
	}
	if st := c.Context().RequestBodyStream(); st != nil {
		return newClientBody(c, st), size
	}
	return bytes.NewReader(c.Request().Body()), size
}

func (s *Server) apiPutRecording(c *fiber.Ctx) error {
	if err := checkDeclaredSize(c, s.deps.Webinars.Limits().RecordingBytes); err != nil {
		return err
	}
	var durationMS int64
	if d, err := strconv.ParseFloat(c.Query("duration_seconds"), 64); err == nil && d > 0 && d < 86400 {
		durationMS = int64(d * 1000)
	}
	body, size := rawBody(c)
	w, err := s.deps.Webinars.ReplaceRecording(c.UserContext(), c.Params("slug"), body, size, durationMS)
	if err != nil {
		return err
	}
	return c.JSON(w)
}

func (s *Server) apiPutSlides(c *fiber.Ctx) error {
	if err := checkDeclaredSize(c, s.deps.Webinars.Limits().SlidesBytes); err != nil {
		return err
	}
	body, size := rawBody(c)
	w, err := s.deps.Webinars.AddSlides(c.UserContext(), c.Params("slug"), c.Query("filename"), body, size)
	if err != nil {
		return err
	}
	return c.JSON(w)
}

func (s *Server) apiPutSubtitles(c *fiber.Ctx) error {
	limit := s.deps.Webinars.Limits().Subtitles()
	if err := checkDeclaredSize(c, limit); err != nil {
		return err
	}
	charset := bodyCharset(c)
	body, _ := rawBody(c)
	data, err := readLimited(body, limit)
	if err != nil {
		return err
	}
	ctx, cancel := requestContext(c)
	defer cancel()
	w, n, err := s.deps.Webinars.SetSubtitles(ctx, c.Params("slug"), webinar.SubtitleInput{
		Lang: c.Params("lang"), Kind: c.Query("kind"), Label: c.Query("label"), Filename: c.Query("filename"), Charset: charset, Data: data})
	if err != nil {
		return err
	}
	track, _ := w.Track(c.Params("lang"))
	return c.JSON(fiber.Map{"cues": n, "lang": track.Lang, "label": track.Label, "kind": track.Kind,
		"vtt": fmt.Sprintf("/webinars/%s/subtitles/%s.vtt", w.Slug, track.Lang)})
}
