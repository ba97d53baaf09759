// Package upload stages resumable uploads on local disk: each upload is a
// data file that grows chunk by chunk and a small JSON file describing it.
// The committed offset is the data file's size, so an upload survives a
// dropped connection and a restart and resumes from the last byte that
// reached the disk. When complete, the caller moves it into object storage
// and deletes it here.
package upload

import (
	"bytes"
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
)

var (
	// ErrNotFound: no upload with that id.
	ErrNotFound = errors.New("upload not found")
	// ErrOffset: the client's offset is not where the upload stands.
	ErrOffset = errors.New("upload offset mismatch")
	// ErrTooLong: the chunk goes past the declared length.
	ErrTooLong = errors.New("chunk exceeds the declared upload length")
	// ErrBusy: another request is writing to the same upload.
	ErrBusy = errors.New("upload is being written by another request")
	// ErrChecksum: the chunk's bytes differ from its declared checksum.
	ErrChecksum = errors.New("chunk checksum mismatch")
)

// Checksum is a chunk's declared digest, checked before the chunk counts.
type Checksum struct {
	Hash hash.Hash
	Want []byte
}

// Info describes one staged upload.
type Info struct {
	ID        string    `json:"id"`
	Slug      string    `json:"slug"`     // webinar it belongs to
	Kind      string    `json:"kind"`     // "recording" or "slides"
	Filename  string    `json:"filename"` // as the user named it
	Length    int64     `json:"length"`   // declared total size
	Offset    int64     `json:"offset"`   // bytes on disk (filled on read)
	UserID    string    `json:"user_id"`  // who started it
	CreatedAt time.Time `json:"created_at"`
	// Finished: the file was moved into object storage; only this
	// description stays (a day), so a client that lost the answer to its
	// last chunk learns on retry that all went well.
	Finished bool `json:"finished,omitempty"`
}

// Complete reports whether every byte has arrived.
func (i Info) Complete() bool { return i.Offset == i.Length }

// Store keeps staged uploads in one directory.
type Store struct {
	dir string

	mu      sync.Mutex
	writing map[string]bool
}

// NewStore uses dir (made absolute and created if missing).
func NewStore(dir string) (*Store, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, fmt.Errorf("upload staging folder: %w", err)
	}
	return &Store{dir: abs, writing: map[string]bool{}}, nil
}

func (s *Store) dataPath(id string) string { return filepath.Join(s.dir, id+".part") }
func (s *Store) infoPath(id string) string { return filepath.Join(s.dir, id+".json") }

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
	data, err := json.Marshal(info)
	if err != nil {
		return Info{}, err
	}
	if err := os.WriteFile(s.dataPath(info.ID), nil, 0o640); err != nil {
		return Info{}, fmt.Errorf("create upload: %w", err)
	}
	// Write the description last and atomically: an upload without one
	// is half-created and swept.
	tmp := s.infoPath(info.ID) + ".tmp"
	if err := os.WriteFile(tmp, data, 0o640); err != nil {
		os.Remove(s.dataPath(info.ID))
		return Info{}, fmt.Errorf("create upload: %w", err)
	}
	if err := os.Rename(tmp, s.infoPath(info.ID)); err != nil {
		os.Remove(tmp)
		os.Remove(s.dataPath(info.ID))
		return Info{}, fmt.Errorf("create upload: %w", err)
	}
	return info, nil
}

// Get returns an upload with its current offset.
func (s *Store) Get(id string) (Info, error) {
	if !validID(id) {
		return Info{}, ErrNotFound
	}
	data, err := os.ReadFile(s.infoPath(id))
	if errors.Is(err, os.ErrNotExist) {
		return Info{}, ErrNotFound
	}
	if err != nil {
		return Info{}, err
	}
	var info Info
	if err := json.Unmarshal(data, &info); err != nil {
		return Info{}, fmt.Errorf("upload %s: %w", id, err)
	}
	if info.Finished {
		info.Offset = info.Length
		return info, nil
	}
	st, err := os.Stat(s.dataPath(id))
	if errors.Is(err, os.ErrNotExist) {
		return Info{}, ErrNotFound
	}
	if err != nil {
		return Info{}, err
	}
	info.Offset = st.Size()
	return info, nil
}

func (s *Store) lock(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.writing[id] {
		return false
	}
	s.writing[id] = true
	return true
}

func (s *Store) unlock(id string) {
	s.mu.Lock()
	delete(s.writing, id)
	s.mu.Unlock()
}

// Append writes r at offset, which must be the upload's current offset.
// Bytes that arrive before r fails stay: they are the point to resume
// from. A chunk running past the declared length is refused whole.
// With a checksum, the chunk counts only when it arrived whole and matches.
func (s *Store) Append(id string, offset int64, r io.Reader, sum *Checksum) (Info, error) {
	if !s.lock(id) {
		return Info{}, ErrBusy
	}
	defer s.unlock(id)
	info, err := s.Get(id)
	if err != nil {
		return Info{}, err
	}
	if offset != info.Offset {
		return info, ErrOffset
	}
	if info.Finished {
		return info, nil // a retried last chunk: nothing more to write
	}
	f, err := os.OpenFile(s.dataPath(id), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return info, err
	}
	defer f.Close()
	remaining := info.Length - info.Offset
	src := io.LimitReader(r, remaining+1)
	if sum != nil {
		src = io.TeeReader(src, sum.Hash)
	}
	n, err := io.Copy(f, src)
	if n > remaining {
		// Refuse the whole chunk: back to where it started.
		_ = f.Truncate(offset)
		return info, ErrTooLong
	}
	if sum != nil && (err != nil || !bytes.Equal(sum.Hash.Sum(nil), sum.Want)) {
		_ = f.Truncate(offset)
		if err == nil {
			err = ErrChecksum
		}
		return info, err
	}
	info.Offset += n
	// No fsync per chunk: a crashed or killed portal keeps what reached the
	// page cache, and after a power loss the file's size (ext4 orders data
	// before metadata) is still a point the upload can resume from.
	return info, err
}

// Open reads a staged upload's data.
func (s *Store) Open(id string) (*os.File, error) {
	if !validID(id) {
		return nil, ErrNotFound
	}
	return os.Open(s.dataPath(id))
}

// Finish records that a complete upload reached object storage and frees
// its data.
func (s *Store) Finish(id string) error {
	info, err := s.Get(id)
	if err != nil {
		return err
	}
	info.Finished, info.Offset = true, 0
	data, err := json.Marshal(info)
	if err != nil {
		return err
	}
	tmp := s.infoPath(id) + ".tmp"
	if err := os.WriteFile(tmp, data, 0o640); err != nil {
		return err
	}
	if err := os.Rename(tmp, s.infoPath(id)); err != nil {
		return err
	}
	if err := os.Remove(s.dataPath(id)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// Delete removes a staged upload; a missing one is not an error.
func (s *Store) Delete(id string) error {
	if !validID(id) {
		return nil
	}
	err1 := os.Remove(s.dataPath(id))
	err2 := os.Remove(s.infoPath(id))
	for _, err := range []error{err1, err2} {
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// Stale lists uploads not written to for longer than age, including
// half-created ones, so a sweeper can remove them.
func (s *Store) Stale(age time.Duration) ([]string, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, err
	}
	cutoff := time.Now().Add(-age)
	seen := map[string]bool{}
	var ids []string
	for _, e := range entries {
		id, _, _ := strings.Cut(e.Name(), ".")
		if seen[id] || !validID(id) {
			continue
		}
		seen[id] = true
		st, err := os.Stat(s.dataPath(id))
		if err == nil && st.ModTime().After(cutoff) {
			continue
		}
		if err != nil {
			// Only a description left: look at its age instead.
			if ist, ierr := os.Stat(s.infoPath(id)); ierr == nil && ist.ModTime().After(cutoff) {
				continue
			}
		}
		ids = append(ids, id)
	}
	return ids, nil
}
