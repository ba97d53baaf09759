// Package resume remembers where a logged-in viewer stopped watching each
// webinar, so the watch page can start there next time. One document per
// viewer and webinar, replaced whole: no counters to lose.
package resume

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Store keeps positions in the "positions" collection.
type Store struct {
	coll *mongo.Collection
}

// NewStore keeps positions in db.
func NewStore(db *mongo.Database) *Store { return &Store{coll: db.Collection("positions")} }

type position struct {
	ID        string    `bson:"_id"` // user id + ":" + webinar id
	Seconds   float64   `bson:"seconds"`
	UpdatedAt time.Time `bson:"updated_at"`
}

func key(userID, webinarID string) string { return userID + ":" + webinarID }

// Save records that the user stopped at seconds into the webinar.
func (s *Store) Save(ctx context.Context, userID, webinarID string, seconds float64) error {
	p := position{ID: key(userID, webinarID), Seconds: seconds, UpdatedAt: time.Now().UTC()}
	_, err := s.coll.ReplaceOne(ctx, bson.M{"_id": p.ID}, p, options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("save position: %w", err)
	}
	return nil
}

// Get returns where the user stopped, and false when nothing is saved.
func (s *Store) Get(ctx context.Context, userID, webinarID string) (float64, bool, error) {
	var p position
	err := s.coll.FindOne(ctx, bson.M{"_id": key(userID, webinarID)}).Decode(&p)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("read position: %w", err)
	}
	return p.Seconds, true, nil
}
