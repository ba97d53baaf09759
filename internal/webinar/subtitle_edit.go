package webinar

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/smakom/webinar-portal/internal/apperr"
	"github.com/smakom/webinar-portal/internal/subtitle"
)

// This file holds what the caption editor and the time shift do to a
// stored track: read it with its revision, replace its cues, move them.
// Every change goes through Tracks.Update with the revision the editor
// read, so a change made meanwhile (an upload, another editor, a shift)
// is reported as a conflict and never overwritten.

// RecordingLength is how long the webinar's recording is, zero when
// unknown: the probed length of the uploaded file, else the length staff
// entered.
func (w *Webinar) RecordingLength() time.Duration {
	if w.Recording != nil && w.Recording.DurationMS > 0 {
		return w.Recording.Duration()
	}
	return w.Duration()
}

// SubtitleTrackForStaff returns a webinar (drafts included) and one of its
// subtitle tracks with the cues and revision.
func (s *Service) SubtitleTrackForStaff(ctx context.Context, slug, lang string) (*Webinar, subtitle.Track, error) {
	w, err := s.store.BySlug(ctx, slug)
	if errors.Is(err, ErrNotFound) {
		return nil, subtitle.Track{}, apperr.NotFound("Webbinariet finns inte.")
	}
	if err != nil {
		return nil, subtitle.Track{}, err
	}
	t, err := s.listedTrack(ctx, w, lang)
	return w, t, err
}

func (s *Service) listedTrack(ctx context.Context, w *Webinar, lang string) (subtitle.Track, error) {
	if _, ok := w.Track(lang); !ok {
		return subtitle.Track{}, noTrack()
	}
	t, err := s.tracks.Get(ctx, w.ID, lang)
	if errors.Is(err, subtitle.ErrNotFound) {
		return subtitle.Track{}, noTrack()
	}
	return t, err
}

func noTrack() error {
	return apperr.NotFound("Det finns inga undertexter på det språket.")
}

// EditCues replaces a track's cues with edited ones, if the track is still
// at revision. The cues are checked as an uploaded file is, and must end
// within the recording; nothing is stored when they fail.
func (s *Service) EditCues(ctx context.Context, slug, lang string, revision int64, cues []subtitle.Cue) (*Webinar, subtitle.Track, error) {
	w, t, err := s.SubtitleTrackForStaff(ctx, slug, lang)
	if err != nil {
		return nil, subtitle.Track{}, err
	}
	checked, err := subtitle.CheckEdit(cues, w.RecordingLength())
	if err != nil {
		return nil, subtitle.Track{}, cueError(err)
	}
	t.Cues = checked
	return s.updateTrack(ctx, w, t, revision)
}

// ShiftSubtitles moves every cue of a track by offset (negative: earlier).
// revision < 0 shifts whatever revision is stored (the API without a
// revision); otherwise the track must still be at revision.
func (s *Service) ShiftSubtitles(ctx context.Context, slug, lang string, offset time.Duration, revision int64) (*Webinar, subtitle.Track, error) {
	w, t, err := s.SubtitleTrackForStaff(ctx, slug, lang)
	if err != nil {
		return nil, subtitle.Track{}, err
	}
	if revision >= 0 && revision != t.Revision {
		return nil, subtitle.Track{}, trackConflict(t.Revision)
	}
	shifted, err := subtitle.Shift(t.Cues, offset, w.RecordingLength())
	if err != nil {
		return nil, subtitle.Track{}, cueError(err)
	}
	t.Cues = shifted
	return s.updateTrack(ctx, w, t, t.Revision)
}

// updateTrack stores t if it is still at revision, then keeps the cue
// count in the webinar's track list up to date.
func (s *Service) updateTrack(ctx context.Context, w *Webinar, t subtitle.Track, revision int64) (*Webinar, subtitle.Track, error) {
	t.UpdatedAt = s.now()
	saved, err := s.tracks.Update(ctx, t, revision)
	switch {
	case errors.Is(err, subtitle.ErrConflict):
		current, gerr := s.tracks.Get(ctx, w.ID, t.Lang)
		if gerr != nil {
			return nil, subtitle.Track{}, gerr
		}
		return nil, subtitle.Track{}, trackConflict(current.Revision)
	case errors.Is(err, subtitle.ErrNotFound):
		return nil, subtitle.Track{}, noTrack()
	case err != nil:
		return nil, subtitle.Track{}, fmt.Errorf("update subtitle track: %w", err)
	}
	if entry, ok := w.Track(t.Lang); ok && entry.Cues != len(saved.Cues) {
		w, err = s.modify(ctx, w.Slug, nil, func(w *Webinar) error {
			for i := range w.Subtitles {
				if w.Subtitles[i].Lang == t.Lang {
					w.Subtitles[i].Cues = len(saved.Cues)
				}
			}
			return nil
		})
		if err != nil {
			return nil, subtitle.Track{}, err
		}
	}
	return w, saved, nil
}

// trackConflict is the 409 for a change based on an old revision.
func trackConflict(current int64) error {
	return apperr.New(http.StatusConflict, "conflict", fmt.Sprintf(
		"Undertexterna har ändrats av någon annan sedan du öppnade dem (de är nu version %d). Dina ändringar är inte sparade.", current))
}

// cueError turns a refusal of the cues into a 400 whose field "cues.N"
// tells an editor which cue to show.
func cueError(err error) error {
	var pe *subtitle.ParseError
	if !errors.As(err, &pe) {
		return err
	}
	e := &apperr.Error{Status: http.StatusBadRequest, Code: "invalid_cues", Message: pe.Msg, Err: err}
	if pe.Cue > 0 {
		e.Fields = map[string]string{"cues." + strconv.Itoa(pe.Cue): pe.Msg}
	}
	return e
}
