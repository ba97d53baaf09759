package integrity

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// subtitleCollection is the collection package subtitle keeps its tracks in.
const subtitleCollection = "subtitles"

// SubtitleTracks lists and deletes the subtitle track documents in db.
//
// Package subtitle fetches tracks by _id only and has no listing; the
// sweep is the one reader that needs all of them, and reads them without
// their cues (the large part).
func SubtitleTracks(db *mongo.Database) Tracks {
	return subtitleTracks{coll: db.Collection(subtitleCollection)}
}

type subtitleTracks struct {
	coll *mongo.Collection
}

func (s subtitleTracks) List(ctx context.Context) ([]TrackRef, error) {
	projection := bson.D{{Key: "webinar_id", Value: 1}, {Key: "lang", Value: 1}, {Key: "updated_at", Value: 1}}
	cur, err := s.coll.Find(ctx, bson.D{}, options.Find().SetProjection(projection))
	if err != nil {
		return nil, fmt.Errorf("list subtitle tracks: %w", err)
	}
	var docs []struct {
		ID        string    `bson:"_id"`
		WebinarID string    `bson:"webinar_id"`
		Lang      string    `bson:"lang"`
		UpdatedAt time.Time `bson:"updated_at"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("list subtitle tracks: %w", err)
	}
	refs := make([]TrackRef, len(docs))
	for i, d := range docs {
		refs[i] = TrackRef{ID: d.ID, WebinarID: d.WebinarID, Lang: d.Lang, UpdatedAt: d.UpdatedAt}
	}
	return refs, nil
}

func (s subtitleTracks) Delete(ctx context.Context, t TrackRef) error {
	if _, err := s.coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: t.ID}}); err != nil {
		return fmt.Errorf("delete subtitle track %s: %w", t.ID, err)
	}
	return nil
}
