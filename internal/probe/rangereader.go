package probe

import (
	"context"
	"fmt"
	"io"
	"sync"
)

// GetFunc opens length bytes of an object from offset (a ranged GET);
// media.Store.Get with the key bound fits it.
type GetFunc func(ctx context.Context, offset, length int64) (io.ReadCloser, error)

// blockSize is how much one ranged request fetches. Box and element headers
// are small and mostly close together, so a block serves many reads.
const blockSize = 64 << 10

// cachedBlocks is how many recent blocks are kept: a read spanning two
// blocks, or walking back to a parent's next child, must not refetch.
const cachedBlocks = 4

// RangeReader reads an object through ranged requests, keeping the last
// few blocks it fetched. It implements io.ReaderAt and is safe for
// concurrent use.
type RangeReader struct {
	ctx context.Context
	get GetFunc

	mu       sync.Mutex
	blocks   []block // most recently used last
	requests int
	fetched  int64
}

type block struct {
	off  int64
	data []byte // shorter than blockSize at the end of the object
}

// ReaderAt returns an io.ReaderAt over an object read with ranged
// requests. Every request uses ctx.
func ReaderAt(ctx context.Context, get GetFunc) *RangeReader {
	return &RangeReader{ctx: ctx, get: get}
}

// Requests is how many ranged requests were made so far.
func (r *RangeReader) Requests() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests
}

// Fetched is how many bytes the requests returned so far.
func (r *RangeReader) Fetched() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.fetched
}

// ReadAt reads len(p) bytes at off. Reads of a block or more go straight
// to the object; smaller ones are served from cached blocks.
func (r *RangeReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("probe: negative offset %d", off)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(p) >= blockSize {
		data, err := r.fetch(off, int64(len(p)))
		n := copy(p, data)
		if err == nil && n < len(p) {
			err = io.EOF
		}
		return n, err
	}
	n := 0
	for n < len(p) {
		b, err := r.block(off + int64(n))
		if err != nil {
			return n, err
		}
		at := off + int64(n) - b.off
		if at >= int64(len(b.data)) {
			return n, io.EOF
		}
		n += copy(p[n:], b.data[at:])
	}
	return n, nil
}

// block returns the cached block holding off, fetching it if needed.
func (r *RangeReader) block(off int64) (block, error) {
	start := off - off%blockSize
	for i, b := range r.blocks {
		if b.off == start {
			r.blocks = append(append(r.blocks[:i:i], r.blocks[i+1:]...), b)
			return b, nil
		}
	}
	data, err := r.fetch(start, blockSize)
	if err != nil && err != io.EOF {
		return block{}, err
	}
	b := block{off: start, data: data}
	if len(r.blocks) >= cachedBlocks {
		r.blocks = append(r.blocks[:0:0], r.blocks[1:]...)
	}
	r.blocks = append(r.blocks, b)
	return b, nil
}

// fetch makes one ranged request; fewer bytes than asked for (the end of
// the object) come with io.EOF.
func (r *RangeReader) fetch(off, length int64) ([]byte, error) {
	r.requests++
	body, err := r.get(r.ctx, off, length)
	if err != nil {
		return nil, &readError{err: err}
	}
	defer body.Close()
	data := make([]byte, length)
	n, err := io.ReadFull(body, data)
	r.fetched += int64(n)
	switch err {
	case nil:
		return data, nil
	case io.EOF, io.ErrUnexpectedEOF:
		return data[:n], io.EOF
	}
	return nil, &readError{err: err}
}

// readError is a failure to read the object (network, storage), as
// opposed to what the object contains.
type readError struct{ err error }

func (e *readError) Error() string { return "read object: " + e.err.Error() }
func (e *readError) Unwrap() error { return e.err }
