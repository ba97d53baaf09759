// Package integrity checks that object storage and webinar metadata agree
// (Verify) and cleans up what crashed or cancelled work left behind
// (Sweep): abandoned resumable uploads, unfinished multipart uploads,
// objects no webinar refers to and subtitle tracks of deleted webinars.
package integrity

import (
	"context"
	"io"
	"time"

	"github.com/smakom/webinar-portal/internal/media"
	"github.com/smakom/webinar-portal/internal/upload"
	"github.com/smakom/webinar-portal/internal/webinar"
)

// ObjectPrefix is where the portal keeps every object it generates a key
// for (media.NewKey); only objects under it can be orphans.
const ObjectPrefix = "webinars/"

// Objects is the part of object storage the checks use (*media.Store).
type Objects interface {
	List(ctx context.Context, prefix string) ([]media.Object, error)
	Get(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error)
	Stat(ctx context.Context, key string) (media.Object, error)
	Delete(ctx context.Context, key string) error
	IncompleteUploads(ctx context.Context, prefix string) ([]media.Upload, error)
	AbortUpload(ctx context.Context, key, uploadID string) error
}

// Webinars is the webinar metadata (*webinar.Store).
type Webinars interface {
	ForEach(ctx context.Context, fn func(*webinar.Webinar) error) error
	ByID(ctx context.Context, id string) (*webinar.Webinar, error)
}

// Tracks lists and deletes subtitle track documents (SubtitleTracks).
type Tracks interface {
	List(ctx context.Context) ([]TrackRef, error)
	Delete(ctx context.Context, t TrackRef) error
}

// Resumable is the portal's resumable uploads (*upload.Store).
type Resumable interface {
	List() ([]upload.Upload, error)
	// Delete aborts an upload's S3 multipart upload and removes it.
	Delete(ctx context.Context, id string) error
}

// TrackRef identifies one subtitle track document, without its cues.
type TrackRef struct {
	ID        string
	WebinarID string
	Lang      string
	UpdatedAt time.Time
}

// Checker verifies and sweeps one archive: one bucket and one database.
type Checker struct {
	objects   Objects
	webinars  Webinars
	tracks    Tracks
	resumable Resumable // nil: none to sweep
	now       func() time.Time
}

// New returns a checker for the archive kept in objects, webinars and tracks.
func New(objects Objects, webinars Webinars, tracks Tracks) *Checker {
	return &Checker{objects: objects, webinars: webinars, tracks: tracks, now: time.Now}
}

// WithResumable has Sweep remove abandoned resumable uploads too, and
// leave the multipart uploads of the others alone, however old.
func (c *Checker) WithResumable(r Resumable) *Checker {
	c.resumable = r
	return c
}

// inventory is what the metadata says exists.
type inventory struct {
	webinars int
	ids      map[string]bool              // webinar ids
	refs     map[string]webinar.ObjectRef // by object key
	dupRefs  []webinar.ObjectRef          // a key a second webinar or field also claims
}

func (c *Checker) readInventory(ctx context.Context) (inventory, error) {
	inv := inventory{ids: map[string]bool{}, refs: map[string]webinar.ObjectRef{}}
	err := c.webinars.ForEach(ctx, func(w *webinar.Webinar) error {
		inv.webinars++
		inv.ids[w.ID] = true
		for _, ref := range w.ObjectRefs() {
			if _, seen := inv.refs[ref.Key]; seen {
				inv.dupRefs = append(inv.dupRefs, ref)
				continue
			}
			inv.refs[ref.Key] = ref
		}
		return nil
	})
	return inv, err
}
