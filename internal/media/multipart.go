package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"
)

// S3's rules for multipart uploads.
const (
	// MinPartSize is the smallest part S3 accepts, except for the last.
	MinPartSize = 5 << 20
	// MaxParts is the most parts one multipart upload may have.
	MaxParts = 10000
)

// ErrNoUpload is returned when a multipart upload does not exist (it was
// completed or aborted).
var ErrNoUpload = errors.New("multipart upload not found")

// Part is one stored part of a multipart upload.
type Part struct {
	Number int    `json:"n"`
	ETag   string `json:"etag"`
	Size   int64  `json:"size"`
}

func (s *Store) core() minio.Core { return minio.Core{Client: s.client} }

// NewMultipart starts a multipart upload of key and returns its id. The
// caller sends the parts itself (resumable uploads, whose parts arrive in
// separate requests) and completes or aborts it.
func (s *Store) NewMultipart(ctx context.Context, key, contentType string) (string, error) {
	id, err := s.core().NewMultipartUpload(ctx, s.bucket, key, minio.PutObjectOptions{ContentType: contentType})
	if err != nil {
		return "", fmt.Errorf("start multipart upload of %s: %w", key, err)
	}
	if err := s.begin(ctx, key, id); err != nil {
		return "", err
	}
	return id, nil
}

// PutPart streams exactly size bytes of r as part number n; sending a
// number again replaces that part. A stream that ends early or fails stores
// nothing. r is read only up to size bytes, so it can be a longer stream.
func (s *Store) PutPart(ctx context.Context, key, uploadID string, n int, r io.Reader, size int64) (Part, error) {
	// Bounded, as net/http reads a request body to its end to find extra
	// bytes; and counted, so a short stream fails with its own cause.
	counter := &countingReader{r: io.LimitReader(r, size), size: size}
	body := &guardedReader{r: counter}
	p, err := s.core().PutObjectPart(ctx, s.bucket, key, uploadID, n, body, size,
		minio.PutObjectPartOptions{DisableContentSha256: s.unsignedPayload})
	body.stop()
	if err != nil {
		if counter.err != nil {
			return Part{}, fmt.Errorf("put part %d of %s: %w; S3: %w", n, key, counter.err, err)
		}
		if isNoUpload(err) {
			return Part{}, fmt.Errorf("put part %d of %s: %w", n, key, ErrNoUpload)
		}
		return Part{}, fmt.Errorf("put part %d of %s: %w", n, key, err)
	}
	if counter.n != size {
		return Part{}, fmt.Errorf("put part %d of %s: sent %d of %d bytes: %w", n, key, counter.n, size, io.ErrUnexpectedEOF)
	}
	return Part{Number: n, ETag: p.ETag, Size: size}, nil
}

// CompleteMultipart joins the parts into the object key. It returns the
// object's key and ETag (the caller knows its size and checksum).
func (s *Store) CompleteMultipart(ctx context.Context, key, uploadID string, parts []Part) (Object, error) {
	complete := make([]minio.CompletePart, len(parts))
	for i, p := range parts {
		complete[i] = minio.CompletePart{PartNumber: p.Number, ETag: p.ETag}
	}
	info, err := s.core().CompleteMultipartUpload(ctx, s.bucket, key, uploadID, complete, minio.PutObjectOptions{})
	if err != nil {
		if isNoUpload(err) {
			return Object{}, fmt.Errorf("complete upload of %s: %w", key, ErrNoUpload)
		}
		return Object{}, fmt.Errorf("complete upload of %s: %w", key, err)
	}
	s.end(ctx, uploadID)
	return Object{Key: key, ETag: info.ETag, LastModified: info.LastModified}, nil
}

// ReabortAfter is how long after an abort it is sent once more.
const ReabortAfter = 2 * time.Second

// AbortUpload aborts an unfinished multipart upload, so the server frees
// its parts; an upload that is already gone is not an error.
//
// A part the S3 server is still writing when the abort arrives can land
// after it: versitygw links it into a fresh folder under the upload id,
// where nothing would ever remove it. So a running portal sends the abort
// once more ReabortAfter later.
func (s *Store) AbortUpload(ctx context.Context, key, uploadID string) error {
	if err := s.abort(ctx, key, uploadID); err != nil {
		return err
	}
	s.end(ctx, uploadID)
	time.AfterFunc(ReabortAfter, func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_ = s.abort(ctx, key, uploadID)
	})
	return nil
}

func (s *Store) abort(ctx context.Context, key, uploadID string) error {
	err := s.core().AbortMultipartUpload(ctx, s.bucket, key, uploadID)
	if err != nil && !isNotFound(err) && !isNoUpload(err) {
		return fmt.Errorf("abort upload %s of %s: %w", uploadID, key, err)
	}
	return nil
}

// guardedReader stops reading once stopped. net/http may go on reading a
// request body after the request failed (a cancelled context, say); r
// belongs to the caller again when PutPart returns.
type guardedReader struct {
	mu      sync.Mutex
	r       io.Reader
	stopped bool
}

var errPartReturned = errors.New("part request already returned")

func (g *guardedReader) Read(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.stopped {
		return 0, errPartReturned
	}
	return g.r.Read(p)
}

// stop waits for a read in progress, then bars the rest.
func (g *guardedReader) stop() {
	g.mu.Lock()
	g.stopped = true
	g.mu.Unlock()
}

func isNoUpload(err error) bool {
	return minio.ToErrorResponse(err).Code == "NoSuchUpload"
}
