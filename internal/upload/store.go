// Package upload keeps resumable uploads (tus) of recordings and slide
// decks. Each chunk streams from the request straight into an S3
// multipart upload, part by part; nothing is staged whole on disk. A small
// JSON description per upload, replaced atomically, holds the committed
// parts, the SHA-256 state of their bytes and the object they make up, so
// an upload resumes after a dropped connection or a restart from its last
// committed byte. A piece too small to be a part (S3 wants 5 MiB, except
// for the last) waits in a small tail file until the next bytes fill it up.
// S3's answer to a part overlaps the next part's bytes (see flight.go).
package upload

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/smakom/webinar-portal/internal/media"
)

var (
	// ErrNotFound: no upload with that id (or its S3 upload is gone).
	ErrNotFound = errors.New("upload not found")
	// ErrOffset: the client's offset is not where the upload stands.
	ErrOffset = errors.New("upload offset mismatch")
	// ErrTooLong: the chunk goes past the declared length.
	ErrTooLong = errors.New("chunk exceeds the declared upload length")
	// ErrBusy: another request is writing to the same upload.
	ErrBusy = errors.New("upload is being written by another request")
	// ErrChecksum: the chunk's bytes differ from its declared checksum.
	ErrChecksum = errors.New("chunk checksum mismatch")
	// ErrInterrupted: the chunk's body broke off (the client went away
	// or sent less than it announced); what was committed stays.
	ErrInterrupted = errors.New("upload chunk interrupted")
)

// Checksum is a chunk's declared digest, checked before the chunk counts.
type Checksum struct {
	Hash hash.Hash
	Want []byte
}

// Info describes one upload.
type Info struct {
	ID        string    `json:"id"`
	Slug      string    `json:"slug"`     // webinar it belongs to
	Kind      string    `json:"kind"`     // "recording" or "slides"
	Filename  string    `json:"filename"` // as the user named it
	Length    int64     `json:"length"`   // declared total size
	Offset    int64     `json:"-"`        // committed bytes
	UserID    string    `json:"user_id"`  // who started it
	CreatedAt time.Time `json:"created_at"`
	// Finished: the object was committed to its webinar; only this
	// description stays (a day), so a client that lost the answer to its
	// last chunk learns on retry that all went well.
	Finished bool `json:"finished,omitempty"`
}

// Complete reports whether every byte has arrived.
func (i Info) Complete() bool { return i.Offset == i.Length }

// record is an upload's description file: Info, and where its bytes are.
type record struct {
	Info
	Key         string       `json:"key,omitempty"`          // the object the parts make up
	ContentType string       `json:"content_type,omitempty"` // sniffed from the first bytes
	UploadID    string       `json:"upload_id,omitempty"`    // the S3 multipart upload
	Parts       []media.Part `json:"parts,omitempty"`        // committed parts, in order
	SHA256      []byte       `json:"sha256_state,omitempty"` // hash state after the parts' bytes
	TailGen     int          `json:"tail_gen,omitempty"`     // which tail file holds the bytes after the parts
	TailLen     int64        `json:"tail_len,omitempty"`     // how many of its bytes are committed
}

func (r record) info() Info {
	i := r.Info
	if r.Finished {
		i.Offset = r.Length
		return i
	}
	i.Offset = r.TailLen
	for _, p := range r.Parts {
		i.Offset += p.Size
	}
	return i
}

// Objects is the multipart side of object storage (*media.Store).
type Objects interface {
	NewMultipart(ctx context.Context, key, contentType string) (string, error)
	PutPart(ctx context.Context, key, uploadID string, n int, r io.Reader, size int64) (media.Part, error)
	CompleteMultipart(ctx context.Context, key, uploadID string, parts []media.Part) (media.Object, error)
	AbortUpload(ctx context.Context, key, uploadID string) error
	Stat(ctx context.Context, key string) (media.Object, error)
}

// Target checks uploads and takes the finished ones (*webinar.Service).
type Target interface {
	// BeginUpload checks an upload from the file's first bytes
	// (media.SniffLen, or the whole file when shorter) and names the
	// object its bytes go to; an error refuses the upload.
	BeginUpload(ctx context.Context, slug, kind string, head []byte) (string, media.Kind, error)
	// CommitUpload makes the finished object part of the webinar; unless
	// it succeeds, it deletes the object.
	CommitUpload(ctx context.Context, slug, kind, filename string, obj media.Object) error
}

// DefaultPartSize is the size of the parts a chunk is cut into. The staff
// pages send chunks of this size, so each chunk is one part.
const DefaultPartSize = 16 << 20

// Options configure a Store.
type Options struct {
	Objects Objects
	Target  Target
	// PartSize: DefaultPartSize when 0; never below media.MinPartSize.
	PartSize int64
}

// Store keeps the descriptions and tail files of uploads in one directory.
type Store struct {
	dir      string
	objects  Objects
	target   Target
	partSize int64

	mu       sync.Mutex
	writing  map[string]*writer
	gone     map[string]bool     // deleted while a request was writing
	handoffs map[string]*handoff // parts left in flight by answered chunks
}

// writer is the one request allowed to change an upload at a time.
type writer struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// NewStore keeps uploads in dir (made absolute; created with the first
// upload).
func NewStore(dir string, opts Options) (*Store, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	size := opts.PartSize
	if size == 0 {
		size = DefaultPartSize
	}
	size = max(size, media.MinPartSize)
	return &Store{dir: abs, objects: opts.Objects, target: opts.Target, partSize: size,
		writing: map[string]*writer{}, gone: map[string]bool{}, handoffs: map[string]*handoff{}}, nil
}

func (s *Store) infoPath(id string) string { return filepath.Join(s.dir, id+".json") }
func (s *Store) tailPath(id string, gen int) string {
	return filepath.Join(s.dir, fmt.Sprintf("%s.%d.tail", id, gen))
}

func validID(id string) bool {
	if len(id) != 32 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil
}

// Create starts an upload and returns it with its new id.
func (s *Store) Create(info Info) (Info, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return Info{}, err
	}
	info.ID = hex.EncodeToString(b)
	info.Offset = 0
	info.CreatedAt = time.Now().UTC()
	if err := os.MkdirAll(s.dir, 0o750); err != nil {
		return Info{}, fmt.Errorf("upload folder: %w", err)
	}
	if err := s.write(record{Info: info}); err != nil {
		return Info{}, fmt.Errorf("create upload: %w", err)
	}
	return info, nil
}

// Get returns an upload with its committed offset, after waiting for a
// part still in flight.
func (s *Store) Get(id string) (Info, error) {
	if h := s.handoffOf(id); h != nil {
		_, _ = s.settle(h)
	}
	rec, err := s.read(id)
	return rec.info(), err
}

func (s *Store) read(id string) (record, error) {
	if !validID(id) {
		return record{}, ErrNotFound
	}
	data, err := os.ReadFile(s.infoPath(id))
	if errors.Is(err, os.ErrNotExist) {
		return record{}, ErrNotFound
	}
	if err != nil {
		return record{}, err
	}
	var rec record
	if err := json.Unmarshal(data, &rec); err != nil {
		return record{}, fmt.Errorf("upload %s: %w", id, err)
	}
	return rec, nil
}

// write replaces an upload's description atomically: a killed portal
// leaves the old one or the new one. It is not fsynced; after a crash of
// the machine itself the parts in S3 are safe but an upload may start
// over.
func (s *Store) write(rec record) error {
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	tmp := s.infoPath(rec.ID) + ".tmp"
	if err := os.WriteFile(tmp, data, 0o640); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gone[rec.ID] {
		os.Remove(tmp)
		return ErrNotFound
	}
	if err := os.Rename(tmp, s.infoPath(rec.ID)); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// lock makes the caller the upload's one writer; Delete cancels ctx.
func (s *Store) lock(ctx context.Context, id string) (context.Context, func(), error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gone[id] {
		return nil, nil, ErrNotFound
	}
	if s.writing[id] != nil {
		return nil, nil, ErrBusy
	}
	ctx, cancel := context.WithCancel(ctx)
	w := &writer{cancel: cancel, done: make(chan struct{})}
	s.writing[id] = w
	return ctx, func() {
		cancel()
		s.mu.Lock()
		delete(s.writing, id)
		s.mu.Unlock()
		close(w.done)
	}, nil
}

// deleteWait bounds how long Delete waits for a request still writing to
// the upload (one blocked on a silent client, say) before it goes ahead.
const deleteWait = 15 * time.Second

// Delete cancels an upload: a request writing to it is stopped, its S3
// multipart upload aborted (so the server frees the parts) and its files
// removed. A missing upload is not an error.
func (s *Store) Delete(ctx context.Context, id string) error {
	if !validID(id) {
		return nil
	}
	s.mu.Lock()
	s.gone[id] = true
	w := s.writing[id]
	s.mu.Unlock()
	waited := true
	if w != nil {
		w.cancel()
		select {
		case <-w.done:
		case <-time.After(deleteWait):
			waited = false
		}
	}
	// A part the last chunk left in flight (its commit is refused now).
	if h := s.handoffOf(id); h != nil {
		h.f.cancel()
		_, _ = s.settle(h)
	}
	err := s.remove(ctx, id)
	if waited {
		// Otherwise the stray writer stays barred from writing.
		s.mu.Lock()
		delete(s.gone, id)
		s.mu.Unlock()
	}
	return err
}

// remove aborts an upload's S3 upload and removes its files.
func (s *Store) remove(ctx context.Context, id string) error {
	rec, err := s.read(id)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	if err == nil && rec.UploadID != "" && !rec.Finished && s.objects != nil {
		if err := s.objects.AbortUpload(ctx, rec.Key, rec.UploadID); err != nil {
			return err // keep the description, so a later sweep tries again
		}
	}
	return s.removeFiles(id)
}

// removeFiles removes an upload's description and tail files.
func (s *Store) removeFiles(id string) error {
	names, err := filepath.Glob(filepath.Join(s.dir, id+".*"))
	if err != nil {
		return err
	}
	var errs []error
	for _, name := range names {
		if err := os.Remove(name); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Upload is one upload as a sweeper sees it.
type Upload struct {
	Info
	// Touched: when its description (or, without one, any of its files)
	// last changed.
	Touched time.Time
	// S3 multipart upload, when one was started and not finished.
	Key, UploadID string
}

// List returns every upload in the folder, half-created ones (files
// without a description) included.
func (s *Store) List() ([]Upload, error) {
	entries, err := os.ReadDir(s.dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	byID := map[string]*Upload{}
	var ids []string
	for _, e := range entries {
		id, _, _ := strings.Cut(e.Name(), ".")
		if !validID(id) {
			continue
		}
		u := byID[id]
		if u == nil {
			u = &Upload{Info: Info{ID: id}}
			byID[id] = u
			ids = append(ids, id)
		}
		if fi, err := e.Info(); err == nil && fi.ModTime().After(u.Touched) {
			u.Touched = fi.ModTime()
		}
	}
	out := make([]Upload, 0, len(ids))
	for _, id := range ids {
		u := byID[id]
		if rec, err := s.read(id); err == nil {
			u.Info = rec.info()
			if !rec.Finished {
				u.Key, u.UploadID = rec.Key, rec.UploadID
			}
			if fi, err := os.Stat(s.infoPath(id)); err == nil {
				u.Touched = fi.ModTime()
			}
		}
		out = append(out, *u)
	}
	return out, nil
}
