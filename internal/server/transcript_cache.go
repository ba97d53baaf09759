package server

import (
	"context"
	"sync"
	"time"

	"github.com/smakom/webinar-portal/internal/subtitle"
	"github.com/smakom/webinar-portal/internal/webinar"
)

// cueCache keeps the cues the watch page shows for a few seconds. A
// one-hour webinar has some 1,500 cues, and reading that document takes
// tens of milliseconds on the embedded store, for every visitor. The key
// holds the webinar's updated_at, so a new upload through any portal is
// seen at once; a change to the cues alone shows within the lifetime.
type cueCache struct {
	ttl time.Duration

	mu      sync.Mutex
	entries map[string]cueEntry
}

type cueEntry struct {
	cues []subtitle.Cue
	at   time.Time
}

const cueCacheTTL = 5 * time.Second

// cues returns the cues of w's track in lang, from the cache or load.
// The slice is shared: callers must not change it.
func (c *cueCache) cues(ctx context.Context, w *webinar.Webinar, lang string, load func(context.Context, *webinar.Webinar, string) ([]subtitle.Cue, error)) ([]subtitle.Cue, error) {
	key := w.ID + "\x00" + lang + "\x00" + w.UpdatedAt.Format(time.RFC3339Nano)
	now := time.Now()
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < c.ttl {
		return e.cues, nil
	}
	cues, err := load(ctx, w, lang)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= 64 {
		c.entries = map[string]cueEntry{} // a few hot webinars at a time
	}
	c.entries[key] = cueEntry{cues: cues, at: now}
	return cues, nil
}
