package server

import (
	"context"
	"sync"
	"time"

	"github.com/smakom/webinar-portal/internal/subtitle"
	"github.com/smakom/webinar-portal/internal/webinar"
)

// cueCache keeps the cues the watch page shows. A one-hour webinar has
// some 1,500 cues, and reading that document takes tens of milliseconds on
// the embedded store (much more while uploads write to it), for every
// visitor. The key holds the webinar's updated_at, so a new upload through
// any portal is seen at once. An entry older than ttl is still served
// while one background read renews it, so a change to the cues alone
// shows within ttl and a request after that; only a webinar's first view
// waits for the database.
type cueCache struct {
	ttl time.Duration

	mu      sync.Mutex
	entries map[string]*cueEntry
	total   int // cues held, bounded by maxCachedCues
}

type cueEntry struct {
	cues     []subtitle.Cue
	at       time.Time
	renewing bool
}

const (
	cueCacheTTL = 5 * time.Second
	// maxCachedCues bounds the cache's memory (some 100 bytes a cue):
	// about 200 one-hour transcripts.
	maxCachedCues = 300_000
)

// cues returns the cues of w's track in lang, from the cache or load.
// The slice is shared: callers must not change it.
func (c *cueCache) cues(ctx context.Context, w *webinar.Webinar, lang string, load func(context.Context, *webinar.Webinar, string) ([]subtitle.Cue, error)) ([]subtitle.Cue, error) {
	key := w.ID + "\x00" + lang + "\x00" + w.UpdatedAt.Format(time.RFC3339Nano)
	c.mu.Lock()
	e, ok := c.entries[key]
	if ok {
		if time.Since(e.at) >= c.ttl && !e.renewing {
			e.renewing = true
			go c.renew(key, w, lang, load)
		}
		cues := e.cues
		c.mu.Unlock()
		return cues, nil
	}
	c.mu.Unlock()
	cues, err := load(ctx, w, lang)
	if err != nil {
		return nil, err
	}
	c.put(key, cues)
	return cues, nil
}

// renew reads an entry again in the background.
func (c *cueCache) renew(key string, w *webinar.Webinar, lang string, load func(context.Context, *webinar.Webinar, string) ([]subtitle.Cue, error)) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cues, err := load(ctx, w, lang)
	if err != nil {
		c.mu.Lock()
		if e, ok := c.entries[key]; ok {
			e.renewing = false // the next request tries again
		}
		c.mu.Unlock()
		return
	}
	c.put(key, cues)
}

// put stores cues under key, making room by dropping other entries
// (the oldest read first) when the cache would hold too many cues.
func (c *cueCache) put(key string, cues []subtitle.Cue) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]*cueEntry{}
	}
	if old, ok := c.entries[key]; ok {
		c.total -= len(old.cues)
	}
	for c.total+len(cues) > maxCachedCues && len(c.entries) > 0 {
		oldest, at := "", time.Time{}
		for k, e := range c.entries {
			if k != key && (oldest == "" || e.at.Before(at)) {
				oldest, at = k, e.at
			}
		}
		if oldest == "" {
			break
		}
		c.total -= len(c.entries[oldest].cues)
		delete(c.entries, oldest)
	}
	c.entries[key] = &cueEntry{cues: cues, at: time.Now()}
	c.total += len(cues)
}
