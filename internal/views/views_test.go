package views_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/smakom/webinar-portal/internal/testenv"
	"github.com/smakom/webinar-portal/internal/views"
)

func TestMain(m *testing.M) { testenv.Main(m) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// TestNoViewIsLost counts from 50 goroutines while flushes run, on the
// embedded MongoDB-wire server, and expects every view.
func TestNoViewIsLost(t *testing.T) {
	ctx := context.Background()
	c := views.New(testenv.MongoDB(t), quiet)
	const workers, each = 50, 40
	stop := make(chan struct{})
	flushed := make(chan struct{})
	go func() {
		defer close(flushed)
		for {
			select {
			case <-stop:
				return
			default:
				if err := c.Flush(ctx); err != nil {
					t.Error(err)
				}
			}
		}
	}()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				c.Add("w1")
				if i%2 == 0 {
					c.Add("w2")
				}
			}
		}(w)
	}
	wg.Wait()
	close(stop)
	<-flushed
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]int64{"w1": workers * each, "w2": workers * each / 2, "unseen": 0} {
		got, err := c.Count(ctx, id)
		if err != nil || got != want {
			t.Errorf("%s: %d views (%v), want %d", id, got, err, want)
		}
	}
}

func TestRunFlushesAtShutdown(t *testing.T) {
	c := views.New(testenv.MongoDB(t), quiet)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx, time.Hour); close(done) }()
	c.Add("w")
	c.Add("w")
	cancel()
	<-done
	if got, err := c.Count(context.Background(), "w"); err != nil || got != 2 {
		t.Errorf("after shutdown: %d views, %v", got, err)
	}
}

// TestCountIsCachedButFollowsOwnFlushes: a watch page does not wait on
// the database for its count; this portal's flushed views show at once,
// another portal's once the cached count is old.
func TestCountIsCachedButFollowsOwnFlushes(t *testing.T) {
	db := testenv.MongoDB(t)
	here, there := views.New(db, quiet), views.New(db, quiet)
	ctx := context.Background()
	count := func(c *views.Counter) int64 {
		t.Helper()
		n, err := c.Count(ctx, "w1")
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(here); n != 0 {
		t.Fatalf("count of an unwatched webinar: %d", n)
	}
	here.Add("w1")
	here.Add("w1")
	if err := here.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(here); n != 2 {
		t.Fatalf("after this portal flushed 2 views its count is %d", n)
	}
	there.Add("w1")
	if err := there.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(there); n != 3 {
		t.Fatalf("a portal reading afresh counts %d, want 3", n)
	}
	if n := count(here); n != 2 {
		t.Fatalf("the cached count changed to %d before it was old: it is read on every view", n)
	}
}

// TestRefreshReadsEveryCount: after Refresh a count is never read while a
// page waits: other portals' views show at the next Refresh, a webinar
// without views counts 0, and this portal's flushes show at once.
func TestRefreshReadsEveryCount(t *testing.T) {
	db := testenv.MongoDB(t)
	here, there := views.New(db, quiet), views.New(db, quiet)
	ctx := context.Background()
	there.Add("a")
	if err := there.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := here.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	count := func(id string) int64 {
		t.Helper()
		n, err := here.Count(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if a, b := count("a"), count("b"); a != 1 || b != 0 {
		t.Fatalf("after Refresh: a %d, b %d; want 1 and 0", a, b)
	}
	there.Add("a")
	there.Add("b")
	if err := there.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if a, b := count("a"), count("b"); a != 1 || b != 0 {
		t.Fatalf("another portal's views were read while a page waited: a %d, b %d", a, b)
	}
	here.Add("b")
	if err := here.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if b := count("b"); b != 1 {
		t.Fatalf("this portal's flushed view of b shows %d, want 1 at once", b)
	}
	if err := here.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if a, b := count("a"), count("b"); a != 2 || b != 2 {
		t.Fatalf("after the next Refresh: a %d, b %d; want 2 and 2", a, b)
	}
}
