package webinar

import (
	"sync"
	"time"
)

// readCache keeps recently read webinars by slug for a few seconds: every
// media request (each seek of a video) looks its webinar up, and the
// embedded store scans the collection for that. Writes through this
// process drop the entry at once; other portal processes see a change
// within the lifetime.
type readCache struct {
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	entries map[string]cacheEntry
}

type cacheEntry struct {
	w  Webinar
	at time.Time
}

func newReadCache(ttl time.Duration) *readCache {
	return &readCache{ttl: ttl, now: time.Now, entries: map[string]cacheEntry{}}
}

// get returns a copy, so callers cannot change the cached value.
func (c *readCache) get(slug string) (*Webinar, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[slug]
	if !ok || c.now().Sub(e.at) > c.ttl {
		return nil, false
	}
	w := e.w
	return &w, true
}

func (c *readCache) put(w *Webinar) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) > 5000 {
		c.entries = map[string]cacheEntry{}
	}
	c.entries[w.Slug] = cacheEntry{w: *w, at: c.now()}
}

func (c *readCache) forget(slug string) {
	c.mu.Lock()
	delete(c.entries, slug)
	c.mu.Unlock()
}
