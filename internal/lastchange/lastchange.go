// Package lastchange lists when documents of a MongoDB collection last
// changed, grouped by a key: a cheap listing that derived data (the search
// index) compares with its own to find what to redo.
package lastchange

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// ByKey maps each value of the string field key to the latest updated_at
// of the documents holding it. what names the documents in errors.
func ByKey(ctx context.Context, coll *mongo.Collection, key, what string) (map[string]time.Time, error) {
	cur, err := coll.Find(ctx, bson.M{}, options.Find().SetProjection(bson.M{key: 1, "updated_at": 1}))
	if err != nil {
		return nil, fmt.Errorf("list %s versions: %w", what, err)
	}
	defer cur.Close(ctx)
	out := map[string]time.Time{}
	for cur.Next(ctx) {
		id, ok := cur.Current.Lookup(key).StringValueOK()
		if !ok {
			return nil, fmt.Errorf("read %s version: %s is not a string", what, key)
		}
		var v struct {
			UpdatedAt time.Time `bson:"updated_at"`
		}
		if err := cur.Decode(&v); err != nil {
			return nil, fmt.Errorf("read %s version: %w", what, err)
		}
		if t, seen := out[id]; !seen || v.UpdatedAt.After(t) {
			out[id] = v.UpdatedAt
		}
	}
	return out, cur.Err()
}
