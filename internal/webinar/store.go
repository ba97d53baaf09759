package webinar

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

var (
	// ErrNotFound: no webinar with that slug or id.
	ErrNotFound = errors.New("webinar not found")
	// ErrConflict: the webinar changed since it was read.
	ErrConflict = errors.New("webinar was changed by someone else")
	errDupSlug  = errors.New("slug taken")
)

// Store keeps webinars in the "webinars" collection. Queries stay within
// what both MongoDB and the embedded FerretDB answer the same way.
type Store struct {
	coll *mongo.Collection
	// callTimeout bounds each single-document call, also under an
	// upload's long-lived context (zero: the caller's context alone).
	callTimeout time.Duration
}

// SetCallTimeout bounds each single-document call by d (MONGO_TIMEOUT).
func (s *Store) SetCallTimeout(d time.Duration) { s.callTimeout = d }

// bound gives one call at most callTimeout, or less if ctx ends sooner.
func (s *Store) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if s.callTimeout <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, s.callTimeout)
}

// NewStore opens the collection and its unique slug index.
func NewStore(ctx context.Context, db *mongo.Database) (*Store, error) {
	coll := db.Collection("webinars")
	_, err := coll.Indexes().CreateOne(ctx, mongo.IndexModel{
		Keys: bson.D{{Key: "slug", Value: 1}}, Options: options.Index().SetUnique(true),
	})
	if err != nil {
		return nil, fmt.Errorf("webinars index: %w", err)
	}
	return &Store{coll: coll}, nil
}

func (s *Store) insert(ctx context.Context, w *Webinar) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	_, err := s.coll.InsertOne(ctx, w)
	if mongo.IsDuplicateKeyError(err) {
		return errDupSlug
	}
	return err
}

// BySlug finds a webinar by its slug.
func (s *Store) BySlug(ctx context.Context, slug string) (*Webinar, error) {
	return s.findOne(ctx, bson.M{"slug": slug})
}

// ByID finds a webinar by its id.
func (s *Store) ByID(ctx context.Context, id string) (*Webinar, error) {
	return s.findOne(ctx, bson.M{"_id": id})
}

func (s *Store) findOne(ctx context.Context, filter bson.M) (*Webinar, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	var w Webinar
	err := s.coll.FindOne(ctx, filter).Decode(&w)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("find webinar: %w", err)
	}
	return &w, nil
}

// replace writes w if it still has the updated_at it was read with
// (optimistic locking: no lost updates between two staff members).
func (s *Store) replace(ctx context.Context, w *Webinar, readAt time.Time) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	res, err := s.coll.ReplaceOne(ctx, bson.M{"_id": w.ID, "updated_at": readAt}, w)
	if err != nil {
		return fmt.Errorf("replace webinar: %w", err)
	}
	if res.MatchedCount == 0 {
		return ErrConflict
	}
	return nil
}

func (s *Store) delete(ctx context.Context, id string) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	res, err := s.coll.DeleteOne(ctx, bson.M{"_id": id})
	if err != nil {
		return fmt.Errorf("delete webinar: %w", err)
	}
	if res.DeletedCount == 0 {
		return ErrNotFound
	}
	return nil
}

// Filter selects webinars for listings.
type Filter struct {
	Visibilities []Visibility // empty: all
	Topic        string
	Year         int
	Query        string // case-insensitive match on title, summary, organiser, speakers
	Page         int    // 1-based
	PerPage      int
	// NewlyPublished orders by publication, newest first (feeds);
	// otherwise by the date held.
	NewlyPublished bool
}

// List returns one page of webinars, newest first, and the total count.
func (s *Store) List(ctx context.Context, f Filter) ([]*Webinar, int64, error) {
	q := bson.M{}
	if len(f.Visibilities) > 0 {
		q["visibility"] = bson.M{"$in": f.Visibilities}
	}
	if f.Topic != "" {
		q["topics"] = f.Topic
	}
	if f.Year > 0 {
		from := time.Date(f.Year, 1, 1, 0, 0, 0, 0, time.UTC)
		q["held_at"] = bson.M{"$gte": from, "$lt": from.AddDate(1, 0, 0)}
	}
	if f.Query != "" {
		re := bson.Regex{Pattern: regexp.QuoteMeta(f.Query), Options: "i"}
		q["$or"] = bson.A{
			bson.M{"title": re}, bson.M{"summary": re}, bson.M{"organiser": re},
			bson.M{"speakers.name": re}, bson.M{"topics": re},
		}
	}
	total, err := s.coll.CountDocuments(ctx, q)
	if err != nil {
		return nil, 0, fmt.Errorf("count webinars: %w", err)
	}
	if f.PerPage <= 0 {
		f.PerPage = 12
	}
	if f.Page < 1 {
		f.Page = 1
	}
	order := bson.D{{Key: "held_at", Value: -1}, {Key: "created_at", Value: -1}}
	if f.NewlyPublished {
		order = bson.D{{Key: "published_at", Value: -1}, {Key: "created_at", Value: -1}}
	}
	opts := options.Find().
		SetSort(order).
		SetSkip(int64((f.Page - 1) * f.PerPage)).
		SetLimit(int64(f.PerPage))
	cur, err := s.coll.Find(ctx, q, opts)
	if err != nil {
		return nil, 0, fmt.Errorf("list webinars: %w", err)
	}
	var out []*Webinar
	if err := cur.All(ctx, &out); err != nil {
		return nil, 0, fmt.Errorf("read webinars: %w", err)
	}
	return out, total, nil
}

// Facets are the topics and years present among the given visibilities.
func (s *Store) Facets(ctx context.Context, vis []Visibility) (topics []string, years []int, err error) {
	q := bson.M{}
	if len(vis) > 0 {
		q["visibility"] = bson.M{"$in": vis}
	}
	cur, err := s.coll.Find(ctx, q, options.Find().SetProjection(bson.M{"topics": 1, "held_at": 1}))
	if err != nil {
		return nil, nil, fmt.Errorf("facets: %w", err)
	}
	var docs []struct {
		Topics []string  `bson:"topics"`
		HeldAt time.Time `bson:"held_at"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, nil, fmt.Errorf("facets: %w", err)
	}
	seenT, seenY := map[string]bool{}, map[int]bool{}
	for _, d := range docs {
		for _, t := range d.Topics {
			if !seenT[t] {
				seenT[t] = true
				topics = append(topics, t)
			}
		}
		if y := d.HeldAt.Year(); y > 1 && !seenY[y] {
			seenY[y] = true
			years = append(years, y)
		}
	}
	return topics, years, nil
}

// Count returns how many webinars exist.
func (s *Store) Count(ctx context.Context) (int64, error) {
	return s.coll.CountDocuments(ctx, bson.M{})
}

// Ping checks that MongoDB answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.coll.Database().Client().Ping(ctx, nil)
}

// ForEach calls fn with every webinar, one at a time and in no particular
// order, and stops at the first error fn returns. fn must not use the
// store: in embedded mode the client has a single connection.
func (s *Store) ForEach(ctx context.Context, fn func(*Webinar) error) error {
	cur, err := s.coll.Find(ctx, bson.M{})
	if err != nil {
		return fmt.Errorf("list all webinars: %w", err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var w Webinar
		if err := cur.Decode(&w); err != nil {
			return fmt.Errorf("read webinar: %w", err)
		}
		if err := fn(&w); err != nil {
			return err
		}
	}
	if err := cur.Err(); err != nil {
		return fmt.Errorf("list all webinars: %w", err)
	}
	return nil
}

// ObjectRef is one object that a webinar's metadata points at, with what
// the metadata records about it.
type ObjectRef struct {
	Key       string
	WebinarID string
	Slug      string
	Role      string // "recording", "slides" or "poster"
	Size      int64  // -1: not recorded (posters)
	SHA256    string // hex; "": not recorded (posters)
}

// ObjectRefs lists the objects w owns: its recording, slide decks and poster.
func (w *Webinar) ObjectRefs() []ObjectRef {
	var refs []ObjectRef
	if w.Recording != nil {
		refs = append(refs, ObjectRef{Key: w.Recording.Key, WebinarID: w.ID, Slug: w.Slug, Role: "recording",
			Size: w.Recording.Size, SHA256: w.Recording.SHA256})
	}
	for _, d := range w.Slides {
		refs = append(refs, ObjectRef{Key: d.Key, WebinarID: w.ID, Slug: w.Slug, Role: "slides",
			Size: d.Size, SHA256: d.SHA256})
	}
	if w.Poster != nil {
		refs = append(refs, ObjectRef{Key: w.Poster.Key, WebinarID: w.ID, Slug: w.Slug, Role: "poster", Size: -1})
	}
	return refs
}
