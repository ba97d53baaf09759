package server

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smakom/webinar-portal/internal/subtitle"
	"github.com/smakom/webinar-portal/internal/webinar"
)

// TestCueCacheServesStaleWhileRenewing: only a webinar's first view waits
// for the database; an old entry is served while one background read
// renews it, and the cache makes room by dropping the oldest entries.
func TestCueCacheServesStaleWhileRenewing(t *testing.T) {
	c := &cueCache{ttl: 50 * time.Millisecond}
	var loads atomic.Int64
	version := atomic.Int64{}
	load := func(ctx context.Context, w *webinar.Webinar, lang string) ([]subtitle.Cue, error) {
		loads.Add(1)
		return []subtitle.Cue{{Text: w.ID + "-" + string(rune('0'+version.Load()))}}, nil
	}
	w := &webinar.Webinar{ID: "w1"}
	get := func() string {
		t.Helper()
		cues, err := c.cues(context.Background(), w, "sv", load)
		if err != nil || len(cues) != 1 {
			t.Fatalf("cues: %v %v", cues, err)
		}
		return cues[0].Text
	}
	if got := get(); got != "w1-0" || loads.Load() != 1 {
		t.Fatalf("first view: %q after %d loads", got, loads.Load())
	}
	get()
	if loads.Load() != 1 {
		t.Fatalf("a fresh entry was read again (%d loads)", loads.Load())
	}
	version.Store(1) // the cues change in the database
	time.Sleep(60 * time.Millisecond)
	if got := get(); got != "w1-0" {
		t.Fatalf("an old entry is served while it is renewed; got %q", got)
	}
	deadline := time.Now().Add(5 * time.Second)
	for get() != "w1-1" {
		if time.Now().After(deadline) {
			t.Fatal("the renewed cues never arrived")
		}
		time.Sleep(5 * time.Millisecond)
	}

	// Room for new webinars is made by dropping the oldest.
	c2 := &cueCache{ttl: time.Hour}
	big := func(ctx context.Context, w *webinar.Webinar, lang string) ([]subtitle.Cue, error) {
		return make([]subtitle.Cue, maxCachedCues/2), nil
	}
	for _, id := range []string{"a", "b", "c"} {
		if _, err := c2.cues(context.Background(), &webinar.Webinar{ID: id}, "sv", big); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond)
	}
	if c2.total > maxCachedCues || len(c2.entries) != 2 {
		t.Fatalf("%d entries, %d cues held (at most %d)", len(c2.entries), c2.total, maxCachedCues)
	}
	if _, ok := c2.entries["a\x00sv\x00"+time.Time{}.Format(time.RFC3339Nano)]; ok {
		t.Error("the oldest entry was kept and a newer one dropped")
	}
}
