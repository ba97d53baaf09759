package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/smakom/webinar-portal/internal/upload"
)

// TestFollowerReadsOnlyCommittedBytes: the follower hands on bytes only
// once the staging store has accepted them, and waits in between.
func TestFollowerReadsOnlyCommittedBytes(t *testing.T) {
	data := bytes.Repeat([]byte("vattenförsörjning "), 10000)
	path := filepath.Join(t.TempDir(), "staged")
	if err := os.WriteFile(path, data, 0o600); err != nil { // all on disk, not all committed
		t.Fatal(err)
	}
	var fs followers
	got := make(chan []byte, 1)
	f := fs.follow(upload.Info{ID: "x", Length: int64(len(data))},
		func() (*os.File, error) { return os.Open(path) },
		func(ctx context.Context, r io.Reader) error {
			b, err := io.ReadAll(r)
			got <- b
			return err
		})
	for _, off := range []int64{1000, 50000, 120000, int64(len(data))} {
		time.Sleep(20 * time.Millisecond)
		if done, _ := f.finished(); done {
			t.Fatalf("follower finished before byte %d was committed", off)
		}
		f.advance(off)
	}
	select {
	case <-f.done:
	case <-time.After(5 * time.Second):
		t.Fatal("follower did not finish")
	}
	if f.err != nil || !bytes.Equal(<-got, data) {
		t.Fatalf("follower result: %v", f.err)
	}
}

func TestFollowerAbort(t *testing.T) {
	path := filepath.Join(t.TempDir(), "staged")
	if err := os.WriteFile(path, make([]byte, 100), 0o600); err != nil {
		t.Fatal(err)
	}
	var fs followers
	f := fs.follow(upload.Info{ID: "y", Length: 100},
		func() (*os.File, error) { return os.Open(path) },
		func(ctx context.Context, r io.Reader) error { _, err := io.ReadAll(r); return err })
	f.advance(10)
	f.abort(errFollowAborted)
	select {
	case <-f.done:
	case <-time.After(5 * time.Second):
		t.Fatal("aborted follower did not stop")
	}
	if !errors.Is(f.err, errFollowAborted) {
		t.Fatalf("aborted follower: %v", f.err)
	}
}
