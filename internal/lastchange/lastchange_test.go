package lastchange_test

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/smakom/webinar-portal/internal/lastchange"
	"github.com/smakom/webinar-portal/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// TestLatestChangePerKey: several documents of one key give the latest
// time; a key that is not a string is an error, not a silent skip.
func TestLatestChangePerKey(t *testing.T) {
	ctx := context.Background()
	coll := testenv.MongoDB(t).Collection("tracks")
	t1 := time.Date(2024, 5, 6, 10, 0, 0, 0, time.UTC)
	t2, t3 := t1.Add(time.Hour), t1.Add(-time.Hour)
	if _, err := coll.InsertMany(ctx, []any{
		bson.M{"webinar_id": "a", "updated_at": t1},
		bson.M{"webinar_id": "a", "updated_at": t2},
		bson.M{"webinar_id": "a", "updated_at": t3},
		bson.M{"webinar_id": "b", "updated_at": t3},
	}); err != nil {
		t.Fatal(err)
	}
	got, err := lastchange.ByKey(ctx, coll, "webinar_id", "subtitle")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got["a"].Equal(t2) || !got["b"].Equal(t3) {
		t.Errorf("ByKey = %v; want a at %v, b at %v", got, t2, t3)
	}
	if _, err := coll.InsertOne(ctx, bson.M{"webinar_id": 7, "updated_at": t1}); err != nil {
		t.Fatal(err)
	}
	if _, err := lastchange.ByKey(ctx, coll, "webinar_id", "subtitle"); err == nil {
		t.Error("a number as key was accepted")
	}
}
