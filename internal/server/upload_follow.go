package server

import (
	"context"
	"errors"
	"io"
	"os"
	"sync"
	"time"

	"github.com/smakom/webinar-portal/internal/upload"
)

// A follower moves a resumable upload into object storage while its
// chunks are still arriving: it reads the staged file up to the last
// committed byte and waits for more, so when the last chunk lands only the
// tail is left to send. After a restart the next chunk starts a new
// follower that catches up from the file on disk.
type follower struct {
	mu        sync.Mutex
	cond      *sync.Cond
	committed int64 // bytes the staging store has accepted
	grew      time.Time
	aborted   error

	cancel context.CancelFunc
	done   chan struct{}
	err    error // result, once done is closed
}

// followIdle is how long a follower waits for a paused upload before it
// gives up; the next chunk starts a new one.
const followIdle = 30 * time.Minute

var errFollowAborted = errors.New("upload cancelled")

type followers struct {
	mu sync.Mutex
	m  map[string]*follower
}

// follow returns the running follower of an upload, starting one when
// there is none. move does the storing (ReplaceRecording or AddSlides).
func (fs *followers) follow(info upload.Info, open func() (*os.File, error), move func(ctx context.Context, r io.Reader) error) *follower {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.m == nil {
		fs.m = map[string]*follower{}
	}
	if f, ok := fs.m[info.ID]; ok {
		return f
	}
	ctx, cancel := context.WithCancel(context.Background())
	f := &follower{committed: info.Offset, grew: time.Now(), cancel: cancel, done: make(chan struct{})}
	f.cond = sync.NewCond(&f.mu)
	fs.m[info.ID] = f
	go f.run(ctx, info.Length, open, move)
	go f.tick(ctx)
	return f
}

// drop forgets a follower (after it finished, or to start over).
func (fs *followers) drop(id string, f *follower) {
	fs.mu.Lock()
	if fs.m[id] == f {
		delete(fs.m, id)
	}
	fs.mu.Unlock()
}

func (f *follower) run(ctx context.Context, length int64, open func() (*os.File, error), move func(ctx context.Context, r io.Reader) error) {
	defer close(f.done)
	defer f.cancel()
	file, err := open()
	if err != nil {
		f.err = err
		return
	}
	defer file.Close()
	f.err = move(ctx, io.LimitReader(&tailReader{f: f, file: file}, length))
}

// tick wakes waiting readers now and then so an idle upload times out.
func (f *follower) tick(ctx context.Context) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			f.abort(ctx.Err())
			return
		case <-t.C:
			f.cond.Broadcast()
		}
	}
}

// advance records bytes the staging store accepted.
func (f *follower) advance(offset int64) {
	f.mu.Lock()
	if offset > f.committed {
		f.committed, f.grew = offset, time.Now()
	}
	f.mu.Unlock()
	f.cond.Broadcast()
}

// abort stops the follower; its storing fails and leaves nothing.
func (f *follower) abort(err error) {
	f.mu.Lock()
	if f.aborted == nil {
		f.aborted = err
	}
	f.mu.Unlock()
	f.cond.Broadcast()
	f.cancel()
}

// finished reports the result if the follower is done.
func (f *follower) finished() (bool, error) {
	select {
	case <-f.done:
		return true, f.err
	default:
		return false, nil
	}
}

// tailReader reads the staged file up to the committed offset, waiting
// for more while the upload goes on.
type tailReader struct {
	f    *follower
	file *os.File
	off  int64
}

func (r *tailReader) Read(p []byte) (int, error) {
	f := r.f
	f.mu.Lock()
	for r.off >= f.committed && f.aborted == nil {
		if time.Since(f.grew) > followIdle {
			f.aborted = errors.New("upload idle")
			break
		}
		f.cond.Wait()
	}
	if f.aborted != nil {
		err := f.aborted
		f.mu.Unlock()
		return 0, err
	}
	avail := f.committed - r.off
	f.mu.Unlock()
	if int64(len(p)) > avail {
		p = p[:avail]
	}
	n, err := r.file.ReadAt(p, r.off)
	r.off += int64(n)
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}
