package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/apperr"
	"github.com/smakom/webinar-portal/internal/subtitle"
	"github.com/smakom/webinar-portal/internal/webinar"
)

// The caption editor: a staff page beside the video where cues are
// edited (web/static/caption-editor.js, saving through apiPutCues), and a
// form that shifts a whole track. Without JavaScript the page lists the
// cues read-only and the upload and shift forms still work.

func init() { pageNames = append(pageNames, "staff_captions") }

type captionEditorPage struct {
	Base
	Webinar     *webinar.Webinar
	Track       subtitle.Track
	Rows        []cueRow
	RecordingMS int64
	// ShiftError and Offset show a refused shift again.
	ShiftError string
	Offset     string
}

// cueRow is a cue as the read-only list shows it.
type cueRow struct {
	N          int
	Start, End string
	Lines      []string
}

func (s *Server) captionEditorPage(c *fiber.Ctx, w *webinar.Webinar, t subtitle.Track) captionEditorPage {
	rows := make([]cueRow, len(t.Cues))
	for i, cue := range t.Cues {
		rows[i] = cueRow{N: i + 1, Start: subtitle.Timestamp(cue.Start), End: subtitle.Timestamp(cue.End), Lines: strings.Split(cue.Text, "\n")}
	}
	title := s.tr(c, "staff.title_captions", strings.ToLower(t.Label), w.Title)
	return captionEditorPage{Base: s.base(c, title, "staff"), Webinar: w, Track: t, Rows: rows,
		RecordingMS: w.RecordingLength().Milliseconds()}
}

// editCaptions shows GET /staff/webinars/{slug}/subtitles/{lang}/edit.
func (s *Server) editCaptions(c *fiber.Ctx) error {
	ctx, cancel := requestContext(c)
	defer cancel()
	w, t, err := s.deps.Webinars.SubtitleTrackForStaff(ctx, c.Params("slug"), c.Params("lang"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return s.render(c, http.StatusOK, "staff_captions", s.captionEditorPage(c, w, t))
}

// shiftSubtitlesForm answers the shift form: every cue of the track moves
// by offset_ms, if the track is still at the revision the page showed.
func (s *Server) shiftSubtitlesForm(c *fiber.Ctx) error {
	ctx, cancel := requestContext(c)
	defer cancel()
	slug, lang := c.Params("slug"), c.Params("lang")
	raw := strings.TrimSpace(c.FormValue("offset_ms"))
	// People type "+1500" or a Unicode minus as often as "-1500".
	offset, perr := strconv.ParseInt(strings.Replace(strings.TrimPrefix(raw, "+"), "−", "-", 1), 10, 64)
	revision, rerr := strconv.ParseInt(c.FormValue("revision"), 10, 64)
	var (
		w   *webinar.Webinar
		t   subtitle.Track
		err error
	)
	switch {
	case perr != nil:
		err = apperr.New(http.StatusBadRequest, "invalid_offset", "Förskjutningen måste vara ett heltal i millisekunder, till exempel 1500 eller -1500.")
	case rerr != nil:
		err = apperr.New(http.StatusBadRequest, "revision_required", "Formuläret saknar undertexternas version. Ladda om sidan och försök igen.")
	default:
		w, t, err = s.deps.Webinars.ShiftSubtitles(ctx, slug, lang, time.Duration(offset)*time.Millisecond, revision)
	}
	if ae, ok := apperr.As(err); ok && ae.Status < 500 && ae.Status != http.StatusNotFound {
		// Show the editor again with the message; nothing was changed.
		cw, ct, gerr := s.deps.Webinars.SubtitleTrackForStaff(ctx, slug, lang)
		if gerr != nil {
			return gerr
		}
		page := s.captionEditorPage(c, cw, ct)
		page.ShiftError, page.Offset = ae.Message, raw
		c.Set(fiber.HeaderCacheControl, "private, no-store")
		return s.render(c, ae.Status, "staff_captions", page)
	}
	if err != nil {
		return err
	}
	s.setFlash(c, s.tr(c, "flash.subtitles_shifted",
		len(t.Cues), subtitle.FormatOffset(time.Duration(offset)*time.Millisecond), t.Revision))
	return c.Redirect("/staff/webinars/"+w.Slug+"/subtitles/"+t.Lang+"/edit", http.StatusSeeOther)
}
