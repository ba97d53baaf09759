package webinar

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Versions maps every webinar's id to when it last changed: a cheap
// listing for keeping derived data (the search index) in step.
func (s *Store) Versions(ctx context.Context) (map[string]time.Time, error) {
	cur, err := s.coll.Find(ctx, bson.M{}, options.Find().SetProjection(bson.M{"_id": 1, "updated_at": 1}))
	if err != nil {
		return nil, fmt.Errorf("list webinar versions: %w", err)
	}
	defer cur.Close(ctx)
	out := map[string]time.Time{}
	for cur.Next(ctx) {
		var v struct {
			ID        string    `bson:"_id"`
			UpdatedAt time.Time `bson:"updated_at"`
		}
		if err := cur.Decode(&v); err != nil {
			return nil, fmt.Errorf("read webinar version: %w", err)
		}
		out[v.ID] = v.UpdatedAt
	}
	return out, cur.Err()
}
