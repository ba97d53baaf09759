// Package s3journal keeps the portal's record of the S3 multipart uploads
// it has started and not yet completed or aborted (media.UploadJournal),
// in the "s3_uploads" collection, so the sweeper can abort the ones an
// S3 outage or a crash left behind even when the S3 server no longer
// lists them.
package s3journal

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/smakom/webinar-portal/internal/media"
)

// Journal is the record in MongoDB.
type Journal struct {
	coll *mongo.Collection
	// timeout bounds Begin and End, which run under an upload's
	// long-lived context (zero: the caller's context alone).
	timeout time.Duration
}

// New keeps the record in db.
func New(db *mongo.Database) *Journal { return &Journal{coll: db.Collection("s3_uploads")} }

// SetTimeout bounds each Begin and End by d (MONGO_TIMEOUT).
func (j *Journal) SetTimeout(d time.Duration) { j.timeout = d }

func (j *Journal) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if j.timeout <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, j.timeout)
}

type entry struct {
	UploadID  string    `bson:"_id"`
	Key       string    `bson:"key"`
	Initiated time.Time `bson:"initiated"`
}

// Begin records an upload S3 has just started.
func (j *Journal) Begin(ctx context.Context, u media.Upload) error {
	ctx, cancel := j.bound(ctx)
	defer cancel()
	if _, err := j.coll.InsertOne(ctx, entry{UploadID: u.UploadID, Key: u.Key, Initiated: u.Initiated}); err != nil {
		return fmt.Errorf("record upload %s: %w", u.UploadID, err)
	}
	return nil
}

// End forgets a completed or aborted upload.
func (j *Journal) End(ctx context.Context, uploadID string) error {
	ctx, cancel := j.bound(ctx)
	defer cancel()
	if _, err := j.coll.DeleteOne(ctx, bson.M{"_id": uploadID}); err != nil {
		return fmt.Errorf("forget upload %s: %w", uploadID, err)
	}
	return nil
}

// List returns every recorded upload.
func (j *Journal) List(ctx context.Context) ([]media.Upload, error) {
	cur, err := j.coll.Find(ctx, bson.M{})
	if err != nil {
		return nil, fmt.Errorf("list recorded uploads: %w", err)
	}
	var entries []entry
	if err := cur.All(ctx, &entries); err != nil {
		return nil, fmt.Errorf("list recorded uploads: %w", err)
	}
	uploads := make([]media.Upload, len(entries))
	for i, e := range entries {
		uploads[i] = media.Upload{Key: e.Key, UploadID: e.UploadID, Initiated: e.Initiated}
	}
	return uploads, nil
}
