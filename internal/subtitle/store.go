package subtitle

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Track kinds, as in the HTML <track kind> attribute: captions also
// describe sounds, for viewers who do not hear them.
const (
	KindSubtitles = "subtitles"
	KindCaptions  = "captions"
)

// Track is one language's subtitles for a webinar.
//
// The cues live in this document, in their own collection, and are fetched
// by _id only: on FerretDB every other query scans the collection, so the
// documents that listings touch must stay small.
type Track struct {
	ID        string    `bson:"_id"` // TrackID(WebinarID, Lang)
	WebinarID string    `bson:"webinar_id"`
	Lang      string    `bson:"lang"`  // ISO 639-1
	Label     string    `bson:"label"` // shown in the player's menu
	Kind      string    `bson:"kind"`  // KindSubtitles or KindCaptions
	Format    string    `bson:"source_format"`
	Cues      []Cue     `bson:"cues"`
	UpdatedAt time.Time `bson:"updated_at"`
}

// ErrNotFound is returned (wrapped) when a webinar has no track in a language.
var ErrNotFound = errors.New("subtitle track not found")

const collectionName = "subtitles"

// Store keeps subtitle tracks in the "subtitles" collection.
type Store struct {
	coll *mongo.Collection
}

// NewStore returns a store on db.
func NewStore(db *mongo.Database) *Store {
	return &Store{coll: db.Collection(collectionName)}
}

// TrackID is the _id of a webinar's track in one language: one track per
// language, so uploading again replaces it.
func TrackID(webinarID, lang string) string {
	return webinarID + ":" + lang
}

// Put stores t, replacing the webinar's track in the same language. It
// fills in ID, a missing Label (LangLabel), a missing Kind (subtitles) and
// a missing UpdatedAt (now).
func (s *Store) Put(ctx context.Context, t Track) error {
	if err := checkTrack(&t); err != nil {
		return err
	}
	filter := bson.D{{Key: "_id", Value: t.ID}}
	if _, err := s.coll.ReplaceOne(ctx, filter, t, options.Replace().SetUpsert(true)); err != nil {
		return fmt.Errorf("put subtitle track %s: %w", t.ID, err)
	}
	return nil
}

func checkTrack(t *Track) error {
	switch {
	case t.WebinarID == "":
		return errors.New("subtitle track: webinar id is empty")
	case !ValidLang(t.Lang):
		return fmt.Errorf("subtitle track: %q is not an ISO 639-1 language code", t.Lang)
	case t.Kind == "":
		t.Kind = KindSubtitles
	case t.Kind != KindSubtitles && t.Kind != KindCaptions:
		return fmt.Errorf("subtitle track: kind %q is neither %q nor %q", t.Kind, KindSubtitles, KindCaptions)
	}
	id := TrackID(t.WebinarID, t.Lang)
	if t.ID != "" && t.ID != id {
		return fmt.Errorf("subtitle track: id %q does not match webinar %q and language %q", t.ID, t.WebinarID, t.Lang)
	}
	t.ID = id
	if t.Label == "" {
		t.Label = LangLabel(t.Lang)
	}
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = time.Now()
	}
	// BSON dates hold milliseconds in UTC; store what Get will return.
	t.UpdatedAt = t.UpdatedAt.UTC().Truncate(time.Millisecond)
	return nil
}

// Get returns a webinar's track in one language, or an error wrapping
// ErrNotFound.
func (s *Store) Get(ctx context.Context, webinarID, lang string) (Track, error) {
	id := TrackID(webinarID, lang)
	var t Track
	err := s.coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&t)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return Track{}, fmt.Errorf("get subtitle track %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Track{}, fmt.Errorf("get subtitle track %s: %w", id, err)
	}
	return t, nil
}

// DeleteAll removes every track of a webinar (when the webinar is deleted).
func (s *Store) DeleteAll(ctx context.Context, webinarID string) error {
	if _, err := s.coll.DeleteMany(ctx, bson.D{{Key: "webinar_id", Value: webinarID}}); err != nil {
		return fmt.Errorf("delete subtitle tracks of webinar %s: %w", webinarID, err)
	}
	return nil
}

// Delete removes one language's track; a missing track is not an error.
func (s *Store) Delete(ctx context.Context, webinarID, lang string) error {
	id := TrackID(webinarID, lang)
	if _, err := s.coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
		return fmt.Errorf("delete subtitle track %s: %w", id, err)
	}
	return nil
}
