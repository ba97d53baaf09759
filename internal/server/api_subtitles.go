package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/apperr"
	"github.com/smakom/webinar-portal/internal/subtitle"
	"github.com/smakom/webinar-portal/internal/webinar"
)

// cueJSON is a cue in the API: times in whole milliseconds, as in the
// stored document and every subtitle format.
type cueJSON struct {
	StartMS int64  `json:"start_ms"`
	EndMS   int64  `json:"end_ms"`
	Text    string `json:"text"`
}

// trackJSON is a subtitle track with its cues, for the caption editor
// and scripts. Revision goes back with a change (see apiPutCues).
type trackJSON struct {
	Lang        string    `json:"lang"`
	Label       string    `json:"label"`
	Kind        string    `json:"kind"`
	Format      string    `json:"format"`
	Revision    int64     `json:"revision"`
	UpdatedAt   time.Time `json:"updated_at"`
	RecordingMS int64     `json:"recording_ms"` // 0: length unknown
	Cues        []cueJSON `json:"cues"`
}

func newTrackJSON(w *webinar.Webinar, t subtitle.Track) trackJSON {
	cues := make([]cueJSON, len(t.Cues))
	for i, c := range t.Cues {
		cues[i] = cueJSON{StartMS: c.Start.Milliseconds(), EndMS: c.End.Milliseconds(), Text: c.Text}
	}
	return trackJSON{Lang: t.Lang, Label: t.Label, Kind: t.Kind, Format: t.Format, Revision: t.Revision,
		UpdatedAt: t.UpdatedAt, RecordingMS: w.RecordingLength().Milliseconds(), Cues: cues}
}

// apiGetSubtitleTrack answers GET /api/v1/webinars/{slug}/subtitles/{lang}
// (staff): the track's cues and revision.
func (s *Server) apiGetSubtitleTrack(c *fiber.Ctx) error {
	ctx, cancel := requestContext(c)
	defer cancel()
	w, t, err := s.deps.Webinars.SubtitleTrackForStaff(ctx, c.Params("slug"), c.Params("lang"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.JSON(newTrackJSON(w, t))
}

// cuesRequest is the body of PUT .../subtitles/{lang}/cues.
type cuesRequest struct {
	Revision *int64    `json:"revision"`
	Cues     []cueJSON `json:"cues"`
}

// apiPutCues answers PUT /api/v1/webinars/{slug}/subtitles/{lang}/cues
// with {"revision": N, "cues": [...]}: the caption editor's save. A track
// changed since revision N gives 409 and is left as it is.
func (s *Server) apiPutCues(c *fiber.Ctx) error {
	// The route streams its body (all PUTs under /api/v1/webinars do), so
	// it is read here, bounded: JSON adds about a third to a subtitle file.
	limit := 2*s.deps.Webinars.Limits().Subtitles() + 1<<20
	if err := checkDeclaredSize(c, limit); err != nil {
		return err
	}
	if err := requireJSON(c); err != nil {
		return err
	}
	body, _ := rawBody(c)
	data, err := readLimited(body, limit)
	if err != nil {
		return err
	}
	var req cuesRequest
	if err := strictJSON(data, &req); err != nil {
		return err
	}
	if req.Revision == nil {
		return apperr.New(http.StatusBadRequest, "revision_required",
			"Ange revision: versionen av undertexterna som ändringarna bygger på (från GET).")
	}
	cues := make([]subtitle.Cue, len(req.Cues))
	for i, cj := range req.Cues {
		cues[i] = subtitle.Cue{Start: time.Duration(cj.StartMS) * time.Millisecond, End: time.Duration(cj.EndMS) * time.Millisecond, Text: cj.Text}
	}
	ctx, cancel := requestContext(c)
	defer cancel()
	w, t, err := s.deps.Webinars.EditCues(ctx, c.Params("slug"), c.Params("lang"), *req.Revision, cues)
	if err != nil {
		return err
	}
	return c.JSON(newTrackJSON(w, t))
}

// shiftRequest is the body of POST .../subtitles/{lang}/shift.
type shiftRequest struct {
	OffsetMS *int64 `json:"offset_ms"`
	Revision *int64 `json:"revision"`
}

// apiShiftSubtitles answers POST /api/v1/webinars/{slug}/subtitles/{lang}/shift
// with {"offset_ms": -1500} (and optionally "revision"): every cue moves.
func (s *Server) apiShiftSubtitles(c *fiber.Ctx) error {
	var req shiftRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.OffsetMS == nil {
		return apperr.New(http.StatusBadRequest, "offset_required", "Ange offset_ms: hur många millisekunder texterna ska flyttas (negativt = tidigare).")
	}
	revision := int64(-1)
	if req.Revision != nil {
		revision = *req.Revision
	}
	ctx, cancel := requestContext(c)
	defer cancel()
	w, t, err := s.deps.Webinars.ShiftSubtitles(ctx, c.Params("slug"), c.Params("lang"), time.Duration(*req.OffsetMS)*time.Millisecond, revision)
	if err != nil {
		return err
	}
	return c.JSON(newTrackJSON(w, t))
}

func requireJSON(c *fiber.Ctx) error {
	if !bytes.HasPrefix(bytes.ToLower([]byte(c.Get(fiber.HeaderContentType))), []byte(fiber.MIMEApplicationJSON)) {
		return apperr.New(http.StatusUnsupportedMediaType, "json_required", "Skicka kroppen som JSON (Content-Type: application/json).")
	}
	return nil
}

// strictJSON decodes one JSON value, refusing unknown fields (as
// decodeJSON does) and anything after the value.
func strictJSON(data []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return apperr.New(http.StatusBadRequest, "invalid_json", "Ogiltig JSON: "+err.Error())
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return apperr.New(http.StatusBadRequest, "invalid_json", "Ogiltig JSON: mer data efter värdet.")
	}
	return nil
}

// bodyCharset is the charset a subtitle upload declares, in its
// Content-Type or as ?charset=; "" lets the parser find it from the bytes.
func bodyCharset(c *fiber.Ctx) string {
	if cs := c.Query("charset"); cs != "" {
		return cs
	}
	_, params, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil {
		return ""
	}
	return params["charset"]
}
