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
	// Revision counts the changes of the track: 1 when first stored, one
	// more on every upload, edit or shift. An editor sends back the
	// revision it read, so a save never overwrites a change it has not seen.
	Revision int64 `bson:"revision"`
}

var (
	// ErrNotFound is returned (wrapped) when a webinar has no track in a language.
	ErrNotFound = errors.New("subtitle track not found")
	// ErrConflict is returned (wrapped) by Update when the track has
	// changed since the revision the caller read.
	ErrConflict = errors.New("subtitle track changed since it was read")
)

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

// Put stores t, replacing the webinar's track in the same language (an
// upload replaces whatever is there, edited or not). It fills in ID, a
// missing Label (LangLabel), a missing Kind (subtitles) and a missing
// UpdatedAt (now), and sets Revision to one more than the replaced track's.
func (s *Store) Put(ctx context.Context, t Track) error {
	if err := checkTrack(&t); err != nil {
		return err
	}
	// Compare and swap on the revision, so two uploads at once still give
	// two revisions. No upsert: on FerretDB an upsert that hits the
	// existing _id fails without being a duplicate-key error.
	for attempt := 0; attempt < 5; attempt++ {
		current, err := s.revision(ctx, t.ID)
		if errors.Is(err, ErrNotFound) {
			t.Revision = 1
			_, err = s.coll.InsertOne(ctx, t)
			if mongo.IsDuplicateKeyError(err) {
				continue // stored meanwhile: replace it
			}
			if err != nil {
				return fmt.Errorf("put subtitle track %s: %w", t.ID, err)
			}
			return nil
		}
		if err != nil {
			return err
		}
		t.Revision = current + 1
		res, err := s.coll.ReplaceOne(ctx, revisionFilter(t.ID, current), t)
		if err != nil {
			return fmt.Errorf("put subtitle track %s: %w", t.ID, err)
		}
		if res.MatchedCount == 1 {
			return nil
		}
	}
	return fmt.Errorf("put subtitle track %s: %w", t.ID, ErrConflict)
}

// Update replaces a track that is still at revision, and returns it as
// stored, at the next revision. A track changed since gives an error
// wrapping ErrConflict, a deleted one ErrNotFound; neither changes anything.
func (s *Store) Update(ctx context.Context, t Track, revision int64) (Track, error) {
	if err := checkTrack(&t); err != nil {
		return Track{}, err
	}
	t.Revision = revision + 1
	res, err := s.coll.ReplaceOne(ctx, revisionFilter(t.ID, revision), t)
	if err != nil {
		return Track{}, fmt.Errorf("update subtitle track %s: %w", t.ID, err)
	}
	if res.MatchedCount == 0 {
		if _, err := s.revision(ctx, t.ID); err != nil {
			return Track{}, err
		}
		return Track{}, fmt.Errorf("update subtitle track %s at revision %d: %w", t.ID, revision, ErrConflict)
	}
	return t, nil
}

// revisionFilter matches the track id at revision. Tracks stored before
// revisions existed have no field, which counts as revision 0.
func revisionFilter(id string, revision int64) bson.D {
	if revision == 0 {
		return bson.D{{Key: "_id", Value: id}, {Key: "$or", Value: bson.A{
			bson.D{{Key: "revision", Value: int64(0)}},
			bson.D{{Key: "revision", Value: bson.D{{Key: "$exists", Value: false}}}},
		}}}
	}
	return bson.D{{Key: "_id", Value: id}, {Key: "revision", Value: revision}}
}

// revision reads only a track's revision, not its cues.
func (s *Store) revision(ctx context.Context, id string) (int64, error) {
	var doc struct {
		Revision int64 `bson:"revision"`
	}
	opts := options.FindOne().SetProjection(bson.D{{Key: "revision", Value: 1}})
	err := s.coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}, opts).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, fmt.Errorf("subtitle track %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("read revision of subtitle track %s: %w", id, err)
	}
	return doc.Revision, nil
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
