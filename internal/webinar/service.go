package webinar

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/smakom/webinar-portal/internal/apperr"
	"github.com/smakom/webinar-portal/internal/media"
	"github.com/smakom/webinar-portal/internal/subtitle"
)

// Objects is the part of object storage the service needs.
type Objects interface {
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (media.Object, error)
	Delete(ctx context.Context, key string) error
}

// Tracks stores subtitle cues, one document per webinar and language.
type Tracks interface {
	Put(ctx context.Context, t subtitle.Track) error
	Get(ctx context.Context, webinarID, lang string) (subtitle.Track, error)
	// Update replaces a track only if it is still at revision.
	Update(ctx context.Context, t subtitle.Track, revision int64) (subtitle.Track, error)
	Delete(ctx context.Context, webinarID, lang string) error
	DeleteAll(ctx context.Context, webinarID string) error
}

// Limits bounds upload sizes.
type Limits struct {
	RecordingBytes int64
	SlidesBytes    int64
	// SubtitleBytes bounds a subtitle file; zero means subtitle.MaxBytes.
	SubtitleBytes int64
}

// Subtitles is the subtitle file limit in force.
func (l Limits) Subtitles() int64 {
	if l.SubtitleBytes <= 0 || l.SubtitleBytes > subtitle.MaxBytes {
		return subtitle.MaxBytes
	}
	return l.SubtitleBytes
}

// Service is what pages and the API call to read and change webinars.
type Service struct {
	store   *Store
	objects Objects
	tracks  Tracks
	limits  Limits
	log     *slog.Logger
	now     func() time.Time
	cache   *readCache
	// listedChanges counts writes visitors could notice (see changes.go).
	listedChanges atomic.Uint64
}

// NewService wires the store, object storage and subtitle tracks.
func NewService(store *Store, objects Objects, tracks Tracks, limits Limits, log *slog.Logger) *Service {
	return &Service{store: store, objects: objects, tracks: tracks, limits: limits, log: log,
		now:   func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) },
		cache: newReadCache(3 * time.Second)}
}

// Store gives read access for listings.
func (s *Service) Store() *Store { return s.store }

// Limits are the configured upload limits.
func (s *Service) Limits() Limits { return s.limits }

// Get returns the webinar with slug if the viewer may see it; otherwise
// it answers as if the webinar did not exist.
func (s *Service) Get(ctx context.Context, slug string, v Viewer) (*Webinar, error) {
	w, ok := s.cache.get(slug)
	var err error
	if !ok {
		w, err = s.store.BySlug(ctx, slug)
		if err == nil {
			s.cache.put(w)
		}
	}
	if errors.Is(err, ErrNotFound) || err == nil && !w.VisibleTo(v) {
		return nil, apperr.NotFound("Webbinariet finns inte, eller så har du inte behörighet att se det.")
	}
	return w, err
}

// Create adds a webinar with a unique slug made from its title; a title
// already taken gets "-2", "-3", ...
func (s *Service) Create(ctx context.Context, f Fields) (*Webinar, error) {
	now := s.now()
	w := &Webinar{ID: newID(), Visibility: Draft, Language: "sv", CreatedAt: now, UpdatedAt: now,
		Speakers: []Speaker{}, Topics: []string{}, Slides: []SlideDeck{}, Subtitles: []SubtitleTrack{}, Chapters: []Chapter{}}
	if err := f.apply(w, subtitle.ValidLang); err != nil {
		return nil, err
	}
	if w.Visibility != Draft {
		w.PublishedAt = &now
	}
	base := Slugify(w.Title)
	for i := 1; i <= 100; i++ {
		w.Slug = base
		if i > 1 {
			w.Slug = base + "-" + strconv.Itoa(i)
		}
		err := s.store.insert(ctx, w)
		if err == nil {
			s.noteChange(Draft, w.Visibility)
			return w, nil
		}
		if !errors.Is(err, errDupSlug) {
			return nil, fmt.Errorf("create webinar: %w", err)
		}
	}
	return nil, apperr.New(http.StatusConflict, "slug_taken", "Det finns redan för många webbinarier med samma titel.")
}

// Update applies changes to the metadata. When expectedUpdatedAt is set
// (forms send it) and the webinar changed since, it reports a conflict
// instead of overwriting someone else's edit.
func (s *Service) Update(ctx context.Context, slug string, f Fields, expectedUpdatedAt *time.Time) (*Webinar, error) {
	return s.modify(ctx, slug, expectedUpdatedAt, func(w *Webinar) error {
		wasDraft := w.Visibility == Draft
		if err := f.apply(w, subtitle.ValidLang); err != nil {
			return err
		}
		if wasDraft && w.Visibility != Draft {
			now := s.now()
			w.PublishedAt = &now
		}
		return nil
	})
}

// Publish sets the visibility (public when empty); Unpublish makes it a draft.
func (s *Service) Publish(ctx context.Context, slug string, vis Visibility) (*Webinar, error) {
	if vis == "" {
		vis = Public
	}
	v := string(vis)
	return s.Update(ctx, slug, Fields{Visibility: &v}, nil)
}

// Unpublish hides a webinar from everyone but staff.
func (s *Service) Unpublish(ctx context.Context, slug string) (*Webinar, error) {
	v := string(Draft)
	return s.Update(ctx, slug, Fields{Visibility: &v}, nil)
}

// modify reads, changes and writes a webinar. Without an expected
// version it retries on a concurrent change, so uploads finishing at
// the same time both land.
func (s *Service) modify(ctx context.Context, slug string, expected *time.Time, change func(*Webinar) error) (*Webinar, error) {
	for attempt := 0; attempt < 5; attempt++ {
		w, err := s.store.BySlug(ctx, slug)
		if errors.Is(err, ErrNotFound) {
			return nil, apperr.NotFound("Webbinariet finns inte.")
		}
		if err != nil {
			return nil, err
		}
		readAt, before := w.UpdatedAt, w.Visibility
		if expected != nil && !expected.Equal(readAt) {
			return nil, conflictError()
		}
		if err := change(w); err != nil {
			return nil, err
		}
		w.UpdatedAt = s.now()
		if !w.UpdatedAt.After(readAt) {
			w.UpdatedAt = readAt.Add(time.Millisecond)
		}
		err = s.store.replace(ctx, w, readAt)
		s.cache.forget(slug)
		if errors.Is(err, ErrConflict) {
			if expected != nil {
				return nil, conflictError()
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		s.noteChange(before, w.Visibility)
		return w, nil
	}
	return nil, conflictError()
}

func conflictError() error {
	return apperr.New(http.StatusConflict, "conflict",
		"Webbinariet har ändrats av någon annan sedan du öppnade det. Ladda om sidan och gör ändringen igen.")
}

// Delete removes a webinar, its subtitle tracks and its objects.
func (s *Service) Delete(ctx context.Context, slug string) error {
	w, err := s.store.BySlug(ctx, slug)
	if errors.Is(err, ErrNotFound) {
		return apperr.NotFound("Webbinariet finns inte.")
	}
	if err != nil {
		return err
	}
	if err := s.store.delete(ctx, w.ID); err != nil {
		return err
	}
	s.noteChange(w.Visibility, Draft)
	s.cache.forget(slug)
	if err := s.tracks.DeleteAll(ctx, w.ID); err != nil {
		s.log.ErrorContext(ctx, "delete subtitle tracks", "webinar", w.ID, "err", err)
	}
	for _, key := range w.objectKeys() {
		if err := s.objects.Delete(ctx, key); err != nil {
			// The metadata is gone; the sweeper removes what is left.
			s.log.ErrorContext(ctx, "delete object of deleted webinar", "key", key, "err", err)
		}
	}
	return nil
}

func newID() string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
