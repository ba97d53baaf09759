package upload

import (
	"context"
	"io"
	"slices"
	"sync"

	"github.com/smakom/webinar-portal/internal/media"
)

// Parts in flight. S3 answers a part a while after its last byte (MinIO
// writes and syncs it first); waiting for that answer before reading on
// would leave the client idle at every part. So a part is in flight from
// the moment S3 has read its bytes: the next part streams meanwhile, and
// the part is joined (its answer awaited and the part committed) before
// anything after it is committed.
//
// A chunk that ends on a part boundary is even answered with its last part
// in flight (a handoff): the next request to the upload joins it while its
// own first part streams, and the part commits itself when it lands if no
// request came. The answer then counts bytes S3 has read but not yet
// confirmed. Should S3 fail that part, the next request is answered 409
// with the committed offset, and the client sends the bytes again, as
// after a restart; a HEAD waits for the part first.

// flight is a part on its way to S3.
type flight struct {
	number   int
	size     int64
	fromTail bool          // it starts with the tail's bytes
	hash     []byte        // hash state after its bytes (once consumed)
	consumed chan struct{} // S3 has read all its bytes
	done     chan struct{} // S3 answered: part or err is set
	part     media.Part
	err      error
	cancel   context.CancelFunc
	detach   func() bool // from the request's context
}

// fly starts sending size bytes of r as part number of rec's upload. r is
// read in another goroutine until the part is consumed (or fails).
func (s *Store) fly(ctx context.Context, rec record, number int, r io.Reader, size int64) *flight {
	// Stopped with its request (a cancel), unless handed off: then it
	// outlives the request.
	fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	f := &flight{number: number, size: size, consumed: make(chan struct{}), done: make(chan struct{}), cancel: cancel,
		detach: context.AfterFunc(ctx, cancel)}
	ctx = fctx
	body := &consumedReader{r: r, left: size, consumed: f.consumed}
	go func() {
		defer cancel()
		f.part, f.err = s.objects.PutPart(ctx, rec.Key, rec.UploadID, number, body, size)
		close(f.done)
	}()
	return f
}

// sent waits until S3 has read the part's bytes, or it failed.
func (f *flight) sent() error {
	select {
	case <-f.consumed:
		return nil
	case <-f.done:
		return f.err
	}
}

// landed waits for S3's answer.
func (f *flight) landed() error {
	<-f.done
	return f.err
}

// consumedReader says when its last byte was read, and reads no further.
type consumedReader struct {
	r        io.Reader
	left     int64
	consumed chan struct{}
}

func (c *consumedReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left == 0 {
		close(c.consumed)
	}
	return n, err
}

// handoff is a chunk's last part, in flight when the chunk was answered.
type handoff struct {
	f    *flight
	base record // the committed description it follows

	once sync.Once
	next record // base with the part, once committed
	err  error
}

// handOff leaves f to be committed after base by the next request to the
// upload, or by itself when it lands.
func (s *Store) handOff(f *flight, base record) {
	h := &handoff{f: f, base: base}
	s.mu.Lock()
	s.handoffs[base.ID] = h
	s.mu.Unlock()
	go s.settle(h)
}

// handoffOf returns the upload's part in flight, if any.
func (s *Store) handoffOf(id string) *handoff {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.handoffs[id]
}

// settle waits for a handed-off part and commits it (once, whoever asks
// first). It returns the description as it then stands.
func (s *Store) settle(h *handoff) (record, error) {
	err := h.f.landed()
	h.once.Do(func() {
		h.next, h.err = h.base, err
		if err == nil {
			next := h.base
			next.Parts = append(slices.Clone(h.base.Parts), h.f.part)
			next.SHA256 = h.f.hash
			if h.err = s.write(next); h.err == nil {
				h.next = next
			}
		}
		s.mu.Lock()
		if s.handoffs[h.base.ID] == h {
			delete(s.handoffs, h.base.ID)
		}
		s.mu.Unlock()
	})
	return h.next, h.err
}
