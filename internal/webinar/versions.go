package webinar

import (
	"context"
	"time"

	"github.com/smakom/webinar-portal/internal/lastchange"
)

// Versions maps every webinar's id to when it last changed: a cheap
// listing for keeping derived data (the search index) in step.
func (s *Store) Versions(ctx context.Context) (map[string]time.Time, error) {
	return lastchange.ByKey(ctx, s.coll, "_id", "webinar")
}
