// Package search is the catalogue's full-text index: every webinar's
// metadata and subtitle cues in a bleve index with Swedish analysis, so a
// query finds the webinar and the moments in it where the words were said.
//
// The index is derived data: it lives under DATA_DIR, can always be rebuilt
// from MongoDB, and is rebuilt when it is missing, unreadable or of another
// schema version.
package search

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"

	"github.com/smakom/webinar-portal/internal/webinar"
)

const schemaKey = "portal_schema"

// Index is an open search index.
type Index struct {
	path string

	mu  sync.RWMutex
	idx bleve.Index

	// listedChanges counts index writes that listed searches could
	// notice (see changes.go).
	listedChanges atomic.Uint64
	// building is set while a fresh index is filled for the first time:
	// it would answer every query with nothing.
	building atomic.Bool

	transcripts *transcriptCache
}

// ErrNotReady is Search's answer while the index is first being built;
// callers fall back to a plainer search or ask to try again.
var ErrNotReady = errors.New("the search index is being built")

// SetBuilding marks the index as being filled for the first time (or no
// longer).
func (ix *Index) SetBuilding(b bool) { ix.building.Store(b) }

// Open opens the index at path. fresh reports that it was created empty
// (new, unreadable or of an older schema), so the caller must fill it.
func Open(path string) (ix *Index, fresh bool, err error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, false, err
	}
	idx, err := bleve.Open(abs)
	if err == nil {
		v, verr := idx.GetInternal([]byte(schemaKey))
		if verr == nil && string(v) == schemaVersion {
			if _, cerr := idx.DocCount(); cerr == nil {
				return newIndex(abs, idx), false, nil
			}
		}
		idx.Close()
	}
	// Missing, corrupt or outdated: start over.
	if err := os.RemoveAll(abs); err != nil {
		return nil, false, fmt.Errorf("remove old search index: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return nil, false, err
	}
	idx, err = bleve.New(abs, newMapping())
	if err != nil {
		return nil, false, fmt.Errorf("create search index: %w", err)
	}
	if err := idx.SetInternal([]byte(schemaKey), []byte(schemaVersion)); err != nil {
		idx.Close()
		return nil, false, err
	}
	return newIndex(abs, idx), true, nil
}

func newIndex(path string, idx bleve.Index) *Index {
	return &Index{path: path, idx: idx, transcripts: newTranscriptCache(transcriptCacheBytes)}
}

// Close closes the index.
func (ix *Index) Close() error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.idx == nil {
		return nil
	}
	err := ix.idx.Close()
	ix.idx = nil
	return err
}

var errClosed = errors.New("search index is closed")

// Put indexes a webinar with its subtitle tracks, replacing what was there.
func (ix *Index) Put(w *webinar.Webinar, tracks []Track) error {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.idx == nil {
		return errClosed
	}
	b := ix.idx.NewBatch()
	if err := putBatch(b, w, tracks); err != nil {
		return err
	}
	defer ix.transcripts.written(w.ID)
	return ix.idx.Batch(b)
}

// putBatch adds a webinar's two documents to a batch.
func putBatch(b *bleve.Batch, w *webinar.Webinar, tracks []Track) error {
	doc, side := document(w, tracks)
	if err := b.Index(w.ID, doc); err != nil {
		return err
	}
	if len(side) == 0 {
		b.Delete(sideID(w.ID))
		return nil
	}
	return b.Index(sideID(w.ID), side)
}

// Batch indexes many webinars at once (a rebuild).
type Batch struct {
	ix  *Index
	b   *bleve.Batch
	ids []string
}

// NewBatch starts a batch.
func (ix *Index) NewBatch() *Batch {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return &Batch{ix: ix, b: ix.idx.NewBatch()}
}

// Put adds a webinar to the batch.
func (b *Batch) Put(w *webinar.Webinar, tracks []Track) error {
	b.ids = append(b.ids, w.ID)
	return putBatch(b.b, w, tracks)
}

// Size is the number of webinars in the batch.
func (b *Batch) Size() int { return len(b.ids) }

// Commit writes the batch and empties it.
func (b *Batch) Commit() error {
	b.ix.mu.RLock()
	defer b.ix.mu.RUnlock()
	if b.ix.idx == nil {
		return errClosed
	}
	err := b.ix.idx.Batch(b.b)
	b.ix.transcripts.written(b.ids...)
	// A new batch rather than Reset: the index may still be reading the
	// old one's map in a goroutine of its own after Batch returns.
	b.b = b.ix.idx.NewBatch()
	b.ids = nil
	return err
}

// Delete removes a webinar from the index.
func (ix *Index) Delete(id string) error {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.idx == nil {
		return errClosed
	}
	b := ix.idx.NewBatch()
	b.Delete(id)
	b.Delete(sideID(id))
	defer ix.transcripts.written(id)
	return ix.idx.Batch(b)
}

// Count is the number of indexed webinars.
func (ix *Index) Count() (uint64, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.idx == nil {
		return 0, errClosed
	}
	q := bleve.NewTermQuery("webinar")
	q.SetField(fieldKind)
	res, err := ix.idx.Search(bleve.NewSearchRequestOptions(q, 0, 0, false))
	if err != nil {
		return 0, err
	}
	return res.Total, nil
}
