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
