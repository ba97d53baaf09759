package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/smakom/webinar-portal/internal/config"
	"github.com/smakom/webinar-portal/internal/search"
)

// searchSyncInterval is how often a portal looks for changes it has not
// indexed (made by itself or by another portal on the same database).
const searchSyncInterval = 5 * time.Second

// searchDir is where the search index lives (SEARCH_INDEX_DIR, by
// default DATA_DIR/search), made absolute before the embedded S3 server
// moves the working directory.
func searchDir(cfg config.Config) (string, error) {
	return filepath.Abs(cfg.SearchIndexPath())
}

// openSearch opens the index within a time limit: another process (a
// running portal) holding it would otherwise block forever.
func openSearch(dir string) (*search.Index, bool, error) {
	type opened struct {
		ix    *search.Index
		fresh bool
		err   error
	}
	ch := make(chan opened, 1)
	go func() {
		ix, fresh, err := search.Open(dir)
		ch <- opened{ix, fresh, err}
	}()
	select {
	case o := <-ch:
		return o.ix, o.fresh, o.err
	case <-time.After(10 * time.Second):
		return nil, false, errors.New("the search index is in use by another process; stop the portal first")
	}
}

// startSearch opens the index for the portal and keeps it in step with
// MongoDB; a new or unreadable index is rebuilt in the background, so the
// portal answers at once (searches find more as the rebuild proceeds).
func startSearch(ctx context.Context, dir string, st *stack, log *slog.Logger) (*search.Index, error) {
	ix, fresh, err := openSearch(dir)
	if err != nil {
		return nil, fmt.Errorf("search index %s: %w", dir, err)
	}
	syncer := search.NewSyncer(ix, search.Source{Webinars: st.webinars.Store(), Tracks: st.tracks}, log)
	go func() {
		if fresh {
			start := time.Now()
			if err := syncer.Rebuild(ctx, nil); err != nil {
				if ctx.Err() == nil {
					log.Error("search index rebuild", "err", err)
				}
			} else {
				n, _ := ix.Count()
				log.Info("search index built", "webinars", n, "took", time.Since(start).Round(time.Millisecond).String())
			}
		} else if _, _, err := syncer.Sync(ctx); err != nil && ctx.Err() == nil {
			log.Error("search index sync", "err", err)
		}
		syncer.Run(ctx, searchSyncInterval)
	}()
	return ix, nil
}

// reindexCommand rebuilds the search index with a progress bar.
func reindexCommand(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("reindex", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("reindex: unexpected argument %q", fs.Arg(0))}
	}
	st, err := adminStack(ctx)
	if err != nil {
		return err
	}
	defer st.close()
	dir, err := searchDir(st.cfg)
	if err != nil {
		return err
	}
	// Start from nothing: a rebuild must not trust what is there.
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	ix, _, err := openSearch(dir)
	if err != nil {
		return err
	}
	defer ix.Close()
	start := time.Now()
	bar := progressBar(os.Stderr)
	if err := search.NewSyncer(ix, search.Source{Webinars: st.webinars.Store(), Tracks: st.tracks}, slog.Default()).Rebuild(ctx, bar); err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	n, _ := ix.Count()
	fmt.Fprintf(os.Stderr, "\n")
	fmt.Printf("Sökindexet byggdes om: %d webbinarier på %s.\n", n, time.Since(start).Round(time.Millisecond))
	return nil
}

// progressBar draws "[#####     ]  50/100" on one line.
func progressBar(w io.Writer) search.Progress {
	return func(done, total int) {
		fmt.Fprintf(w, "\r%s %d/%d", bar(int64(done), int64(total)), done, total)
	}
}

// bar is "[#####     ]": done of total in 30 columns.
func bar(done, total int64) string {
	const width = 30
	filled := int64(width)
	if total > 0 {
		filled = min(done*width/total, width)
	}
	b := make([]byte, width)
	for i := range b {
		b[i] = ' '
		if int64(i) < filled {
			b[i] = '#'
		}
	}
	return "[" + string(b) + "]"
}
