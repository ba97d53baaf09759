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

	"github.com/blevesearch/bleve/v2"

	"github.com/smakom/webinar-portal/internal/webinar"
)

const schemaKey = "portal_schema"

// Index is an open search index.
type Index struct {
	path string

	mu  sync.RWMutex
	idx bleve.Index
}

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
				return &Index{path: abs, idx: idx}, false, nil
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
	return &Index{path: abs, idx: idx}, true, nil
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
	return ix.idx.Index(w.ID, document(w, tracks))
}

// Batch indexes many webinars at once (a rebuild).
type Batch struct {
	ix *Index
	b  *bleve.Batch
}

// NewBatch starts a batch.
func (ix *Index) NewBatch() *Batch {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return &Batch{ix: ix, b: ix.idx.NewBatch()}
}

// Put adds a webinar to the batch.
func (b *Batch) Put(w *webinar.Webinar, tracks []Track) error {
	return b.b.Index(w.ID, document(w, tracks))
}

// Size is the number of operations in the batch.
func (b *Batch) Size() int { return b.b.Size() }

// Commit writes the batch and empties it.
func (b *Batch) Commit() error {
	b.ix.mu.RLock()
	defer b.ix.mu.RUnlock()
	if b.ix.idx == nil {
		return errClosed
	}
	err := b.ix.idx.Batch(b.b)
	b.b.Reset()
	return err
}

// Delete removes a webinar from the index.
func (ix *Index) Delete(id string) error {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.idx == nil {
		return errClosed
	}
	return ix.idx.Delete(id)
}

// Count is the number of indexed webinars.
func (ix *Index) Count() (uint64, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.idx == nil {
		return 0, errClosed
	}
	return ix.idx.DocCount()
}
