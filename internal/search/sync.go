package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/smakom/webinar-portal/internal/subtitle"
	"github.com/smakom/webinar-portal/internal/webinar"
)

// Source is where the index's data comes from: the webinars and their
// subtitle tracks in MongoDB.
type Source struct {
	Webinars *webinar.Store
	Tracks   *subtitle.Store
}

// versions is when each webinar (or one of its tracks) last changed.
func (s Source) versions(ctx context.Context) (map[string]time.Time, error) {
	vs, err := s.Webinars.Versions(ctx)
	if err != nil {
		return nil, err
	}
	tvs, err := s.Tracks.Versions(ctx)
	if err != nil {
		return nil, err
	}
	for id, t := range tvs {
		if old, ok := vs[id]; ok && t.After(old) {
			vs[id] = t
		}
	}
	return vs, nil
}

func (s Source) tracks(ctx context.Context, w *webinar.Webinar) ([]Track, error) {
	var out []Track
	for _, st := range w.Subtitles {
		t, err := s.Tracks.Get(ctx, w.ID, st.Lang)
		if errors.Is(err, subtitle.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, Track{Lang: t.Lang, Cues: t.Cues})
	}
	return out, nil
}

const versionsKey = "portal_versions"

// Syncer keeps an index in step with MongoDB by polling: each portal
// instance compares every webinar's last change with what it indexed, so
// several instances sharing one database each stay current.
type Syncer struct {
	ix  *Index
	src Source
	log *slog.Logger

	mu      sync.Mutex
	indexed map[string]time.Time // webinar id -> version indexed
	// shown is the visibility each webinar had when this process last
	// indexed it, to tell changes visitors could notice (changes.go).
	shown map[string]webinar.Visibility
}

// NewSyncer loads what the index says it holds.
func NewSyncer(ix *Index, src Source, log *slog.Logger) *Syncer {
	s := &Syncer{ix: ix, src: src, log: log, indexed: map[string]time.Time{}, shown: map[string]webinar.Visibility{}}
	ix.mu.RLock()
	raw, err := ix.idx.GetInternal([]byte(versionsKey))
	ix.mu.RUnlock()
	if err == nil && len(raw) > 0 {
		if jerr := json.Unmarshal(raw, &s.indexed); jerr != nil {
			s.indexed = map[string]time.Time{}
		}
	}
	return s
}

// Progress is told how far a rebuild has come.
type Progress func(done, total int)

// Rebuild indexes every webinar anew.
func (s *Syncer) Rebuild(ctx context.Context, progress Progress) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	vs, err := s.src.versions(ctx)
	if err != nil {
		return err
	}
	for id := range s.indexed {
		if _, ok := vs[id]; !ok {
			if err := s.ix.Delete(id); err != nil {
				return err
			}
			s.noteRemoved(id)
		}
	}
	s.indexed = map[string]time.Time{}
	defer s.ix.listedChanges.Add(1) // anything may have changed
	return s.update(ctx, vs, keys(vs), progress)
}

// Sync indexes what changed since the last sync and drops what is gone.
// It reports how many webinars it indexed and removed.
func (s *Syncer) Sync(ctx context.Context) (updated, removed int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	vs, err := s.src.versions(ctx)
	if err != nil {
		return 0, 0, err
	}
	var changed []string
	for id, v := range vs {
		if old, ok := s.indexed[id]; !ok || !old.Equal(v) {
			changed = append(changed, id)
		}
	}
	for id := range s.indexed {
		if _, ok := vs[id]; !ok {
			if err := s.ix.Delete(id); err != nil {
				return 0, removed, err
			}
			s.noteRemoved(id)
			delete(s.indexed, id)
			removed++
		}
	}
	if len(changed) == 0 {
		if removed > 0 {
			return 0, removed, s.saveVersions()
		}
		return 0, 0, nil
	}
	return len(changed), removed, s.update(ctx, vs, changed, nil)
}

func keys(m map[string]time.Time) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// update indexes the webinars ids in batches.
func (s *Syncer) update(ctx context.Context, vs map[string]time.Time, ids []string, progress Progress) error {
	const batchSize = 50
	b := s.ix.NewBatch()
	done := 0
	noticed := false // the batch holds a change visitors could notice
	flush := func() error {
		if b.Size() == 0 {
			return nil
		}
		if err := b.Commit(); err != nil {
			return fmt.Errorf("write search index: %w", err)
		}
		if noticed {
			s.ix.listedChanges.Add(1)
			noticed = false
		}
		return s.saveVersions()
	}
	for _, id := range ids {
		w, err := s.src.Webinars.ByID(ctx, id)
		switch {
		case errors.Is(err, webinar.ErrNotFound):
			// Deleted meanwhile; the next sync drops it.
			continue
		case err != nil:
			return err
		}
		tracks, err := s.src.tracks(ctx, w)
		if err != nil {
			return err
		}
		if err := b.Put(w, tracks); err != nil {
			return err
		}
		_, wasIndexed := s.indexed[id]
		noticed = s.noteIndexed(w, wasIndexed) || noticed
		s.indexed[id] = vs[id]
		done++
		if b.Size() >= batchSize {
			if err := flush(); err != nil {
				return err
			}
		}
		if progress != nil {
			progress(done, len(ids))
		}
	}
	return flush()
}

func (s *Syncer) saveVersions() error {
	raw, err := json.Marshal(s.indexed)
	if err != nil {
		return err
	}
	s.ix.mu.RLock()
	defer s.ix.mu.RUnlock()
	if s.ix.idx == nil {
		return errClosed
	}
	return s.ix.idx.SetInternal([]byte(versionsKey), raw)
}

// syncTimeout bounds one periodic sync with the database.
const syncTimeout = 2 * time.Minute

// Run syncs every interval until ctx ends.
func (s *Syncer) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			// Bounded, so a database that hangs cannot stall later syncs.
			sctx, cancel := context.WithTimeout(ctx, syncTimeout)
			up, rm, err := s.Sync(sctx)
			cancel()
			if err != nil && ctx.Err() == nil {
				s.log.Error("search index sync", "err", err)
			} else if up+rm > 0 {
				s.log.Debug("search index synced", "updated", up, "removed", rm)
			}
		}
	}
}
