package subtitle

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Versions maps each webinar id to when any of its tracks last changed.
func (s *Store) Versions(ctx context.Context) (map[string]time.Time, error) {
	cur, err := s.coll.Find(ctx, bson.M{}, options.Find().SetProjection(bson.M{"webinar_id": 1, "updated_at": 1}))
	if err != nil {
		return nil, fmt.Errorf("list subtitle versions: %w", err)
	}
	defer cur.Close(ctx)
	out := map[string]time.Time{}
	for cur.Next(ctx) {
		var v struct {
			WebinarID string    `bson:"webinar_id"`
			UpdatedAt time.Time `bson:"updated_at"`
		}
		if err := cur.Decode(&v); err != nil {
			return nil, fmt.Errorf("read subtitle version: %w", err)
		}
		if v.UpdatedAt.After(out[v.WebinarID]) {
			out[v.WebinarID] = v.UpdatedAt
		}
	}
	return out, cur.Err()
}
