// Package media keeps recordings, slide decks and posters in S3-compatible
// object storage through minio-go: streamed puts with size and SHA-256,
// ranged gets, stat, delete and the key scheme.
package media

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// ErrNotFound is returned when an object does not exist.
var ErrNotFound = errors.New("object not found")

// Config says how to reach the S3 server.
type Config struct {
	Endpoint  string // host:port
	AccessKey string
	SecretKey string
	Bucket    string
	UseSSL    bool
	Region    string
	// Timeout, when set, bounds how long each call waits for the
	// server's answer (its response headers; a body may stream longer),
	// whatever the caller's context, and how long any read or write of a
	// body may go without progress (S3_TIMEOUT).
	Timeout time.Duration
	// WrapTransport, when set, wraps the HTTP transport (metrics).
	WrapTransport func(http.RoundTripper) http.RoundTripper
}

// Store reads and writes objects in one bucket.
type Store struct {
	client *minio.Client
	bucket string
	// unsigned payloads are only safe on loopback or TLS.
	unsignedPayload bool
	journal         UploadJournal // nil: no record of multipart uploads
}

// Object describes a stored object.
type Object struct {
	Key          string
	Size         int64
	SHA256       string
	ContentType  string
	ETag         string
	LastModified time.Time
}

// Open connects to the S3 server and creates the bucket if it is missing.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	opts := &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.UseSSL,
		Region: cfg.Region,
	}
	if cfg.Timeout > 0 || cfg.WrapTransport != nil {
		tr, err := minio.DefaultTransport(cfg.UseSSL)
		if err != nil {
			return nil, fmt.Errorf("S3 client for %s: %w", cfg.Endpoint, err)
		}
		if cfg.Timeout > 0 {
			tr.ResponseHeaderTimeout = cfg.Timeout
			// Bodies too: each read and write must make progress
			// within the timeout (idleConn). Idle pooled connections
			// are closed before their deadline could fire.
			tr.DialContext = dialIdle((&net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second}).DialContext, cfg.Timeout)
			if tr.IdleConnTimeout <= 0 || tr.IdleConnTimeout > cfg.Timeout/2 {
				tr.IdleConnTimeout = cfg.Timeout / 2
			}
		}
		opts.Transport = tr
		if cfg.WrapTransport != nil {
			opts.Transport = cfg.WrapTransport(tr)
		}
	}
	client, err := minio.New(cfg.Endpoint, opts)
	if err != nil {
		return nil, fmt.Errorf("S3 client for %s: %w", cfg.Endpoint, err)
	}
	s := &Store{client: client, bucket: cfg.Bucket, unsignedPayload: cfg.UseSSL || isLoopback(cfg.Endpoint)}
	exists, err := client.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("S3 at %s: check bucket %q: %w", cfg.Endpoint, cfg.Bucket, err)
	}
	if !exists {
		if err := client.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{Region: cfg.Region}); err != nil {
			return nil, fmt.Errorf("S3 at %s: create bucket %q: %w", cfg.Endpoint, cfg.Bucket, err)
		}
	}
	return s, nil
}

func isLoopback(endpoint string) bool {
	host := endpoint
	if i := strings.LastIndex(endpoint, ":"); i >= 0 {
		host = endpoint[:i]
	}
	return host == "localhost" || strings.HasPrefix(host, "127.") || host == "[::1]"
}

// Bucket names the bucket in use.
func (s *Store) Bucket() string { return s.bucket }

// Ping checks that the S3 server answers and the bucket exists.
func (s *Store) Ping(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("bucket %q is missing", s.bucket)
	}
	return nil
}

// NewKey makes an object key from the owner id, a random part and the
// extension. Keys are never taken from user input.
func NewKey(ownerID, kind, ext string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	ext = strings.TrimPrefix(strings.ToLower(ext), ".")
	return fmt.Sprintf("webinars/%s/%s-%s.%s", ownerID, kind, hex.EncodeToString(b), ext)
}

// Put streams r into key without holding it in memory. size may be -1 when
// unknown. It returns the size and SHA-256 of what was stored; if r fails
// part way nothing is left behind.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (Object, error) {
	if size > putPartSize {
		return s.putParts(ctx, key, r, size, contentType)
	}
	h := sha256.New()
	counter := &countingReader{r: io.TeeReader(r, h), size: size}
	opts := minio.PutObjectOptions{
		ContentType:          contentType,
		DisableContentSha256: s.unsignedPayload,
		SendContentMd5:       false,
		// Two parts of 8 MiB in flight: reading the next part from the
		// client overlaps sending the last one to S3, and memory stays
		// bounded (about 2 x 8 MiB per upload) whatever the object size.
		PartSize:              8 << 20,
		ConcurrentStreamParts: true,
		NumThreads:            2,
	}
	// net/http may still be reading a request body when PutObject has
	// returned; the guard waits for that read and bars later ones, so
	// counter is ours again below.
	body := &guardedReader{r: counter}
	info, err := s.client.PutObject(ctx, s.bucket, key, body, size, opts)
	body.stop()
	if err == nil && counter.err != nil {
		// The stream failed but the upload completed (minio-go ends a
		// part at any read error it takes for the end): never keep it.
		err = fmt.Errorf("upload stream failed: %w", counter.err)
	}
	if err != nil {
		s.removeFailed(ctx, key)
		if counter.err != nil {
			// The stream failing (or ending early) caused the S3 error;
			// minio-go and net/http do not always keep it in the chain.
			return Object{}, fmt.Errorf("put %s: %w; S3: %w", key, counter.err, err)
		}
		return Object{}, fmt.Errorf("put %s: %w", key, err)
	}
	if size >= 0 && counter.n == size {
		// minio-go never reads a body declared empty, so a longer stream
		// would be cut silently; one more byte tells.
		var one [1]byte
		if n, _ := io.ReadFull(counter, one[:]); n > 0 {
			s.removeFailed(ctx, key)
			return Object{}, fmt.Errorf("put %s: stream is longer than the %d bytes declared", key, size)
		}
	}
	if size >= 0 && counter.n != size {
		s.removeFailed(ctx, key)
		return Object{}, fmt.Errorf("put %s: got %d bytes, expected %d: %w", key, counter.n, size, io.ErrUnexpectedEOF)
	}
	return Object{
		Key:          key,
		Size:         info.Size,
		SHA256:       hex.EncodeToString(h.Sum(nil)),
		ContentType:  contentType,
		ETag:         info.ETag,
		LastModified: info.LastModified,
	}, nil
}

// countingReader counts the bytes read and keeps the first error of the
// stream. When the size is known it fails a stream that ends early (with an
// error wrapping io.ErrUnexpectedEOF) or runs past it: minio-go would
// otherwise send a part of the wrong length, fail with its own error that
// loses the cause, and retry that part several times first.
type countingReader struct {
	r    io.Reader
	n    int64
	size int64 // -1 when unknown
	err  error
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	switch {
	case c.size < 0:
	case err == io.EOF && c.n < c.size:
		err = fmt.Errorf("stream ended after %d of %d bytes: %w", c.n, c.size, io.ErrUnexpectedEOF)
	case c.n > c.size:
		err = fmt.Errorf("stream is longer than the %d bytes declared", c.size)
	}
	if err != nil && err != io.EOF {
		if c.err == nil {
			c.err = err
		}
		// minio-go reads a bare io.ErrUnexpectedEOF as the normal end of a
		// short last part; wrapped, it aborts the upload instead.
		err = fmt.Errorf("upload stream: %w", err)
	}
	return n, err
}

// removeFailed deletes what a failed upload may have left. A server can
// still be writing a cut-off single-part body when the first delete
// arrives, so it deletes once more ReabortAfter later.
func (s *Store) removeFailed(ctx context.Context, key string) {
	ctx = context.WithoutCancel(ctx)
	_ = s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{})
	time.AfterFunc(ReabortAfter, func() {
		_ = s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{})
	})
}

// Stat returns an object's size, type, ETag and modification time.
func (s *Store) Stat(ctx context.Context, key string) (Object, error) {
	info, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		if isNotFound(err) {
			return Object{}, fmt.Errorf("%s: %w", key, ErrNotFound)
		}
		return Object{}, fmt.Errorf("stat %s: %w", key, err)
	}
	return Object{
		Key:          key,
		Size:         info.Size,
		ContentType:  info.ContentType,
		ETag:         info.ETag,
		LastModified: info.LastModified,
	}, nil
}

// Get opens the object from offset; length < 0 reads to the end.
func (s *Store) Get(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	opts := minio.GetObjectOptions{}
	if offset > 0 || length >= 0 {
		end := int64(0)
		if length >= 0 {
			end = offset + length - 1
		}
		if length == 0 {
			return io.NopCloser(strings.NewReader("")), nil
		}
		if err := opts.SetRange(offset, end); err != nil {
			return nil, fmt.Errorf("range for %s: %w", key, err)
		}
	}
	// Core.GetObject issues the request now, so a missing object is an
	// error here and not on the first Read.
	core := minio.Core{Client: s.client}
	body, _, _, err := core.GetObject(ctx, s.bucket, key, opts)
	if err != nil {
		if isNotFound(err) {
			return nil, fmt.Errorf("%s: %w", key, ErrNotFound)
		}
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	return body, nil
}

// Delete removes an object; a missing object is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if key == "" {
		return nil
	}
	err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// Keys lists every object key under prefix.
func (s *Store) Keys(ctx context.Context, prefix string) ([]string, error) {
	var keys []string
	for obj := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if obj.Err != nil {
			return nil, fmt.Errorf("list %s: %w", prefix, obj.Err)
		}
		keys = append(keys, obj.Key)
	}
	return keys, nil
}

func isNotFound(err error) bool {
	resp := minio.ToErrorResponse(err)
	return resp.StatusCode == http.StatusNotFound || resp.Code == "NoSuchKey" || resp.Code == "NotFound"
}

// List returns every object under prefix with its size, ETag and
// modification time (no SHA-256 or content type: listings do not carry
// them).
func (s *Store) List(ctx context.Context, prefix string) ([]Object, error) {
	var objects []Object
	for obj := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if obj.Err != nil {
			return nil, fmt.Errorf("list %s: %w", prefix, obj.Err)
		}
		objects = append(objects, Object{Key: obj.Key, Size: obj.Size, ETag: obj.ETag, LastModified: obj.LastModified})
	}
	return objects, nil
}

// Upload is a multipart upload that was started and neither completed nor
// aborted: its parts take space on the server but are no object yet.
type Upload struct {
	Key       string
	UploadID  string
	Initiated time.Time
}

// IncompleteUploads lists the unfinished multipart uploads of keys under
// prefix ("" for the whole bucket).
//
// It asks the server for the whole bucket and filters here: MinIO answers
// a prefix only when it is a whole key, and lists the uploads of other
// keys only for an empty prefix, and then only those started since the
// MinIO process started (its own expiry, MINIO_API_STALE_UPLOADS_EXPIRY,
// removes older ones). The journal (SetJournal) adds the uploads the
// portal started that the server did not list.
func (s *Store) IncompleteUploads(ctx context.Context, prefix string) ([]Upload, error) {
	var uploads []Upload
	for up := range s.client.ListIncompleteUploads(ctx, s.bucket, "", true) {
		if up.Err != nil {
			return nil, fmt.Errorf("list unfinished uploads: %w", up.Err)
		}
		if strings.HasPrefix(up.Key, prefix) {
			uploads = append(uploads, Upload{Key: up.Key, UploadID: up.UploadID, Initiated: up.Initiated})
		}
	}
	return s.journaled(ctx, prefix, uploads)
}

// IsUnavailable reports whether err means the S3 server could not be
// reached or broke off (an outage, a restart), rather than answered:
// minio-go returns transport failures as *url.Error.
func IsUnavailable(err error) bool {
	var ue *url.Error
	return errors.As(err, &ue)
}

// IsStorageFull reports whether err means there is no room left: a full
// disk under the portal (ENOSPC) or an S3 server out of space (MinIO's
// XMinioStorageFull; versitygw passes the disk's message on).
func IsStorageFull(err error) bool {
	if errors.Is(err, syscall.ENOSPC) {
		return true
	}
	var resp minio.ErrorResponse
	if !errors.As(err, &resp) {
		return false
	}
	return resp.Code == "XMinioStorageFull" || strings.Contains(strings.ToLower(resp.Message), "no space left")
}
