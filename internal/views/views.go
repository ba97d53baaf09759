// Package views counts how often each webinar is watched. Counts are
// gathered in memory and written by one goroutine: concurrent $inc on one
// document lose updates on the embedded MongoDB-wire server (FerretDB),
// and one writer per portal never runs two at once. The counts live in
// their own collection, so saving a webinar's metadata (which replaces
// its document) can never overwrite a count.
package views

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Counter gathers views and writes them to the "views" collection.
type Counter struct {
	coll *mongo.Collection
	log  *slog.Logger

	mu      sync.Mutex
	pending map[string]int64 // webinar id -> views not yet written
	// written caches counts read from the database: every watch page
	// shows one, and reading it each time made the page wait on MongoDB.
	// This portal's own flushes are added at once; other portals' views
	// show when the entry is older than countTTL.
	written map[string]cachedCount
	// loaded: Refresh has read every count, so a webinar missing from
	// written has none, and a stale entry is shown until the next
	// Refresh rather than read while a page waits.
	loaded bool

	flushMu sync.Mutex // one writer
}

// New counts views in db.
func New(db *mongo.Database, log *slog.Logger) *Counter {
	return &Counter{coll: db.Collection("views"), log: log, pending: map[string]int64{}, written: map[string]cachedCount{}}
}

// Add counts one view of a webinar.
func (c *Counter) Add(webinarID string) {
	c.mu.Lock()
	c.pending[webinarID]++
	c.mu.Unlock()
}

// Flush writes the gathered views. Counts it could not write are kept
// for the next flush.
func (c *Counter) Flush(ctx context.Context) error {
	c.flushMu.Lock()
	defer c.flushMu.Unlock()
	c.mu.Lock()
	batch := c.pending
	c.pending = map[string]int64{}
	c.mu.Unlock()
	var firstErr error
	for id, n := range batch {
		_, err := c.coll.UpdateOne(ctx, bson.M{"_id": id}, bson.M{"$inc": bson.M{"count": n}}, options.UpdateOne().SetUpsert(true))
		c.mu.Lock()
		if err == nil {
			if w, ok := c.written[id]; ok {
				w.count += n
				c.written[id] = w
			} else if c.loaded {
				c.written[id] = cachedCount{count: n, read: time.Now()}
			}
		} else {
			c.pending[id] += n
		}
		c.mu.Unlock()
		if err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("save views of %s: %w", id, err)
			}
		}
	}
	return firstErr
}

// countTTL is how long a count read from the database is reused.
const countTTL = 30 * time.Second

type cachedCount struct {
	count int64
	read  time.Time
}

// Count is how many views of a webinar have been written.
func (c *Counter) Count(ctx context.Context, webinarID string) (int64, error) {
	c.mu.Lock()
	w, ok := c.written[webinarID]
	loaded := c.loaded
	c.mu.Unlock()
	if ok && (loaded || time.Since(w.read) < countTTL) {
		return w.count, nil
	}
	if loaded {
		return 0, nil
	}
	var doc struct {
		Count int64 `bson:"count"`
	}
	err := c.coll.FindOne(ctx, bson.M{"_id": webinarID}).Decode(&doc)
	if err != nil && err != mongo.ErrNoDocuments {
		return 0, fmt.Errorf("read views: %w", err)
	}
	c.mu.Lock()
	if len(c.written) > 100_000 {
		c.written = map[string]cachedCount{} // bounded; refills on demand
	}
	c.written[webinarID] = cachedCount{count: doc.Count, read: time.Now()}
	c.mu.Unlock()
	return doc.Count, nil
}

// flushTimeout bounds one flush of the counts to the database.
const flushTimeout = 30 * time.Second

// Refresh reads every webinar's count at once (one query), so watch
// pages never wait on the database for theirs; Run calls it.
func (c *Counter) Refresh(ctx context.Context) error {
	cur, err := c.coll.Find(ctx, bson.M{})
	if err != nil {
		return fmt.Errorf("read views: %w", err)
	}
	var docs []struct {
		ID    string `bson:"_id"`
		Count int64  `bson:"count"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return fmt.Errorf("read views: %w", err)
	}
	now := time.Now()
	written := make(map[string]cachedCount, len(docs))
	for _, d := range docs {
		written[d.ID] = cachedCount{count: d.Count, read: now}
	}
	c.mu.Lock()
	c.written, c.loaded = written, true
	c.mu.Unlock()
	return nil
}

// Run flushes every interval and once more when ctx ends; it reads all
// counts at start and every countTTL (Refresh).
func (c *Counter) Run(ctx context.Context, interval time.Duration) {
	refresh := func() {
		rctx, cancel := context.WithTimeout(ctx, flushTimeout)
		if err := c.Refresh(rctx); err != nil && ctx.Err() == nil {
			c.log.Error("views", "err", err)
		}
		cancel()
	}
	refresh()
	lastRefresh := time.Now()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			final, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := c.Flush(final); err != nil {
				c.log.Error("views at shutdown", "err", err)
			}
			cancel()
			return
		case <-t.C:
			// Bounded, so a database that hangs cannot stall the next flushes.
			fctx, cancel := context.WithTimeout(ctx, flushTimeout)
			err := c.Flush(fctx)
			cancel()
			if err != nil && ctx.Err() == nil {
				c.log.Error("views", "err", err)
			}
			if time.Since(lastRefresh) >= countTTL {
				refresh()
				lastRefresh = time.Now()
			}
		}
	}
}
