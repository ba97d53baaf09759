package media

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sync"
	"time"
)

// putPartSize is the part size of a streamed upload of known size.
const putPartSize = 16 << 20

// putParts stores a stream of known size as a multipart upload whose parts
// are read straight from r into the S3 requests: nothing is copied into
// part buffers, and the next part starts streaming as soon as S3 has read
// the last byte of the one before, without waiting for its answer (tens of
// milliseconds on MinIO), so the client's connection never idles. If
// anything fails, the multipart upload is aborted and nothing is left.
func (s *Store) putParts(ctx context.Context, key string, r io.Reader, size int64, contentType string) (Object, error) {
	id, err := s.NewMultipart(ctx, key, contentType)
	if err != nil {
		return Object{}, err
	}
	h := sha256.New()
	src := io.TeeReader(r, h)
	type result struct {
		part Part
		err  error
	}
	type partInFlight struct {
		sent   *partReader
		cancel context.CancelFunc
		answer chan result
	}
	var inFlight []partInFlight
	fail := func(err error) (Object, error) {
		// Parts still reading the stream are cut off; parts all sent are
		// left to be answered, so the server is done with them before
		// the abort (see AbortUpload).
		for _, p := range inFlight {
			if !p.sent.done() {
				p.cancel()
			}
		}
		for _, p := range inFlight {
			<-p.answer
			p.cancel()
		}
		_ = s.AbortUpload(context.WithoutCancel(ctx), key, id)
		return Object{}, err
	}
	for n, off := 1, int64(0); off < size; n++ {
		length := min(putPartSize, size-off)
		pr := &partReader{r: src, left: length, read: make(chan struct{})}
		ch := make(chan result, 1)
		pctx, cancel := context.WithCancel(ctx)
		go func(n int) {
			p, err := s.PutPart(pctx, key, id, n, pr, length)
			ch <- result{p, err}
		}(n)
		inFlight = append(inFlight, partInFlight{pr, cancel, ch})
		select {
		case <-pr.read: // all its bytes are on their way: start the next part
		case res := <-ch:
			ch <- res // collected below
			if res.err != nil {
				return fail(res.err)
			}
		}
		off += length
	}
	parts := make([]Part, 0, len(inFlight))
	for _, p := range inFlight {
		res := <-p.answer
		p.answer <- res
		if res.err != nil {
			return fail(res.err)
		}
		parts = append(parts, res.part)
	}
	for _, p := range inFlight {
		p.cancel()
	}
	inFlight = nil
	// A stream longer than declared would be cut silently; one more byte
	// tells.
	var one [1]byte
	if n, _ := io.ReadFull(r, one[:]); n > 0 {
		return fail(fmt.Errorf("put %s: stream is longer than the %d bytes declared", key, size))
	}
	obj, err := s.CompleteMultipart(ctx, key, id, parts)
	if err != nil {
		return fail(err)
	}
	obj.Size, obj.SHA256, obj.ContentType = size, hex.EncodeToString(h.Sum(nil)), contentType
	if obj.LastModified.IsZero() {
		obj.LastModified = time.Now().UTC()
	}
	return obj, nil
}

// partReader reads one part's bytes of the shared stream and says when it
// has read the last of them, so the next part may read on.
type partReader struct {
	r    io.Reader
	left int64
	read chan struct{}
	once sync.Once
}

// done tells whether all of the part's bytes have been read.
func (p *partReader) done() bool {
	select {
	case <-p.read:
		return true
	default:
		return false
	}
}

func (p *partReader) Read(b []byte) (int, error) {
	if p.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(b)) > p.left {
		b = b[:p.left]
	}
	n, err := p.r.Read(b)
	p.left -= int64(n)
	if p.left == 0 {
		p.once.Do(func() { close(p.read) })
	}
	return n, err
}
