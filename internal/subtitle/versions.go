package subtitle

import (
	"context"
	"time"

	"github.com/smakom/webinar-portal/internal/lastchange"
)

// Versions maps each webinar id to when any of its tracks last changed.
func (s *Store) Versions(ctx context.Context) (map[string]time.Time, error) {
	return lastchange.ByKey(ctx, s.coll, "webinar_id", "subtitle")
}
